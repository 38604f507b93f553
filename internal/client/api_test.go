package client

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatconform/chatconform/internal/hmacsig"
	"github.com/chatconform/chatconform/internal/wire"
)

func jwtToken(t *testing.T, skypeid string) string {
	t.Helper()
	claims := jwt.MapClaims{"scp": 1792, "exp": time.Now().Add(time.Hour).Unix(), "acsScope": "chat"}
	if skypeid != "" {
		claims["skypeid"] = skypeid
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("test-signing-key"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRawIDFromToken(t *testing.T) {
	// The live service's tokens are RS256 with a kid; the suite never verifies.
	seg := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	rs256 := seg(map[string]any{"alg": "RS256", "kid": "1", "x5t": "abc", "typ": "JWT"}) + "." +
		seg(map[string]any{"skypeid": "acs:res_guid", "scp": 1792, "exp": 1}) + "." + base64.RawURLEncoding.EncodeToString([]byte("not-a-signature"))
	tests := []struct {
		token, want, err string
	}{
		{jwtToken(t, "acs:res_0000-aaaa"), "8:acs:res_0000-aaaa", ""},
		{jwtToken(t, "8:acs:res_0000-bbbb"), "8:acs:res_0000-bbbb", ""},
		{rs256, "8:acs:res_guid", ""},
		{jwtToken(t, ""), "", "no skypeid claim"},
		{"garbage", "", "not a JWT"},
		{"a.b.c", "", "not a JWT"},
		{"", "", "not a JWT"},
	}
	for _, tt := range tests {
		got, err := RawIDFromToken(tt.token)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("RawIDFromToken(%.20s…) = %q, %v; want %q, %q", tt.token, got, err, tt.want, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), tt.token) && tt.token != "" {
			t.Errorf("the error repeats the token: %v", err)
		}
	}
}

func TestHMACSignedIdentityCalls(t *testing.T) {
	key := []byte("the-resource-access-key-0123456789")
	now := time.Date(2025, 6, 4, 3, 57, 33, 0, time.UTC)
	var mu sync.Mutex
	var failures []string
	var seen []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := hmacsig.Verify(r, r.RequestURI, body, key, now)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.RequestURI+" "+r.Header.Get("x-ms-date")+" "+r.Header.Get("x-ms-content-sha256"))
		if err != nil {
			failures = append(failures, r.RequestURI+": "+err.Error())
		}
		mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/identities":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"identity":{"id":"8:acs:res_u1"}}`)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	c, _, _ := newClient(t, srv.URL, func(o *Options) { o.AccessKey = key; o.Now = func() time.Time { return now } })
	ctx := ctxT(t)
	u, err := c.NewIdentity(ctx)
	if err != nil || u.RawID != "8:acs:res_u1" || u.Token != "" {
		t.Fatalf("NewIdentity: %+v %v", u, err)
	}
	for _, req := range []Request{IssueToken(u.RawID, "chat"), RevokeTokens(u.RawID), DeleteUser(u.RawID)} {
		if _, err := c.Do(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(failures) > 0 {
		t.Fatalf("the server could not verify: %q", failures)
	}
	want := []string{
		"POST /identities?api-version=2023-10-01 Wed, 04 Jun 2025 03:57:33 GMT RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=",
		"POST /identities/8:acs:res_u1/:issueAccessToken?api-version=2023-10-01 Wed, 04 Jun 2025 03:57:33 GMT J+doRQjtFVYLx3qOvzptwBLjQWqy6OEWEEk1TY1+rT4=",
		"POST /identities/8:acs:res_u1/:revokeAccessTokens?api-version=2023-10-01 Wed, 04 Jun 2025 03:57:33 GMT " + hmacsig.ContentHash(nil),
		"DELETE /identities/8:acs:res_u1?api-version=2023-10-01 Wed, 04 Jun 2025 03:57:33 GMT " + hmacsig.ContentHash(nil),
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("server saw\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}

	// Without an access key nothing is sent.
	c, rec, _ := newClient(t, srv.URL, nil)
	_, err = c.Do(ctx, CreateUser("chat"))
	wantKind(t, err, KindRequest, true)
	if exs, _ := rec.all(); len(exs) != 0 || len(seen) != 4 {
		t.Errorf("recorded %d, server saw %d", len(exs), len(seen))
	}
}

func TestExpectAndSetupHelpers(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/chat/threads":
			var req wire.CreateThreadRequest
			if json.NewDecoder(r.Body).Decode(&req) != nil || req.Topic == "" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusCreated)
			if req.Topic == "empty" {
				io.WriteString(w, `{}`)
				return
			}
			io.WriteString(w, `{"chatThread":{"id":"19:new@thread.v2","topic":"t"}}`)
		case r.URL.Path == "/notjson":
			io.WriteString(w, `not json`)
		case r.Method == http.MethodPost && r.URL.Path == "/identities":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"identity":{"id":"8:acs:res_u2"}}`) // no accessToken
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"NotFound","message":"no"}}`)
		}
	})
	c, _, _ := newClient(t, srv.URL, func(o *Options) { o.AccessKey = []byte("k") })
	ctx := ctxT(t)
	id, err := c.NewThread(ctx, testToken, "topic")
	if err != nil || id != "19:new@thread.v2" {
		t.Fatalf("NewThread = %q, %v", id, err)
	}
	if _, err := c.NewThread(ctx, testToken, "empty"); err == nil || !strings.Contains(err.Error(), "without chatThread.id") {
		t.Errorf("NewThread without id: %v", err)
	}
	resp, err := c.Expect(ctx, DeleteThread(testToken, "19:x@thread.v2"), http.StatusNoContent, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Want != 204 || resp.Status != 404 || !strings.Contains(err.Error(), "want status 204, got 404") ||
		!strings.Contains(err.Error(), "< 404 Not Found") || strings.Contains(err.Error(), testToken) {
		t.Errorf("Expect 204 on a 404: %v", err)
	}
	if IsHarness(err) {
		t.Error("a wrong status is not the harness's fault")
	}
	var out map[string]any
	_, err = c.Expect(ctx, Request{URL: "/notjson"}, http.StatusOK, &out)
	if !errors.As(err, &se) || se.Decode == nil || !strings.Contains(err.Error(), "does not decode") {
		t.Errorf("Expect with a bad body: %v", err)
	}
	if _, err := c.NewUser(ctx); err == nil || !strings.Contains(err.Error(), "no accessToken") {
		t.Errorf("NewUser without a token: %v", err)
	}
}

