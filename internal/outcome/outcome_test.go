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
