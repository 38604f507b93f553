// Package outcome turns a Ginkgo report into a verdict per assertion ID:
// passed, failed, warned (a SHOULD finding outside strict mode), waived
// (every finding covered by a CHAT_WAIVERS entry), skipped (with the
// reason) or error (the harness failed, not the server). Reports,
// certification results and the fault matrix all judge through it.
package outcome

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/transcript"
)

// Names of the report entries the suite attaches.
const (
	EntryTranscript   = "transcript"
	EntryWarning      = "warning"
	EntryHarnessError = "harness-error"
	// EntrySetupError: the spec's setup failed, so its check did not run.
	EntrySetupError   = "setup-error"
	EntryCleanupError = "cleanup-error"
	// EntryFinding: a spec saw evidence against another assertion (a
	// JSON-encoded Finding), which counts for that assertion.
	EntryFinding = "finding"
	// EntryWaived: a finding a waiver covers (a JSON-encoded Finding with
	// Outcome Waived and the waiver's fields); it does not fail the spec.
	EntryWaived = "waived"
	// EntryTiming: when each request of a concurrent batch ran (text), so
	// a reader sees that they overlapped.
	EntryTiming = "timing"
	// EntryStateful: STATE-01's run (text): its seed (CHAT_SEED repeats
	// it), the sequences run and the requests spent, and when one failed
	// how far it was shrunk.
	EntryStateful = "stateful"
	// EntrySeed: STATE-01's seed alone (a decimal number), for results.
	EntrySeed = "seed"
)

