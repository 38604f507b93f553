package outcome

import (
	"encoding/json"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func waivedEntry(t *testing.T, f Finding) types.ReportEntry {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	e := types.ReportEntry{Name: EntryWaived}
	e.Value = types.WrapEntryValue(string(b))
	return e
}

// A spec whose only findings are waived is waived; a waived finding
// against another row makes that row waived, never better than passed
// and never worse than a real failure.
func TestWaived(t *testing.T) {
	own := Finding{ID: "ADD-11", By: "ADD-11", Message: "m", WaiverID: "ERR-05", Reason: "legacy", Waiver: "w.yaml:2", Expires: "2027-03-31"}
	other := Finding{ID: "ERR-05", By: "ADD-11", Message: "m2", WaiverID: "ERR-05", Reason: "legacy", Waiver: "w.yaml:2", Expires: "2027-03-31"}
	r := types.Report{SpecReports: types.SpecReports{
		spec("ADD-11", types.SpecStatePassed, waivedEntry(t, own), waivedEntry(t, other)),
		spec("ADD-10", types.SpecStatePassed, waivedEntry(t, Finding{ID: "ADD-01", By: "ADD-10", Waiver: "w.yaml:5"})),
		spec("ADD-01", types.SpecStateFailed),
	}}
	got := map[string]Assertion{}
	for _, a := range Judge(r) {
		got[a.ID] = a
	}
	if a := got["ADD-11"]; a.Outcome != Waived || len(a.Waived) != 1 || a.Waived[0].Outcome != Waived {
		t.Errorf("ADD-11: %s %+v", a.Outcome, a.Waived)
	}
	if a := got["ERR-05"]; a.Outcome != Waived || len(a.Waived) != 1 || a.Messages[0] != other.WaivedText() {
		t.Errorf("ERR-05: %s %+v %q", a.Outcome, a.Waived, a.Messages)
	}
	if a := got["ADD-01"]; a.Outcome != Failed {
		t.Errorf("ADD-01 failed and was waived elsewhere: %s", a.Outcome)
	}
	if w := own.WaivedText(); w != "WAIVED by w.yaml:2 (ERR-05, until 2027-03-31): legacy\nm" {
		t.Errorf("WaivedText = %q", w)
	}
	// A warning outweighs a waiver in the same spec.
	s, _ := OfSpec(spec("ADD-11", types.SpecStatePassed, waivedEntry(t, own), entry(EntryWarning)))
	if s.Outcome != Warned {
		t.Errorf("warned and waived: %s", s.Outcome)
	}
}
