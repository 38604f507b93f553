package matchers

import (
	"fmt"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// BeRFC3339UTCSeconds succeeds when the actual string has exactly the
// documented form yyyy-MM-ddTHH:mm:ssZ (TIME-02,
// contract.CheckRFC3339UTCSeconds): a valid instant, UTC 'Z', whole
// seconds. The failure names each departure (fraction, offset, case).
//
//	Expect(p.ShareHistoryTime).To(BeRFC3339UTCSeconds())
func BeRFC3339UTCSeconds() types.GomegaMatcher {
	return &beRFC3339UTCSecondsMatcher{}
}

type beRFC3339UTCSecondsMatcher struct {
	violations []contract.Violation
}

func (m *beRFC3339UTCSecondsMatcher) Match(actual any) (bool, error) {
	s, ok := actual.(string)
	if !ok {
		return false, fmt.Errorf("BeRFC3339UTCSeconds expects a string, got:\n%s", format.Object(actual, 1))
	}
	m.violations = contract.CheckRFC3339UTCSeconds(s)
	return len(m.violations) == 0, nil
}

func (m *beRFC3339UTCSecondsMatcher) FailureMessage(actual any) string {
	return "Expected a date-time of the form yyyy-MM-ddTHH:mm:ssZ, but:\n" + violationList(m.violations)
}

func (m *beRFC3339UTCSecondsMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("Expected %q not to have the form yyyy-MM-ddTHH:mm:ssZ, but it has", actual)
}
