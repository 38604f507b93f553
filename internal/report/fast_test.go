package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/sanitize"
)

// renderGinkgoJSON encodes the spec reports on several cores and splices
// them in: the result must be json.MarshalIndent's, byte for byte.
func TestGinkgoJSONIsMarshalIndent(t *testing.T) {
	failed := fixtureReport()
	failed.SpecialSuiteFailureReasons = []string{"Interrupted by User", "<&> escaped"}
	for name, r := range map[string]types.Report{
		"fixture":      fixtureReport(),
		"failed":       failed,
		"two versions": twoVersions(),
		"realistic":    realisticReport(benchVersions[4:]...),
		"no specs":     {SuiteDescription: "Chat Participants Conformance", StartTime: t0},
		"one spec":     {SpecReports: fixtureReport().SpecReports[:1]},
		"round trip":   roundTrip(t, realisticReport(benchVersions[5:]...)),
	} {
		got, err := renderGinkgoJSON(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := marshalGinkgoJSON(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < min(len(got), len(want)) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s: report.json differs from json.MarshalIndent at byte %d of %d/%d:\n%q\n---\n%q", name, i, len(got), len(want),
				got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
		}
	}
}

// roundTrip is r as report.json spells it, decoded again.
func roundTrip(t *testing.T, r types.Report) types.Report {
	t.Helper()
	dir := write(t, r, benchMeta(benchVersions[5:]...))
	var rs []types.Report
	if err := json.Unmarshal([]byte(read(t, dir, FileGinkgo)), &rs); err != nil || len(rs) != 1 {
		t.Fatalf("report.json: %v", err)
	}
	return rs[0]
}

// The scrubber looks for short anchors first; whatever it finds or not,
// it must replace exactly what replacing every variant replaces.
func TestScrubberIsScrub(t *testing.T) {
	key := "q8Xw3nJ0Zk1c2Vb5LmN7pRt9sUv4yAaBcDeFgHiJkLm="
	conn := "endpoint=https://contoso.communication.azure.com/;accesskey=" + key
	token := "eyJhbGciOiJSUzI1NiJ9.eyJza3lwZWlkIjoiYWNzOngifQ.c2lnbmF0dXJl+/=="
	symbols := "+/=&<>'\"%?#+/=&<>" // no letters or digits: no run to anchor on
	secrets := []string{conn, key, token, symbols, "short"}
	sc := newScrubber(secrets)
	if len(sc.anchors) == 0 {
		t.Fatal("no anchors")
	}
	for _, v := range sc.variants {
		found := false
		for _, a := range sc.anchors {
			found = found || strings.Contains(v, string(a))
		}
		if !found {
			t.Errorf("variant %q contains no anchor", v)
		}
	}
	texts := []string{
		"nothing secret here",
		`"ACS_CONNECTION_STRING": "endpoint=https://contoso.communication.azure.com/;accesskey=REDACTED"`,
		"Bearer REDACTED and eyJhbGciOiJSUzI1NiJ9 (a token's header is no secret)",
		"q8Xw3nJ0Zk1c2Vb5 half a key",
	}
	for _, v := range sc.variants {
		texts = append(texts, "before "+v+" after", v+v, `{"x":"`+v+`"}`)
	}
	for _, text := range texts {
		got, gn := sc.scrub([]byte(text))
		want, wn := scrub([]byte(text), sc.variants)
		if gn != wn || !bytes.Equal(got, want) {
			t.Errorf("scrubbing %q: %d replacements, %q; want %d, %q", text, gn, got, wn, want)
		}
	}
	if _, n := sc.scrub([]byte(texts[1])); n != 0 {
		t.Errorf("the redacted connection string counts as a leak")
	}
}

// displayable must say exactly when sanitize.Bytes changes nothing.
func TestDisplayableIsSanitizeClean(t *testing.T) {
	cases := []string{"", "plain ASCII\twith tab\nand newline", "Seán Ó'Brien ✓ 日本", "\x1b[31mred", "nul\x00", "del\x7f", "\r\n",
		"c1 \u0085 next line", "c1 \u009b csi", "just past c1 \u00a0 nbsp", "\u00c2 (Â, 0xC3 0x82)", "invalid \xff byte", "truncated \xc2", "lone continuation \x80",
		"surrogate \xed\xa0\x80", "overlong \xc0\xaf", "\u2028 line separator", "emoji 😀"}
	for b := 0; b < 256; b++ {
		cases = append(cases, string([]byte{byte(b)}), string([]byte{0xc2, byte(b)}), "x"+string([]byte{byte(b)})+"y")
	}
	for _, c := range cases {
		_, n := sanitize.Bytes([]byte(c))
		if got := displayable([]byte(c)); got != (n == 0) {
			t.Errorf("displayable(%q) = %v; sanitize.Bytes replaces %d", c, got, n)
		}
	}
}
