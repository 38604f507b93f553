package refserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/hmacsig"
	"github.com/chatconform/chatconform/internal/wire"
)

const identityQuery = "?api-version=" + wire.IdentityAPIVersion

var (
	rawIDPattern     = regexp.MustCompile(`^8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	expiresOnPattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$`)
)

func TestCreateIdentity(t *testing.T) {
	f := newFixture(t, Options{})
	cases := []struct {
		name      string
		body      string
		status    int
		wantToken bool
		lifetime  time.Duration
	}{
		{"empty object", `{}`, 201, false, 0},
		{"empty body", ``, 201, false, 0},
		{"no scopes", `{"createTokenWithScopes":[]}`, 201, false, 0},
		{"chat token, default lifetime", `{"createTokenWithScopes": ["chat"]}`, 201, true, 24 * time.Hour},
		{"two scopes, 60 minutes", `{"createTokenWithScopes":["chat","voip"],"expiresInMinutes":60}`, 201, true, time.Hour},
		{"1440 minutes", `{"createTokenWithScopes":["chat"],"expiresInMinutes":1440}`, 201, true, 24 * time.Hour},
		{"59 minutes", `{"createTokenWithScopes":["chat"],"expiresInMinutes":59}`, 400, false, 0},
		{"1441 minutes", `{"createTokenWithScopes":["chat"],"expiresInMinutes":1441}`, 400, false, 0},
		{"unknown scope", `{"createTokenWithScopes":["admin"]}`, 400, false, 0},
		{"not JSON", `{createTokenWithScopes`, 400, false, 0},
		{"scopes wrong type", `{"createTokenWithScopes":"chat"}`, 400, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.identity("POST", "/identities"+identityQuery, c.body)
			if c.status != 201 {
				r.wantError(t, c.status)
				return
			}
			r.wantStatus(t, 201)
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			var res wire.IdentityAccessTokenResult
			r.decode(t, &res)
			if !rawIDPattern.MatchString(res.Identity.ID) {
				t.Errorf("identity id %q does not look like 8:acs:<resource>_<guid>", res.Identity.ID)
			}
			if got := res.AccessToken != nil; got != c.wantToken {
				t.Fatalf("accessToken present = %v, want %v (%s)", got, c.wantToken, r)
			}
			if c.wantToken {
				checkExpiresOn(t, res.AccessToken.ExpiresOn, f.clock.Now().Add(c.lifetime))
			}
		})
	}
}

func checkExpiresOn(t *testing.T, got string, want time.Time) {
	t.Helper()
	if !expiresOnPattern.MatchString(got) {
		t.Errorf("expiresOn %q is not in the live form 2025-06-11T22:20:17.0404706+00:00", got)
	}
	if want.UTC().Format(expiresOnLayout) != got {
		t.Errorf("expiresOn %q, want %q", got, want.UTC().Format(expiresOnLayout))
	}
}

func TestTokenHasLiveClaimLayout(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser("chat", "voip")
	parts := strings.Split(u.token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWS compact serialisation", u.token)
	}
	var header map[string]any
	var claims map[string]any
	for i, v := range []any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	if header["alg"] != "HS256" || header["kid"] != "1" {
		t.Errorf("header %v, want alg HS256 and kid 1", header)
	}
	iat := claims["iat"].(float64)
	want := map[string]any{
		"skypeid":    strings.TrimPrefix(u.id, "8:"),
		"scp":        float64(1792),
		"csi":        strconv.FormatInt(int64(iat), 10),
		"acsScope":   "chat,voip",
		"resourceId": "356ba684-a8dc-4806-b39c-0fbf447c9b2e",
		"exp":        iat + 86400,
		"iat":        float64(f.clock.Now().Unix()),
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
}

func TestIssueAccessToken(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.newUserID()
	cases := []struct {
		name, id, body string
		status         int
		lifetime       time.Duration
	}{
		{"default lifetime", id, `{"scopes":["chat"]}`, 200, 24 * time.Hour},
		{"120 minutes", id, `{"scopes":["chat"],"expiresInMinutes":120}`, 200, 2 * time.Hour},
		{"below 60", id, `{"scopes":["chat"],"expiresInMinutes":30}`, 400, 0},
		{"above 1440", id, `{"scopes":["chat"],"expiresInMinutes":2000}`, 400, 0},
		{"not an integer", id, `{"scopes":["chat"],"expiresInMinutes":"60"}`, 400, 0},
		{"no scopes", id, `{}`, 400, 0},
		{"empty scopes", id, `{"scopes":[]}`, 400, 0},
		{"empty body", id, ``, 400, 0},
		{"unknown identity", "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000000-0000-4000-8000-000000000000", `{"scopes":["chat"]}`, 404, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.identity("POST", "/identities/"+c.id+"/:issueAccessToken"+identityQuery, c.body)
			if c.status != 200 {
				r.wantError(t, c.status)
				return
			}
			var tok wire.AccessToken
			r.wantStatus(t, 200).decode(t, &tok)
			checkExpiresOn(t, tok.ExpiresOn, f.clock.Now().Add(c.lifetime))
			f.chat("POST", "/chat/threads?api-version="+stable, tok.Token, `{"topic":"t"}`).wantStatus(t, 201)
		})
	}
}

