package matchers_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

func TestHaveNoDuplicateParticipants(t *testing.T) {
	expectNoFailure(t, func() { Expect(participants("8:acs:r_a", "8:acs:r_b")).To(HaveNoDuplicateParticipants()) })
	expectNoFailure(t, func() {
		Expect(wire.ParticipantsCollection{Value: []wire.Participant{}}).To(HaveNoDuplicateParticipants())
	})
	expectNoFailure(t, func() { Expect(participants("8:acs:r_a", "8:acs:r_a")).NotTo(HaveNoDuplicateParticipants()) })

	ps := participants("8:acs:r_a", "8:acs:r_b", "8:acs:r_a", "8:acs:r_c", "8:acs:r_b", "8:acs:r_a")
	expectOneFailure(t, `Expected each participant to be listed once, but these raw ids are listed more than once: "8:acs:r_a" (3 times), "8:acs:r_b" (2 times)
Listed (6): "8:acs:r_a", "8:acs:r_b", "8:acs:r_a", "8:acs:r_c", "8:acs:r_b", "8:acs:r_a"`,
		func() { Expect(wire.ParticipantsCollection{Value: ps}).To(HaveNoDuplicateParticipants()) })

	expectOneFailure(t, `Expected some participant to be listed more than once, but each of the 2 is listed once: "8:acs:r_a", "8:acs:r_b"`,
		func() { Expect(participants("8:acs:r_a", "8:acs:r_b")).NotTo(HaveNoDuplicateParticipants()) })
}

func TestHaveNoDuplicateParticipantsWrongActual(t *testing.T) {
	expectOneFailure(t, "HaveNoDuplicateParticipants expects a []wire.Participant or a wire.ParticipantsCollection, got:\n    <nil>: nil",
		func() { Expect(nil).To(HaveNoDuplicateParticipants()) })
}
