package matchers

import (
	"fmt"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// HaveNoViolations succeeds when the actual []contract.Violation, what an
// oracle found, is empty. The failure lists every violation with its
// assertion ID and where it is, one per line, so a finding reads as the
// oracle's words rather than as a Go value.
//
//	Expect(contract.CheckWalk(w, want)).To(HaveNoViolations())
func HaveNoViolations() types.GomegaMatcher {
	return &haveNoViolationsMatcher{}
}

type haveNoViolationsMatcher struct {
	violations []contract.Violation
}

func (m *haveNoViolationsMatcher) Match(actual any) (bool, error) {
	vs, ok := actual.([]contract.Violation)
	if !ok {
		return false, fmt.Errorf("HaveNoViolations expects a []contract.Violation, got:\n%s", format.Object(actual, 1))
	}
	m.violations = vs
	return len(vs) == 0, nil
}

func (m *haveNoViolationsMatcher) FailureMessage(any) string {
	return fmt.Sprintf("The server breaks the contract %s:\n%s", places(len(m.violations)), violationList(m.violations))
}

func (m *haveNoViolationsMatcher) NegatedFailureMessage(any) string {
	return "Expected a violation of the contract, but the oracle found none"
}
