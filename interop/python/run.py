#!/usr/bin/python3
"""SDK interop check: the official ACS Python SDKs against a server.

    /usr/bin/python3 interop/python/run.py     (from the repo root)

The SDKs are Debian's: python3-azure provides azure-communication-chat 1.2.0
and azure-communication-identity 1.3.2 for /usr/bin/python3 (not for a
pyenv or virtualenv python; use /usr/bin/python3 explicitly).

Without REFSERVER_CONNECTION_STRING it builds ./cmd/refserver, starts it over
TLS on a free loopback port (extra flags from REFSERVER_ARGS), runs the
scenario with every client verifying the server's self-signed certificate
(connection_verify=<its PEM>), and stops the server whatever happens.

With REFSERVER_CONNECTION_STRING it starts nothing and tests that server;
REFSERVER_CA_FILE names the PEM to trust (without it, the system's CAs).

Exit status: 0 all tests passed, 1 a test failed, 2 the harness failed. The
output has one line per test, marked as node:test's spec reporter marks them
(the Go test that proves the run can fail reads both the same way).
"""

import base64
import datetime
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))

EXPECTED_CHAT_SDK = "1.2.0"
EXPECTED_IDENTITY_SDK = "1.3.2"
# What azure-communication-chat 1.2.0 sends (hard-coded in every generated
# operation) and azure-communication-identity 1.3.2's default.
SDK_DEFAULT_CHAT_API_VERSION = "2021-09-07"
SDK_DEFAULT_IDENTITY_API_VERSION = "2022-10-01"
INSTALL_HINT = (
    "install Debian's python3-azure (`sudo apt-get install -y python3-azure`), which provides "
    "azure-communication-chat 1.2.0 and azure-communication-identity 1.3.2 for /usr/bin/python3, "
    "and run this file with /usr/bin/python3"
)

READY_PREFIX = "ACS_CONNECTION_STRING="
READY_TIMEOUT_S = 30
STOP_GRACE_S = 7  # the server itself allows 5 s for in-flight requests
RUN_TIMEOUT_S = int(os.environ.get("INTEROP_TIMEOUT_MS", "120000")) / 1000
HTTP_TIMEOUT_S = 20


def log(msg):
    """log writes a harness line to stderr (stdout is left to the test lines)."""
    sys.stderr.write("interop (python): %s\n" % msg)
    sys.stderr.flush()


def out(line=""):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class HarnessError(Exception):
    """The harness, not the server, failed: exit status 2."""


# ------------------------------------------------------------- the server


