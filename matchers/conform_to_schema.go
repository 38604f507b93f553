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
	return &conformToSchemaMatcher{spec: spec, name: name}
}

type conformToSchemaMatcher struct {
	spec       *openapi.Spec
	name       string
	violations []contract.Violation
}

func (m *conformToSchemaMatcher) Match(actual any) (bool, error) {
	body, _, err := bodyOf("ConformToSchema", actual)
	if err != nil {
		return false, err
	}
	if m.spec == nil {
		return false, fmt.Errorf("ConformToSchema(%q) was given a nil *openapi.Spec", m.name)
	}
	m.violations = contract.ValidateSchema(m.spec, m.name, body)
	return len(m.violations) == 0, nil
}

func (m *conformToSchemaMatcher) FailureMessage(actual any) string {
	body, resp, _ := bodyOf("ConformToSchema", actual)
	vs := m.violations
	return fmt.Sprintf("Expected the body to conform to schema %s of %s, but it breaks it %s:\n%s\n%s",
		m.name, m.spec.Source, places(len(vs)), violationList(vs), evidence(resp, body))
}

func (m *conformToSchemaMatcher) NegatedFailureMessage(actual any) string {
	body, resp, _ := bodyOf("ConformToSchema", actual)
	return fmt.Sprintf("Expected the body not to conform to schema %s of %s, but it does.\n%s",
		m.name, m.spec.Source, evidence(resp, body))
}
