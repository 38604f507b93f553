package matchers_test

import (
	"encoding/json"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

// exampleSchemas names the schema of each example body.
var exampleSchemas = map[string]struct{ request, param, response string }{
	"Participants_AddChatParticipants.json":              {"AddChatParticipantsRequest", "addChatParticipantsRequest", "AddChatParticipantsResult"},
	"Participants_ListChatParticipantsWithPageSize.json": {"", "", "ChatParticipantsCollection"},
	"Participants_RemoveChatParticipant.json":            {"CommunicationIdentifierModel", "participantCommunicationIdentifier", ""},
	"Threads_CreateChatThread.json":                      {"CreateChatThreadRequest", "createChatThreadRequest", "CreateChatThreadResult"},
	"Threads_DeleteChatThread.json":                      {"", "", ""},
}

// TestConformToSchemaOfficialExamples: every request and response body of
// the official examples conforms, to the embedded and the published
// document of its api-version (error bodies to CommunicationErrorResponse).
func TestConformToSchemaOfficialExamples(t *testing.T) {
	for _, ex := range officialExamples(t) {
		schemas, ok := exampleSchemas[ex.File]
		if !ok {
			t.Errorf("%s: no schema mapped", ex.File)
			continue
		}
		for _, spec := range []*openapi.Spec{mustSpec(t, ex.Version, ""), publishedSpec(t, ex.Version)} {
			if schemas.request != "" {
				body := []byte(ex.Parameters[schemas.param])
				expectNoFailure(t, func() { Expect(body).To(ConformToSchema(spec, schemas.request)) })
			}
			for code, resp := range ex.Responses {
				if len(resp.Body) == 0 {
					continue
				}
				name := schemas.response
				if code[0] != '2' {
					name = "CommunicationErrorResponse"
				}
				body := resp.Body
				expectNoFailure(t, func() { Expect(body).To(ConformToSchema(spec, name)) })
			}
		}
	}
}

func TestConformToSchemaAccepts(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	// The live full-success body, in every accepted actual type.
	for _, actual := range []any{[]byte(`{}`), `{}`, json.RawMessage(`{}`), response("POST", addURL, 201, jsonHeader, `{}`)} {
		expectNoFailure(t, func() { Expect(actual).To(ConformToSchema(spec, "AddChatParticipantsResult")) })
	}
	expectNoFailure(t, func() { Expect(recordedAddPartial).To(ConformToSchema(spec, "AddChatParticipantsResult")) })
	expectNoFailure(t, func() { Expect(recordedListPage).To(ConformToSchema(spec, "ChatParticipantsCollection")) })
	expectNoFailure(t, func() { Expect(`{"value":[]}`).NotTo(ConformToSchema(spec, "CommunicationErrorResponse")) })
}

func TestConformToSchemaRejects(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	body := `{"value":[{"communicationIdentifier":{"rawId":5},"shareHistoryTime":"2020-06-06 05:55:41"}],"nextLink":null}`
	expectOneFailure(t, `Expected the body to conform to schema ChatParticipantsCollection of embedded:chat-2024-03-07.yaml, but it breaks it in 3 places:
    [LIST-01] /nextLink: must be a string, but is null
    [LIST-01] /value/0/communicationIdentifier/rawId: must be a string, but is a number (5)
    [TIME-01] /value/0/shareHistoryTime: "2020-06-06 05:55:41" is not an RFC 3339 date-time (format date-time): the date and the time are separated by a space; RFC 3339 requires 'T'
Body:
    {"value":[{"communicationIdentifier":{"rawId":5},"shareHistoryTime":"2020-06-06 05:55:41"}],"nextLink":null}`,
		func() { Expect([]byte(body)).To(ConformToSchema(spec, "ChatParticipantsCollection")) })

	// The legacy error shape is named; a response shows its transcript.
	resp := response("GET", listURL, 404, jsonBareHeader, recordedLegacy404)
	expectOneFailure(t, `Expected the body to conform to schema CommunicationErrorResponse of embedded:chat-2024-03-07.yaml, but it breaks it in 1 place:
    [ERR-05] /error: missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse {"error":{"code":"…","message":"…"}}; it holds Code "NotFound", no Message
Transcript:
`+trimNL(resp.Exchange.String()),
		func() { Expect(resp).To(ConformToSchema(spec, "CommunicationErrorResponse")) })

	expectOneFailure(t, "Expected the body not to conform to schema AddChatParticipantsResult of embedded:chat-2024-03-07.yaml, but it does.\nBody:\n    {}",
		func() { Expect("{}").NotTo(ConformToSchema(spec, "AddChatParticipantsResult")) })

	expectOneFailure(t, `Expected the body to conform to schema AddChatParticipantsResult of embedded:chat-2024-03-07.yaml, but it breaks it in 1 place:
    [ADD-02] the body is not JSON: invalid character 'o' in literal null (expecting 'u') (byte 2): "not json"
Body:
    "not json"`,
		func() { Expect("not json").To(ConformToSchema(spec, "AddChatParticipantsResult")) })
}

func TestConformToSchemaWrongActual(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	expectOneFailure(t, "ConformToSchema expects a []byte, string, json.RawMessage or *transcript.Response, got:\n    <int>: 42",
		func() { Expect(42).To(ConformToSchema(spec, "AddChatParticipantsResult")) })
	expectOneFailure(t, "ConformToSchema got a nil *transcript.Response",
		func() { Expect((*transcript.Response)(nil)).To(ConformToSchema(spec, "AddChatParticipantsResult")) })
	expectOneFailure(t, `ConformToSchema("AddChatParticipantsResult") was given a nil *openapi.Spec`,
		func() { Expect("{}").To(ConformToSchema(nil, "AddChatParticipantsResult")) })
}

// TestConformToSchemaReportsWhatMatchFound: the failure shows the
// violations Match found; it does not validate again.
func TestConformToSchemaReportsWhatMatchFound(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	body := []byte(`{"value":5}`)
	m := ConformToSchema(spec, "ChatParticipantsCollection")
	if ok, err := m.Match(body); ok || err != nil {
		t.Fatalf("Match = %v, %v", ok, err)
	}
	copy(body, `{"value":[]}`)
	if got := m.FailureMessage(body); !strings.Contains(got, "[LIST-01] /value: must be an array, but is a number (5)") {
		t.Errorf("failure message:\n%s", got)
	}
}
