package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"
)

// HaveStatusClass succeeds when the status of the actual
// *transcript.Response is in the class: HaveStatusClass(4) is any 4xx
// (400-499). The failure shows the status and the redacted transcript.
//
//	Expect(resp).To(HaveStatusClass(4))
func HaveStatusClass(class int) types.GomegaMatcher {
	return &haveStatusClassMatcher{class: class}
}

type haveStatusClassMatcher struct {
	class int
}

func (m *haveStatusClassMatcher) Match(actual any) (bool, error) {
	resp, err := responseOf("HaveStatusClass", actual, false)
	if err != nil {
		return false, err
	}
	if m.class < 1 || m.class > 5 {
		return false, fmt.Errorf("HaveStatusClass(%d): the class is the first digit of a status, 1 to 5", m.class)
	}
	return resp.Status/100 == m.class, nil
}

func (m *haveStatusClassMatcher) FailureMessage(actual any) string {
	resp, _ := responseOf("HaveStatusClass", actual, false)
	return fmt.Sprintf("Expected a %dxx status, got %s.\n%s", m.class, statusWords(resp.Status), evidence(resp, resp.Body))
}

func (m *haveStatusClassMatcher) NegatedFailureMessage(actual any) string {
	resp, _ := responseOf("HaveStatusClass", actual, false)
	return fmt.Sprintf("Expected a status outside %dxx, got %s.\n%s", m.class, statusWords(resp.Status), evidence(resp, resp.Body))
}
