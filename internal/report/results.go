package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
)

// ResultsSchema versions the layout of results.json; a consumer checks it
// before reading anything else.
const ResultsSchema = "chatconform/results/v1"

// Results is results.json: the machine-readable certification result.
//
// A run certifies one or more api-versions. Versions holds each one's
// verdict and assertions; Matrix is assertion ID → api-version → cell
// (see MatrixCell). The top-level Verdict is the worst of the versions'
// (NOT CONFORMANT if any is, else INCOMPLETE if any is, else CONFORMANT),
// and the top-level Assertions are each row over every version: the worst
// outcome of the versions it binds, so that Verdict is also what the
// top-level rows give. Files written before api-versions were listed have
// APIVersion and no Versions: they are one version, judged by their
// top-level rows.
type Results struct {
	Schema       string `json:"schema"`
	SuiteVersion string `json:"suiteVersion"`
	// APIVersion is the certified api-version when there is exactly one
	// (as files before APIVersions had it); see CertifiedVersions.
	APIVersion string `json:"apiVersion,omitempty"`
	// APIVersions are the certified api-versions, in order.
	APIVersions []string `json:"apiVersions,omitempty"`
	// Discovery is what CHAT_API_VERSION=supported learnt from the server.
	Discovery *Discovery        `json:"discovery,omitempty"`
	Endpoint  string            `json:"endpoint"`
	Spec      SpecDocument      `json:"spec"`
	Config    map[string]string `json:"config"`
	Mode      string            `json:"mode"`
	Strict    bool              `json:"strict"`
	// Seed is STATE-01's seed (CHAT_SEED=seed repeats its sequences), when
	// it ran.
	Seed      uint64    `json:"seed,omitempty"`
	StartTime time.Time `json:"startTime"`
	EndTime   time.Time `json:"endTime"`
	Verdict   string    `json:"verdict"`
	// VerdictLine is the verdict with what was chosen:
	// "CONFORMANT (1 opt-in check not run)".
	VerdictLine string `json:"verdictLine"`
	Totals      Totals `json:"totals"`
	// Assertions is keyed by assertion ID; every catalogue ID is present.
	// Each is the row over every api-version (see Results).
	Assertions map[string]AssertionResult `json:"assertions"`
	// Versions are the certified api-versions, in APIVersions' order.
	Versions []VersionResult `json:"versions,omitempty"`
	// Matrix is assertion ID → api-version → MatrixCell.
	Matrix map[string]map[string]string `json:"matrix,omitempty"`
	// Problems are failures outside any assertion (suite setup, teardown).
	Problems []string `json:"problems,omitempty"`
	// Cleanup lists resources the run could not delete.
	Cleanup []string `json:"cleanup,omitempty"`
	// NotRunByChoice are the opt-in checks the run left out.
	NotRunByChoice []NotRun `json:"notRunByChoice,omitempty"`
	// Waivers are CHAT_WAIVERS' entries: what each waived, and the stale
	// ones (remove them).
	Waivers []WaiverResult `json:"waivers,omitempty"`
	// Baseline compares the run with CHAT_BASELINE.
	Baseline *Comparison `json:"baseline,omitempty"`
}

// VersionResult is one certified api-version.
type VersionResult struct {
	APIVersion  string `json:"apiVersion"`
	Verdict     string `json:"verdict"`
	VerdictLine string `json:"verdictLine"`
	// Reason says why the version got its verdict.
	Reason string `json:"reason"`
	// Spec names the OpenAPI document that judged the version.
	Spec   *SpecDocument `json:"spec,omitempty"`
	Totals Totals        `json:"totals"`
	// NotRunByChoice are the opt-in checks the version left out.
	NotRunByChoice []NotRun `json:"notRunByChoice,omitempty"`
	// Assertions is keyed by assertion ID, judged over this version's
	// specs only; every catalogue ID is present.
	Assertions map[string]AssertionResult `json:"assertions"`
}

// The matrix cells besides the outcomes (passed, failed, warned, waived,
// skipped, error).
const (
	CellNotApplicable = "not in this api-version"
	CellNotChosen     = "not run by choice"
)

