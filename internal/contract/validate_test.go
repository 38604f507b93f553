package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/fixtures/sharedref"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/wire"
)

func mustSpec(t testing.TB, version, path string) *openapi.Spec {
	t.Helper()
	s, err := openapi.Load(version, path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// specsUnderTest are the embedded documents and, when the reference data
// is present, the published ones, for every certified api-version (the
// 2021 ones with Common/stable/2022-07-13 standing in for their missing
// Common document, see sharedref.PublishedChatSpec).
func specsUnderTest(t *testing.T, withPublished bool) map[string]*openapi.Spec {
	t.Helper()
	specs := map[string]*openapi.Spec{}
	for _, v := range wire.SupportedChatVersions {
		specs["embedded "+v] = mustSpec(t, v, "")
		if withPublished {
			specs["published "+v] = mustSpec(t, v, sharedref.PublishedChatSpec(t, v))
		}
	}
	return specs
}

func publishedPath(t *testing.T, version string) string {
	track := "stable"
	if strings.HasSuffix(version, "-preview") {
		track = "preview"
	}
	return filepath.Join(sharedref.Dir(t, "reference", "specs"), "Chat", track, version, "communicationserviceschat.json")
}

// exampleOperations maps each official example file to its request.
var exampleOperations = map[string]struct {
	method, path, bodyParam, bodySchema string
}{
	"Participants_AddChatParticipants.json":              {"POST", "/chat/threads/%s/participants/:add", "addChatParticipantsRequest", "AddChatParticipantsRequest"},
	"Participants_ListChatParticipantsWithPageSize.json": {"GET", "/chat/threads/%s/participants", "", ""},
	"Participants_RemoveChatParticipant.json":            {"POST", "/chat/threads/%s/participants/:remove", "participantCommunicationIdentifier", "CommunicationIdentifierModel"},
	"Threads_CreateChatThread.json":                      {"POST", "/chat/threads", "createChatThreadRequest", "CreateChatThreadRequest"},
	"Threads_DeleteChatThread.json":                      {"DELETE", "/chat/threads/%s", "", ""},
}

type example struct {
	Parameters map[string]json.RawMessage `json:"parameters"`
	Responses  map[string]struct {
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"responses"`
}

// TestOfficialExamplesConform validates every request and response of the
// official examples against the embedded and the published documents.
func TestOfficialExamplesConform(t *testing.T) {
	specs := specsUnderTest(t, true)
	for _, v := range wire.SupportedChatVersions {
		dir := filepath.Join(filepath.Dir(publishedPath(t, v)), "examples")
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no examples in %s: %v", dir, err)
		}
		for _, file := range files {
			op, ok := exampleOperations[filepath.Base(file)]
			if !ok {
				t.Errorf("%s: no operation mapped for this example", file)
				continue
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ex example
			if err := json.Unmarshal(data, &ex); err != nil {
				t.Fatal(err)
			}
			path := op.path
			if strings.Contains(path, "%s") {
				var thread string
				_ = json.Unmarshal(ex.Parameters["chatThreadId"], &thread)
				path = fmt.Sprintf(path, thread)
			}
			path += "?api-version=" + v
			for name, spec := range specs {
				if !strings.HasSuffix(name, " "+v) {
					continue
				}
				if op.bodyParam != "" {
					if vs := ValidateSchema(spec, op.bodySchema, ex.Parameters[op.bodyParam]); len(vs) > 0 {
						t.Errorf("%s, %s request against %s:\n%s", filepath.Base(file), op.bodySchema, name, Format(vs, "  "))
					}
				}
				for code, resp := range ex.Responses {
					var status int
					fmt.Sscan(code, &status)
					header := http.Header{}
					for k, val := range resp.Headers {
						header.Set(k, val)
					}
					if len(resp.Body) > 0 {
						header.Set("Content-Type", "application/json; charset=utf-8")
					}
					if vs := ValidateResponse(spec, op.method, path, status, header, resp.Body); len(vs) > 0 {
						t.Errorf("%s, response %s against %s:\n%s", filepath.Base(file), code, name, Format(vs, "  "))
					}
				}
			}
		}
	}
}

// Bodies copied from the live recordings in ../shared/reference/recordings.
const (
	recordedListPage1  = `{"value": [{"communicationIdentifier": {"rawId": "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b0c2-a381-094822006990", "communicationUser": {"id": "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b0c2-a381-094822006990"}}, "displayName": "user1", "shareHistoryTime": "1970-01-01T00:00:00Z", "metadata": {"ParticipantMetaKey1": "ParticipantMetaValue1", "ParticipantMetaKey2": "ParticipantMetaValue2"}}, {"communicationIdentifier": {"rawId": "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b13d-a381-094822006991", "communicationUser": {"id": "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b13d-a381-094822006991"}}, "displayName": "user2", "shareHistoryTime": "1970-01-01T00:00:00Z"}], "nextLink": "https://acs-chat-ppe.unitedstates.ppe.communication.azure.net/chat/threads/19:acsV1_foL-mUK9P66jE9T-ZxMBTfvWBH3ae7HOxCS__D4TtrA1@thread.v2/participants?skip=2&maxPageSize=2&api-version=2025-03-15"}`
	recordedListLast   = `{"value": [{"communicationIdentifier": {"rawId": "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b3cc-a381-094822006994", "communicationUser": {"id": "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b3cc-a381-094822006994"}}, "displayName": "user5", "shareHistoryTime": "1970-01-01T00:00:00Z"}]}`
	recordedListNoName = `{"value": [{"communicationIdentifier": {"rawId": "8:acs:6195325b-da49-479e-b088-d6b10e3cceb3_00000020-8abd-2731-54b7-a43a0d00aa21", "communicationUser": {"id": "8:acs:6195325b-da49-479e-b088-d6b10e3cceb3_00000020-8abd-2731-54b7-a43a0d00aa21"}}, "shareHistoryTime": "1970-01-01T00:00:00Z"}]}`
	recordedAddPartial = `{"invalidParticipants": [{"code": "403", "message": "Permissions check failed", "target": "8:acs:00000000-1111-2222-3333-444444444444_55555555-6666-7777-8888-999999999999"}]}`
	recordedLegacy400  = `{"CommunicationError": {"Code": "BadRequest", "Message": "Identifier format is invalid (8:acs:fakeid===).", "Details": []}}`
	recordedLegacy404  = `{"CommunicationError": {"Code": "NotFound", "Details": []}}`
)

const (
	listPath = "https://sanitized.communication.azure.com/chat/threads/19%3AacsV1_foL-mUK9P66jE9T-ZxMBTfvWBH3ae7HOxCS__D4TtrA1%40thread.v2/participants?maxPageSize=2&api-version=2024-03-07"
	addPath  = "https://sanitized.communication.azure.com/chat/threads/sanitized/participants/:add?api-version=2024-03-07"
)

var (
	jsonUTF8 = http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	jsonBare = http.Header{"Content-Type": {"application/json"}}
)

func TestValidateResponseAcceptsRecordedSuccesses(t *testing.T) {
	for name, spec := range specsUnderTest(t, false) {
		for _, c := range []struct {
			method, path string
			status       int
			body         string
		}{
			{"GET", listPath, 200, recordedListPage1},
			{"GET", listPath, 200, recordedListLast},
			{"GET", listPath, 200, recordedListNoName},
			{"GET", listPath, 200, `{"value":[]}`},
			{"POST", addPath, 201, `{}`},
			{"POST", addPath, 201, recordedAddPartial},
		} {
			if vs := ValidateResponse(spec, c.method, c.path, c.status, jsonUTF8, []byte(c.body)); len(vs) > 0 {
				t.Errorf("%s: %s %d %.60s…:\n%s", name, c.method, c.status, c.body, Format(vs, "  "))
			}
		}
		if vs := ValidateResponse(spec, "DELETE", "/chat/threads/x", 204, http.Header{}, nil); len(vs) > 0 {
			t.Errorf("%s: DELETE 204: %v", name, vs)
		}
	}
}

func TestValidateResponseRejects(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	const what = "POST /chat/threads/{chatThreadId}/participants/:add (ChatThread_AddChatParticipants)"
	cases := []struct {
		name         string
		method, path string
		status       int
		header       http.Header
		body         string
		want         []Violation
	}{
		{
			"legacy error envelope on 400",
			"POST", addPath, 400, jsonBare, recordedLegacy400,
			[]Violation{{"ERR-05", "/error", `missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse {"error":{"code":"…","message":"…"}}; it holds Code "BadRequest", Message "Identifier format is invalid (8:acs:fakeid===)."`}},
		},
		{
			"legacy error envelope on 404, through the default response",
			"GET", listPath, 404, jsonBare, recordedLegacy404,
			[]Violation{{"ERR-05", "/error", `missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse {"error":{"code":"…","message":"…"}}; it holds Code "NotFound", no Message`}},
		},
		{
			"a bad page, every problem with its pointer",
			"GET", listPath, 200, jsonUTF8,
			`{"value":[{"communicationIdentifier":{"rawId":5,"kind":"robot","communicationUser":{}},"displayName":null,"shareHistoryTime":"2020-06-06 05:55:41"},{"shareHistoryTime":"2021-02-29T00:00:00Z"}],"nextLink":3}`,
			[]Violation{
				{"LIST-01", "/nextLink", `must be a string, but is a number (3)`},
				{"LIST-01", "/value/0/communicationIdentifier/communicationUser/id", `required, but missing`},
				{"LIST-01", "/value/0/communicationIdentifier/kind", `must be one of ["unknown","communicationUser","phoneNumber","microsoftTeamsUser","microsoftTeamsApp"], but is "robot"`},
				{"LIST-01", "/value/0/communicationIdentifier/rawId", `must be a string, but is a number (5)`},
				{"LIST-01", "/value/0/displayName", `must be a string, but is null`},
				{"TIME-01", "/value/0/shareHistoryTime", `"2020-06-06 05:55:41" is not an RFC 3339 date-time (format date-time): the date and the time are separated by a space; RFC 3339 requires 'T'`},
				{"LIST-01", "/value/1/communicationIdentifier", `required, but missing`},
				{"TIME-01", "/value/1/shareHistoryTime", `"2021-02-29T00:00:00Z" is not an RFC 3339 date-time (format date-time): day 29 does not exist in 2021-02`},
			},
		},
		{
			"value null",
			"GET", listPath, 200, jsonUTF8, `{"value":null}`,
			[]Violation{{"LIST-01", "/value", `must be an array, but is null`}},
		},
		{
			"value missing",
			"GET", listPath, 200, jsonUTF8, `{"participants":[]}`,
			[]Violation{{"LIST-01", "/value", `required, but missing`}},
		},
		{
			"array instead of object",
			"GET", listPath, 200, jsonUTF8, `[]`,
			[]Violation{{"LIST-01", "", `must be an object, but is an array ([])`}},
		},
		{
			"trailing data",
			"GET", listPath, 200, jsonUTF8, `{"value":[]} x`,
			[]Violation{{"LIST-01", "", `the body is not JSON: invalid character 'x' after top-level value (byte 14): "{\"value\":[]} x"`}},
		},
		{
			"invalid UTF-8",
			"GET", listPath, 200, jsonUTF8, "{\"value\":[\"\xff\"]}",
			[]Violation{{"LIST-01", "", `the body is not valid UTF-8: byte 12 is 0xff; JSON text must be UTF-8 (RFC 8259 §8.1)`}},
		},
		{
			"duplicate member",
			"GET", listPath, 200, jsonUTF8, `{"value":[],"value":null}`,
			[]Violation{{"LIST-01", "", `the body repeats the member "value" in the object at ""; member names must be unique, or clients disagree on the value (RFC 8259 §4)`}},
		},
		{
			"invalid participant entry",
			"POST", addPath, 201, jsonUTF8, `{"invalidParticipants":[{"code":403,"target":"x"}]}`,
			[]Violation{
				{"ADD-02", "/invalidParticipants/0/code", `must be a string, but is a number (403)`},
				{"ADD-02", "/invalidParticipants/0/message", `required, but missing`},
			},
		},
		{
			"empty 201 body",
			"POST", addPath, 201, jsonUTF8, ``,
			[]Violation{{"ADD-02", "", `the body is empty, but status 201 of ` + what + ` documents a body of schema AddChatParticipantsResult`}},
		},
		{
			"201 as text/plain",
			"POST", addPath, 201, http.Header{"Content-Type": {"text/plain"}}, `{}`,
			[]Violation{{"ADD-02", "", `the Content-Type "text/plain" is not documented for status 201 of ` + what + `; documented: application/json`}},
		},
		{
			"201 without Content-Type",
			"POST", addPath, 201, http.Header{}, `{}`,
			[]Violation{{"ADD-02", "", `the Content-Type header is missing; status 201 of ` + what + ` documents application/json`}},
		},
		{
			"200 where 201 is documented",
			"POST", addPath, 200, jsonUTF8, `{}`,
			[]Violation{{"", "", `status 200 OK is not documented for ` + what + `; documented: 201, 400, 401, 403, 404, 413, 429, 503, default`}},
		},
		{
			"unknown operation",
			"GET", "/chat/threads/x/messages", 200, jsonUTF8, `{}`,
			[]Violation{{"", "", `embedded:chat-2024-03-07.yaml documents no operation whose path matches /chat/threads/x/messages`}},
		},
	}
	for _, c := range cases {
		got := ValidateResponse(spec, c.method, c.path, c.status, c.header, []byte(c.body))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", c.name, Format(got, "  "), Format(c.want, "  "))
		}
	}
}

// TestValidateResponsePublishedStatuses: the published document lists only
// 401/403/429/503 as errors, so a 404 is reported as undocumented there.
func TestValidateResponsePublishedStatuses(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, publishedPath(t, wire.APIVersionStable))
	got := ValidateResponse(spec, "GET", listPath, 404, jsonBare, []byte(recordedLegacy404))
	want := []Violation{{"ERR-05", "", "status 404 Not Found is not documented for GET /chat/threads/{chatThreadId}/participants (ChatThread_ListChatParticipants); documented: 200, 401, 403, 429, 503"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", Format(got, "  "), Format(want, "  "))
	}
	got = ValidateResponse(spec, "GET", listPath, 401, jsonBare, []byte(`{"error":{"code":"Unauthorized"}}`))
	want = []Violation{{"ERR-05", "/error/message", "required, but missing"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", Format(got, "  "), Format(want, "  "))
	}
}

func TestValidateResponseDateTimes(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	page := func(ts string) []byte {
		return []byte(`{"value":[{"communicationIdentifier":{"rawId":"8:acs:r_1"},"shareHistoryTime":` + ts + `}]}`)
	}
	for _, ok := range []string{"1970-01-01T00:00:00Z", "2020-06-06T05:55:41.6460000Z", "2020-06-06T05:55:41+01:00", "2020-06-06t05:55:41z"} {
		if vs := ValidateResponse(spec, "GET", listPath, 200, jsonUTF8, page(`"`+ok+`"`)); len(vs) > 0 {
			t.Errorf("%s: %s", ok, Format(vs, ""))
		}
	}
	for _, bad := range []string{"2020-06-06 05:55:41", "2020-06-06T05:55:41", "2020-06-06T24:00:00Z", "yesterday", ""} {
		vs := ValidateResponse(spec, "GET", listPath, 200, jsonUTF8, page(`"`+bad+`"`))
		if len(vs) != 1 || vs[0].Assertion != "TIME-01" || vs[0].Pointer != "/value/0/shareHistoryTime" {
			t.Errorf("%q: %s", bad, Format(vs, ""))
		}
	}
}

func TestValidateSchema(t *testing.T) {
	for name, spec := range specsUnderTest(t, false) {
		for schema, bodies := range map[string][]string{
			"AddChatParticipantsResult":  {`{}`, recordedAddPartial},
			"ChatParticipantsCollection": {recordedListPage1, recordedListLast, recordedListNoName},
			"CommunicationErrorResponse": {`{"error":{"code":"BadRequest","message":"m"}}`},
			"ChatParticipant":            {`{"communicationIdentifier":{"rawId":"x"},"shareHistoryTime":"1970-01-01T00:00:00Z"}`},
		} {
			for _, b := range bodies {
				if vs := ValidateSchema(spec, schema, []byte(b)); len(vs) > 0 {
					t.Errorf("%s %s %.50s…:\n%s", name, schema, b, Format(vs, "  "))
				}
			}
		}
	}
	spec := mustSpec(t, wire.APIVersionPreview, "")
	cases := []struct {
		schema, body string
		want         []Violation
	}{
		{"CommunicationErrorResponse", recordedLegacy400, []Violation{{"ERR-05", "/error", `missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse {"error":{"code":"…","message":"…"}}; it holds Code "BadRequest", Message "Identifier format is invalid (8:acs:fakeid===)."`}}},
		{"CommunicationErrorResponse", `{"error":{"code":1,"innererror":{"code":"x"}}}`, []Violation{
			{"ERR-05", "/error/code", "must be a string, but is a number (1)"},
			{"ERR-05", "/error/innererror/message", "required, but missing"},
			{"ERR-05", "/error/message", "required, but missing"},
		}},
		{"ChatParticipant", `{"communicationIdentifier":{},"metadata":{"a":1}}`, []Violation{{"", "/metadata/a", "must be a string, but is a number (1)"}}},
		{"AddChatParticipantsResult", ``, []Violation{{"ADD-02", "", "the body is empty; a AddChatParticipantsResult is a JSON value"}}},
		{"AddChatParticipantsRequest", `{"participants":1e400}`, []Violation{{"", "/participants", "must be an array, but is a number (1e400)"}}},
		{"Nope", `{}`, []Violation{{"", "", ""}}},
	}
	for _, c := range cases {
		got := ValidateSchema(spec, c.schema, []byte(c.body))
		if c.schema == "Nope" {
			if len(got) != 1 || !strings.HasPrefix(got[0].Message, `embedded:chat-2024-03-15-preview.yaml has no schema "Nope"`) {
				t.Errorf("unknown schema: %v", got)
			}
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %s:\n got:\n%s\nwant:\n%s", c.schema, c.body, Format(got, "  "), Format(c.want, "  "))
		}
	}
}

// TestNegativeCorpusAgainstSchema cross-checks the corpus and the oracle:
// every case that the corpus says breaks AddChatParticipantsRequest is
// rejected by ValidateSchema, with a pointer where the case names one.
func TestNegativeCorpusAgainstSchema(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionPreview, "")
	var kinds []string
	for _, c := range fixtures.NegativeAddBodies("8:acs:8540c0de-899f-5cce-acb5-3ec493af3800_c94ff260-162d-46d6-94fd-e79f4d213715") {
		vs := ValidateSchema(spec, "AddChatParticipantsRequest", c.Body)
		switch c.Kind {
		case fixtures.NotJSON, fixtures.NotAnObject, fixtures.MissingParticipants, fixtures.ParticipantsWrongType, fixtures.SchemaViolation:
			if len(vs) == 0 {
				t.Errorf("%s (%s): the schema accepts it", c.Name, c.Kind)
			}
			if p, _, ok := strings.Cut(c.Name, " is "); ok && strings.HasPrefix(p, "/") {
				found := false
				for _, v := range vs {
					found = found || v.Pointer == p || (strings.HasPrefix(p, v.Pointer+"/") && v.Pointer != "")
				}
				if !found {
					t.Errorf("%s: no violation at %s: %s", c.Name, p, Format(vs, ""))
				}
			}
		case fixtures.SemanticViolation:
			if len(vs) != 0 {
				t.Errorf("%s is documented as schema-valid, but: %s", c.Name, Format(vs, ""))
			}
		}
		kinds = append(kinds, string(c.Kind))
	}
	sort.Strings(kinds)
	if len(kinds) < 100 {
		t.Errorf("only %d cases", len(kinds))
	}
}

// TestValidateConcurrent: one Spec serves parallel validations (run with
// -race); results do not bleed between goroutines.
func TestValidateConcurrent(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	good := page250(t)
	bad := []byte(`{"value":[{"communicationIdentifier":{"rawId":5}}]}`)
	done := make(chan string, 16)
	for i := range 16 {
		go func() {
			for range 20 {
				if i%2 == 0 {
					if vs := ValidateResponse(spec, "GET", listPath, 200, jsonUTF8, good); vs != nil {
						done <- Format(vs, "")
						return
					}
				} else if vs := ValidateResponse(spec, "GET", listPath, 200, jsonUTF8, bad); len(vs) != 1 || vs[0].Pointer != "/value/0/communicationIdentifier/rawId" {
					done <- Format(vs, "")
					return
				}
			}
			done <- ""
		}()
	}
	for range 16 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

// TestValidateResponseHeaders: documented response headers are checked by
// openapi3filter, and the body is still judged when a header fails.
func TestValidateResponseHeaders(t *testing.T) {
	data, err := os.ReadFile("../../fixtures/openapi/chat-2024-03-07.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(data), `        "201":
          description: The participants were successfully added.
`, `        "201":
          description: The participants were successfully added.
          headers:
            X-Added-Count:
              required: true
              schema:
                type: integer
`, 1)
	if doc == string(data) {
		t.Fatal("the add 201 response was not found in the fixture")
	}
	path := filepath.Join(t.TempDir(), "chat.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := mustSpec(t, wire.APIVersionStable, path)
	const what = " (POST /chat/threads/{chatThreadId}/participants/:add)"
	for _, c := range []struct {
		header http.Header
		body   string
		want   []Violation
	}{
		{http.Header{"Content-Type": {"application/json"}, "X-Added-Count": {"2"}}, `{}`, nil},
		{http.Header{"Content-Type": {"application/json"}}, `{"invalidParticipants":{}}`, []Violation{
			{"ADD-02", "", `header "X-Added-Count" missing` + what},
			{"ADD-02", "/invalidParticipants", "must be an array, but is an object ({})"},
		}},
		{http.Header{"Content-Type": {"application/json"}, "X-Added-Count": {"two"}}, `{}`, []Violation{
			{"ADD-02", "", `unable to decode header "X-Added-Count" value: value two: an invalid integer: invalid syntax` + what},
		}},
	} {
		got := ValidateResponse(spec, "POST", addPath, 201, c.header, []byte(c.body))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v %s:\n got:\n%s\nwant:\n%s", c.header, c.body, Format(got, "  "), Format(c.want, "  "))
		}
	}
}
