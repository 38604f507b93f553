package matchers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"
)

// HaveStatus succeeds when the actual *transcript.Response has one of the
// HTTP status codes. On failure it shows the expected and the actual status
// and the whole redacted transcript, so the reason the server gave is in
// the report.
//
//	Expect(resp).To(HaveStatus(http.StatusCreated))
//	Expect(resp).To(HaveStatus(http.StatusCreated, http.StatusOK))
func HaveStatus(codes ...int) types.GomegaMatcher {
	return &haveStatusMatcher{codes: codes}
}

type haveStatusMatcher struct {
	codes []int
}

func (m *haveStatusMatcher) Match(actual any) (bool, error) {
	resp, err := responseOf("HaveStatus", actual, false)
	if err != nil {
		return false, err
	}
	if len(m.codes) == 0 {
		return false, fmt.Errorf("HaveStatus was given no status code")
	}
	return slices.Contains(m.codes, resp.Status), nil
}

// expected says "201 Created" or "201 Created or 200 OK".
func (m *haveStatusMatcher) expected() string {
	words := make([]string, len(m.codes))
	for i, c := range m.codes {
		words[i] = statusWords(c)
	}
	return strings.Join(words, " or ")
}

func (m *haveStatusMatcher) FailureMessage(actual any) string {
	resp, _ := responseOf("HaveStatus", actual, false)
	return fmt.Sprintf("Expected status %s, got %s.\n%s", m.expected(), statusWords(resp.Status), evidence(resp, resp.Body))
}

func (m *haveStatusMatcher) NegatedFailureMessage(actual any) string {
	resp, _ := responseOf("HaveStatus", actual, false)
	return fmt.Sprintf("Expected any status but %s, got %s.\n%s", m.expected(), statusWords(resp.Status), evidence(resp, resp.Body))
}