// MatrixCell is how the matrix writes an assertion's outcome on one
// api-version: the outcome, or CellNotApplicable, or CellNotChosen.
func MatrixCell(ar AssertionResult) string {
	switch {
	case ar.NotApplicable:
		return CellNotApplicable
	case ar.NotRunByChoice != "":
		return CellNotChosen
	}
	return ar.Outcome
}

// CertifiedVersions are the api-versions the file certifies: APIVersions,
// or the one APIVersion of a file written before they were listed.
func (r *Results) CertifiedVersions() []string {
	if len(r.APIVersions) > 0 {
		return r.APIVersions
	}
	if r.APIVersion != "" {
		return []string{r.APIVersion}
	}
	return nil
}

// VersionAssertions are the assertions of api-version v: its entry of
// Versions, or the top-level ones of a file that certifies only v (or,
// written before api-versions were listed, names none); nil otherwise.
func (r *Results) VersionAssertions(v string) map[string]AssertionResult {
	for _, vr := range r.Versions {
		if vr.APIVersion == v {
			return vr.Assertions
		}
	}
	if len(r.Versions) == 0 {
		if cv := r.CertifiedVersions(); len(cv) == 0 || len(cv) == 1 && cv[0] == v {
			return r.Assertions
		}
	}
	return nil
}

// SpecDocument names the OpenAPI document that judged the run.
type SpecDocument struct {
	Source string `json:"source"`
	Digest string `json:"digest"`
}

// Totals counts assertions by outcome and the run's HTTP traffic.
type Totals struct {
	Assertions int `json:"assertions"`
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	Warned     int `json:"warned"`
	Waived     int `json:"waived"`
	Skipped    int `json:"skipped"`
	Error      int `json:"error"`
	Specs      int `json:"specs"`
	// Requests counts every recorded exchange (each retry attempt is one);
	// Retries counts the exchanges that were followed by a retry. At the
	// top level they count the whole run (suite setup included), in a
	// version the exchanges of its specs.
	Requests int `json:"requests"`
	Retries  int `json:"retries"`
}

// AssertionResult is one assertion's verdict over its specs.
type AssertionResult struct {
	Tier            string   `json:"tier"`
	Area            string   `json:"area"`
	Outcome         string   `json:"outcome"`
	Messages        []string `json:"messages"`
	DurationSeconds float64  `json:"durationSeconds"`
	Requests        int      `json:"requests"`
	Retries         int      `json:"retries"`
	Specs           []string `json:"specs"`
	// NotApplicable: the assertion is not part of the api-version
	// (metadata in a version without it) and the verdict ignores it; at
	// the top level, of none of the run's versions.
	NotApplicable bool `json:"notApplicable,omitempty"`
	// NotRunByChoice is the setting that would run a check the user did
	// not opt in to; the verdict ignores it.
	NotRunByChoice string `json:"notRunByChoice,omitempty"`
	// Waived are the findings waivers covered, each with its waiver.
	Waived []outcome.Finding `json:"waived,omitempty"`
}

// seedOf is the seed a STATE-01 spec reported (outcome.EntrySeed); every
// api-version's spec of a run uses the same one.
func seedOf(r types.Report) uint64 {
	for _, sr := range r.SpecReports {
		for _, e := range sr.ReportEntries {
			if e.Name == outcome.EntrySeed {
				n, _ := strconv.ParseUint(e.StringRepresentation(), 10, 64)
				return n
			}
		}
	}
	return 0
}

