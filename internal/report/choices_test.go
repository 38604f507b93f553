package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
)

func TestVerdictLine(t *testing.T) {
	for _, tc := range []struct {
		v          string
		waived, nc int
		want       string
	}{
		{Conformant, 0, 0, "CONFORMANT"},
		{Conformant, 0, 1, "CONFORMANT (1 opt-in check not run)"},
		{Conformant, 2, 2, "CONFORMANT (2 assertions waived, 2 opt-in checks not run)"},
		{Incomplete, 0, 1, "INCOMPLETE"},
		{NotConformant, 3, 0, "NOT CONFORMANT"},
	} {
		if got := VerdictLine(tc.v, tc.waived, tc.nc); got != tc.want {
			t.Errorf("VerdictLine(%s, %d, %d) = %q, want %q", tc.v, tc.waived, tc.nc, got, tc.want)
		}
	}
}

// itReport is a Ginkgo report with one spec per ID in the given state.
func itReport(states map[string]types.SpecState) types.Report {
	var r types.Report
	for _, a := range catalogue.All() {
		st, ok := states[a.ID]
		if !ok {
			st = types.SpecStatePassed
		}
		r.SpecReports = append(r.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "[" + a.ID + "] x",
			LeafNodeLabels: []string{a.ID}, State: st})
	}
	return r
}

// ERR-07 skipped for want of CHAT_RATE_LIMIT_TESTS is not run by choice:
// the run is CONFORMANT, and results.json checks.
func TestNotRunByChoice(t *testing.T) {
	m := Meta{APIVersions: []string{"2024-03-15-preview"}, NotChosen: map[string]string{catalogue.CapRateLimit: "CHAT_RATE_LIMIT_TESTS=1"}}
	x := newRun(itReport(map[string]types.SpecState{"ERR-07": types.SpecStateSkipped}), m)
	if x.Verdict != Conformant || x.VerdictLine != "CONFORMANT (1 opt-in check not run)" {
		t.Errorf("verdict %q", x.VerdictLine)
	}
	r := buildResults(x)
	if err := r.Check(); err != nil {
		t.Error(err)
	}
	if s := string(renderSummary(x)); !strings.Contains(s, "not run by choice: ERR-07 (set CHAT_RATE_LIMIT_TESTS=1)") {
		t.Errorf("summary:\n%s", s)
	}
	// A skip the user did not choose still leaves the run incomplete.
	x = newRun(itReport(map[string]types.SpecState{"ERR-07": types.SpecStateSkipped}), Meta{APIVersions: []string{"2024-03-15-preview"}})
	if x.Verdict != Incomplete {
		t.Errorf("verdict %q", x.Verdict)
	}
	// Marking a failure "not run by choice" does not pass the check.
	r.Assertions["ADD-01"] = AssertionResult{Tier: "must", Outcome: "failed", NotRunByChoice: "X=1"}
	if err := r.Check(); err == nil {
		t.Error("a failed assertion marked not run by choice passed Check")
	}
}

// itReportOn is itReport with every spec declared for api-version v.
func itReportOn(v string, states map[string]types.SpecState) types.Report {
	r := itReport(states)
	for i := range r.SpecReports {
		r.SpecReports[i].ContainerHierarchyTexts = []string{v}
		r.SpecReports[i].ContainerHierarchyLabels = [][]string{{outcome.VersionLabelPrefix + v}}
	}
	return r
}

