package matchers

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// ConsistOfParticipants succeeds when the actual participants are exactly
// the given raw ids, in any order, each listed once (contract.DiffParticipants,
// keyed by rawId, else communicationUser.id). The actual is a
// []wire.Participant or a wire.ParticipantsCollection (its value). The
// failure lists the missing, the unexpected and the repeated ids, then the
// listing.
//
//	Expect(page.Value).To(ConsistOfParticipants(creator, alice, bob))
func ConsistOfParticipants(rawIDs ...string) types.GomegaMatcher {
	return &consistOfParticipantsMatcher{want: rawIDs}
}

type consistOfParticipantsMatcher struct {
	want                     []string
	missing, extra, dup, got []string
}

func (m *consistOfParticipantsMatcher) Match(actual any) (bool, error) {
	ps, err := participantsOf("ConsistOfParticipants", actual)
	if err != nil {
		return false, err
	}
	m.missing, m.extra, m.dup = contract.DiffParticipants(ps, m.want)
	m.got = keys(ps)
	return len(m.missing)+len(m.extra)+len(m.dup) == 0, nil
}

func (m *consistOfParticipantsMatcher) FailureMessage(actual any) string {
	missing, extra, dup := m.missing, m.extra, m.dup
	var b strings.Builder
	fmt.Fprintf(&b, "Expected the participants to be exactly %s, each listed once:\n%s%s\nbut", countIDs(len(m.want)), format.Indent, idList(m.want))
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\n%smissing:               %s", format.Indent, idList(missing))
	}
	if len(extra) > 0 {
		fmt.Fprintf(&b, "\n%snot expected:          %s", format.Indent, idList(extra))
	}
	if len(dup) > 0 {
		fmt.Fprintf(&b, "\n%slisted more than once: %s", format.Indent, idList(dup))
	}
	fmt.Fprintf(&b, "\nListed (%d): %s", len(m.got), idList(m.got))
	return b.String()
}

func (m *consistOfParticipantsMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("Expected the participants not to be exactly %s, but they are:\n%s%s", countIDs(len(m.want)), format.Indent, idList(m.want))
}

// countIDs says "1 raw id" / "3 raw ids".
func countIDs(n int) string {
	if n == 1 {
		return "1 raw id"
	}
	return fmt.Sprintf("%d raw ids", n)
}