class Refserver:
    """A cmd/refserver built into tmp and started over TLS."""

    def __init__(self, tmp, extra_args):
        go = os.environ.get("GO", "go")
        self.bin = os.path.join(tmp, "refserver")
        t0 = time.monotonic()
        res = subprocess.run([go, "build", "-o", self.bin, "./cmd/refserver"], cwd=REPO_ROOT)
        if res.returncode != 0:
            raise HarnessError("go build ./cmd/refserver exited with %d" % res.returncode)
        log("built ./cmd/refserver in %d ms" % ((time.monotonic() - t0) * 1000))

        self.ca_file = os.path.join(tmp, "refserver-ca.pem")
        access_key = base64.b64encode(secrets.token_bytes(32)).decode()
        args = [self.bin, "-addr", "127.0.0.1:0", "-tls", "-cert-out", self.ca_file, "-access-key", access_key] + extra_args
        self.stderr_path = os.path.join(tmp, "refserver.stderr")
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self.pid = self.proc.pid

        found = []
        ready = threading.Event()

        def read():  # reads stdout to its end, so that the server never blocks on it
            for line in self.proc.stdout:
                if not found and line.startswith(READY_PREFIX):
                    found.append(line[len(READY_PREFIX):].strip())
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(READY_TIMEOUT_S)
        if not found:
            self.stop()
            raise HarnessError("refserver printed no %s line within %d s (exit %s):\n%s"
                               % (READY_PREFIX, READY_TIMEOUT_S, self.proc.returncode, self.stderr()))
        if not os.path.exists(self.ca_file):
            self.stop()
            raise HarnessError("refserver did not write its certificate to %s" % self.ca_file)
        self.connection_string = found[0]

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()[-100_000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        """stop sends SIGTERM, then SIGKILL after the grace period; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._stderr.close()
        return self.proc.returncode


def endpoint_of(connection_string):
    for part in connection_string.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "endpoint" and value:
            return value
    raise HarnessError("the connection string has no endpoint=")


# ------------------------------------------------------------- the runner


class Skip(Exception):
    pass


class Runner:
    """Runs tests in order and prints one line per test, node:test style."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []
        self.notes = None  # collected during a test, printed after its line

    def suite(self, title):
        out("▶ " + title)

    def note(self, msg):
        if self.notes is not None:
            self.notes.append(msg)
        else:
            out("    ℹ " + msg)

    def test(self, title, fn):
        self.notes = []
        try:
            self._test(title, fn)
        finally:
            notes, self.notes = self.notes, None
            for n in notes:
                self.note(n)

    def _test(self, title, fn):
        t0 = time.monotonic()
        try:
            fn()
        except Skip as s:
            self.skipped += 1
            out("    ﹣ %s (%.3fms) # %s" % (title, (time.monotonic() - t0) * 1000, s))
            return
        except Exception as e:  # a failed assertion or an SDK error: the server's fault
            self.failed += 1
            ms = (time.monotonic() - t0) * 1000
            out("    ✖ %s (%.3fms)" % (title, ms))
            detail = "".join(traceback.format_exception_only(type(e), e)).rstrip()
            if not isinstance(e, AssertionError):
                detail += "\n" + "".join(traceback.format_tb(e.__traceback__)[-3:]).rstrip()
            for line in detail.splitlines():
                out("      " + line)
            self.failures.append((title, ms))
            return
        self.passed += 1
        out("    ✔ %s (%.3fms)" % (title, (time.monotonic() - t0) * 1000))


# ------------------------------------------------------------- the scenario


class Recorder:
    """raw_response_hook: every HTTP attempt as sent (the URL with its api-version) and its status."""

    def __init__(self):
        self.seen = []

    def __call__(self, pipeline_response):
        req = pipeline_response.http_request
        self.seen.append((req.method, req.url, pipeline_response.http_response.status_code))


def api_versions_of(seen):
    from urllib.parse import parse_qs, urlsplit
    return [",".join(parse_qs(urlsplit(url).query).get("api-version", [])) for _, url, _ in seen]


def parse_time(v):
    """parse_time reads a datetime or an RFC 3339 string (any number of fraction digits)."""
    if isinstance(v, datetime.datetime):
        return v
    if not isinstance(v, str):
        raise AssertionError("expected a datetime or an RFC 3339 string, got %r" % (v,))
    s = v.replace("Z", "+00:00").replace("z", "+00:00")
    head, dot, rest = s.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        s = head + "." + rest[:min(digits, 6)].ljust(6, "0") + rest[digits:]
    return datetime.datetime.fromisoformat(s)


def trunc_second(d):
    return d.replace(microsecond=0)


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class Scenario:
    def __init__(self, runner, connection_string, ca_file):
        from azure.communication.chat import ChatClient, CommunicationTokenCredential  # noqa: F401
        from azure.communication.identity import CommunicationIdentityClient

        self.r = runner
        self.connection_string = connection_string
        self.endpoint = endpoint_of(connection_string)
        self.verify = ca_file if ca_file else True  # never False: TLS is always verified
        self.chat_rec = Recorder()
        self.identity_rec = Recorder()
        self.identity = CommunicationIdentityClient.from_connection_string(
            connection_string, **self.client_kwargs(self.identity_rec))
        self.owner = self.owner_token = self.outsider_token = self.resource = None
        self.members = []  # (identifier, display_name, share_history_time)
        self.chat = self.thread = self.thread_id = None
        self.deleted = False
        self.expected = []  # listing after the first add: (raw id, display name, share history time)

    def client_kwargs(self, rec):
        # ChatClient.get_chat_thread_client does not pass its ChatClient's
        # keywords on, so every client gets them explicitly.
        return dict(connection_verify=self.verify, raw_response_hook=rec,
                    connection_timeout=HTTP_TIMEOUT_S, read_timeout=HTTP_TIMEOUT_S, retry_total=3)

    def chat_client(self, token, **extra):
        from azure.communication.chat import ChatClient, CommunicationTokenCredential
        kw = self.client_kwargs(self.chat_rec)
        kw.update(extra)
        return ChatClient(self.endpoint, CommunicationTokenCredential(token), **kw)

    def thread_client(self, chat, thread_id):
        return chat.get_chat_thread_client(thread_id, **self.client_kwargs(self.chat_rec))

    # ------------------------------------------------------------ helpers

    def need_thread(self):
        if self.thread is None:
            raise AssertionError("no thread: create_chat_thread did not succeed")

    def need_members(self):
        if not self.members:
            raise AssertionError("no users: the Identity test did not succeed")

    def resource_of(self, raw_id):
        prefix = "8:acs:"
        assert raw_id.startswith(prefix) and "_" in raw_id[len(prefix):], \
            "user id %s is not 8:acs:<resource>_<id>" % raw_id
        return raw_id[len(prefix):].split("_", 1)[0]

    def normalize(self, p):
        """normalize turns an SDK ChatParticipant into comparable data, checking its types."""
        from azure.communication.chat import CommunicationUserIdentifier
        ident = p.identifier
        assert isinstance(ident, CommunicationUserIdentifier), \
            "participant identifier should be a CommunicationUserIdentifier, got %s %r" % (type(ident).__name__, getattr(ident, "properties", ident))
        raw = ident.properties.get("id")
        assert isinstance(raw, str) and raw, "identifier without id: %r" % ident.properties
        assert getattr(ident, "raw_id", raw) == raw, "raw_id %r != communicationUser.id %r" % (ident.raw_id, raw)
        sht = p.share_history_time
        assert isinstance(sht, datetime.datetime), "share_history_time should be a datetime, got %r" % (sht,)
        assert sht.tzinfo is not None, "share_history_time should be timezone-aware: %r" % sht
        return (raw, p.display_name, sht.astimezone(datetime.timezone.utc))

    def pages(self, thread, **kw):
        pages = []
        for page in thread.list_participants(**kw).by_page():
            pages.append(list(page))
            assert len(pages) <= 50, "more than 50 pages: endless nextLink chain?"
        return pages

    def listing(self, thread=None):
        return [self.normalize(p) for page in self.pages(thread or self.thread) for p in page]

    def expect_error(self, call, status, code, what, cls=None):
        """expect_error runs call and checks it raised HttpResponseError(status) with the envelope's code."""
        from azure.core.exceptions import HttpResponseError
        try:
            call()
        except HttpResponseError as e:
            body = "(no body)"
            try:
                body = e.response.text() if e.response is not None else body
            except Exception:  # noqa: BLE001 - only for the message
                pass
            assert e.status_code == status, "%s: status_code %s, want %d; body %s" % (what, e.status_code, status, body)
            if cls is not None:
                assert isinstance(e, cls), "%s: %s, want %s (a subclass of HttpResponseError)" % (what, type(e).__name__, cls.__name__)
            # azure-core parses the documented {"error":{"code","message"}}
            # envelope into e.error (ODataV4Format); None when it could not.
            assert e.error is not None, \
                "%s: the SDK could not read the error envelope (HttpResponseError.error is None); body %s" % (what, body)
            assert e.error.code == code, "%s: HttpResponseError.error.code %r, want %r; body %s" % (what, e.error.code, code, body)
            assert isinstance(e.error.message, str) and e.error.message and not e.error.message.lstrip().startswith("{"), \
                "%s: HttpResponseError.error.message should be the envelope's message: %r" % (what, e.error.message)
            return e
        except Exception as e:
            raise AssertionError("%s: expected HttpResponseError %d %s, got %s: %s" % (what, status, code, type(e).__name__, e)) from e
        raise AssertionError("%s: expected the SDK to raise HttpResponseError %d %s, but the call succeeded" % (what, status, code))

    def add(self, thread, members):
        from azure.communication.chat import ChatParticipant
        return thread.add_participants([
            ChatParticipant(identifier=ident, display_name=name, share_history_time=sht) for ident, name, sht in members
        ])

    # -------------------------------------------------------------- tests

    def t_identity(self):
        from azure.communication.identity import CommunicationTokenScope
        owner, tok = self.identity.create_user_and_token(scopes=[CommunicationTokenScope.CHAT])
        self.owner, self.owner_token = owner, tok.token
        self.resource = self.resource_of(owner.properties["id"])
        assert len(self.owner_token.split(".")) == 3, "the chat token should be a JWT"
        names = ["Ann Example", "Bob Müller", "Chloé 😀", "<Dan & Eve>", "E"]
        members = []
        for i, name in enumerate(names):
            user = self.identity.create_user()
            assert self.resource_of(user.properties["id"]) == self.resource, "every user belongs to the same resource"
            # Microseconds on purpose: the service keeps seconds.
            sht = datetime.datetime(2024, 3, 7, 10, i, 30, 123000 + 111000 * i, tzinfo=datetime.timezone.utc)
            members.append((user, name, sht))
        ids = {owner.properties["id"]} | {m[0].properties["id"] for m in members}
        assert len(ids) == len(members) + 1, "user ids must be unique"

        outsider = self.identity.create_user()
        before = datetime.datetime.now(datetime.timezone.utc)
        ot = self.identity.get_token(outsider, [CommunicationTokenScope.CHAT], token_expires_in=datetime.timedelta(minutes=60))
        self.outsider_token = ot.token
        # azure-communication-identity 1.3.2 returns expiresOn as the wire's
        # string (AccessToken documents an int); either is read here.
        expires = parse_time(ot.expires_on)
        minutes = (expires - before).total_seconds() / 60
        assert 58 < minutes < 62, "token_expires_in 60 min gave a token valid for %.1f min (expiresOn %r)" % (minutes, ot.expires_on)
        if isinstance(ot.expires_on, str):
            self.r.note("SDK note: get_token() returned AccessToken.expires_on as the wire's string %r, not an int" % ot.expires_on)
        self.members = members

    def t_create(self):
        self.need_members()
        self.chat = self.chat_client(self.owner_token)
        res = self.chat.create_chat_thread("interop python")
        assert res.chat_thread is not None and res.chat_thread.id, "no chat_thread.id in the result"
        assert not res.errors, "errors: %r" % (res.errors,)
        assert res.chat_thread.topic == "interop python", "topic %r" % res.chat_thread.topic
        assert isinstance(res.chat_thread.created_on, datetime.datetime), "created_on %r" % (res.chat_thread.created_on,)
        assert res.chat_thread.created_by.properties.get("id") == self.owner.properties["id"], \
            "created_by %r" % res.chat_thread.created_by.properties
        self.thread_id = res.chat_thread.id
        self.thread = self.thread_client(self.chat, self.thread_id)
        got = self.listing()
        want = [(self.owner.properties["id"], None, EPOCH)]
        assert got == want, "the new thread lists %r, want only the creator %r" % (got, want)

    def t_add(self):
        self.need_thread()
        res = self.add(self.thread, self.members)
        assert res == [], "add_participants returned failed participants: %r" % ([(e.code, e.message, e.target) for _, e in res],)
        self.expected = [(self.owner.properties["id"], None, EPOCH)] + [
            (ident.properties["id"], name, trunc_second(sht)) for ident, name, sht in self.members]
        got = self.listing()
        assert sorted(got) == sorted(self.expected), "listing %r, want %r" % (sorted(got), sorted(self.expected))

    def t_readd(self):
        self.need_thread()
        before = self.listing()
        res = self.add(self.thread, self.members)
        assert res == [], "a repeated add returned failed participants: %r" % ([(e.code, e.message, e.target) for _, e in res],)
        after = self.listing()
        assert after == before, "the listing changed on a repeated add: %r, before %r" % (after, before)

    def t_paging(self):
        self.need_thread()
        assert self.expected, "nothing was added"
        sent = len(self.chat_rec.seen)
        pages = self.pages(self.thread, results_per_page=2)
        n = len(self.expected)
        assert len(pages) > 1, "expected more than one page of 2 for %d participants, got %d" % (n, len(pages))
        assert len(pages) == (n + 1) // 2, "%d pages of 2 for %d participants, want %d" % (len(pages), n, (n + 1) // 2)
        for i, page in enumerate(pages):
            assert 1 <= len(page) <= 2, "page %d has %d items (results_per_page 2)" % (i, len(page))
        got = [self.normalize(p) for page in pages for p in page]
        ids = [g[0] for g in got]
        for i in set(ids):
            assert ids.count(i) == 1, "%s listed %d times across pages" % (i, ids.count(i))
        assert sorted(got) == sorted(self.expected), "pages hold %r, want %r" % (sorted(got), sorted(self.expected))
        for page in pages:
            for p in page:
                assert p.share_history_time.microsecond == 0, "share_history_time should have second precision: %r" % p.share_history_time
        gets = [s for s in self.chat_rec.seen[sent:] if s[0] == "GET" and s[1].split("?")[0].endswith("/participants")]
        assert len(gets) == len(pages), "%d GETs for %d pages: one GET per page (the SDK follows nextLink)" % (len(gets), len(pages))

    def t_invalid(self):
        self.need_thread()
        from azure.communication.chat import CommunicationUserIdentifier
        ghost = "8:acs:%s_%s" % (self.resource, uuid.uuid4())
        before = self.listing()
        res = self.add(self.thread, [(CommunicationUserIdentifier(ghost), "Ghost", None)])
        assert isinstance(res, list) and len(res) == 1, "add_participants of an unknown user returned %r, want one (participant, ChatError)" % (res,)
        participant, err = res[0]
        assert participant is not None and participant.identifier.properties.get("id") == ghost, \
            "the SDK pairs the error with the participant sent, by target: got %r" % (participant and participant.identifier.properties,)
        assert err.target == ghost, "ChatError.target %r, want %r" % (err.target, ghost)
        assert isinstance(err.code, str) and err.code, "ChatError.code %r" % (err.code,)
        assert isinstance(err.message, str), "ChatError.message %r" % (err.message,)
        assert self.listing() == before, "the unknown user must not be added"

    def t_malformed(self):
        self.need_thread()
        from azure.communication.chat import CommunicationUserIdentifier
        self.expect_error(lambda: self.add(self.thread, [(CommunicationUserIdentifier("8:acs:fakeid==="), None, None)]),
                          400, "BadRequest", "add_participants(8:acs:fakeid===)")

    def t_forbidden(self):
        self.need_thread()
        outsider = self.thread_client(self.chat_client(self.outsider_token), self.thread_id)
        self.expect_error(lambda: self.pages(outsider), 403, "Forbidden", "list_participants by a non-participant")
        self.expect_error(lambda: self.add(outsider, [self.members[0]]), 403, "Forbidden", "add_participants by a non-participant")

    def t_unauthorized(self):
        self.need_thread()
        from azure.communication.identity import CommunicationTokenScope
        from azure.core.exceptions import ClientAuthenticationError
        user, tok = self.identity.create_user_and_token(scopes=[CommunicationTokenScope.CHAT])
        client = self.chat_client(tok.token)
        ok = client.create_chat_thread("before revoke")  # the token works
        client.delete_chat_thread(ok.chat_thread.id)
        self.identity.revoke_tokens(user)
        self.expect_error(lambda: self.chat_client(tok.token).create_chat_thread("after revoke"),
                          401, "Unauthorized", "create_chat_thread with a revoked token", ClientAuthenticationError)
        h, p, _ = self.owner_token.split(".")
        tampered = "%s.%s.%s" % (h, p, base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))
        self.expect_error(lambda: self.pages(self.thread_client(self.chat_client(tampered), self.thread_id)),
                          401, "Unauthorized", "list_participants with a token whose signature was replaced", ClientAuthenticationError)

    def t_remove(self):
        self.need_thread()
        gone = self.members[1][0]
        before = self.listing()
        self.thread.remove_participant(gone)
        after = self.listing()
        assert all(p[0] != gone.properties["id"] for p in after), "%s is still listed" % gone.properties["id"]
        assert after == [p for p in before if p[0] != gone.properties["id"]], "the others changed: %r, before %r" % (after, before)

    def t_delete(self):
        self.need_thread()
        from azure.core.exceptions import ResourceNotFoundError
        self.chat.delete_chat_thread(self.thread_id)
        self.deleted = True
        self.expect_error(lambda: self.pages(self.thread), 404, "NotFound", "list_participants of a deleted thread", ResourceNotFoundError)

    def t_api_versions(self):
        assert len(self.chat_rec.seen) > 10, "only %d chat requests recorded" % len(self.chat_rec.seen)
        for (method, url, _), v in zip(self.chat_rec.seen, api_versions_of(self.chat_rec.seen)):
            assert v == SDK_DEFAULT_CHAT_API_VERSION, "%s %s: api-version %r, want the SDK's default %s (did the SDK's default change?)" % (
                method, url, v, SDK_DEFAULT_CHAT_API_VERSION)
        self.r.note("api-version on the wire: %s (%d chat requests, nextLink pages included; the SDK's default)"
                    % (", ".join(sorted(set(api_versions_of(self.chat_rec.seen)))), len(self.chat_rec.seen)))
        idv = sorted(set(api_versions_of(self.identity_rec.seen)))
        assert idv == [SDK_DEFAULT_IDENTITY_API_VERSION], "Identity api-versions %r, want [%s]" % (idv, SDK_DEFAULT_IDENTITY_API_VERSION)
        self.r.note("Identity api-version on the wire: %s (%d requests)" % (", ".join(idv), len(self.identity_rec.seen)))

    def note_api_version_keyword(self):
        """The chat SDK has no api_version keyword: show what goes on the wire when one is given."""
        if not self.owner_token:
            return
        rec = Recorder()
        kw = self.client_kwargs(rec)
        from azure.communication.chat import ChatClient, CommunicationTokenCredential
        client = ChatClient(self.endpoint, CommunicationTokenCredential(self.owner_token), api_version="2024-03-07", **kw)
        try:
            res = client.create_chat_thread("api_version keyword")
            client.delete_chat_thread(res.chat_thread.id)
        except Exception as e:  # noqa: BLE001 - a note, not a test
            self.r.note("SDK note: ChatClient(api_version=...) probe failed: %s" % e)
            return
        self.r.note("SDK note: ChatClient(api_version=\"2024-03-07\") sent api-version=%s: the keyword is %s"
                    % (",".join(sorted(set(api_versions_of(rec.seen)))),
                       "ignored (the version is fixed in the generated code)" if set(api_versions_of(rec.seen)) == {SDK_DEFAULT_CHAT_API_VERSION} else "honoured"))

    def cleanup(self):
        if self.thread_id and not self.deleted and self.chat is not None:
            try:
                self.chat.delete_chat_thread(self.thread_id)
            except Exception:  # noqa: BLE001 - best effort
                pass

    def run(self):
        r = self.r
        r.test("Identity: users and chat tokens via HMAC (create_user_and_token, create_user, get_token)", self.t_identity)
        r.test("create_chat_thread: the creator is the first participant", self.t_create)
        r.test("add_participants with display_name and share_history_time: no failed participants", self.t_add)
        r.test("add_participants again with the same participants: the listing is unchanged", self.t_readd)
        r.test("list_participants(results_per_page=2).by_page(): several pages, everyone exactly once, datetimes at second precision", self.t_paging)
        r.test("add_participants with a well-formed unknown user: one (participant, ChatError) with target = that id", self.t_invalid)
        r.test("add_participants with a malformed id: HttpResponseError 400 BadRequest", self.t_malformed)
        r.test("a user who is not a participant: HttpResponseError 403 Forbidden", self.t_forbidden)
        r.test("a revoked token (revoke_tokens) and a tampered token: ClientAuthenticationError 401 Unauthorized", self.t_unauthorized)
        r.test("remove_participant: the participant is gone from the listing", self.t_remove)
        r.test("delete_chat_thread: the thread is gone (ResourceNotFoundError 404 NotFound)", self.t_delete)
        r.test("every chat request carried api-version=%s (the SDK's default)" % SDK_DEFAULT_CHAT_API_VERSION, self.t_api_versions)
        self.note_api_version_keyword()


