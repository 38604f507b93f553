package refserver

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatconform/chatconform/internal/wire"
)

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// tamper flips one character of the token's signature.
func tamper(token string) string {
	b := []byte(token)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// forge signs claims for id with key, outside the server's token store.
func forge(key []byte, id string, method jwt.SigningMethod, exp time.Time) string {
	claims := tokenClaims{
		SkypeID:          strings.TrimPrefix(id, "8:"),
		Scp:              1792,
		ACSScope:         "chat",
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(exp), ID: "forged"},
	}
	var k any = key
	if method == jwt.SigningMethodNone {
		k = jwt.UnsafeAllowNoneSignatureType
	}
	s, err := jwt.NewWithClaims(method, claims).SignedString(k)
	if err != nil {
		panic(err)
	}
	return s
}

// Every bad credential is a 401 with the envelope on every chat operation
// (ERR-01..03): an auth bypass is the worst bug a reference could have.
func TestChatRejectsBadCredentials(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)

	revoked := f.newUser()
	f.add(owner, thread, stable, revoked.id).wantStatus(t, 201)
	f.identity("POST", "/identities/"+revoked.id+"/:revokeAccessTokens"+identityQuery, ``).wantStatus(t, 204)

	deleted := f.newUser()
	f.add(owner, thread, stable, deleted.id).wantStatus(t, 201)
	f.identity("DELETE", "/identities/"+deleted.id+identityQuery, ``).wantStatus(t, 204)

	voip := f.newUser("voip")
	f.add(owner, thread, stable, voip.id).wantStatus(t, 201)

	credentials := []struct{ name, header string }{
		{"no Authorization", ""},
		{"empty Bearer", "Bearer "},
		{"HMAC scheme", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=abc"},
		{"not a JWT", "Bearer not-a-token"},
		{"tampered signature", "Bearer " + tamper(owner.token)},
		{"alg none", "Bearer " + forge(nil, owner.id, jwt.SigningMethodNone, f.clock.Now().Add(time.Hour))},
		{"other key", "Bearer " + forge([]byte("other"), owner.id, jwt.SigningMethodHS256, f.clock.Now().Add(time.Hour))},
		{"right key, not issued", "Bearer " + forge(testKey, owner.id, jwt.SigningMethodHS256, f.clock.Now().Add(time.Hour))},
		{"revoked", "Bearer " + revoked.token},
		{"deleted user", "Bearer " + deleted.token},
		{"no chat scope", "Bearer " + voip.token},
	}
	operations := []struct{ method, path, body string }{
		{"GET", threadPath(thread, "/participants", stable), ""},
		{"POST", threadPath(thread, "/participants/:add", stable), `{"participants":[]}`},
		{"POST", threadPath(thread, "/participants/:remove", stable), `{"rawId":"` + owner.id + `"}`},
		{"POST", "/chat/threads?api-version=" + stable, `{"topic":"t"}`},
		{"DELETE", threadPath(thread, "", stable), ""},
	}
	for _, cr := range credentials {
		for _, op := range operations {
			t.Run(cr.name+"/"+op.method+" "+op.path, func(t *testing.T) {
				h := map[string][]string{"Content-Type": {"application/json"}}
				if cr.header != "" {
					h["Authorization"] = []string{cr.header}
				}
				var body []byte
				if op.body != "" {
					body = []byte(op.body)
				}
				f.do(op.method, op.path, body, h).wantError(t, 401)
			})
		}
	}
	// The thread is untouched by all of the above.
	if got := len(f.members(owner, thread)); got != 4 {
		t.Errorf("thread has %d members after rejected calls, want 4", got)
	}
}

func TestExpiredToken(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	thread := f.createThread(u)
	f.clock.Advance(24*time.Hour - time.Second)
	f.chat("GET", threadPath(thread, "/participants", stable), u.token, "").wantStatus(t, 200)
	f.clock.Advance(time.Second)
	e := f.chat("GET", threadPath(thread, "/participants", stable), u.token, "").wantError(t, 401)
	if !strings.Contains(e.Message, "expired") {
		t.Errorf("message %q does not say the token expired", e.Message)
	}
}

// ERR-04: a valid token of a non-participant is 403 on every thread operation.
func TestOutsiderIsForbidden(t *testing.T) {
	f := newFixture(t, Options{})
	owner, outsider := f.newUser(), f.newUser()
	thread := f.createThread(owner)
	for _, op := range []struct{ method, path, body string }{
		{"GET", threadPath(thread, "/participants", stable), ""},
		{"GET", threadPath(thread, "", stable), ""},
		{"POST", threadPath(thread, "/participants/:add", stable), `{"participants":` + participantsJSON(outsider.id) + `}`},
		{"POST", threadPath(thread, "/participants/:remove", stable), `{"rawId":"` + owner.id + `"}`},
		{"DELETE", threadPath(thread, "", stable), ""},
	} {
		t.Run(op.method+" "+op.path, func(t *testing.T) {
			f.chat(op.method, op.path, outsider.token, op.body).wantError(t, 403)
		})
	}
	if got := memberIDs(f.members(owner, thread)); len(got) != 1 || got[0] != owner.id {
		t.Errorf("members after outsider calls: %v", got)
	}
}

// chat.join may not manage threads; chat.join.limited not even participants.
func TestJoinScopes(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	join, limited := f.newUser("chat.join"), f.newUser("chat.join.limited")
	thread := f.createThread(owner, join.id, limited.id)
	other := f.newUserID()

	f.chat("GET", threadPath(thread, "/participants", stable), limited.token, "").wantStatus(t, 200)
	f.chat("POST", "/chat/threads?api-version="+stable, join.token, `{"topic":"t"}`).wantError(t, 403)
	f.chat("DELETE", threadPath(thread, "", stable), join.token, "").wantError(t, 403)
	f.add(limited, thread, stable, other).wantError(t, 403)
	f.add(join, thread, stable, other).wantStatus(t, 201)
}

// Every GA chat api-version and the preview are served; anything else, or
// none, is a 400 with the documented envelope. Both list the versions.
func TestChatAPIVersion(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	thread := f.createThread(u)
	base := "/chat/threads/" + thread + "/participants"
	type tc struct {
		query  string
		status int
	}
	cases := []tc{
		{"", 400},
		{"?api-version=", 400},
		{"?api-version=" + wire.IdentityAPIVersion, 400},
		{"?api-version=2024-06-05-preview", 400},                // the live service has it; the suite does not
		{"?api-version=2025-03-15&api-version=2024-03-07", 200}, // the first wins, as in url.Values.Get
		{"?api-version=2025-03-15%20", 400},
		{"?api-version=garbage", 400},
	}
	for _, v := range wire.SupportedChatVersions {
		cases = append(cases, tc{"?api-version=" + v, 200})
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := f.chat("GET", base+c.query, u.token, "")
			if c.status == 200 {
				r.wantStatus(t, 200)
			} else {
				r.wantError(t, c.status)
			}
			if got := r.header.Get("api-supported-versions"); got != allChatVersions {
				t.Errorf("api-supported-versions %q, want %q", got, allChatVersions)
			}
		})
	}
	// The api-version is checked before anything else, even without a token.
	f.chat("GET", base, "", "").wantError(t, 400)
}
