package matchers

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
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

type haveNoDuplicateParticipantsMatcher struct {
	dup, got []string
}

func (m *haveNoDuplicateParticipantsMatcher) Match(actual any) (bool, error) {
	ps, err := participantsOf("HaveNoDuplicateParticipants", actual)
	if err != nil {
		return false, err
	}
	_, _, m.dup = contract.DiffParticipants(ps, nil)
	m.got = keys(ps)
	return len(m.dup) == 0, nil
}

func (m *haveNoDuplicateParticipantsMatcher) FailureMessage(actual any) string {
	count := map[string]int{}
	for _, k := range m.got {
		count[k]++
	}
	var parts []string
	for _, id := range m.dup {
		parts = append(parts, fmt.Sprintf("%q (%d times)", id, count[id]))
	}
	return fmt.Sprintf("Expected each participant to be listed once, but these raw ids are listed more than once: %s\nListed (%d): %s",
		strings.Join(parts, ", "), len(m.got), idList(m.got))
}

func (m *haveNoDuplicateParticipantsMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("Expected some participant to be listed more than once, but each of the %d is listed once: %s", len(m.got), idList(m.got))
}