func TestIdentityPathAcceptsEncodedID(t *testing.T) {
	f := newFixture(t, Options{})
	id := f.newUserID()
	encoded := strings.ReplaceAll(id, ":", "%3A")
	f.identity("POST", "/identities/"+encoded+"/:issueAccessToken"+identityQuery, `{"scopes":["chat"]}`).wantStatus(t, 200)
}

func TestHMACFailures(t *testing.T) {
	f := newFixture(t, Options{})
	target := f.ts.URL + "/identities" + identityQuery
	body := `{}`
	signed := func(mutate func(req *http.Request)) *http.Request {
		req, _ := http.NewRequest("POST", target, strings.NewReader(body))
		hmacsig.Sign(req, []byte(body), testKey, f.clock.Now())
		mutate(req)
		return req
	}
	cases := []struct {
		name string
		req  *http.Request
	}{
		{"no Authorization", signed(func(r *http.Request) { r.Header.Del("Authorization") })},
		{"Bearer instead of HMAC", signed(func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") })},
		{"no signature", signed(func(r *http.Request) {
			r.Header.Set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256")
		})},
		{"wrong key", func() *http.Request {
			req, _ := http.NewRequest("POST", target, strings.NewReader(body))
			hmacsig.Sign(req, []byte(body), []byte("another key"), f.clock.Now())
			return req
		}()},
		{"stale x-ms-date", func() *http.Request {
			req, _ := http.NewRequest("POST", target, strings.NewReader(body))
			hmacsig.Sign(req, []byte(body), testKey, f.clock.Now().Add(-20*time.Minute))
			return req
		}()},
		{"missing x-ms-date", signed(func(r *http.Request) { r.Header.Del("x-ms-date") })},
		{"body differs from hash", signed(func(r *http.Request) {
			r.Body, r.ContentLength = ioNopCloser(`{ }`), 3
		})},
		{"path differs from the signed one", signed(func(r *http.Request) { r.URL.RawQuery = "api-version=2025-06-30" })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.send(c.req).wantError(t, 401)
		})
	}
}

func TestIdentityAPIVersion(t *testing.T) {
	f := newFixture(t, Options{})
	for _, c := range []struct {
		query  string
		status int
	}{
		{"", 400},
		{"?api-version=", 400},
		{"?api-version=" + stable, 400},
		{"?api-version=2022-10-01", 201}, // Python's azure-communication-identity 1.3.2
		{"?api-version=2023-10-01", 201},
		{"?api-version=2025-06-30", 201},
	} {
		t.Run(c.query, func(t *testing.T) {
			r := f.identity("POST", "/identities"+c.query, `{}`)
			if c.status == 201 {
				r.wantStatus(t, 201)
			} else {
				r.wantError(t, c.status)
			}
			if r.header.Get("api-supported-versions") == "" {
				t.Error("no api-supported-versions header")
			}
		})
	}
}

// Revocation must be exact: tokens minted in the same second as later ones
// die, and tokens minted after the revocation live.
func TestRevokeAndDeleteIdentity(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	u := f.newUser()
	f.add(owner, thread, stable, u.id).wantStatus(t, 201)
	issue := func() string {
		var tok wire.AccessToken
		f.identity("POST", "/identities/"+u.id+"/:issueAccessToken"+identityQuery, `{"scopes":["chat"]}`).wantStatus(t, 200).decode(t, &tok)
		return tok.Token
	}
	list := func(token string) result {
		return f.chat("GET", threadPath(thread, "/participants", stable), token, "")
	}

	second := issue() // same fake second as u.token
	if second == u.token {
		t.Fatal("two tokens minted in the same second are identical; revocation could not tell them apart")
	}
	list(u.token).wantStatus(t, 200)
	list(second).wantStatus(t, 200)

	f.identity("POST", "/identities/"+u.id+"/:revokeAccessTokens"+identityQuery, ``).wantStatus(t, 204)
	list(u.token).wantError(t, 401)
	list(second).wantError(t, 401)

	fresh := issue() // still the same second
	list(fresh).wantStatus(t, 200)
	list(second).wantError(t, 401)

	f.identity("DELETE", "/identities/"+u.id+identityQuery, ``).wantStatus(t, 204)
	list(fresh).wantError(t, 401)
	f.identity("DELETE", "/identities/"+u.id+identityQuery, ``).wantError(t, 404)
	f.identity("POST", "/identities/"+u.id+"/:revokeAccessTokens"+identityQuery, ``).wantError(t, 404)
	f.identity("POST", "/identities/"+u.id+"/:issueAccessToken"+identityQuery, `{"scopes":["chat"]}`).wantError(t, 404)
}

// Python's azure-communication-identity 1.3.2 sends api-version 2022-10-01:
// every Identity operation answers it exactly as 2023-10-01.
func TestIdentityAPIVersion20221001(t *testing.T) {
	for _, v := range []string{wire.IdentityAPIVersion20221001, wire.IdentityAPIVersion} {
		t.Run(v, func(t *testing.T) {
			f := newFixture(t, Options{})
			q := "?api-version=" + v
			type step struct {
				name   string
				status int
				send   func() result
			}
			var plain, withToken wire.IdentityAccessTokenResult
			var issued wire.AccessToken
			owner := f.newUser()
			thread := f.createThread(owner)
			listAs := func(token string) result {
				return f.chat("GET", threadPath(thread, "/participants", stable), token, "")
			}
			// onChat is a step that uses an identity's token on a chat
			// operation (whose answer lists the chat versions).
			chatStep := map[string]bool{}
			onChat := func(name string, status int, send func() result) step {
				chatStep[name] = true
				return step{name, status, send}
			}
			steps := []step{
				{"create", 201, func() result {
					r := f.identity("POST", "/identities"+q, `{}`)
					r.decode(t, &plain)
					return r
				}},
				{"create with a token", 201, func() result {
					r := f.identity("POST", "/identities"+q, `{"createTokenWithScopes": ["chat"]}`)
					r.decode(t, &withToken)
					return r
				}},
				{"issue a token", 200, func() result {
					r := f.identity("POST", "/identities/"+plain.Identity.ID+"/:issueAccessToken"+q, `{"scopes":["chat"],"expiresInMinutes":60}`)
					r.decode(t, &issued)
					return r
				}},
				onChat("add both", 201, func() result { return f.add(owner, thread, stable, plain.Identity.ID, withToken.Identity.ID) }),
				onChat("the issued token works", 200, func() result { return listAs(issued.Token) }),
				onChat("the created token works", 200, func() result { return listAs(withToken.AccessToken.Token) }),
				{"revoke", 204, func() result {
					return f.identity("POST", "/identities/"+plain.Identity.ID+"/:revokeAccessTokens"+q, ``)
				}},
				onChat("the revoked token fails", 401, func() result { return listAs(issued.Token) }),
				{"delete", 204, func() result { return f.identity("DELETE", "/identities/"+withToken.Identity.ID+q, ``) }},
				onChat("the deleted user's token fails", 401, func() result { return listAs(withToken.AccessToken.Token) }),
				{"delete again", 404, func() result { return f.identity("DELETE", "/identities/"+withToken.Identity.ID+q, ``) }},
				{"a bad lifetime", 400, func() result {
					return f.identity("POST", "/identities"+q, `{"createTokenWithScopes":["chat"],"expiresInMinutes":59}`)
				}},
			}
			for _, s := range steps {
				r := s.send()
				if s.status >= 400 {
					r.wantError(t, s.status)
				} else {
					r.wantStatus(t, s.status)
				}
				if h := r.header.Get("api-supported-versions"); !chatStep[s.name] && (!strings.Contains(h, wire.IdentityAPIVersion20221001) || h != strings.Join(identityAPIVersions, ", ")) {
					t.Errorf("%s: api-supported-versions %q", s.name, h)
				}
				if s.name == "create" && (!rawIDPattern.MatchString(plain.Identity.ID) || plain.AccessToken != nil) {
					t.Errorf("create: %s", r)
				}
				if s.name == "create with a token" && withToken.AccessToken == nil {
					t.Fatalf("create with a token: %s", r)
				}
			}
			checkExpiresOn(t, withToken.AccessToken.ExpiresOn, f.clock.Now().Add(24*time.Hour))
			checkExpiresOn(t, issued.ExpiresOn, f.clock.Now().Add(time.Hour))
		})
	}
}
