package matchers_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

func participants(ids ...string) []wire.Participant {
	out := make([]wire.Participant, len(ids))
	for i, id := range ids {
		out[i] = wire.Participant{CommunicationIdentifier: wire.UserIdentifier(id), ShareHistoryTime: "1970-01-01T00:00:00Z"}
	}
	return out
}

func TestConsistOfParticipantsAccepts(t *testing.T) {
	ps := participants("8:acs:r_a", "8:acs:r_b", "8:acs:r_c")
	expectNoFailure(t, func() { Expect(ps).To(ConsistOfParticipants("8:acs:r_c", "8:acs:r_a", "8:acs:r_b")) })
	page := wire.ParticipantsCollection{Value: ps}
	expectNoFailure(t, func() { Expect(page).To(ConsistOfParticipants("8:acs:r_a", "8:acs:r_b", "8:acs:r_c")) })
	expectNoFailure(t, func() { Expect(&page).To(ConsistOfParticipants("8:acs:r_a", "8:acs:r_b", "8:acs:r_c")) })
	expectNoFailure(t, func() { Expect([]wire.Participant{}).To(ConsistOfParticipants()) })
	// Java sends only communicationUser: keyed by its id.
	java := []wire.Participant{{CommunicationIdentifier: wire.Identifier{CommunicationUser: &wire.CommunicationUser{ID: "8:acs:r_j"}}}}
	expectNoFailure(t, func() { Expect(java).To(ConsistOfParticipants("8:acs:r_j")) })
	expectNoFailure(t, func() { Expect(ps).NotTo(ConsistOfParticipants("8:acs:r_a")) })
}

func TestConsistOfParticipantsRejects(t *testing.T) {
	ps := participants("8:acs:r_a", "8:acs:r_x", "8:acs:r_a", "8:acs:r_b")
	expectOneFailure(t, `Expected the participants to be exactly 3 raw ids, each listed once:
    "8:acs:r_a", "8:acs:r_b", "8:acs:r_c"
but
    missing:               "8:acs:r_c"
    not expected:          "8:acs:r_x"
    listed more than once: "8:acs:r_a"
Listed (4): "8:acs:r_a", "8:acs:r_x", "8:acs:r_a", "8:acs:r_b"`,
		func() { Expect(ps).To(ConsistOfParticipants("8:acs:r_a", "8:acs:r_b", "8:acs:r_c")) })

	expectOneFailure(t, `Expected the participants to be exactly 1 raw id, each listed once:
    "8:acs:r_a"
but
    missing:               "8:acs:r_a"
Listed (0): (none)`,
		func() { Expect(wire.ParticipantsCollection{}).To(ConsistOfParticipants("8:acs:r_a")) })

	expectOneFailure(t, `Expected the participants not to be exactly 2 raw ids, but they are:
    "8:acs:r_a", "8:acs:r_b"`,
		func() {
			Expect(participants("8:acs:r_b", "8:acs:r_a")).NotTo(ConsistOfParticipants("8:acs:r_a", "8:acs:r_b"))
		})
}

func TestConsistOfParticipantsWrongActual(t *testing.T) {
	expectOneFailure(t, "ConsistOfParticipants expects a []wire.Participant or a wire.ParticipantsCollection, got:\n    <[]string | len:1, cap:1>: [\"8:acs:r_a\"]",
		func() { Expect([]string{"8:acs:r_a"}).To(ConsistOfParticipants("8:acs:r_a")) })
	expectOneFailure(t, "ConsistOfParticipants got a nil *wire.ParticipantsCollection",
		func() { Expect((*wire.ParticipantsCollection)(nil)).To(ConsistOfParticipants()) })
}
