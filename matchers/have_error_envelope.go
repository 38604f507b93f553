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
	// what names the actual: the body, or the response by its status.
	what := func(e errorSubject) string {
		if e.resp != nil {
			return "the " + statusWords(e.resp.Status) + " response"
		}
		return "the body"
	}
	expected := `the documented error envelope {"error":{"code":…,"message":…}}`
	if code != "" {
		expected = fmt.Sprintf(`the documented error envelope {"error":{"code":%q,"message":…}}`, code)
	}
	return &violationsMatcher[errorSubject]{
		subject: errorSubjectOf,
		check: func(e errorSubject) []contract.Violation {
			vs := contract.CheckErrorEnvelope(e.header, e.bytes)
			if len(vs) == 0 && code != "" {
				vs = contract.CheckErrorCodeIs(e.bytes, code)
			}
			return vs
		},
		failure: func(e errorSubject, vs []contract.Violation) string {
			return fmt.Sprintf("Expected %s to carry %s, but it breaks it %s:\n%s\n%s",
				what(e), expected, places(len(vs)), violationList(vs), e.evidence())
		},
		negated: func(e errorSubject) string {
			return fmt.Sprintf("Expected %s not to carry %s, but it does.\n%s", what(e), expected, e.evidence())
		},
	}
}

// errorSubject is what HaveErrorEnvelope judges: the headers (nil for a
// bare body) and the body.
type errorSubject struct {
	header http.Header
	body
}

func errorSubjectOf(actual any) (errorSubject, error) {
	switch a := actual.(type) {
	case *transcript.Response:
		if a == nil {
			return errorSubject{}, errors.New("HaveErrorEnvelope got a nil *transcript.Response")
		}
		h := a.Header
		if h == nil {
			h = http.Header{} // a response without headers has no Content-Type
		}
		return errorSubject{h, body{a.Body, a}}, nil
	case []byte:
		return errorSubject{nil, body{a, nil}}, nil
	case json.RawMessage:
		return errorSubject{nil, body{a, nil}}, nil
	}
	return errorSubject{}, fmt.Errorf("HaveErrorEnvelope expects a *transcript.Response or a []byte body, got:\n%s", format.Object(actual, 1))
}
