package refserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/hmacsig"
	"github.com/chatconform/chatconform/internal/wire"
)

var testKey = []byte("refserver-test-access-key-32byte")

const (
	stable  = wire.APIVersionStable
	preview = wire.APIVersionPreview
)

// fakeClock is a settable clock shared by the server and the HMAC signer.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 6, 10, 22, 20, 13, 40470600, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a reference server on a real 127.0.0.1 listener plus a fake clock.
type fixture struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	clock *fakeClock
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	clock := newFakeClock()
	if opts.AccessKey == nil {
		opts.AccessKey = testKey
	}
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	if opts.ResourceID == "" {
		opts.ResourceID = "356ba684-a8dc-4806-b39c-0fbf447c9b2e"
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &fixture{t: t, srv: srv, ts: ts, clock: clock}
}

// result is a response read in full.
type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// decode unmarshals the body into v, failing the test on error.
func (r result) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r, err)
	}
}

// wantError checks the documented envelope, its code and content type.
func (r result) wantError(t *testing.T, status int) wire.Error {
	t.Helper()
	if r.status != status {
		t.Fatalf("status: got %s, want %d", r, status)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q, want application/json", ct)
	}
	var env wire.ErrorResponse
	r.decode(t, &env)
	if want := errorCode(status); env.Error.Code != want {
		t.Errorf("error.code %q, want %q (%s)", env.Error.Code, want, r)
	}
	if env.Error.Message == "" {
		t.Errorf("error.message is empty (%s)", r)
	}
	return env.Error
}

// wantStatus fails the test unless the status matches.
func (r result) wantStatus(t *testing.T, status int) result {
	t.Helper()
	if r.status != status {
		t.Fatalf("status: got %s, want %d", r, status)
	}
	return r
}

// do sends a request to the test server; header values override defaults.
func (f *fixture) do(method, target string, body []byte, header http.Header) result {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+target, bytes.NewReader(body))
	if err != nil {
		f.t.Fatalf("NewRequest: %v", err)
	}
	if body == nil {
		req.Body = nil
		req.ContentLength = 0
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return f.send(req)
}

func (f *fixture) send(req *http.Request) result {
	f.t.Helper()
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatalf("reading body: %v", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}
}

// identity sends an HMAC-signed Identity API request (path includes the query).
func (f *fixture) identity(method, target, body string) result {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+target, strings.NewReader(body))
	if err != nil {
		f.t.Fatalf("NewRequest: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	hmacsig.Sign(req, []byte(body), testKey, f.clock.Now())
	return f.send(req)
}

// account is an identity with a chat token.
type account struct {
	id, token string
}

// newUser creates an identity with a token of the given scopes (chat when none).
func (f *fixture) newUser(scopes ...string) account {
	f.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"chat"}
	}
	b, _ := json.Marshal(wire.CreateIdentityRequest{CreateTokenWithScopes: scopes})
	r := f.identity("POST", "/identities?api-version="+wire.IdentityAPIVersion, string(b)).wantStatus(f.t, 201)
	var res wire.IdentityAccessTokenResult
	r.decode(f.t, &res)
	return account{id: res.Identity.ID, token: res.AccessToken.Token}
}

// newUserID creates an identity without a token.
func (f *fixture) newUserID() string {
	f.t.Helper()
	var res wire.IdentityAccessTokenResult
	f.identity("POST", "/identities?api-version="+wire.IdentityAPIVersion, `{}`).wantStatus(f.t, 201).decode(f.t, &res)
	return res.Identity.ID
}

// chat sends a chat request with a Bearer token (none when token is empty).
func (f *fixture) chat(method, target, token, body string) result {
	f.t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	return f.do(method, target, b, h)
}

// createThread creates a thread as u with the given participant ids.
func (f *fixture) createThread(u account, ids ...string) string {
	f.t.Helper()
	body := fmt.Sprintf(`{"topic":"test","participants":%s}`, participantsJSON(ids...))
	var res wire.CreateThreadResult
	f.chat("POST", "/chat/threads?api-version="+stable, u.token, body).wantStatus(f.t, 201).decode(f.t, &res)
	return res.ChatThread.ID
}

// threadPath is /chat/threads/{id}{suffix}?api-version=V with the id
// percent-encoded, as the SDKs send it.
func threadPath(id, suffix, apiVersion string) string {
	return "/chat/threads/" + url.PathEscape(id) + suffix + "?api-version=" + apiVersion
}

// add adds ids (no displayName) to a thread as u.
func (f *fixture) add(u account, threadID, apiVersion string, ids ...string) result {
	f.t.Helper()
	return f.chat("POST", threadPath(threadID, "/participants/:add", apiVersion), u.token,
		`{"participants":`+participantsJSON(ids...)+`}`)
}

// members lists every participant id of a thread (one unpaged call).
func (f *fixture) members(u account, threadID string) []wire.Participant {
	f.t.Helper()
	var page wire.ParticipantsCollection
	f.chat("GET", threadPath(threadID, "/participants", preview)+"&maxPageSize=1000", u.token, "").
		wantStatus(f.t, 200).decode(f.t, &page)
	return page.Value
}

func memberIDs(ps []wire.Participant) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.CommunicationIdentifier.RawID
	}
	return ids
}

func participantsJSON(ids ...string) string {
	ps := make([]wire.Participant, len(ids))
	for i, id := range ids {
		ps[i] = wire.Participant{CommunicationIdentifier: wire.UserIdentifier(id)}
	}
	b, _ := json.Marshal(ps)
	return string(b)
}

// seedUsers registers n identities directly in the store: capacity tests
// need hundreds and the Identity API is tested elsewhere.
func (f *fixture) seedUsers(n int) []string {
	ids := make([]string, n)
	f.srv.mu.Lock()
	defer f.srv.mu.Unlock()
	for i := range ids {
		ids[i] = wire.UserRawIDPrefix + f.srv.resourceID + "_" + newGUID()
		f.srv.users[ids[i]] = &user{tokens: map[string]time.Time{}}
	}
	return ids
}

// asJSON renders v for comparisons and messages.
func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
