// The official ACS JavaScript SDKs against a server given by
// REFSERVER_CONNECTION_STRING (run through run.mjs, which also sets
// NODE_EXTRA_CA_CERTS). Only the SDKs' public API is used: whatever they
// accept here, they accept from a real ACS resource.

import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";

import { ChatClient } from "@azure/communication-chat";
import {
  AzureCommunicationTokenCredential,
  getIdentifierRawId,
  parseConnectionString,
} from "@azure/communication-common";
import { CommunicationIdentityClient } from "@azure/communication-identity";

const SDK_DEFAULT_API_VERSION = "2025-03-15"; // what @azure/communication-chat 1.6.0 sends without apiVersion
// One run per GA chat api-version and the preview (internal/wire
// SupportedChatVersions): the SDK's default with no apiVersion option, every
// other one through the option. wire is what must go on the wire.
const RUNS = [
  { apiVersion: undefined, wire: SDK_DEFAULT_API_VERSION, label: `${SDK_DEFAULT_API_VERSION} (the SDK's default, no apiVersion option)` },
  ...["2021-03-07", "2021-09-07", "2023-11-07", "2024-03-07", "2024-03-15-preview"].map((v) => ({ apiVersion: v, wire: v, label: `${v} (apiVersion option)` })),
];
// Participant metadata exists in these api-versions only (wire.HasMetadata).
const METADATA_VERSIONS = new Set(["2024-03-15-preview", "2025-03-15"]);
// INTEROP_API_VERSIONS=v1,v2 limits the runs to those wire api-versions.
const only = (process.env.INTEROP_API_VERSIONS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
for (const v of only) {
  if (!RUNS.some((r) => r.wire === v)) throw new Error(`INTEROP_API_VERSIONS: unknown api-version ${v}; known: ${RUNS.map((r) => r.wire).join(", ")}`);
}
const runs = only.length ? RUNS.filter((r) => only.includes(r.wire)) : RUNS;
const TEST_TIMEOUT_MS = 20_000;

const connectionString = (process.env.REFSERVER_CONNECTION_STRING ?? "").replace(/^ACS_CONNECTION_STRING=/, "");
if (!connectionString) {
  throw new Error("REFSERVER_CONNECTION_STRING is not set: run `node interop/run.mjs` from the repo root");
}
const { endpoint } = parseConnectionString(connectionString);
const require = createRequire(import.meta.url);
const chatSdkVersion = require("@azure/communication-chat/package.json").version;
const identitySdkVersion = require("@azure/communication-identity/package.json").version;

// ---------------------------------------------------------------- helpers

/** recorder is a pipeline policy that notes every HTTP attempt as the server saw it. */
function recorder() {
  const seen = [];
  return {
    seen,
    policy: {
      name: "interopRecorder",
      async sendRequest(request, next) {
        const response = await next(request);
        seen.push({ method: request.method, url: request.url, status: response.status });
        return response;
      },
    },
  };
}

/** chatClientFor makes a ChatClient for a token, pinned to apiVersion unless it is undefined. */
function chatClientFor(token, apiVersion, rec) {
  const options = {};
  // ChatClientOptions does not declare apiVersion, but the client passes it
  // through to the generated ChatApiClient (the only way to leave 2025-03-15).
  if (apiVersion) options.apiVersion = apiVersion;
  // perRetry runs after the SDK's own api-version policy: the URL as sent.
  if (rec) options.additionalPolicies = [{ policy: rec.policy, position: "perRetry" }];
  return new ChatClient(endpoint, new AzureCommunicationTokenCredential(token), options);
}

/** expectRestError awaits p and checks it failed with the SDK's RestError for status/code. */
async function expectRestError(p, status, code, what) {
  let err;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: expected the SDK to throw RestError ${status} ${code}, but the call succeeded`);
  const body = err.response?.bodyAsText ?? "(no body)";
  assert.equal(err.name, "RestError", `${what}: expected a RestError, got ${err.name}: ${err.message}`);
  assert.equal(err.statusCode, status, `${what}: RestError.statusCode; body ${body}`);
  assert.equal(err.code, code, `${what}: RestError.code is what the SDK parsed from the error envelope; body ${body}`);
  assert.ok(
    typeof err.message === "string" && err.message !== "" && !err.message.trimStart().startsWith("{"),
    `${what}: RestError.message should be the envelope's message, not the raw body: ${err.message}`,
  );
  return err;
}

/** pagesOf lists a thread's participants through byPage(), returning the pages. */
async function pagesOf(threadClient, options = {}, settings = {}) {
  const pages = [];
  for await (const page of threadClient.listParticipants(options).byPage(settings)) {
    pages.push(page);
    assert.ok(pages.length <= 50, "more than 50 pages: endless nextLink chain?");
  }
  return pages;
}

