package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// HaveInvalidParticipant succeeds when the actual add result (a
// *transcript.Response, []byte, string or json.RawMessage) names target in
// invalidParticipants with a non-empty string code and message
// (contract.CheckInvalidParticipant, ADD-09 and ADD-11).
//
//	Expect(resp).To(HaveInvalidParticipant(unknownRawID))
func HaveInvalidParticipant(target string) types.GomegaMatcher {
	return &haveInvalidParticipantMatcher{target: target}
}

type haveInvalidParticipantMatcher struct {
	target     string
	violations []contract.Violation
}

func (m *haveInvalidParticipantMatcher) Match(actual any) (bool, error) {
	body, _, err := bodyOf("HaveInvalidParticipant", actual)
	if err != nil {
		return false, err
	}
	m.violations = contract.CheckInvalidParticipant("", body, m.target)
	return len(m.violations) == 0, nil
}

func (m *haveInvalidParticipantMatcher) FailureMessage(actual any) string {
	body, resp, _ := bodyOf("HaveInvalidParticipant", actual)
	return fmt.Sprintf("Expected invalidParticipants to name %q with a non-empty string code and message, but:\n%s\n%s",
		m.target, violationList(m.violations), evidence(resp, body))
}

func (m *haveInvalidParticipantMatcher) NegatedFailureMessage(actual any) string {
	body, resp, _ := bodyOf("HaveInvalidParticipant", actual)
	return fmt.Sprintf("Expected invalidParticipants not to name %q, but it does: the participant was refused.\n%s", m.target, evidence(resp, body))
}