func TestBuilders(t *testing.T) {
	p := wire.Participant{CommunicationIdentifier: wire.UserIdentifier("8:acs:res_u1"), DisplayName: "U"}
	tests := []struct {
		req          Request
		method, url  string
		body         string
		bearer, hmac bool
	}{
		{CreateThread(testToken, "t", nil), "POST", "/chat/threads", `{"topic":"t"}`, true, false},
		{DeleteThread(testToken, "19:a@thread.v2"), "DELETE", "/chat/threads/19:a@thread.v2", "", true, false},
		{AddParticipants(testToken, "19:a@thread.v2", p), "POST", "/chat/threads/19:a@thread.v2/participants/:add",
			`{"participants":[{"communicationIdentifier":{"rawId":"8:acs:res_u1","communicationUser":{"id":"8:acs:res_u1"}},"displayName":"U"}]}`, true, false},
		{AddRaw(testToken, "19:a@thread.v2", []byte(`{`)), "POST", "/chat/threads/19:a@thread.v2/participants/:add", `{`, true, false},
		{RemoveParticipant(testToken, "19:a@thread.v2", "8:acs:res_u1"), "POST", "/chat/threads/19:a@thread.v2/participants/:remove",
			`{"rawId":"8:acs:res_u1","communicationUser":{"id":"8:acs:res_u1"}}`, true, false},
		{CreateUser(), "POST", "/identities", `{}`, false, true},
		{CreateUser("chat"), "POST", "/identities", `{"createTokenWithScopes":["chat"]}`, false, true},
		{IssueToken("8:acs:res_u1", "chat"), "POST", "/identities/8:acs:res_u1/:issueAccessToken", `{"scopes":["chat"]}`, false, true},
		{RevokeTokens("8:acs:res_u1"), "POST", "/identities/8:acs:res_u1/:revokeAccessTokens", "", false, true},
		{DeleteUser("8:acs:res_u1"), "DELETE", "/identities/8:acs:res_u1", "", false, true},
	}
	for _, tt := range tests {
		r := tt.req
		if r.Method != tt.method || r.URL != tt.url || string(r.Body) != tt.body || (r.Auth.bearer == testToken) != tt.bearer || r.Auth.hmac != tt.hmac {
			t.Errorf("%s %s: got %s %s %s %+v", tt.method, tt.url, r.Method, r.URL, r.Body, r.Auth)
		}
		if tt.hmac && r.APIVersion != wire.IdentityAPIVersion {
			t.Errorf("%s: api-version %q", tt.url, r.APIVersion)
		}
		if r.Subject {
			t.Errorf("%s: builders must not mark subjects", tt.url)
		}
	}
	if r := AddRaw(testToken, "t", nil); r.Body == nil || len(r.Body) != 0 {
		t.Error("AddRaw(nil) must send an empty body, not none")
	}
	l := ListParticipants(testToken, "t", "abc", "-1")
	if l.Query.Get("maxPageSize") != "abc" || l.Query.Get("skip") != "-1" {
		t.Errorf("ListParticipants query %v", l.Query)
	}
	if l := ListParticipants(testToken, "t", "", ""); len(l.Query) != 0 {
		t.Errorf("empty values sent: %v", l.Query)
	}
}
