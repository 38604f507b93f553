package transcript

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestRedactorRemovesSecrets(t *testing.T) {
	var r Redactor
	r.Add("c2VjcmV0LWFjY2Vzcy1rZXk=", "short")
	h := http.Header{
		"Authorization": {"Bearer eyJhbGciOiJIUzI1NiJ9.eyJza3lwZWlkIjoiYWNzOngifQ.c2ln"},
		"X-Key":         {"key=c2VjcmV0LWFjY2Vzcy1rZXk="},
	}
	got := r.Header(h)
	if got.Get("Authorization") != "Bearer REDACTED" {
		t.Errorf("bearer: %q", got.Get("Authorization"))
	}
	if got.Get("X-Key") != "key=REDACTED" {
		t.Errorf("registered secret: %q", got.Get("X-Key"))
	}
	hm := r.Header(http.Header{"Authorization": {"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AbC+/9="}})
	if want := "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=REDACTED"; hm.Get("Authorization") != want {
		t.Errorf("hmac: %q", hm.Get("Authorization"))
	}
	body := r.String(`{"accessToken":{"token":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.sig-_x"},"note":"short"}`)
	if strings.Contains(body, "eyJ") || !strings.Contains(body, "short") {
		t.Errorf("body: %s", body)
	}
	if h.Get("Authorization") == "Bearer REDACTED" {
		t.Error("Header must not modify its input")
	}
}

// A secret registered after the redactor was used is redacted too, and one
// that contains another is redacted whole, not around the shorter one.
func TestRedactorSecretsAddedLaterAndNested(t *testing.T) {
	var r Redactor
	r.Add("inner-secret-1")
	if got := r.String("a inner-secret-1 b"); got != "a REDACTED b" {
		t.Errorf("first secret: %q", got)
	}
	r.Add("outer-inner-secret-1-outer", "late-secret-2")
	if got := r.String("x outer-inner-secret-1-outer y late-secret-2 z inner-secret-1"); got != "x REDACTED y REDACTED z REDACTED" {
		t.Errorf("later and nested secrets: %q", got)
	}
	// Enough more that they are merged into one replacer, then one more.
	for i := range rebuildAfter {
		r.Add(fmt.Sprintf("bulk-secret-%03d", i))
	}
	r.Add("the-very-last-secret")
	if got := r.String("bulk-secret-000 bulk-secret-031 the-very-last-secret outer-inner-secret-1-outer inner-secret-1"); got != "REDACTED REDACTED REDACTED REDACTED REDACTED" {
		t.Errorf("merged secrets: %q", got)
	}
}

// A run registers hundreds of tokens, and every exchange is redacted.
func BenchmarkRedactorString(b *testing.B) {
	var r Redactor
	for i := range 300 {
		r.Add(strings.Repeat(string(rune('a'+i%26)), 20) + strings.Repeat("x", i%7) + "-token-" + string(rune('A'+i%26)))
	}
	s := strings.Repeat(`{"communicationIdentifier":{"rawId":"8:acs:0000-0000","communicationUser":{"id":"8:acs:0000-0000"}},"displayName":"Ann"},`, 20)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		r.String(s)
	}
}
