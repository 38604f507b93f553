package faults

import (
	"bytes"
	"net/http"
	"strings"
)

// The hostile-bytes fault proves that what a server sends cannot drive the
// console or corrupt a report: its display names, error messages and a
// header carry NUL, ANSI and OSC escape sequences, C1 controls and invalid
// UTF-8. A name that is not the one added fails ADD-04 like any garbled
// name; the point of the fault is the tests in hostile_bytes_test.go, which
// read every report file and the console for the bytes.

// hostileText holds every kind of byte a terminal or viewer acts on. In a
// JSON string the C0 controls travel as \u escapes (raw they would make the
// body invalid JSON) and decode to the real bytes in the client.
const hostileText = "\x00\x1b[31mred\x1b[0m\x1b]0;owned\x07\u009b2J\u0085" + hostileInvalidMark

// hostileInvalidMark is replaced by invalid UTF-8 in the encoded body,
// which no JSON encoder would write.
const hostileInvalidMark = "HOSTILE-INVALID-UTF8"

// hostileHeader is what a header can carry past Go's client, which rejects
// C0 controls in header values as a malformed response: C1 and invalid UTF-8.
const hostileHeader = "name\u009b31m\xff\xfe"

func hostileBytesFaults() []Fault {
	return []Fault{{
		Name:    "hostile-bytes",
		Mistake: "echoes whatever bytes it holds: NUL, ESC sequences (colour, OSC window title), C1 controls and invalid UTF-8 in display names, error messages and a response header",
		Trips:   []string{"ADD-04"},
		// A body with invalid UTF-8 is not JSON (RFC 8259 §8.1), so every
		// check that judges an error body or a listing's shape fails too.
		Collateral: []string{"ADD-08", "ADD-10", "ADD-11", "ADD-12", "ERR-01", "ERR-02", "ERR-03", "ERR-04",
			"ERR-05", "ERR-06", "ERR-07", "ERR-08", "LIST-01", "LIST-05", "META-02", "PAGE-07", "REM-03", "REM-04", "TIME-04"},
		Wrap: hostileBytes,
	}}
}

func hostileBytes(_ Deps, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every path, the Identity API's too: a setup failure quotes it.
		c := capture(next, r)
		c.header.Set("X-Hostile", hostileHeader)
		switch {
		case isList(r) && c.status == http.StatusOK:
			participants(c, func(p map[string]any) {
				if s, ok := p["displayName"].(string); ok && s != "" {
					p["displayName"] = s + hostileText
				}
			})
		case c.status >= 400:
			if m := c.object(); m != nil {
				if e, ok := m["error"].(map[string]any); ok {
					msg, _ := e["message"].(string)
					e["message"] = strings.TrimSpace(msg + " " + hostileText)
					c.setObject(m)
				}
			}
		}
		c.body = bytes.ReplaceAll(c.body, []byte(hostileInvalidMark), []byte("\xff\xfe"))
		c.write(w)
	})
}
