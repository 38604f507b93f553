package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// HaveConsistentIdentifiers succeeds when every participant of the actual
// []wire.Participant or wire.ParticipantsCollection has a
// communicationIdentifier with a rawId, and communicationUser.id, where
// present, equals it (contract.CheckIdentifiers, LIST-02). The failure
// lists every participant that breaks it, with its JSON pointer.
//
//	Expect(page.Value).To(HaveConsistentIdentifiers())
func HaveConsistentIdentifiers() types.GomegaMatcher {
	return &haveConsistentIdentifiersMatcher{}
}

type haveConsistentIdentifiersMatcher struct {
	violations []contract.Violation
}

func (m *haveConsistentIdentifiersMatcher) Match(actual any) (bool, error) {
	ps, err := participantsOf("HaveConsistentIdentifiers", actual)
	if err != nil {
		return false, err
	}
	m.violations = contract.CheckIdentifiers(ps)
	return len(m.violations) == 0, nil
}

func (m *haveConsistentIdentifiersMatcher) FailureMessage(actual any) string {
	ps, _ := participantsOf("HaveConsistentIdentifiers", actual)
	return fmt.Sprintf("Expected every communicationIdentifier to carry a rawId that communicationUser.id repeats, but %s of %d participants:\n%s",
		places(len(m.violations)), len(ps), violationList(m.violations))
}

func (m *haveConsistentIdentifiersMatcher) NegatedFailureMessage(actual any) string {
	ps, _ := participantsOf("HaveConsistentIdentifiers", actual)
	return fmt.Sprintf("Expected some communicationIdentifier to lack a rawId or to disagree with communicationUser.id, but all %d are consistent", len(ps))
}
