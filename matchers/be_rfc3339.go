package matchers

import (
	"fmt"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// BeRFC3339 succeeds when the actual string is an RFC 3339 §5.6 date-time
// (TIME-01, contract.CheckRFC3339): full date, 'T', hh:mm:ss, optional
// fraction, 'Z' or ±hh:mm, and a date and time that exist. The failure says
// what is wrong with the value.
//
//	Expect(p.ShareHistoryTime).To(BeRFC3339())
func BeRFC3339() types.GomegaMatcher {
	return &beRFC3339Matcher{}
}

type beRFC3339Matcher struct {
	violations []contract.Violation
}

func (m *beRFC3339Matcher) Match(actual any) (bool, error) {
	s, ok := actual.(string)
	if !ok {
		return false, fmt.Errorf("BeRFC3339 expects a string, got:\n%s", format.Object(actual, 1))
	}
	m.violations = contract.CheckRFC3339(s)
	return len(m.violations) == 0, nil
}

func (m *beRFC3339Matcher) FailureMessage(actual any) string {
	return "Expected an RFC 3339 date-time, but:\n" + violationList(m.violations)
}

func (m *beRFC3339Matcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("Expected %q not to be an RFC 3339 date-time, but it is one", actual)
}
