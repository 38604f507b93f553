package transcript

import (
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
