// Builds, starts and stops the Go reference server (cmd/refserver) for the
// interop check. Shared by run.mjs and breaker.mjs.

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const interopDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = resolve(interopDir, "..");

const READY_PREFIX = "ACS_CONNECTION_STRING=";
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 7_000; // the server itself allows 5 s for in-flight requests

/** log writes a harness line to stderr (stdout is left to the test reporter). */
export function log(msg) {
  process.stderr.write(`interop: ${msg}\n`);
}

/**
 * splitArgs splits REFSERVER_ARGS on whitespace, honouring simple single or
 * double quotes ("-latency 50ms -rate-limits acs").
 */
export function splitArgs(s) {
  const out = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of (s ?? "").matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** buildRefserver compiles ./cmd/refserver into dir and returns the binary's path. */
export function buildRefserver(dir) {
  const bin = join(dir, process.platform === "win32" ? "refserver.exe" : "refserver");
  const t0 = Date.now();
  const res = spawnSync(process.env.GO ?? "go", ["build", "-o", bin, "./cmd/refserver"], {
    cwd: repoRoot,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (res.error) throw new Error(`go build ./cmd/refserver: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`go build ./cmd/refserver exited with ${res.status ?? res.signal}`);
  log(`built ./cmd/refserver in ${Date.now() - t0} ms`);
  return bin;
}

/**
 * startRefserver runs the binary over TLS on a free loopback port and waits
 * for its connection-string line. It resolves to
 * { connectionString, caFile, stop(), stderr() }.
 */
export async function startRefserver(bin, dir, extraArgs = []) {
  const caFile = join(dir, "refserver-ca.pem");
  const accessKey = randomBytes(32).toString("base64");
  const args = ["-addr", "127.0.0.1:0", "-tls", "-cert-out", caFile, "-access-key", accessKey, ...extraArgs];
  const child = spawn(bin, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });

  let stderrText = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    stderrText += chunk;
    if (stderrText.length > 200_000) stderrText = stderrText.slice(-100_000);
  });
  const exited = new Promise((res) => child.once("exit", (code, signal) => res({ code, signal })));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    const st = await exited;
    clearTimeout(timer);
    return st;
  };

  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((res, rej) => {
    lines.on("line", (line) => {
      if (line.startsWith(READY_PREFIX)) res(line.slice(READY_PREFIX.length).trim());
    });
    child.once("error", rej);
    exited.then(({ code, signal }) =>
      rej(new Error(`refserver exited (${code ?? signal}) before it was ready:\n${stderrText}`)),
    );
  });
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`refserver printed no ${READY_PREFIX} line within ${READY_TIMEOUT_MS} ms:\n${stderrText}`)), READY_TIMEOUT_MS);
  });
  try {
    const connectionString = await Promise.race([ready, timeout]);
    readFileSync(caFile); // written before the line appears; fail clearly if not
    return { connectionString, caFile, stop, stderr: () => stderrText, pid: child.pid };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** endpointOf returns the endpoint URL of an ACS connection string. */
export function endpointOf(connectionString) {
  const m = /(?:^|;)\s*endpoint=([^;]+)/i.exec(connectionString);
  if (!m) throw new Error("the connection string has no endpoint=");
  return new URL(m[1]);
}
