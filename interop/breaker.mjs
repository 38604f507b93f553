#!/usr/bin/env node
// breaker: proves the interop check can fail. It puts a deliberately broken
// HTTPS reverse proxy in front of a clean reference server and runs
// run.mjs through it once per fault; every fault must make the run fail.
//
//   node interop/breaker.mjs                 every fault
//   node interop/breaker.mjs envelope add-200
//   node interop/breaker.mjs --serve MODE    only start server + proxy, print
//                                            REFSERVER_CONNECTION_STRING and
//                                            NODE_EXTRA_CA_CERTS, serve until Ctrl-C
//
// Exit status: 0 every fault was detected, 1 some fault went unnoticed,
// 2 the harness failed. For testing the interop check only: nothing else
// uses this proxy. Needs the openssl CLI (for the proxy's certificate).

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { buildRefserver, endpointOf, interopDir, log, startRefserver } from "./lib/refserver.mjs";

const ADD = /\/participants\/:add$/;
const LIST = /\/participants$/;

/**
 * Each fault rewrites one upstream response: ({ method, path, status, headers, json }) => mutated in place.
 * The controls (expect: "pass") must NOT make the run fail: they show that the proxy itself is transparent
 * and that the SDK tolerates the live service's shape.
 */
const FAULTS = {
  passthrough: {
    expect: "pass",
    what: "control: forwards everything unchanged",
    apply() {},
  },
  "no-kind": {
    expect: "pass",
    what: "control: identifiers without kind (as the live service sends them)",
    apply(r) {
      const strip = (v) => {
        if (Array.isArray(v)) v.forEach(strip);
        else if (v && typeof v === "object") {
          if ("rawId" in v) delete v.kind;
          Object.values(v).forEach(strip);
        }
      };
      if (r.status < 300 && r.json) strip(r.json);
    },
  },
  // What the live service really sends for errors (see shared/reference/README.md), not the documented envelope.
  envelope: {
    what: 'error bodies as {"CommunicationError":{"Code","Message","Details"}} instead of {"error":{"code","message"}}',
    apply(r) {
      if (r.status >= 400 && r.json?.error) {
        r.json = { CommunicationError: { Code: r.json.error.code, Message: r.json.error.message, Details: [] } };
      }
    },
  },
  "add-200": {
    what: "participants/:add answers 200 instead of 201",
    apply(r) {
      if (r.method === "POST" && ADD.test(r.path) && r.status === 201) r.status = 200;
    },
  },
  "drop-invalid": {
    what: "participants/:add leaves out invalidParticipants",
    apply(r) {
      if (r.method === "POST" && ADD.test(r.path) && r.json?.invalidParticipants) delete r.json.invalidParticipants;
    },
  },
  "no-nextlink": {
    what: "participant pages carry no nextLink (listing stops after page 1)",
    apply(r) {
      if (r.method === "GET" && LIST.test(r.path) && r.json) delete r.json.nextLink;
    },
  },
  "overlap-pages": {
    what: "nextLink's skip is one short, so pages overlap",
    apply(r) {
      if (r.method === "GET" && LIST.test(r.path) && r.json?.nextLink) {
        const u = new URL(r.json.nextLink);
        u.searchParams.set("skip", String(Math.max(0, Number(u.searchParams.get("skip")) - 1)));
        r.json.nextLink = u.toString();
      }
    },
  },
  "time-millis": {
    what: "shareHistoryTime gains milliseconds (.250Z) instead of second precision",
    apply(r) {
      if (r.method === "GET" && LIST.test(r.path) && Array.isArray(r.json?.value)) {
        for (const p of r.json.value) {
          if (typeof p.shareHistoryTime === "string") p.shareHistoryTime = p.shareHistoryTime.replace(/Z$/, ".250Z");
        }
      }
    },
  },
  "401-as-403": {
    what: "401 Unauthorized answered as 403 Forbidden",
    apply(r) {
      if (r.status === 401) {
        r.status = 403;
        if (r.json?.error) r.json.error.code = "Forbidden";
      }
    },
  },
};

/** makeCert writes a self-signed certificate for 127.0.0.1 with the openssl CLI. */
function makeCert(dir) {
  const key = join(dir, "breaker-key.pem");
  const cert = join(dir, "breaker-ca.pem");
  const res = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=chatconform interop breaker", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", key, "-out", cert],
    { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" },
  );
  if (res.error || res.status !== 0) throw new Error(`openssl req failed: ${res.error?.message ?? res.stderr}`);
  return { key, cert };
}

