package report

import (
	"fmt"
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
// passes the binding assertions of one api-version (Write leaves out the
// metadata assertions of a version without metadata, and the checks not run
// by choice); a run's verdict is the worst of its versions'.
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

// verdictReason says in one sentence (or a few) why the run got its
// verdict: with one api-version, why that version got it; with several,
// which versions made it.
func verdictReason(x *run) string {
	if !x.multi() {
		return versionReason(x.Versions[0], x.Meta.Strict, false)
	}
	by := map[string][]string{}
	for _, v := range x.Versions {
		by[v.Verdict] = append(by[v.Verdict], v.name())
	}
	all := strings.Join(x.versionNames(), ", ")
	switch x.Verdict {
	case NotConformant:
		return fmt.Sprintf("%s on %s; the verdict of the run is the worst of its %d api-versions (%s).",
			NotConformant, strings.Join(by[NotConformant], ", "), len(x.Versions), all)
	case Incomplete:
		return fmt.Sprintf("Nothing binding failed, but %s %s INCOMPLETE; the verdict of the run is the worst of its %d api-versions (%s).",
			strings.Join(by[Incomplete], ", "), isAre(len(by[Incomplete])), len(x.Versions), all)
	}
	return fmt.Sprintf("Every api-version of the run is %s: %s.", Conformant, all)
}

// versionReason says why one api-version got its verdict; of a run of
// several (multi) it speaks of the version, not the run.
func versionReason(v *version, strict, multi bool) string {
	switch v.Verdict {
	case NotConformant:
		if strict {
			return "At least one MUST assertion, or (strict profile) SHOULD assertion, failed."
		}
		return "At least one MUST assertion failed."
	case Incomplete:
		if multi {
			return "No binding assertion failed, but at least one was skipped or could not be judged (harness error), so this api-version is not certified."
		}
		return "No binding assertion failed, but at least one was skipped or could not be judged (harness error), so the run certifies nothing."
	}
	reason := "Every MUST assertion ran and passed."
	if v.Counts[outcome.Warned] > 0 {
		reason = "Every MUST assertion ran and passed; SHOULD-tier findings are listed as warnings."
	}
	if n := v.Counts[outcome.Waived]; n > 0 {
		reason += " " + plural(n, "assertion") + " passed only because CHAT_WAIVERS waived " + pronoun(n) + " findings (listed with their reasons)."
	}
	if len(v.NotRun) > 0 {
		reason += " Opt-in checks " + notRunText(v.NotRun) + "."
	}
	if na := v.notApplicable(); len(na) == 1 {
		reason += " " + na[0] + " is not in api-version " + v.name() + " and does not count."
	} else if len(na) > 1 {
		reason += " " + strings.Join(na, ", ") + " are not in api-version " + v.name() + " and do not count."
	}
	return reason
}

// notApplicable lists the IDs outside the version's contract.
func (v *version) notApplicable() []string {
	var ids []string
	for _, a := range v.Assertions {
		if a.NotApplicable {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func pronoun(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}
