package matchers

import (
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
	return identifierViolations("HaveConsistentIdentifiers", contract.CheckIdentifiers,
		"carry a rawId that communicationUser.id repeats",
		"Expected some communicationIdentifier to lack a rawId or to disagree with communicationUser.id, but all %d are consistent")
}