/** startProxy serves HTTPS on a free loopback port, forwarding to upstream and applying fault. */
function startProxy(upstream, upstreamCA, tlsFiles, fault) {
  const agent = new https.Agent({ ca: readFileSync(upstreamCA), keepAlive: true });
  const server = https.createServer({ key: readFileSync(tlsFiles.key), cert: readFileSync(tlsFiles.cert) }, (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      // Host stays the proxy's: the HMAC signature covers it, and nextLink is built from it.
      const up = https.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
        (ures) => {
          const out = [];
          ures.on("data", (c) => out.push(c));
          ures.on("end", () => {
            const raw = Buffer.concat(out);
            const r = { method: req.method, path: new URL(req.url, "https://x").pathname, status: ures.statusCode, headers: { ...ures.headers }, json: undefined };
            if (/json/.test(r.headers["content-type"] ?? "") && raw.length) {
              try { r.json = JSON.parse(raw.toString("utf8")); } catch { /* leave the body alone */ }
            }
            const before = r.json === undefined ? undefined : JSON.stringify(r.json);
            fault.apply(r);
            let bytes = raw;
            if (r.json !== undefined && JSON.stringify(r.json) !== before) bytes = Buffer.from(JSON.stringify(r.json));
            delete r.headers["transfer-encoding"];
            delete r.headers.connection;
            delete r.headers["keep-alive"];
            if (bytes.length || "content-length" in r.headers) r.headers["content-length"] = String(bytes.length);
            res.writeHead(r.status, r.headers);
            res.end(bytes);
          });
        },
      );
      up.on("error", (err) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`breaker: upstream error: ${err.message}`);
      });
      up.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve({ server, port: server.address().port, close: () => { server.closeAllConnections(); server.close(); agent.destroy(); } }));
  });
}

/** runInterop runs run.mjs against the proxy and returns its exit code and the failed test lines. */
function runInterop(connectionString, caFile) {
  return new Promise((resolve) => {
    const env = { ...process.env, REFSERVER_CONNECTION_STRING: connectionString, NODE_EXTRA_CA_CERTS: caFile };
    delete env.REFSERVER_ARGS;
    const child = spawn(process.execPath, [join(interopDir, "run.mjs")], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.once("exit", (code, signal) => {
      // The spec reporter repeats every failed test (leaves only) after "✖ failing tests:".
      const summary = out.split(/^✖ failing tests:$/m)[1] ?? "";
      const failed = [...new Set(summary.split("\n").filter((l) => /^✖ /.test(l)).map((l) => l.replace(/ \([\d.]+ms\)$/, "")))];
      resolve({ code: code ?? signal, failed, out });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const serve = args[0] === "--serve";
  const modes = serve ? args.slice(1, 2) : args.length ? args : Object.keys(FAULTS);
  for (const m of modes) {
    if (!FAULTS[m]) {
      log(`unknown fault ${m}; known: ${Object.keys(FAULTS).join(", ")}`);
      return 2;
    }
  }
  if (serve && modes.length !== 1) {
    log("--serve needs one fault");
    return 2;
  }

  const tmp = mkdtempSync(join(tmpdir(), "chatconform-breaker-"));
  let server;
  try {
    server = await startRefserver(buildRefserver(tmp), tmp);
    const upstream = endpointOf(server.connectionString);
    const accessKey = /accesskey=([^;]+)/i.exec(server.connectionString)[1];
    const tlsFiles = makeCert(tmp);

    if (serve) {
      const proxy = await startProxy(upstream, server.caFile, tlsFiles, FAULTS[modes[0]]);
      console.log(`REFSERVER_CONNECTION_STRING=endpoint=https://127.0.0.1:${proxy.port}/;accesskey=${accessKey}`);
      console.log(`NODE_EXTRA_CA_CERTS=${tlsFiles.cert}`);
      log(`fault ${modes[0]}: ${FAULTS[modes[0]].what}; Ctrl-C to stop`);
      await new Promise((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      proxy.close();
      return 0;
    }

    let undetected = 0;
    for (const m of modes) {
      const proxy = await startProxy(upstream, server.caFile, tlsFiles, FAULTS[m]);
      const t0 = Date.now();
      const res = await runInterop(`endpoint=https://127.0.0.1:${proxy.port}/;accesskey=${accessKey}`, tlsFiles.cert);
      proxy.close();
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (FAULTS[m].expect === "pass") {
        const ok = res.code === 0;
        if (!ok) undetected++;
        console.log(`${ok ? "PASSED  " : "BROKE   "} ${m} (${FAULTS[m].what}): run.mjs exited ${res.code}, ${secs} s`);
        if (!ok || process.env.BREAKER_VERBOSE) console.log(res.out);
      } else if (res.code === 1 && res.failed.length) {
        console.log(`DETECTED ${m} (${FAULTS[m].what}): ${res.failed.length} failed tests, ${secs} s`);
        for (const l of res.failed) console.log(`    ${l}`);
        if (process.env.BREAKER_VERBOSE) console.log(res.out);
      } else {
        undetected++;
        console.log(`MISSED   ${m} (${FAULTS[m].what}): run.mjs exited ${res.code}, ${secs} s`);
        if (res.code !== 0) console.log(res.out);
      }
    }
    console.log(`breaker: ${modes.length - undetected} of ${modes.length} behaved as expected (faults detected, controls passed)`);
    return undetected ? 1 : 0;
  } finally {
    if (server) await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

let status = 2;
try {
  status = await main();
} catch (err) {
  log(`harness error: ${err?.stack ?? err}`);
}
process.exit(status);
