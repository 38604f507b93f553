package matchers

import (
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
	return identifierViolations("HaveIdentifierKinds", contract.CheckIdentifierKinds,
		"carry the kind of its populated sub-object",
		"Expected some communicationIdentifier to lack its kind, but all %d carry it")
}
