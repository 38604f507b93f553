package waivers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	ws, err := Parse("w.yaml", []byte(`waivers:
  # the live service
  - id: ERR-05
    reason: legacy envelope (CHAT-123)
    expires: 2027-03-31
  - id: LIST-03
    reason: no kind
    expires: 2027-01-01
    match: 'kind'
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 || ws[0].Where() != "w.yaml:3" || ws[1].Where() != "w.yaml:6" || ws[1].MatchText != "kind" || ws[0].ExpiryDate() != "2027-03-31" {
		t.Fatalf("%+v", ws)
	}
	// The expiry day itself still holds.
	if ws[0].Expired(time.Date(2027, 3, 31, 23, 59, 0, 0, time.UTC)) || !ws[0].Expired(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("expires is the last day the waiver holds")
	}
}

func TestParseRejects(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown id":   {"waivers:\n  - id: ERR-99\n    reason: r\n    expires: 2027-01-01\n", `w.yaml:2: id "ERR-99" is not an assertion`},
		"no reason":    {"waivers:\n  - id: ERR-05\n    expires: 2027-01-01\n", "w.yaml:2: the ERR-05 waiver has no reason"},
		"no expiry":    {"waivers:\n  - id: ERR-05\n    reason: r\n", "w.yaml:2: the ERR-05 waiver has no expires"},
		"bad date":     {"waivers:\n  - id: ERR-05\n    reason: r\n    expires: 31/03/2027\n", `w.yaml:4: expires is "31/03/2027"`},
		"bad regexp":   {"waivers:\n  - id: ERR-05\n    reason: r\n    expires: 2027-01-01\n    match: '(('\n", "w.yaml:5: match is not a regular expression"},
		"unknown key":  {"waivers:\n  - id: ERR-05\n    reason: r\n    expires: 2027-01-01\n    until: x\n", `w.yaml:5: unknown key "until"`},
		"no list":      {"- id: ERR-05\n", "w.yaml:1: want a mapping with a waivers: list"},
		"not yaml":     {"waivers: [\n", "not valid YAML"},
		"empty":        {"", "the file is empty"},
		"list of text": {"waivers: ERR-05\n", "w.yaml:1: waivers: must be a list"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "CHAT_WAIVERS=w.yaml") {
				t.Errorf("err = %v, want CHAT_WAIVERS=w.yaml…%q", err, tc.want)
			}
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yaml")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "CHAT_WAIVERS="+path) {
		t.Errorf("err = %v", err)
	}
	if err := os.WriteFile(path, []byte("waivers: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ws, err := Load(path); err != nil || len(ws) != 0 {
		t.Errorf("an empty list: %v %v", ws, err)
	}
}

const envelopeFailure = `[ADD-11] MUST: A malformed identifier is rejected
Expected the 400 Bad Request response to carry the documented error envelope, but it breaks it in 1 place:
    [ERR-05] /error: missing: the body has the legacy ACS shape
Transcript:
< {"x": "[ADD-01] not a violation line"}
`

func TestCited(t *testing.T) {
	if got := Cited(envelopeFailure); got != "ERR-05" {
		t.Errorf("Cited = %q, want ERR-05", got)
	}
	if got := Cited(envelopeFailure + "    [LIST-03] /value/0: kind missing\n"); got != "" {
		t.Errorf("violations of two rows cite none: %q", got)
	}
	if got := Cited("[ADD-01] MUST: x\nExpected 201, got 200"); got != "" {
		t.Errorf("a clause alone cites nothing: %q", got)
	}
}

func TestFind(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ws, err := Parse("w.yaml", []byte(`waivers:
  - id: ERR-05
    reason: old
    expires: 2026-01-01
  - id: ERR-05
    reason: current
    expires: 2027-01-01
    match: legacy ACS shape
  - id: LIST-03
    reason: kind
    expires: 2027-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	if w := Find(ws, "ADD-11", envelopeFailure, now); w == nil || w.Reason != "current" {
		t.Errorf("the failure cites ERR-05: want the unexpired ERR-05 waiver, got %+v", w)
	}
	if w := Find(ws, "ERR-05", "[ERR-05] MUST: x\n  [ERR-05] : the Content-Type is text/html", now); w == nil || w.Reason != "old" {
		t.Errorf("match limits the current waiver; the expired one still covers: %+v", w)
	}
	if w := Find(ws, "ADD-01", "[ADD-01] MUST: x\nExpected 201, got 200", now); w != nil {
		t.Errorf("nothing covers ADD-01: %+v", w)
	}
}

// The shipped example parses.
func TestExampleFile(t *testing.T) {
	ws, err := Load(filepath.Join("..", "..", "waivers", "acs-live.example.yaml"))
	if err != nil || len(ws) != 2 {
		t.Fatalf("%v %+v", err, ws)
	}
}
