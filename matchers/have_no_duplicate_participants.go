package matchers

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/wire"
)

// HaveNoDuplicateParticipants succeeds when no raw id (rawId, else
// communicationUser.id) is listed twice in the actual []wire.Participant or
// wire.ParticipantsCollection (ADD-05, ADD-06, PAGE-02). The failure names
// each repeated id with its count, then the listing.
//
//	Expect(all).To(HaveNoDuplicateParticipants())
func HaveNoDuplicateParticipants() types.GomegaMatcher {
	return &haveNoDuplicateParticipantsMatcher{}
}

type haveNoDuplicateParticipantsMatcher struct{}

func (m *haveNoDuplicateParticipantsMatcher) Match(actual any) (bool, error) {
	ps, err := participantsOf("HaveNoDuplicateParticipants", actual)
	if err != nil {
		return false, err
	}
	return len(duplicates(ps)) == 0, nil
}

// duplicates lists the repeated ids in listing order.
func duplicates(ps []wire.Participant) []string {
	_, _, dup := contract.DiffParticipants(ps, nil)
	return dup
}

func (m *haveNoDuplicateParticipantsMatcher) FailureMessage(actual any) string {
	ps, _ := participantsOf("HaveNoDuplicateParticipants", actual)
	count := map[string]int{}
	for _, k := range keys(ps) {
		count[k]++
	}
	var parts []string
	for _, id := range duplicates(ps) {
		parts = append(parts, fmt.Sprintf("%q (%d times)", id, count[id]))
	}
	return fmt.Sprintf("Expected each participant to be listed once, but these raw ids are listed more than once: %s\nListed (%d): %s",
		strings.Join(parts, ", "), len(ps), idList(keys(ps)))
}

func (m *haveNoDuplicateParticipantsMatcher) NegatedFailureMessage(actual any) string {
	ps, _ := participantsOf("HaveNoDuplicateParticipants", actual)
	return fmt.Sprintf("Expected some participant to be listed more than once, but each of the %d is listed once: %s", len(ps), idList(keys(ps)))
}
