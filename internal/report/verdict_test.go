package report

import (
	"testing"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
)

func judged(outcomes map[string]outcome.Outcome) []outcome.Assertion {
	var as []outcome.Assertion
	for _, a := range catalogue.All() {
		o, ok := outcomes[a.ID]
		if !ok {
			o = outcome.Passed
		}
		as = append(as, outcome.Assertion{Assertion: a, Outcome: o})
	}
	return as
}

func TestVerdict(t *testing.T) {
	cases := []struct {
		name   string
		set    map[string]outcome.Outcome
		strict bool
		want   string
	}{
		{"all passed", nil, false, Conformant},
		{"SHOULD warned", map[string]outcome.Outcome{"LIST-03": outcome.Warned}, false, Conformant},
		{"MUST failed", map[string]outcome.Outcome{"ADD-01": outcome.Failed}, false, NotConformant},
		{"MUST failed beats MUST skipped", map[string]outcome.Outcome{"ADD-01": outcome.Failed, "ERR-03": outcome.Skipped}, false, NotConformant},
		{"MUST skipped", map[string]outcome.Outcome{"ERR-03": outcome.Skipped}, false, Incomplete},
		{"MUST errored", map[string]outcome.Outcome{"PAGE-01": outcome.Error}, false, Incomplete},
		{"SHOULD failed, standard", map[string]outcome.Outcome{"LIST-03": outcome.Failed}, false, Conformant},
		{"SHOULD failed, strict", map[string]outcome.Outcome{"LIST-03": outcome.Failed}, true, NotConformant},
		{"SHOULD skipped, strict", map[string]outcome.Outcome{"LIST-03": outcome.Skipped}, true, Incomplete},
		{"SHOULD skipped, standard", map[string]outcome.Outcome{"LIST-03": outcome.Skipped}, false, Conformant},
	}
	for _, c := range cases {
		if got := Verdict(judged(c.set), c.strict); got != c.want {
			t.Errorf("%s: Verdict = %s, want %s", c.name, got, c.want)
		}
	}
}