func buildResults(x *run) Results {
	r := Results{
		Schema:         ResultsSchema,
		SuiteVersion:   x.Meta.version(),
		Discovery:      x.Discovery,
		Endpoint:       x.Meta.Endpoint,
		Spec:           SpecDocument{Source: x.Meta.SpecSource, Digest: x.Meta.SpecDigest},
		Config:         x.Meta.Config,
		Mode:           x.Meta.Mode,
		Strict:         x.Meta.Strict,
		Seed:           seedOf(x.Report),
		StartTime:      x.Report.StartTime.UTC(),
		EndTime:        x.Report.EndTime.UTC(),
		Verdict:        x.Verdict,
		VerdictLine:    x.VerdictLine,
		NotRunByChoice: x.NotRun,
		Waivers:        x.Waivers,
		Baseline:       x.Baseline,
		Problems:       x.Problems,
		Cleanup:        x.Cleanup,
		Matrix:         map[string]map[string]string{},
	}
	if r.Config == nil {
		r.Config = map[string]string{}
	}
	for _, v := range x.Versions {
		if v.APIVersion != "" {
			r.APIVersions = append(r.APIVersions, v.APIVersion)
		}
	}
	if len(r.APIVersions) == 1 {
		r.APIVersion = r.APIVersions[0]
	}
	var specs int
	r.Assertions, specs = assertionResults(x.Assertions)
	r.Totals = totals(x.Assertions, x.Counts, specs)
	r.Totals.Requests, r.Totals.Retries = x.Requests, x.Retries
	for _, v := range x.Versions {
		if v.APIVersion == "" {
			continue // a run that never started names no api-version
		}
		vr := VersionResult{APIVersion: v.APIVersion, Verdict: v.Verdict, VerdictLine: v.VerdictLine,
			Reason: versionReason(v, x.Meta.Strict, x.multi()), NotRunByChoice: v.NotRun}
		if d, ok := x.Meta.Specs[v.APIVersion]; ok {
			vr.Spec = &d
		}
		vr.Assertions, specs = assertionResults(v.Assertions)
		vr.Totals = totals(v.Assertions, v.Counts, specs)
		vr.Totals.Requests, vr.Totals.Retries = v.Requests, v.Retries
		for id, ar := range vr.Assertions {
			if r.Matrix[id] == nil {
				r.Matrix[id] = map[string]string{}
			}
			r.Matrix[id][v.APIVersion] = MatrixCell(ar)
		}
		r.Versions = append(r.Versions, vr)
	}
	return r
}

func totals(as []assertion, counts map[outcome.Outcome]int, specs int) Totals {
	return Totals{
		Assertions: len(as),
		Passed:     counts[outcome.Passed],
		Failed:     counts[outcome.Failed],
		Warned:     counts[outcome.Warned],
		Waived:     counts[outcome.Waived],
		Skipped:    counts[outcome.Skipped],
		Error:      counts[outcome.Error],
		Specs:      specs,
	}
}

func assertionResults(as []assertion) (map[string]AssertionResult, int) {
	out := map[string]AssertionResult{}
	specs := 0
	for _, a := range as {
		ar := AssertionResult{
			Tier:            string(a.Tier),
			Area:            a.Area,
			Outcome:         string(a.Outcome),
			Messages:        append([]string{}, a.Messages...),
			DurationSeconds: seconds(a.Duration),
			Requests:        a.Requests,
			Retries:         a.Retries,
			Specs:           []string{},
			NotApplicable:   a.NotApplicable,
			NotRunByChoice:  a.NotChosen,
			Waived:          a.Waived,
		}
		for _, s := range a.Specs {
			ar.Specs = append(ar.Specs, s.Name)
		}
		specs += len(a.Specs)
		out[a.ID] = ar
	}
	return out, specs
}

