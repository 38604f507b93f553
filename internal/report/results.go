package report

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
)

// ResultsSchema versions the layout of results.json; a consumer checks it
// before reading anything else.
const ResultsSchema = "chatconform/results/v1"

// Results is results.json: the machine-readable certification result.
type Results struct {
	Schema       string            `json:"schema"`
	SuiteVersion string            `json:"suiteVersion"`
	APIVersion   string            `json:"apiVersion"`
	Endpoint     string            `json:"endpoint"`
	Spec         SpecDocument      `json:"spec"`
	Config       map[string]string `json:"config"`
	Mode         string            `json:"mode"`
	Strict       bool              `json:"strict"`
	StartTime    time.Time         `json:"startTime"`
	EndTime      time.Time         `json:"endTime"`
	Verdict      string            `json:"verdict"`
	// VerdictLine is the verdict with what was chosen:
	// "CONFORMANT (1 opt-in check not run)".
	VerdictLine string `json:"verdictLine"`
	Totals      Totals `json:"totals"`
	// Assertions is keyed by assertion ID; every catalogue ID is present.
	Assertions map[string]AssertionResult `json:"assertions"`
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
	// Retries counts the exchanges that were followed by a retry.
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
	// NotApplicable: the assertion is not part of the run's api-version
	// (metadata before 2024-03-15-preview) and the verdict ignores it.
	NotApplicable bool `json:"notApplicable,omitempty"`
	// NotRunByChoice is the setting that would run a check the user did
	// not opt in to; the verdict ignores it.
	NotRunByChoice string `json:"notRunByChoice,omitempty"`
	// Waived are the findings waivers covered, each with its waiver.
	Waived []outcome.Finding `json:"waived,omitempty"`
}

func buildResults(x *run) Results {
	r := Results{
		Schema:         ResultsSchema,
		SuiteVersion:   x.Meta.version(),
		APIVersion:     x.Meta.APIVersion,
		Endpoint:       x.Meta.Endpoint,
		Spec:           SpecDocument{Source: x.Meta.SpecSource, Digest: x.Meta.SpecDigest},
		Config:         x.Meta.Config,
		Mode:           x.Meta.Mode,
		Strict:         x.Meta.Strict,
		StartTime:      x.Report.StartTime.UTC(),
		EndTime:        x.Report.EndTime.UTC(),
		Verdict:        x.Verdict,
		VerdictLine:    x.VerdictLine,
		Assertions:     map[string]AssertionResult{},
		NotRunByChoice: x.NotRun,
		Waivers:        x.Waivers,
		Baseline:       x.Baseline,
		Problems:       x.Problems,
		Cleanup:        x.Cleanup,
		Totals: Totals{
			Assertions: len(x.Assertions),
			Passed:     x.Counts[outcome.Passed],
			Failed:     x.Counts[outcome.Failed],
			Warned:     x.Counts[outcome.Warned],
			Waived:     x.Counts[outcome.Waived],
			Skipped:    x.Counts[outcome.Skipped],
			Error:      x.Counts[outcome.Error],
			Requests:   x.Requests,
			Retries:    x.Retries,
		},
	}
	if r.Config == nil {
		r.Config = map[string]string{}
	}
	for _, a := range x.Assertions {
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
		r.Totals.Specs += len(a.Specs)
		r.Assertions[a.ID] = ar
	}
	return r
}

func renderResults(x *run) ([]byte, error) {
	b, err := json.MarshalIndent(buildResults(x), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Check verifies that results.json is internally consistent: a known
// schema, a tier and outcome for every assertion, and the recorded verdict
// the one its assertions and strict setting give. It judges by the tiers the
// file records, so an archive made by another suite version still checks.
// It catches a hand-edited verdict; it cannot catch a consistent forgery.
func (r *Results) Check() error {
	if r.Schema != ResultsSchema {
		return fmt.Errorf("results.json has schema %q, want %q", r.Schema, ResultsSchema)
	}
	if len(r.Assertions) == 0 {
		return fmt.Errorf("results.json lists no assertions")
	}
	var as []outcome.Assertion
	waived, notChosen := 0, 0
	for id, ar := range r.Assertions {
		if ar.NotRunByChoice != "" && ar.Outcome != string(outcome.Skipped) {
			return fmt.Errorf("results.json: %s is %s but marked not run by choice", id, ar.Outcome)
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
			return fmt.Errorf("results.json: %s has tier %q", id, ar.Tier)
		}
		switch o := outcome.Outcome(ar.Outcome); o {
		case outcome.Passed, outcome.Failed, outcome.Warned, outcome.Waived, outcome.Skipped, outcome.Error:
			as = append(as, outcome.Assertion{Assertion: catalogue.Assertion{ID: id, Tier: tier}, Outcome: o})
		default:
			return fmt.Errorf("results.json: %s has outcome %q", id, ar.Outcome)
		}
	}
	if v := Verdict(as, r.Strict); v != r.Verdict {
		return fmt.Errorf("results.json says %s but its assertions give %s", r.Verdict, v)
	}
	// Files from before verdictLine existed have none.
	if l := VerdictLine(r.Verdict, waived, notChosen); r.VerdictLine != "" && l != r.VerdictLine {
		return fmt.Errorf("results.json says %q but its assertions give %q", r.VerdictLine, l)
	}
	return nil
}