/** normalize turns an SDK ChatParticipant into plain comparable data, checking its types. */
function normalize(p) {
  assert.equal(p.id?.kind, "communicationUser", `participant identifier kind: ${JSON.stringify(p.id)}`);
  assert.equal(typeof p.id.communicationUserId, "string");
  assert.ok(p.shareHistoryTime instanceof Date, `shareHistoryTime should be a Date, got ${typeof p.shareHistoryTime}: ${p.shareHistoryTime}`);
  assert.ok(!Number.isNaN(p.shareHistoryTime.getTime()), "shareHistoryTime is an invalid Date");
  return {
    id: getIdentifierRawId(p.id),
    displayName: p.displayName,
    shareHistoryTime: p.shareHistoryTime.toISOString(),
    ...(p.metadata !== undefined ? { metadata: p.metadata } : {}),
  };
}

/** listing returns the whole participant list (one request per 100) in server order. */
async function listing(threadClient) {
  return (await pagesOf(threadClient)).flat().map(normalize);
}

/** truncSecond is d at second precision (the service keeps no fractions). */
const truncSecond = (d) => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** resourceOf is the resource part of 8:acs:<resource>_<guid>. */
function resourceOf(rawId) {
  const m = /^8:acs:([^_]+)_/.exec(rawId);
  assert.ok(m, `user id ${rawId} is not 8:acs:<resource>_<id>`);
  return m[1];
}

/** sdkHasParticipantMetadata reads the chat SDK's typings for ChatParticipant.metadata. */
function sdkHasParticipantMetadata() {
  const dir = dirname(require.resolve("@azure/communication-chat/package.json"));
  for (const rel of ["dist/esm/models/models.d.ts", "dist/commonjs/models/models.d.ts", "types/communication-chat.d.ts"]) {
    const f = join(dir, rel);
    if (!existsSync(f)) continue;
    const m = /export interface ChatParticipant \{([\s\S]*?)\n\}/.exec(readFileSync(f, "utf8"));
    if (m) return /\bmetadata\?:/.test(m[1]);
  }
  return false;
}

// ------------------------------------------------------------------ tests

const identity = new CommunicationIdentityClient(connectionString);