// Finding is evidence against assertion ID seen by a spec of assertion By.
type Finding struct {
	ID      string  `json:"id"`
	By      string  `json:"by"`
	Outcome Outcome `json:"outcome"` // failed, warned (SHOULD outside strict mode) or waived
	Message string  `json:"message"`
	// The waiver of a waived finding: its assertion (ID itself, or the one
	// the finding's violations cite), reason, file:line and last day.
	WaiverID string `json:"waiverId,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Waiver   string `json:"waiver,omitempty"`
	Expires  string `json:"expires,omitempty"`
}

// WaivedText is how reports show a waived finding: the waiver first.
func (f Finding) WaivedText() string {
	return "WAIVED by " + f.Waiver + " (" + f.WaiverID + ", until " + f.Expires + "): " + f.Reason + "\n" + f.Message
}

// Outcome of a spec or an assertion.
type Outcome string

// Outcomes, worst first.
const (
	Failed Outcome = "failed"
	Error  Outcome = "error"
	Warned Outcome = "warned"
	// Waived: the assertion's only findings are covered by waivers; not a
	// failure, but never silent.
	Waived  Outcome = "waived"
	Passed  Outcome = "passed"
	Skipped Outcome = "skipped"
)

func rank(o Outcome) int {
	switch o {
	case Failed:
		return 0
	case Error:
		return 1
	case Warned:
		return 2
	case Waived:
		return 3
	case Passed:
		return 4
	}
	return 5
}

// Spec is one spec's verdict.
type Spec struct {
	ID       string
	Text     string
	Outcome  Outcome
	Message  string // failure, warning or skip reason
	Duration time.Duration
	Requests int
	Retries  int
	// Findings are what the spec saw against other assertions.
	Findings []Finding
	// Waived are the spec's own findings that waivers covered.
	Waived []Finding
	Report types.SpecReport
}

// Assertion is one assertion ID's verdict over all its specs.
type Assertion struct {
	catalogue.Assertion
	Outcome  Outcome
	Messages []string
	// Waived are every waived finding of the assertion, whichever spec saw it.
	Waived   []Finding
	Duration time.Duration
	Requests int
	Retries  int
	Specs    []Spec
}

// OfSpec judges one spec report; ok is false for nodes that are not specs
// of an assertion (suite setup, report nodes).
func OfSpec(r types.SpecReport) (Spec, bool) {
	if r.LeafNodeType != types.NodeTypeIt {
		return Spec{}, false
	}
	s := Spec{Text: r.FullText(), Duration: r.RunTime, Report: r}
	for _, l := range r.Labels() {
		if _, ok := catalogue.Lookup(l); ok {
			s.ID = l
		}
	}
	if s.ID == "" {
		return Spec{}, false
	}
	var warnings []string
	harness := false
	for _, e := range r.ReportEntries {
		switch e.Name {
		case EntryWarning:
			warnings = append(warnings, e.Value.String())
		case EntryHarnessError, EntrySetupError:
			harness = true
		case EntryFinding, EntryWaived:
			var f Finding
			if json.Unmarshal([]byte(entryString(e)), &f) != nil || f.ID == "" {
				continue
			}
			if e.Name == EntryWaived {
				f.Outcome = Waived
				if f.ID == s.ID {
					s.Waived = append(s.Waived, f)
					continue
				}
			}
			s.Findings = append(s.Findings, f)
		case EntryTranscript:
			s.Requests++
			if retried(e) {
				s.Retries++
			}
		}
	}
	switch {
	case r.State.Is(types.SpecStatePassed):
		s.Outcome = Passed
		if len(warnings) > 0 {
			s.Outcome, s.Message = Warned, strings.Join(warnings, "\n")
		} else if len(s.Waived) > 0 {
			var texts []string
			for _, f := range s.Waived {
				texts = append(texts, f.WaivedText())
			}
			s.Outcome, s.Message = Waived, strings.Join(texts, "\n")
		}
	case r.State.Is(types.SpecStateSkipped | types.SpecStatePending):
		s.Outcome, s.Message = Skipped, r.Failure.Message
	case r.State.Is(types.SpecStateTimedout | types.SpecStateInterrupted):
		s.Outcome, s.Message = Error, r.Failure.Message
	default:
		s.Outcome, s.Message = Failed, r.Failure.Message
		if harness {
			s.Outcome = Error
		}
	}
	return s, true
}

// Judge groups a run's specs by assertion ID; every catalogue ID appears,
// as skipped with "no spec ran" when no spec of it was in the run.
func Judge(r types.Report) []Assertion {
	by := map[string]*Assertion{}
	for _, a := range catalogue.All() {
		by[a.ID] = &Assertion{Assertion: a, Outcome: Skipped}
	}
	seen := map[string]bool{}
	for _, sr := range r.SpecReports {
		s, ok := OfSpec(sr)
		if !ok {
			continue
		}
		if r.SuiteConfig.DryRun {
			// Ginkgo reports every spec of a dry run as passed, but nothing
			// was sent: nothing was certified.
			s.Outcome, s.Message = Skipped, "dry run (--dry-run): no request was sent"
		}
		a := by[s.ID]
		if !seen[s.ID] || rank(s.Outcome) < rank(a.Outcome) {
			a.Outcome = s.Outcome
		}
		seen[s.ID] = true
		a.Specs = append(a.Specs, s)
		a.Duration += s.Duration
		a.Requests += s.Requests
		a.Retries += s.Retries
		if s.Message != "" && s.Outcome != Passed && s.Outcome != Waived {
			a.Messages = append(a.Messages, s.Message)
		}
		if r.SuiteConfig.DryRun {
			continue
		}
		for _, f := range s.Waived {
			a.Waived = append(a.Waived, f)
			a.Messages = append(a.Messages, f.WaivedText())
		}
		for _, f := range s.Findings {
			t, ok := by[f.ID]
			if !ok {
				continue
			}
			if !seen[f.ID] || rank(f.Outcome) < rank(t.Outcome) {
				t.Outcome = f.Outcome
			}
			seen[f.ID] = true
			if f.Outcome == Waived {
				t.Waived = append(t.Waived, f)
				t.Messages = append(t.Messages, f.WaivedText())
				continue
			}
			t.Messages = append(t.Messages, f.Message)
		}
	}
	out := make([]Assertion, 0, len(by))
	for _, a := range catalogue.All() {
		x := by[a.ID]
		if !seen[a.ID] {
			x.Messages = []string{"no spec of this assertion was in the run (label filter?)"}
		}
		out = append(out, *x)
	}
	return out
}

// Failing returns the IDs whose outcome is in the given set, sorted.
func Failing(as []Assertion, outcomes ...Outcome) []string {
	var ids []string
	for _, a := range as {
		for _, o := range outcomes {
			if a.Outcome == o {
				ids = append(ids, a.ID)
				break
			}
		}
	}
	sort.Strings(ids)
	return ids
}

// retried reports whether a transcript entry records a retried attempt. In
// process the entry holds the *Exchange itself; read back from JSON, only
// its JSON form.
func retried(e types.ReportEntry) bool {
	if ex, ok := e.GetRawValue().(*transcript.Exchange); ok {
		return ex.Retried != ""
	}
	return strings.Contains(e.Value.AsJSON, `"retried":`)
}

// entryString is an entry's value as the suite wrote it: the string itself
// in process, its JSON form when read back from a report file.
func entryString(e types.ReportEntry) string {
	if v, ok := e.GetRawValue().(string); ok {
		return v
	}
	var s string
	if json.Unmarshal([]byte(e.Value.AsJSON), &s) == nil {
		return s
	}
	return e.Value.String()
}
