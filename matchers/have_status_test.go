package matchers_test

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/transcript"
	. "github.com/chatconform/chatconform/matchers"
)

func TestHaveStatus(t *testing.T) {
	created := response("POST", addURL, 201, jsonHeader, `{}`)
	expectNoFailure(t, func() { Expect(created).To(HaveStatus(http.StatusCreated)) })
	expectNoFailure(t, func() { Expect(created).NotTo(HaveStatus(http.StatusBadRequest)) })

	rejected := response("POST", addURL, 400, jsonBareHeader, `{"CommunicationError":{"Code":"BadRequest"}}`)
	expectOneFailure(t, `Expected status 201 Created, got 400 Bad Request.
Transcript:
> POST https://contoso.communication.azure.com/chat/threads/19%3Aabc%40thread.v2/participants/:add?api-version=2024-03-07
> Authorization: Bearer REDACTED
< 400 Bad Request (12ms)
< Content-Type: application/json
< {
<   "CommunicationError": {
<     "Code": "BadRequest"
<   }
< }`, func() { Expect(rejected).To(HaveStatus(201)) })

	expectOneFailure(t, "Expected any status but 201 Created, got 201 Created.\nTranscript:\n"+trimNL(created.Exchange.String()),
		func() { Expect(created).NotTo(HaveStatus(201)) })

	// Without a transcript the body is shown instead.
	bare := &transcript.Response{Status: 500, Body: []byte(`{"error": {"code": "InternalError"}}`)}
	expectOneFailure(t, "Expected status 200 OK, got 500 Internal Server Error.\nBody:\n    {\"error\":{\"code\":\"InternalError\"}}",
		func() { Expect(bare).To(HaveStatus(200)) })

	// Several codes: any of them will do.
	expectNoFailure(t, func() { Expect(created).To(HaveStatus(http.StatusCreated, http.StatusOK)) })
	expectOneFailure(t, "Expected status 201 Created or 200 OK, got 500 Internal Server Error.\nBody:\n    {\"error\":{\"code\":\"InternalError\"}}",
		func() { Expect(bare).To(HaveStatus(201, 200)) })
	expectOneFailure(t, "Expected any status but 201 Created or 200 OK, got 201 Created.\nTranscript:\n"+trimNL(created.Exchange.String()),
		func() { Expect(created).NotTo(HaveStatus(201, 200)) })
}

func TestHaveStatusWrongActual(t *testing.T) {
	expectOneFailure(t, "HaveStatus was given no status code", func() { Expect(response("GET", listURL, 200, nil, "")).To(HaveStatus()) })
	expectOneFailure(t, "HaveStatus expects a *transcript.Response, got:\n    <int>: 201", func() { Expect(201).To(HaveStatus(201)) })
	var nilResp *transcript.Response
	expectOneFailure(t, "HaveStatus got a nil *transcript.Response", func() { Expect(nilResp).To(HaveStatus(201)) })
	// A wrong type is an error even when negated: never a silent pass.
	expectOneFailure(t, "HaveStatus expects a *transcript.Response, got:\n    <*http.Response | 0x0>: nil", func() { Expect((*http.Response)(nil)).NotTo(HaveStatus(201)) })
}

func trimNL(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}
