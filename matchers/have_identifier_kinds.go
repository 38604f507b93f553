package matchers

import (
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/wire"
)

// HaveIdentifierKinds succeeds when every participant of the actual
// []wire.Participant or wire.ParticipantsCollection carries a
// communicationIdentifier.kind that apiVersion defines, naming its
// populated sub-object (contract.CheckIdentifierKinds, LIST-03).
//
//	Expect(page.Value).To(HaveIdentifierKinds(Env.Config.APIVersion))
func HaveIdentifierKinds(apiVersion string) types.GomegaMatcher {
	check := func(ps []wire.Participant) []contract.Violation { return contract.CheckIdentifierKinds(ps, apiVersion) }
	return identifierViolations("HaveIdentifierKinds", check,
		"carry a kind api-version "+apiVersion+" defines, naming its populated sub-object",
		"Expected some communicationIdentifier to lack its kind, but all %d carry it")
}
