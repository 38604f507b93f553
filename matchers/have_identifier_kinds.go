package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// HaveIdentifierKinds succeeds when every participant of the actual
// []wire.Participant or wire.ParticipantsCollection carries a
// communicationIdentifier.kind naming its populated sub-object
// (contract.CheckIdentifierKinds, LIST-03).
//
//	Expect(page.Value).To(HaveIdentifierKinds())
func HaveIdentifierKinds() types.GomegaMatcher {
	return &haveIdentifierKindsMatcher{}
}

type haveIdentifierKindsMatcher struct {
	violations []contract.Violation
}

func (m *haveIdentifierKindsMatcher) Match(actual any) (bool, error) {
	ps, err := participantsOf("HaveIdentifierKinds", actual)
	if err != nil {
		return false, err
	}
	m.violations = contract.CheckIdentifierKinds(ps)
	return len(m.violations) == 0, nil
}

func (m *haveIdentifierKindsMatcher) FailureMessage(actual any) string {
	ps, _ := participantsOf("HaveIdentifierKinds", actual)
	return fmt.Sprintf("Expected every communicationIdentifier to carry the kind of its populated sub-object, but %s of %d participants:\n%s",
		places(len(m.violations)), len(ps), violationList(m.violations))
}

func (m *haveIdentifierKindsMatcher) NegatedFailureMessage(actual any) string {
	ps, _ := participantsOf("HaveIdentifierKinds", actual)
	return fmt.Sprintf("Expected some communicationIdentifier to lack its kind, but all %d carry it", len(ps))
}
