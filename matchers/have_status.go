package matchers

import (
	"errors"
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
	words := make([]string, len(codes))
	for i, c := range codes {
		words[i] = statusWords(c)
	}
	expected := strings.Join(words, " or ") // "201 Created" or "201 Created or 200 OK"
	m := &statusMatcher{
		name: "HaveStatus",
		in:   func(status int) bool { return slices.Contains(codes, status) },
		want: "status " + expected, notWant: "any status but " + expected,
	}
	if len(codes) == 0 {
		m.mistake = errors.New("HaveStatus was given no status code")
	}
	return m
}

// statusMatcher is a matcher of the actual *transcript.Response's status
// (HaveStatus, HaveStatusClass): they differ in which statuses they accept
// and how they say so.
type statusMatcher struct {
	name    string
	mistake error // in the matcher's arguments, reported by Match
	in      func(status int) bool
	// want and notWant complete "Expected …, got 404 Not Found."
	want, notWant string
}

func (m *statusMatcher) Match(actual any) (bool, error) {
	resp, err := responseOf(m.name, actual, false)
	if err != nil {
		return false, err
	}
	if m.mistake != nil {
		return false, m.mistake
	}
	return m.in(resp.Status), nil
}

func (m *statusMatcher) FailureMessage(actual any) string {
	return m.message(actual, m.want)
}

func (m *statusMatcher) NegatedFailureMessage(actual any) string {
	return m.message(actual, m.notWant)
}

func (m *statusMatcher) message(actual any, expected string) string {
	resp, _ := responseOf(m.name, actual, false)
	return fmt.Sprintf("Expected %s, got %s.\n%s", expected, statusWords(resp.Status), evidence(resp, resp.Body))
}
