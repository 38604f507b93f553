package harness

import (
	"strings"
	"testing"
)

// What a server lists is sorted into what the run certifies, and shown
// escaped: a control sequence in the header cannot reach a terminal.
func TestNewDiscovery(t *testing.T) {
	d := NewDiscovery("2025-03-15, 2099-01-01-preview\u009b31m, 2021-09-07,2025-03-15")
	if got := strings.Join(d.Selected, ","); got != "2021-09-07,2025-03-15" {
		t.Errorf("Selected %s", got)
	}
	if len(d.Unknown) != 1 || strings.ContainsRune(d.Unknown[0], '\u009b') || !strings.HasPrefix(d.Unknown[0], "2099-01-01-preview") {
		t.Errorf("Unknown %q: want the preview, escaped", d.Unknown)
	}
	if len(d.NotListed) != 4 || len(d.Listed) != 3 {
		t.Errorf("NotListed %v, Listed %v", d.NotListed, d.Listed)
	}
}