// writeBaseline writes r as a results.json and returns its path.
func writeBaseline(t *testing.T, r Results) string {
	t.Helper()
	b, _ := json.Marshal(r)
	path := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompare(t *testing.T) {
	// A baseline of one api-version, from before results.json listed them.
	path := writeBaseline(t, Results{Schema: ResultsSchema, SuiteVersion: "v1", APIVersion: "2024-03-07", Verdict: NotConformant, Assertions: map[string]AssertionResult{
		"ERR-05": {Outcome: "failed"}, "ADD-02": {Outcome: "failed"}, "ADD-01": {Outcome: "passed"}, "PAGE-01": {Outcome: "passed"},
	}})
	x := newRun(itReport(map[string]types.SpecState{"ERR-05": types.SpecStateFailed, "ADD-01": types.SpecStateFailed, "PAGE-01": types.SpecStateTimedout}),
		Meta{APIVersions: []string{"2024-03-07"}, SuiteVersion: "v2", Baseline: path})
	c := x.Baseline
	if c == nil || strings.Join(c.Regressions, ",") != "ADD-01" || strings.Join(c.Fixed, ",") != "ADD-02" ||
		strings.Join(c.Known, ",") != "ERR-05" || strings.Join(c.NewErrors, ",") != "PAGE-01" || !c.Gate() {
		t.Fatalf("comparison %+v", c)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "made by chatconform v1") {
		t.Errorf("want only the suite version warning: %q", c.Warnings)
	}
	if s := string(renderSummary(x)); !strings.Contains(s, "**1 regression, 1 fixed since the baseline**") || !strings.Contains(s, "Warning: the baseline was made by chatconform v1") {
		t.Errorf("summary:\n%.800s", s)
	}
	if _, err := LoadBaseline(filepath.Join(t.TempDir(), "none.json")); err == nil || !strings.Contains(err.Error(), "CHAT_BASELINE=") {
		t.Errorf("LoadBaseline of a missing file: %v", err)
	}

	// Another api-version than the baseline's is not compared with it:
	// every failure there is a regression.
	x = newRun(itReport(map[string]types.SpecState{"ERR-05": types.SpecStateFailed}), Meta{APIVersions: []string{"2024-03-15-preview"}, SuiteVersion: "v1", Baseline: path})
	if c := x.Baseline; strings.Join(c.Regressions, ",") != "ERR-05" || len(c.Known) != 0 || len(c.Fixed) != 0 || len(c.Warnings) != 1 ||
		c.Warnings[0] != "the baseline ran api-version 2024-03-07, this run 2024-03-15-preview: 2024-03-15-preview is not in the baseline, so every failure there counts as a regression" {
		t.Errorf("comparison with another api-version %+v", c)
	}
}

// A baseline of one api-version compares that version only; in a run of
// several the comparison names the version of each entry.
func TestCompareSeveralVersions(t *testing.T) {
	path := writeBaseline(t, Results{Schema: ResultsSchema, SuiteVersion: "v1", APIVersion: "2024-03-07", Verdict: NotConformant, Assertions: map[string]AssertionResult{
		"ERR-05": {Outcome: "failed"}, "ADD-02": {Outcome: "failed"},
	}})
	r := itReportOn("2024-03-07", map[string]types.SpecState{"ERR-05": types.SpecStateFailed})
	r.SpecReports = append(r.SpecReports, itReportOn("2025-03-15", map[string]types.SpecState{"ERR-05": types.SpecStateFailed, "ADD-02": types.SpecStateFailed}).SpecReports...)
	x := newRun(r, Meta{APIVersions: []string{"2024-03-07", "2025-03-15"}, SuiteVersion: "v1", Baseline: path})
	c := x.Baseline
	if strings.Join(c.Known, ",") != "ERR-05 (2024-03-07)" || strings.Join(c.Fixed, ",") != "ADD-02 (2024-03-07)" ||
		strings.Join(c.Regressions, ",") != "ADD-02 (2025-03-15),ERR-05 (2025-03-15)" || !c.Gate() {
		t.Errorf("comparison %+v", c)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "2025-03-15 is not in the baseline") {
		t.Errorf("warnings %q", c.Warnings)
	}
	// A baseline of both versions compares each with its own.
	res := buildResults(x)
	res.Baseline = nil
	path = writeBaseline(t, res)
	x = newRun(r, Meta{APIVersions: []string{"2024-03-07", "2025-03-15"}, SuiteVersion: "v1", Baseline: path})
	if c := x.Baseline; len(c.Regressions) != 0 || strings.Join(c.Known, ",") != "ERR-05 (2024-03-07),ADD-02 (2025-03-15),ERR-05 (2025-03-15)" || len(c.Warnings) != 0 || c.Gate() {
		t.Errorf("comparison with a baseline of both versions %+v", c)
	}
}

func TestWaivedCountsAndStale(t *testing.T) {
	as := judged(map[string]outcome.Outcome{"ERR-05": outcome.Waived})
	if v := Verdict(as, true); v != Conformant {
		t.Errorf("a waived assertion is not a failure: %s", v)
	}
}
