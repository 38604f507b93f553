package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/openapi"
)

// ConformToOperation succeeds when the actual *transcript.Response is what
// spec documents for its request: the operation is found from the
// Exchange's method and URL (path only: hosts and servers are ignored), and
// the status, Content-Type, documented headers and body are validated with
// contract.ValidateResponse. On failure it lists every violation with its
// JSON pointer, then the redacted transcript.
//
//	Expect(resp).To(ConformToOperation(spec))
func ConformToOperation(spec *openapi.Spec) types.GomegaMatcher {
	return &conformToOperationMatcher{spec: spec}
}

type conformToOperationMatcher struct {
	spec       *openapi.Spec
	violations []contract.Violation
}

func (m *conformToOperationMatcher) Match(actual any) (bool, error) {
	resp, err := responseOf("ConformToOperation", actual, true)
	if err != nil {
		return false, err
	}
	if m.spec == nil {
		return false, fmt.Errorf("ConformToOperation was given a nil *openapi.Spec")
	}
	m.violations = contract.ValidateResponse(m.spec, resp.Exchange.Method, resp.Exchange.URL, resp.Status, resp.Header, resp.Body)
	return len(m.violations) == 0, nil
}

func (m *conformToOperationMatcher) FailureMessage(actual any) string {
	resp, _ := responseOf("ConformToOperation", actual, true)
	vs := m.violations
	return fmt.Sprintf("Expected the %s response to %s %s to be as %s documents it, but it breaks the contract %s:\n%s\n%s",
		statusWords(resp.Status), resp.Exchange.Method, resp.Exchange.URL, m.spec.Source, places(len(vs)), violationList(vs), evidence(resp, resp.Body))
}

func (m *conformToOperationMatcher) NegatedFailureMessage(actual any) string {
	resp, _ := responseOf("ConformToOperation", actual, true)
	return fmt.Sprintf("Expected the %s response to %s %s not to be as %s documents it, but it is.\n%s",
		statusWords(resp.Status), resp.Exchange.Method, resp.Exchange.URL, m.spec.Source, evidence(resp, resp.Body))
}
