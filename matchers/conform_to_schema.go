package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/openapi"
)

// ConformToSchema succeeds when the actual JSON body is valid against the
// named schema of spec (contract.ValidateSchema: every error, formats such
// as date-time enforced). The actual is a []byte, string, json.RawMessage or
// *transcript.Response (its Body). On failure it lists every violation with
// its JSON pointer, then the transcript (or the body).
//
//	Expect(resp).To(ConformToSchema(spec, "ChatParticipantsCollection"))
func ConformToSchema(spec *openapi.Spec, name string) types.GomegaMatcher {
	return &violationsMatcher[body]{
		subject: func(actual any) (body, error) {
			b, err := bodySubject("ConformToSchema")(actual)
			if err == nil && spec == nil {
				err = fmt.Errorf("ConformToSchema(%q) was given a nil *openapi.Spec", name)
			}
			return b, err
		},
		check: func(b body) []contract.Violation { return contract.ValidateSchema(spec, name, b.bytes) },
		failure: func(b body, vs []contract.Violation) string {
			return fmt.Sprintf("Expected the body to conform to schema %s of %s, but it breaks it %s:\n%s\n%s",
				name, spec.Source, places(len(vs)), violationList(vs), b.evidence())
		},
		negated: func(b body) string {
			return fmt.Sprintf("Expected the body not to conform to schema %s of %s, but it does.\n%s", name, spec.Source, b.evidence())
		},
	}
}