describe(`SDKs @azure/communication-chat ${chatSdkVersion}, @azure/communication-identity ${identitySdkVersion} against ${endpoint}`, () => {
  for (const { apiVersion, wire, label } of runs) {
    describe(`api-version ${label}`, () => {
      const rec = recorder();
      let owner, ownerToken, ownerChat, outsiderToken, resource;
      const members = []; // { id, displayName, shareHistoryTime }
      let threadId, thread, deleted = false;
      const participantsAdded = []; // expected listing after the first add, normalized

      before(async () => {
        const created = await identity.createUserAndToken(["chat"]);
        owner = created.user;
        ownerToken = created.token;
        ownerChat = chatClientFor(ownerToken, apiVersion, rec);
      });

      after(async () => {
        if (threadId && !deleted) await ownerChat.deleteChatThread(threadId).catch(() => {});
      });

      it("Identity: users and chat tokens via HMAC (createUserAndToken, createUser, getToken)", { timeout: TEST_TIMEOUT_MS }, async () => {
        resource = resourceOf(owner.communicationUserId);
        assert.ok(ownerToken.split(".").length === 3, "the chat token should be a JWT");
        const names = ["Ann Example", "Bob Müller", "Chloé 😀", "<Dan & Eve>", "E"];
        for (let i = 0; i < names.length; i++) {
          const user = await identity.createUser();
          assert.equal(resourceOf(user.communicationUserId), resource, "every user belongs to the same resource");
          // Milliseconds on purpose: the service keeps seconds.
          const shareHistoryTime = new Date(Date.UTC(2024, 2, 7, 10, i, 30, 123 + 111 * i));
          members.push({ id: user.communicationUserId, displayName: names[i], shareHistoryTime });
        }
        const ids = new Set([owner.communicationUserId, ...members.map((m) => m.id)]);
        assert.equal(ids.size, members.length + 1, "user ids must be unique");

        const outsider = await identity.createUser();
        const before = Date.now();
        const tok = await identity.getToken(outsider, ["chat"], { tokenExpiresInMinutes: 60 });
        outsiderToken = tok.token;
        assert.ok(tok.expiresOn instanceof Date, "expiresOn should be a Date");
        const minutes = (tok.expiresOn.getTime() - before) / 60_000;
        assert.ok(minutes > 58 && minutes < 62, `tokenExpiresInMinutes 60 gave a token valid for ${minutes.toFixed(1)} min`);
      });

      it("createChatThread: the creator is the first participant", { timeout: TEST_TIMEOUT_MS }, async () => {
        const res = await ownerChat.createChatThread({ topic: `interop ${wire}` });
        assert.ok(res.chatThread?.id, `no chatThread.id in ${JSON.stringify(res)}`);
        assert.ok(!res.invalidParticipants?.length, `invalidParticipants: ${JSON.stringify(res.invalidParticipants)}`);
        assert.equal(res.chatThread.topic, `interop ${wire}`);
        assert.ok(res.chatThread.createdOn instanceof Date);
        assert.equal(getIdentifierRawId(res.chatThread.createdBy), owner.communicationUserId);
        threadId = res.chatThread.id;
        thread = ownerChat.getChatThreadClient(threadId);
        const list = await listing(thread);
        assert.deepEqual(list, [
          { id: owner.communicationUserId, displayName: undefined, shareHistoryTime: new Date(0).toISOString() },
        ]);
      });

      it("addParticipants with displayName and shareHistoryTime: no invalidParticipants", { timeout: TEST_TIMEOUT_MS }, async () => {
        const res = await thread.addParticipants({
          participants: members.map((m) => ({
            id: { communicationUserId: m.id },
            displayName: m.displayName,
            shareHistoryTime: m.shareHistoryTime,
          })),
        });
        assert.ok(!res.invalidParticipants?.length, `invalidParticipants: ${JSON.stringify(res.invalidParticipants)}`);
        participantsAdded.push(
          { id: owner.communicationUserId, displayName: undefined, shareHistoryTime: new Date(0).toISOString() },
          ...members.map((m) => ({ id: m.id, displayName: m.displayName, shareHistoryTime: truncSecond(m.shareHistoryTime).toISOString() })),
        );
        const list = await listing(thread);
        assert.deepEqual(sortById(list), sortById(participantsAdded));
      });

      it("addParticipants again with the same participants: the listing is unchanged", { timeout: TEST_TIMEOUT_MS }, async () => {
        const before = await listing(thread);
        const res = await thread.addParticipants({
          participants: members.map((m) => ({
            id: { communicationUserId: m.id },
            displayName: m.displayName,
            shareHistoryTime: m.shareHistoryTime,
          })),
        });
        assert.ok(!res.invalidParticipants?.length, `invalidParticipants on a repeated add: ${JSON.stringify(res.invalidParticipants)}`);
        assert.deepEqual(await listing(thread), before);
      });

      it("listParticipants({ maxPageSize: 2 }).byPage(): several pages, everyone exactly once, Dates at second precision", { timeout: TEST_TIMEOUT_MS }, async (t) => {
        const sent = rec.seen.length;
        const pages = await pagesOf(thread, { maxPageSize: 2 });
        assert.ok(pages.length > 1, `expected more than one page of 2 for ${participantsAdded.length} participants, got ${pages.length}`);
        assert.equal(pages.length, Math.ceil(participantsAdded.length / 2), "pages of 2");
        for (const [i, page] of pages.entries()) {
          assert.ok(page.length >= 1 && page.length <= 2, `page ${i} has ${page.length} items (maxPageSize 2)`);
        }
        const got = pages.flat().map(normalize);
        const counts = new Map();
        for (const p of got) counts.set(p.id, (counts.get(p.id) ?? 0) + 1);
        for (const [id, n] of counts) assert.equal(n, 1, `${id} listed ${n} times across pages`);
        assert.deepEqual(sortById(got), sortById(participantsAdded));
        for (const p of pages.flat()) {
          assert.equal(p.shareHistoryTime.getUTCMilliseconds(), 0, "shareHistoryTime should have second precision");
        }
        const gets = rec.seen.slice(sent).filter((r) => r.method === "GET" && new URL(r.url).pathname.endsWith("/participants"));
        assert.equal(gets.length, pages.length, "one GET per page (the SDK follows nextLink)");

        // @azure/communication-chat ignores maxPageSize given to byPage():
        // only the listParticipants() option reaches the server.
        const viaByPage = await pagesOf(thread, {}, { maxPageSize: 2 });
        t.diagnostic(`SDK note: listParticipants().byPage({ maxPageSize: 2 }) returned ${viaByPage.length} page(s) of ${viaByPage.map((p) => p.length).join("+")}`);
      });

      it("addParticipants with a well-formed unknown user: 201 with invalidParticipants[].target = that id", { timeout: TEST_TIMEOUT_MS }, async () => {
        const ghost = `8:acs:${resource}_${randomUUID()}`;
        const before = await listing(thread);
        const res = await thread.addParticipants({ participants: [{ id: { communicationUserId: ghost }, displayName: "Ghost" }] });
        assert.ok(Array.isArray(res.invalidParticipants), `no invalidParticipants in ${JSON.stringify(res)}`);
        assert.equal(res.invalidParticipants.length, 1, JSON.stringify(res.invalidParticipants));
        const [bad] = res.invalidParticipants;
        assert.equal(bad.target, ghost, "invalidParticipants[0].target");
        assert.equal(typeof bad.code, "string", "invalidParticipants[0].code");
        assert.equal(typeof bad.message, "string", "invalidParticipants[0].message");
        assert.deepEqual(await listing(thread), before, "the unknown user must not be added");
      });

      it("addParticipants with a malformed id: RestError 400 BadRequest", { timeout: TEST_TIMEOUT_MS }, async () => {
        await expectRestError(
          thread.addParticipants({ participants: [{ id: { communicationUserId: "8:acs:fakeid===" } }] }),
          400,
          "BadRequest",
          "addParticipants(8:acs:fakeid===)",
        );
      });

      const metadataSkip =
        !METADATA_VERSIONS.has(wire)
          ? `participant metadata exists only in ${[...METADATA_VERSIONS].join(" and ")}`
          : !sdkHasParticipantMetadata()
            ? `@azure/communication-chat ${chatSdkVersion} has no ChatParticipant.metadata in its typings`
            : false;
      it("participant metadata round-trips", { timeout: TEST_TIMEOUT_MS, skip: metadataSkip }, async () => {
        const user = await identity.createUser();
        const metadata = { role: "reviewer", "team.name": "Blue 😀", empty: "" };
        const res = await thread.addParticipants({
          participants: [{ id: user, displayName: "With metadata", metadata }],
        });
        assert.ok(!res.invalidParticipants?.length, JSON.stringify(res.invalidParticipants));
        const p = (await listing(thread)).find((x) => x.id === user.communicationUserId);
        assert.ok(p, "the participant with metadata is not listed");
        assert.deepEqual(p.metadata, metadata);
        assert.equal(p.displayName, "With metadata");
        await thread.removeParticipant(user);
      });

      it("a user who is not a participant: RestError 403 Forbidden", { timeout: TEST_TIMEOUT_MS }, async () => {
        const outsider = chatClientFor(outsiderToken, apiVersion, rec).getChatThreadClient(threadId);
        await expectRestError(pagesOf(outsider), 403, "Forbidden", "listParticipants by a non-participant");
        await expectRestError(
          outsider.addParticipants({ participants: [{ id: { communicationUserId: members[0].id } }] }),
          403,
          "Forbidden",
          "addParticipants by a non-participant",
        );
      });

      it("a revoked token (revokeTokens) and a tampered token: RestError 401 Unauthorized", { timeout: TEST_TIMEOUT_MS }, async () => {
        const { user, token } = await identity.createUserAndToken(["chat"]);
        const client = chatClientFor(token, apiVersion, rec);
        const ok = await client.createChatThread({ topic: "before revoke" }); // the token works
        await client.deleteChatThread(ok.chatThread.id);
        await identity.revokeTokens(user);
        await expectRestError(
          chatClientFor(token, apiVersion, rec).createChatThread({ topic: "after revoke" }),
          401,
          "Unauthorized",
          "createChatThread with a revoked token",
        );
        const [h, p] = ownerToken.split(".");
        const tampered = `${h}.${p}.${randomBytes(32).toString("base64url")}`;
        await expectRestError(
          pagesOf(chatClientFor(tampered, apiVersion, rec).getChatThreadClient(threadId)),
          401,
          "Unauthorized",
          "listParticipants with a token whose signature was replaced",
        );
      });

      it("removeParticipant: the participant is gone from the listing", { timeout: TEST_TIMEOUT_MS }, async () => {
        const gone = members[1];
        const before = await listing(thread);
        await thread.removeParticipant({ communicationUserId: gone.id });
        const after = await listing(thread);
        assert.ok(!after.some((p) => p.id === gone.id), `${gone.id} is still listed`);
        assert.deepEqual(after, before.filter((p) => p.id !== gone.id), "the others are unchanged");
      });

      it("deleteChatThread: the thread is gone (RestError 404 NotFound)", { timeout: TEST_TIMEOUT_MS }, async () => {
        await ownerChat.deleteChatThread(threadId);
        deleted = true;
        await expectRestError(pagesOf(thread), 404, "NotFound", "listParticipants of a deleted thread");
      });

      it(`every chat request carried api-version=${wire}`, { timeout: TEST_TIMEOUT_MS }, (t) => {
        assert.ok(rec.seen.length > 10, `only ${rec.seen.length} requests recorded`);
        const onWire = new Set();
        for (const r of rec.seen) {
          const v = new URL(r.url).searchParams.getAll("api-version").join(",");
          onWire.add(v);
          assert.equal(v, wire, `${r.method} ${r.url}${apiVersion ? "" : " (no apiVersion option: the SDK's default changed?)"}`);
        }
        t.diagnostic(`api-version on the wire: ${[...onWire].join(", ")} (${rec.seen.length} chat requests, nextLink pages included)`);
      });
    });
  }
});

function sortById(list) {
  return [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
