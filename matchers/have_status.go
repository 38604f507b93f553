package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"
)

// HaveStatus succeeds when the actual *transcript.Response has the HTTP
// status code. On failure it shows the expected and the actual status and
// the whole redacted transcript, so the reason the server gave is in the
// report.
//
//	Expect(resp).To(HaveStatus(http.StatusCreated))
func HaveStatus(code int) types.GomegaMatcher {
	return &haveStatusMatcher{code: code}
}

type haveStatusMatcher struct {
	code int
}

func (m *haveStatusMatcher) Match(actual any) (bool, error) {
	resp, err := responseOf("HaveStatus", actual, false)
	if err != nil {
		return false, err
	}
	return resp.Status == m.code, nil
}

func (m *haveStatusMatcher) FailureMessage(actual any) string {
	resp, _ := responseOf("HaveStatus", actual, false)
	return fmt.Sprintf("Expected status %s, got %s.\n%s", statusWords(m.code), statusWords(resp.Status), evidence(resp, resp.Body))
}

func (m *haveStatusMatcher) NegatedFailureMessage(actual any) string {
	resp, _ := responseOf("HaveStatus", actual, false)
	return fmt.Sprintf("Expected any status but %s, got it.\n%s", statusWords(m.code), evidence(resp, resp.Body))
}
