package outcome

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func spec(id string, state types.SpecState, entries ...types.ReportEntry) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "[" + id + "] x",
		LeafNodeLabels: []string{id}, State: state, ReportEntries: entries}
}

func entry(name string) types.ReportEntry { return types.ReportEntry{Name: name} }

func TestOfSpec(t *testing.T) {
	for _, tc := range []struct {
		name string
		sr   types.SpecReport
		want Outcome
	}{
		{"passed", spec("ADD-01", types.SpecStatePassed), Passed},
		{"warned", spec("ADD-07", types.SpecStatePassed, entry(EntryWarning)), Warned},
		{"failed", spec("ADD-01", types.SpecStateFailed), Failed},
		{"harness error", spec("ADD-01", types.SpecStateFailed, entry(EntryHarnessError)), Error},
		{"setup failed", spec("ADD-01", types.SpecStateFailed, entry(EntrySetupError)), Error},
		{"timed out", spec("ADD-01", types.SpecStateTimedout), Error},
		{"skipped", spec("ERR-03", types.SpecStateSkipped), Skipped},
	} {
		if s, ok := OfSpec(tc.sr); !ok || s.Outcome != tc.want {
			t.Errorf("%s: %v %v, want %s", tc.name, s.Outcome, ok, tc.want)
		}
	}
}

func TestJudgeTakesTheWorstSpecAndSkipsDryRuns(t *testing.T) {
	r := types.Report{SpecReports: types.SpecReports{
		spec("ERR-09", types.SpecStatePassed), spec("ERR-09", types.SpecStateFailed), spec("ADD-01", types.SpecStatePassed),
	}}
	got := map[string]Outcome{}
	for _, a := range Judge(r) {
		got[a.ID] = a.Outcome
	}
	if got["ERR-09"] != Failed || got["ADD-01"] != Passed || got["PAGE-01"] != Skipped {
		t.Errorf("outcomes %v", got)
	}
	r.SuiteConfig.DryRun = true
	for _, a := range Judge(r) {
		if a.Outcome != Skipped {
			t.Errorf("dry run: %s is %s, want skipped (nothing was sent)", a.ID, a.Outcome)
		}
	}
}

// A finding is evidence against its row, whichever spec saw it: it fails
// (or warns) that row even when the row's own specs passed.
func TestJudgeFoldsFindingsIntoTheirRow(t *testing.T) {
	finding := func(id string, o Outcome) types.ReportEntry {
		e := types.ReportEntry{Name: EntryFinding}
		e.Value = types.WrapEntryValue(`{"id":"` + id + `","by":"PAGE-01","outcome":"` + string(o) + `","message":"[` + id + `] seen by PAGE-01"}`)
		return e
	}
	r := types.Report{SpecReports: types.SpecReports{
		spec("PAGE-01", types.SpecStatePassed, finding("ADD-04", Failed), finding("PAGE-06", Warned)),
		spec("ADD-04", types.SpecStatePassed),
	}}
	got := map[string]Assertion{}
	for _, a := range Judge(r) {
		got[a.ID] = a
	}
	if got["ADD-04"].Outcome != Failed || got["PAGE-06"].Outcome != Warned || got["PAGE-01"].Outcome != Passed {
		t.Errorf("ADD-04 %s, PAGE-06 %s, PAGE-01 %s; want failed, warned, passed", got["ADD-04"].Outcome, got["PAGE-06"].Outcome, got["PAGE-01"].Outcome)
	}
	if m := got["ADD-04"].Messages; len(m) != 1 || m[0] != "[ADD-04] seen by PAGE-01" {
		t.Errorf("ADD-04 messages %q", m)
	}
}
