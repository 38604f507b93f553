package transcript

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/onsi/gomega/format"
)

// TestNewExchangeRedactsEverything builds an Exchange only through the
// public constructor and setters and checks that no secret survives in any
// field or in its JSON and text forms.
func TestNewExchangeRedactsEverything(t *testing.T) {
	const opaque = "opaque-issued-token-1234" // registered, not JWT-shaped
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJza3lwZWlkIjoiYWNzOngifQ.c2ln"
	var r Redactor
	r.Add(opaque)
	ex := NewExchange(&r, "POST", "https://h/chat/threads?t="+opaque+"&j="+jwt,
		http.Header{
			"Authorization": {"Bearer " + opaque},
			"X-Echo":        {jwt},
		},
		[]byte(`{"token":"`+opaque+`","jwt":"`+jwt+`"}`))
	ex.SetResponse(201,
		http.Header{"Location": {"https://h/x?t=" + opaque}, "Set-Token": {jwt}},
		[]byte(`{"accessToken":{"token":"`+opaque+`"},"other":"`+jwt+`"}`))
	ex.Fail(`Post "https://h/chat/threads?t=` + opaque + `": connection reset (` + jwt + `)`)

	b, err := json.Marshal(ex)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{string(b), ex.String()} {
		if strings.Contains(s, opaque) || strings.Contains(s, "eyJ") {
			t.Errorf("a secret survived:\n%s", s)
		}
	}
	if ex.URL != "https://h/chat/threads?t=REDACTED&j=REDACTED" ||
		ex.RequestHeader.Get("Authorization") != "Bearer REDACTED" || ex.RequestHeader.Get("X-Echo") != Redacted ||
		ex.RequestBody != `{"token":"REDACTED","jwt":"REDACTED"}` ||
		ex.ResponseHeader.Get("Location") != "https://h/x?t=REDACTED" || ex.ResponseHeader.Get("Set-Token") != Redacted ||
		ex.ResponseBody != `{"accessToken":{"token":"REDACTED"},"other":"REDACTED"}` ||
		ex.Err != `Post "https://h/chat/threads?t=REDACTED": connection reset (REDACTED)` {
		t.Errorf("not redacted as expected: %+v", ex)
	}
	if ex.Status != 201 || ex.RequestSize != len(`{"token":"`+opaque+`","jwt":"`+jwt+`"}`) || ex.Start.IsZero() {
		t.Errorf("status, size or start lost: %+v", ex)
	}
}

// TestSetResponseRedactsBeforeCutting: a secret straddling MaxRecordedBody
// must not leave its head in the transcript.
func TestSetResponseRedactsBeforeCutting(t *testing.T) {
	const secret = "straddling-secret-5678"
	var r Redactor
	r.Add(secret)
	ex := NewExchange(&r, "GET", "https://h/x", nil, []byte(strings.Repeat("a", MaxRecordedBody-5)+secret))
	body := strings.Repeat("a", MaxRecordedBody-5) + secret + "tail"
	ex.SetResponse(200, nil, []byte(body))
	if strings.Contains(ex.ResponseBody, secret[:5]) || strings.Contains(ex.RequestBody, secret[:5]) {
		t.Error("the head of a straddling secret was recorded")
	}
	if !ex.BodyTruncated || len(ex.ResponseBody) != MaxRecordedBody || ex.ResponseSize != len(body) {
		t.Errorf("truncated=%v len=%d size=%d", ex.BodyTruncated, len(ex.ResponseBody), ex.ResponseSize)
	}
}

// A failure message prints an Exchange by reflection, private fields
// included: nothing in it may reach the redactor's secrets.
func TestPrintedExchangeHoldsNoSecret(t *testing.T) {
	r := &Redactor{}
	r.Add("opaque-secret-value-1234")
	ex := NewExchange(r, "GET", "http://h/x", http.Header{}, nil)
	ex.SetResponse(200, http.Header{}, []byte("{}"))
	if out := format.Object(ex, 1); strings.Contains(out, "opaque-secret-value-1234") {
		t.Errorf("format.Object(exchange) shows a secret:\n%s", out)
	}
}

// The server's bytes are recorded for display escaped, and the transcript
// says so.
func TestExchangeEscapesUntrustedBytes(t *testing.T) {
	ex := NewExchange(nil, "GET", "https://h/next?x=\x1b[2J", nil, nil)
	ex.SetResponse(200, http.Header{"X-Evil": {"\x1b]0;owned\x07"}},
		[]byte("{\"displayName\":\"\x00\u009b31m\xff\"}"))
	text := ex.String()
	for _, bad := range []string{"\x1b", "\x00", "\x07", "\u009b", "\xff"} {
		if strings.Contains(text, bad) {
			t.Errorf("transcript holds %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{`x=\x1b[2J`, `X-Evil: \x1b]0;owned\x07`, `\x00\u009b31m\xff`, "(6 bytes escaped"} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	if ex.Escaped != 6 {
		t.Errorf("Escaped = %d, want 6", ex.Escaped)
	}
}

// In a Ginkgo report entry an exchange is represented by its request line
// and outcome (AsJSON carries the rest), redacted and escaped as recorded.
func TestReportRepresentationIsTheRequestLine(t *testing.T) {
	r := &Redactor{}
	r.Add("opaque-secret-value-1234")
	ex := NewExchange(r, "POST", "http://h/chat/threads/t/participants:add?api-version=2025-03-15&k=opaque-secret-value-1234", http.Header{"Authorization": {"Bearer x"}}, []byte(`{"participants":[]}`))
	ex.SetResponse(201, http.Header{}, []byte("{\"invalidParticipants\":[]}\x1b[31m"))
	if got, want := ex.ColorableString(), "POST http://h/chat/threads/t/participants:add?api-version=2025-03-15&k=REDACTED → 201"; got != want {
		t.Errorf("representation %q, want %q", got, want)
	}
	failed := NewExchange(r, "GET", "http://h/x", http.Header{}, nil)
	failed.Fail("connection refused\x07")
	if got := failed.ColorableString(); got != `GET http://h/x ! connection refused\x07` {
		t.Errorf("representation of a failed exchange %q", got)
	}
}
