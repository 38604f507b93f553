package matchers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

// exampleRequests maps each official example to its method and path.
var exampleRequests = map[string]struct{ method, path string }{
	"Participants_AddChatParticipants.json":              {"POST", "/chat/threads/%s/participants/:add"},
	"Participants_ListChatParticipantsWithPageSize.json": {"GET", "/chat/threads/%s/participants"},
	"Participants_RemoveChatParticipant.json":            {"POST", "/chat/threads/%s/participants/:remove"},
	"Threads_CreateChatThread.json":                      {"POST", "/chat/threads"},
	"Threads_DeleteChatThread.json":                      {"DELETE", "/chat/threads/%s"},
}

// TestConformToOperationOfficialExamples: every documented response of the
// official examples conforms to its operation, in the embedded and the
// published document of its api-version.
func TestConformToOperationOfficialExamples(t *testing.T) {
	for _, ex := range officialExamples(t) {
		req, ok := exampleRequests[ex.File]
		if !ok {
			t.Errorf("%s: no request mapped", ex.File)
			continue
		}
		url := "https://contoso.westus.communications.azure.com" + req.path + "?api-version=" + ex.Version
		if strings.Contains(url, "%s") {
			url = fmt.Sprintf(url, strings.Trim(string(ex.Parameters["chatThreadId"]), `"`))
		}
		for _, spec := range []*openapi.Spec{mustSpec(t, ex.Version, ""), publishedSpec(t, ex.Version)} {
			for code, r := range ex.Responses {
				var status int
				fmt.Sscan(code, &status)
				header := http.Header{}
				for k, v := range r.Headers {
					header.Set(k, v)
				}
				if len(r.Body) > 0 {
					header.Set("Content-Type", "application/json; charset=utf-8")
				}
				resp := response(req.method, url, status, header, string(r.Body))
				expectNoFailure(t, func() { Expect(resp).To(ConformToOperation(spec)) })
			}
		}
	}
}

func TestConformToOperationAccepts(t *testing.T) {
	for _, v := range wire.SupportedChatVersions {
		spec := mustSpec(t, v, "")
		for _, resp := range []*transcript.Response{
			response("POST", addURL, 201, jsonHeader, `{}`),
			response("POST", addURL, 201, jsonHeader, recordedAddPartial),
			response("GET", listURL, 200, jsonHeader, recordedListPage),
			// nextLink pages come from another host, thread id unencoded.
			response("GET", "https://acs-chat-ppe.unitedstates.ppe.communication.azure.net/chat/threads/19:acsV1_x@thread.v2/participants?skip=2&maxPageSize=2&api-version="+v, 200, jsonHeader, `{"value":[]}`),
			response("DELETE", threadURL+"?api-version="+v, 204, http.Header{}, ``),
			response("GET", listURL, 403, jsonBareHeader, `{"error":{"code":"Forbidden","message":"The initiator doesn't have the permission to perform the requested operation."}}`),
		} {
			expectNoFailure(t, func() { Expect(resp).To(ConformToOperation(spec)) })
		}
	}
}

func TestConformToOperationRejects(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	legacy := response("POST", addURL, 400, jsonBareHeader, recordedLegacy400)
	expectOneFailure(t, `Expected the 400 Bad Request response to POST `+addURL+` to be as embedded:chat-2024-03-07.yaml documents it, but it breaks the contract in 1 place:
    [ERR-05] /error: missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse {"error":{"code":"…","message":"…"}}; it holds Code "BadRequest", Message "Identifier format is invalid (8:acs:fakeid===)."
Transcript:
`+trimNL(legacy.Exchange.String()),
		func() { Expect(legacy).To(ConformToOperation(spec)) })

	badPage := response("GET", listURL, 200, jsonHeader, `{"value":[{"communicationIdentifier":{"rawId":"8:acs:r_1"},"shareHistoryTime":"2020-06-06T05:55:41"}]}`)
	expectOneFailure(t, `Expected the 200 OK response to GET `+listURL+` to be as embedded:chat-2024-03-07.yaml documents it, but it breaks the contract in 1 place:
    [TIME-01] /value/0/shareHistoryTime: "2020-06-06T05:55:41" is not an RFC 3339 date-time (format date-time): there is no time zone; RFC 3339 requires 'Z' or an offset ±hh:mm
Transcript:
`+trimNL(badPage.Exchange.String()),
		func() { Expect(badPage).To(ConformToOperation(spec)) })

	wrongStatus := response("POST", addURL, 200, jsonHeader, `{}`)
	expectOneFailure(t, `Expected the 200 OK response to POST `+addURL+` to be as embedded:chat-2024-03-07.yaml documents it, but it breaks the contract in 1 place:
    status 200 OK is not documented for POST /chat/threads/{chatThreadId}/participants/:add (ChatThread_AddChatParticipants); documented: 201, 400, 401, 403, 404, 413, 429, 503, default
Transcript:
`+trimNL(wrongStatus.Exchange.String()),
		func() { Expect(wrongStatus).To(ConformToOperation(spec)) })

	ok := response("POST", addURL, 201, jsonHeader, `{}`)
	expectOneFailure(t, "Expected the 201 Created response to POST "+addURL+" not to be as embedded:chat-2024-03-07.yaml documents it, but it is.\nTranscript:\n"+trimNL(ok.Exchange.String()),
		func() { Expect(ok).NotTo(ConformToOperation(spec)) })
}

func TestConformToOperationWrongActual(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	expectOneFailure(t, "ConformToOperation expects a *transcript.Response, got:\n    <string>: {}",
		func() { Expect("{}").To(ConformToOperation(spec)) })
	noExchange := &transcript.Response{Status: 201, Header: jsonHeader, Body: []byte(`{}`)}
	expectOneFailure(t, "ConformToOperation needs the request of the response: the *transcript.Response has no Exchange (method and URL)",
		func() { Expect(noExchange).To(ConformToOperation(spec)) })
	expectOneFailure(t, "ConformToOperation was given a nil *openapi.Spec",
		func() { Expect(response("POST", addURL, 201, jsonHeader, `{}`)).To(ConformToOperation(nil)) })
}
