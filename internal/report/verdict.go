package report

import (
	"strings"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
)

// Verdicts of a run.
const (
	// Conformant: every binding assertion ran and passed.
	Conformant = "CONFORMANT"
	// NotConformant: a binding assertion failed.
	NotConformant = "NOT CONFORMANT"
	// Incomplete: nothing binding failed, but something binding was
	// skipped or could not be judged, so the run certifies nothing.
	Incomplete = "INCOMPLETE"
)

// Verdict judges a run. MUST assertions are binding; under strict SHOULD
// assertions are binding too (the strict profile makes SHOULD findings
// failures, so a SHOULD that did not run leaves the strict run incomplete
// as well). A failure outweighs any number of skips and errors. The caller
// passes the assertions of the run's api-version (Write leaves out the
// preview-only metadata assertions of a stable-version run).
func Verdict(as []outcome.Assertion, strict bool) string {
	v := Conformant
	for _, a := range as {
		if a.Tier != catalogue.Must && !strict {
			continue
		}
		switch a.Outcome {
		case outcome.Failed:
			return NotConformant
		case outcome.Error, outcome.Skipped:
			v = Incomplete
		}
	}
	return v
}

// verdictReason says in one sentence why the run got its verdict.
func verdictReason(x *run) string {
	switch x.Verdict {
	case NotConformant:
		if x.Meta.Strict {
			return "At least one MUST assertion, or (strict profile) SHOULD assertion, failed."
		}
		return "At least one MUST assertion failed."
	case Incomplete:
		return "No binding assertion failed, but at least one was skipped or could not be judged (harness error), so the run certifies nothing."
	}
	reason := "Every MUST assertion ran and passed."
	if x.Counts[outcome.Warned] > 0 {
		reason = "Every MUST assertion ran and passed; SHOULD-tier findings are listed as warnings."
	}
	if n := x.Counts[outcome.Waived]; n > 0 {
		reason += " " + plural(n, "assertion") + " passed only because CHAT_WAIVERS waived " + pronoun(n) + " findings (listed with their reasons)."
	}
	if len(x.NotRun) > 0 {
		reason += " Opt-in checks " + notRunText(x.NotRun) + "."
	}
	if na := x.notApplicable(); len(na) > 0 {
		reason += " " + strings.Join(na, ", ") + " belong to another api-version than " + x.Meta.APIVersion + " and do not count."
	}
	return reason
}

// notApplicable lists the IDs outside the run's api-version.
func (x *run) notApplicable() []string {
	var ids []string
	for _, a := range x.Assertions {
		if a.NotApplicable {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func pronoun(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}