# ------------------------------------------------------------------- main


def import_sdks():
    try:
        import azure.communication.chat as chat
        import azure.communication.identity as identity
        import azure.core
        from azure.communication.chat import _version as chat_version
        from azure.communication.identity import _version as identity_version
    except ImportError as e:
        raise HarnessError("the Python SDKs are not importable by %s (%s): %s" % (sys.executable, e, INSTALL_HINT))
    return chat_version.VERSION, identity_version.VERSION, azure.core.__version__, chat.__file__, identity.__file__


def main():
    t0 = time.monotonic()
    if sys.version_info < (3, 8):
        raise HarnessError("Python %s is too old" % sys.version.split()[0])
    chat_v, identity_v, core_v, chat_file, _ = import_sdks()
    for name, got, want in (("azure-communication-chat", chat_v, EXPECTED_CHAT_SDK),
                            ("azure-communication-identity", identity_v, EXPECTED_IDENTITY_SDK)):
        if got != want:
            log("%s is %s, not the %s this check was written for (%s)" % (name, got, want, chat_file))

    tmp = server = None
    scenario = None
    runner = Runner()
    try:
        cs = os.environ.get("REFSERVER_CONNECTION_STRING", "")
        if cs:
            if cs.startswith(READY_PREFIX):
                cs = cs[len(READY_PREFIX):]
            ca = os.environ.get("REFSERVER_CA_FILE") or None
            if ca and not os.path.isfile(ca):
                raise HarnessError("REFSERVER_CA_FILE=%s is not a file" % ca)
            log("testing the server at %s (REFSERVER_CONNECTION_STRING; no server started)" % endpoint_of(cs))
            if endpoint_of(cs).startswith("https:") and not ca:
                log("REFSERVER_CA_FILE is not set: the server's certificate must chain to a CA the system trusts")
        else:
            tmp = tempfile.mkdtemp(prefix="chatconform-interop-py-")
            extra = shlex.split(os.environ.get("REFSERVER_ARGS", ""))
            server = Refserver(tmp, extra)
            cs, ca = server.connection_string, server.ca_file
            log("refserver pid %d at %s%s" % (server.pid, endpoint_of(cs), " (REFSERVER_ARGS: %s)" % " ".join(extra) if extra else ""))

        def watchdog():
            log("the tests did not finish within %d s: stopping" % RUN_TIMEOUT_S)
            if server:
                server.proc.kill()
            os._exit(2)

        timer = threading.Timer(RUN_TIMEOUT_S, watchdog)
        timer.daemon = True
        timer.start()

        scenario = Scenario(runner, cs, ca)
        runner.suite("SDKs azure-communication-chat %s, azure-communication-identity %s (azure-core %s, Python %s) against %s"
                     % (chat_v, identity_v, core_v, sys.version.split()[0], scenario.endpoint))
        out("  ▶ api-version %s (the SDK's default; it has no api_version option)" % SDK_DEFAULT_CHAT_API_VERSION)
        scenario.run()
        scenario.cleanup()
        timer.cancel()
    finally:
        if server:
            st = server.stop()
            if runner.failed and server:
                sys.stderr.write("--- refserver stderr ---\n%s--- end ---\n" % server.stderr())
            if st != 0:
                log("refserver exited with %s on SIGTERM (expected 0)" % st)
        if tmp and not os.environ.get("INTEROP_KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)

    out("ℹ tests %d" % (runner.passed + runner.failed + runner.skipped))
    out("ℹ pass %d" % runner.passed)
    out("ℹ fail %d" % runner.failed)
    out("ℹ skipped %d" % runner.skipped)
    if runner.failures:
        out("")
        out("✖ failing tests:")
        for title, ms in runner.failures:
            out("✖ %s (%.3fms)" % (title, ms))
    log("%s in %.1f s" % ("PASS" if not runner.failed else "FAIL", time.monotonic() - t0))
    return 0 if not runner.failed else 1


def on_signal(signum, _frame):
    log("%s: stopping" % signal.Signals(signum).name)
    raise SystemExit(128 + signum)  # runs the finally blocks: the server is stopped


if __name__ == "__main__":
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        status = main()
    except HarnessError as e:
        log("harness error: %s" % e)
        status = 2
    except KeyboardInterrupt:
        status = 130
    except Exception:  # noqa: BLE001
        log("harness error: %s" % traceback.format_exc())
        status = 2
    sys.exit(status)
