#!/usr/bin/env node
// SDK interop check: runs the official ACS JavaScript SDKs against a server.
//
//   node interop/run.mjs            (from the repo root; after `cd interop && npm ci`)
//
// Without REFSERVER_CONNECTION_STRING it builds ./cmd/refserver, starts it
// over TLS on a free loopback port (extra flags from REFSERVER_ARGS), runs
// sdk.test.mjs in a child process that trusts the server's certificate
// through NODE_EXTRA_CA_CERTS, and stops the server whatever happens.
//
// With REFSERVER_CONNECTION_STRING (and NODE_EXTRA_CA_CERTS for a private
// CA) it starts nothing and tests that server instead.
//
// Exit status: 0 all tests passed, 1 a test failed, 2 the harness failed.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { buildRefserver, endpointOf, interopDir, log, splitArgs, startRefserver } from "./lib/refserver.mjs";

const TEST_FILE = join(interopDir, "sdk.test.mjs");
const RUN_TIMEOUT_MS = Number(process.env.INTEROP_TIMEOUT_MS ?? 120_000);

let server; // the refserver we started, if any
let tests; // the test child process
let tmp;

async function cleanup() {
  if (tests && tests.exitCode === null && tests.signalCode === null) tests.kill("SIGTERM");
  if (server) {
    const st = await server.stop();
    if (st.code !== 0) log(`refserver exited with ${st.code ?? st.signal} on SIGTERM (expected 0)`);
    server = undefined;
  }
  if (tmp && !process.env.INTEROP_KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
}

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, async () => {
    log(`${sig}: stopping`);
    await cleanup();
    process.exit(sig === "SIGINT" ? 130 : 143);
  });
}

async function main() {
  const t0 = Date.now();
  if (Number(process.versions.node.split(".")[0]) < 20) {
    log(`Node ${process.versions.node} is too old: @azure/communication-chat 1.6.0 needs Node 20 or later`);
    return 2;
  }
  if (!existsSync(join(interopDir, "node_modules", "@azure", "communication-chat"))) {
    log("the SDKs are not installed: run `(cd interop && npm ci)` first");
    return 2;
  }
  const env = { ...process.env };
  delete env.NODE_TLS_REJECT_UNAUTHORIZED; // certificates are always verified

  if (process.env.REFSERVER_CONNECTION_STRING) {
    const cs = process.env.REFSERVER_CONNECTION_STRING.replace(/^ACS_CONNECTION_STRING=/, "");
    const endpoint = endpointOf(cs);
    log(`testing the server at ${endpoint.origin} (REFSERVER_CONNECTION_STRING; no server started)`);
    if (endpoint.protocol === "https:" && !process.env.NODE_EXTRA_CA_CERTS) {
      log("NODE_EXTRA_CA_CERTS is not set: the server's certificate must chain to a public CA");
    }
    env.REFSERVER_CONNECTION_STRING = cs;
  } else {
    tmp = mkdtempSync(join(tmpdir(), "chatconform-interop-"));
    const bin = buildRefserver(tmp);
    const extra = splitArgs(process.env.REFSERVER_ARGS);
    server = await startRefserver(bin, tmp, extra);
    log(`refserver pid ${server.pid} at ${endpointOf(server.connectionString).origin}${extra.length ? ` (REFSERVER_ARGS: ${extra.join(" ")})` : ""}`);
    let ca = server.caFile;
    if (process.env.NODE_EXTRA_CA_CERTS && existsSync(process.env.NODE_EXTRA_CA_CERTS)) {
      // Keep whatever the caller already trusts (e.g. a corporate proxy CA).
      ca = join(tmp, "ca-bundle.pem");
      writeFileSync(ca, readFileSync(process.env.NODE_EXTRA_CA_CERTS, "utf8") + "\n" + readFileSync(server.caFile, "utf8"));
    }
    env.REFSERVER_CONNECTION_STRING = server.connectionString;
    env.NODE_EXTRA_CA_CERTS = ca;
  }

  tests = spawn(process.execPath, ["--test-reporter=spec", TEST_FILE], { env, stdio: "inherit" });
  const watchdog = setTimeout(() => {
    log(`the tests did not finish within ${RUN_TIMEOUT_MS} ms: killing them`);
    tests.kill("SIGKILL");
  }, RUN_TIMEOUT_MS);
  const { code, signal } = await new Promise((res) => tests.once("exit", (code, signal) => res({ code, signal })));
  clearTimeout(watchdog);

  if (code !== 0 && server) process.stderr.write(`--- refserver stderr ---\n${server.stderr()}--- end ---\n`);
  log(`${code === 0 ? "PASS" : "FAIL"} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // 1: a test failed (the server's fault). Anything else (killed by the
  // watchdog, crashed) is the harness's: 2, as the README says.
  return code === 0 ? 0 : code === 1 ? 1 : (log(`harness error: the test runner ended with ${code ?? signal}`), 2);
}

let status = 2;
try {
  status = await main();
} catch (err) {
  log(`harness error: ${err?.stack ?? err}`);
  status = 2;
} finally {
  await cleanup();
}
process.exit(status);
