package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// HaveInvalidParticipant succeeds when the actual add result (a
// *transcript.Response, []byte, string or json.RawMessage) names target in
// invalidParticipants with a non-empty string code and message
// (contract.CheckInvalidParticipant, ADD-09 and ADD-11).
//
//	Expect(resp).To(HaveInvalidParticipant(unknownRawID))
func HaveInvalidParticipant(target string) types.GomegaMatcher {
	return &violationsMatcher[body]{
		subject: bodySubject("HaveInvalidParticipant"),
		check:   func(b body) []contract.Violation { return contract.CheckInvalidParticipant("", b.bytes, target) },
		failure: func(b body, vs []contract.Violation) string {
			return fmt.Sprintf("Expected invalidParticipants to name %q with a non-empty string code and message, but:\n%s\n%s",
				target, violationList(vs), b.evidence())
		},
		negated: func(b body) string {
			return fmt.Sprintf("Expected invalidParticipants not to name %q, but it does: the participant was refused.\n%s", target, b.evidence())
		},
	}
}