func renderResults(x *run) ([]byte, error) {
	b, err := json.MarshalIndent(buildResults(x), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Check verifies that results.json is internally consistent: a known
// schema, a tier and outcome for every assertion, each version's verdict
// the one its assertions and strict setting give, the run's verdict the
// worst of them, the top-level rows and the matrix what the versions give,
// and the top-level verdict what the top-level rows give. It judges by the
// tiers the file records, so an archive made by another suite version
// still checks. It catches a hand-edited verdict; it cannot catch a
// consistent forgery.
func (r *Results) Check() error {
	if r.Schema != ResultsSchema {
		return fmt.Errorf("results.json has schema %q, want %q", r.Schema, ResultsSchema)
	}
	if len(r.Assertions) == 0 {
		return fmt.Errorf("results.json lists no assertions")
	}
	if err := checkVerdict("", r.Assertions, r.Strict, r.Verdict, r.VerdictLine); err != nil {
		return err
	}
	if len(r.Versions) == 0 {
		return nil
	}
	var names []string
	worst := Conformant
	for _, v := range r.Versions {
		names = append(names, v.APIVersion)
		if len(v.Assertions) == 0 {
			return fmt.Errorf("results.json: api-version %s lists no assertions", v.APIVersion)
		}
		if err := checkVerdict(v.APIVersion, v.Assertions, r.Strict, v.Verdict, v.VerdictLine); err != nil {
			return err
		}
		worst = worseVerdict(worst, v.Verdict)
	}
	if len(r.APIVersions) > 0 && !slices.Equal(names, r.APIVersions) {
		return fmt.Errorf("results.json certifies api-versions %s but has verdicts of %s", strings.Join(r.APIVersions, ", "), strings.Join(names, ", "))
	}
	if worst != r.Verdict {
		return fmt.Errorf("results.json says %s but its api-versions give %s", r.Verdict, worst)
	}
	for id, top := range r.Assertions {
		cells := make([]cell, len(r.Versions))
		for k, v := range r.Versions {
			ar, ok := v.Assertions[id]
			if !ok {
				return fmt.Errorf("results.json: api-version %s does not list %s", v.APIVersion, id)
			}
			cells[k] = cell{outcome.Outcome(ar.Outcome), ar.NotApplicable, ar.NotRunByChoice}
			if got := r.Matrix[id][v.APIVersion]; r.Matrix != nil && got != MatrixCell(ar) {
				return fmt.Errorf("results.json: the matrix says %s is %q on %s, its api-version says %q", id, got, v.APIVersion, MatrixCell(ar))
			}
		}
		o, na, nc, _ := aggregateCells(catalogue.Tier(top.Tier), r.Strict, cells)
		if string(o) != top.Outcome || na != top.NotApplicable || nc != top.NotRunByChoice {
			return fmt.Errorf("results.json says %s is %s over every api-version, but its api-versions give %s", id, MatrixCell(top), MatrixCell(AssertionResult{Outcome: string(o), NotApplicable: na, NotRunByChoice: nc}))
		}
	}
	return nil
}

// checkVerdict checks one set of assertions against the verdict and the
// verdict line recorded for it (of api-version v, or of the run for "").
func checkVerdict(v string, assertions map[string]AssertionResult, strict bool, verdict, line string) error {
	where := "results.json"
	if v != "" {
		where += " (api-version " + v + ")"
	}
	var as []outcome.Assertion
	waived, notChosen := 0, 0
	for id, ar := range assertions {
		if ar.NotRunByChoice != "" && ar.Outcome != string(outcome.Skipped) {
			return fmt.Errorf("%s: %s is %s but marked not run by choice", where, id, ar.Outcome)
		}
		if ar.Outcome == string(outcome.Waived) {
			waived++
		}
		if ar.NotRunByChoice != "" {
			notChosen++
		}
		if ar.NotApplicable || ar.NotRunByChoice != "" {
			continue
		}
		tier := catalogue.Tier(ar.Tier)
		if tier != catalogue.Must && tier != catalogue.Should {
			return fmt.Errorf("%s: %s has tier %q", where, id, ar.Tier)
		}
		switch o := outcome.Outcome(ar.Outcome); o {
		case outcome.Passed, outcome.Failed, outcome.Warned, outcome.Waived, outcome.Skipped, outcome.Error:
			as = append(as, outcome.Assertion{Assertion: catalogue.Assertion{ID: id, Tier: tier}, Outcome: o})
		default:
			return fmt.Errorf("%s: %s has outcome %q", where, id, ar.Outcome)
		}
	}
	if got := Verdict(as, strict); got != verdict {
		return fmt.Errorf("%s says %s but its assertions give %s", where, verdict, got)
	}
	// Files from before verdictLine existed have none.
	if l := VerdictLine(verdict, waived, notChosen); line != "" && l != line {
		return fmt.Errorf("%s says %q but its assertions give %q", where, line, l)
	}
	return nil
}
