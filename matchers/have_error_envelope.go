package matchers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/transcript"
)

// HaveErrorEnvelope succeeds when the actual carries the documented error
// envelope CommunicationErrorResponse, whatever the status (ERR-05,
// contract.CheckErrorEnvelope): Content-Type JSON, {"error":{"code":…,
// "message":…}} with a non-empty string code and a string message. With
// code == "" any non-empty code will do; otherwise error.code must also
// equal code exactly, case included (ERR-06). The actual is a
// *transcript.Response (headers checked too) or a []byte / json.RawMessage
// body. A body in the
// live service's legacy {"CommunicationError":{"Code":…}} shape is named as
// such in the failure.
//
//	Expect(resp).To(HaveErrorEnvelope("BadRequest"))
func HaveErrorEnvelope(code string) types.GomegaMatcher {
	return &haveErrorEnvelopeMatcher{code: code}
}

type haveErrorEnvelopeMatcher struct {
	code       string
	violations []contract.Violation
}

// subject extracts the headers (nil for a bare body) and body.
func (m *haveErrorEnvelopeMatcher) subject(actual any) (http.Header, []byte, *transcript.Response, error) {
	switch a := actual.(type) {
	case *transcript.Response:
		if a == nil {
			return nil, nil, nil, errors.New("HaveErrorEnvelope got a nil *transcript.Response")
		}
		h := a.Header
		if h == nil {
			h = http.Header{} // a response without headers has no Content-Type
		}
		return h, a.Body, a, nil
	case []byte:
		return nil, a, nil, nil
	case json.RawMessage:
		return nil, a, nil, nil
	}
	return nil, nil, nil, fmt.Errorf("HaveErrorEnvelope expects a *transcript.Response or a []byte body, got:\n%s", format.Object(actual, 1))
}

func (m *haveErrorEnvelopeMatcher) check(header http.Header, body []byte) []contract.Violation {
	vs := contract.CheckErrorEnvelope(header, body)
	if len(vs) == 0 && m.code != "" {
		vs = contract.CheckErrorCodeIs(body, m.code)
	}
	return vs
}

func (m *haveErrorEnvelopeMatcher) Match(actual any) (bool, error) {
	header, body, _, err := m.subject(actual)
	if err != nil {
		return false, err
	}
	m.violations = m.check(header, body)
	return len(m.violations) == 0, nil
}

func (m *haveErrorEnvelopeMatcher) expected() string {
	code := "…"
	if m.code != "" {
		code = fmt.Sprintf("%q", m.code)
	}
	return fmt.Sprintf(`the documented error envelope {"error":{"code":%s,"message":…}}`, code)
}

func (m *haveErrorEnvelopeMatcher) FailureMessage(actual any) string {
	_, body, resp, _ := m.subject(actual)
	vs := m.violations
	what := "the body"
	if resp != nil {
		what = "the " + statusWords(resp.Status) + " response"
	}
	return fmt.Sprintf("Expected %s to carry %s, but it breaks it %s:\n%s\n%s",
		what, m.expected(), places(len(vs)), violationList(vs), evidence(resp, body))
}

func (m *haveErrorEnvelopeMatcher) NegatedFailureMessage(actual any) string {
	_, body, resp, _ := m.subject(actual)
	what := "the body"
	if resp != nil {
		what = "the " + statusWords(resp.Status) + " response"
	}
	return fmt.Sprintf("Expected %s not to carry %s, but it does.\n%s", what, m.expected(), evidence(resp, body))
}
