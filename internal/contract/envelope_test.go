package contract

import (
	"net/http"
	"reflect"
	"testing"
)

func ctHeader(ct string) http.Header { return http.Header{"Content-Type": {ct}} }

func TestCheckErrorEnvelopeAccepts(t *testing.T) {
	for _, body := range []string{
		`{"error":{"code":"Unauthorized","message":"Request is not authorized."}}`,
		`{"error":{"code":"BadRequest","message":"","target":"x","details":[{"code":"a","message":"b"}],"innererror":{"code":"c","message":"d"}}}`,
		`{"error":{"code":"NotFound","message":"m","extra":1},"also":true}`,
	} {
		for _, h := range []http.Header{ctHeader("application/json"), ctHeader("application/json; charset=utf-8"), nil} {
			if vs := CheckErrorEnvelope(h, []byte(body)); len(vs) != 0 {
				t.Errorf("%s with %v:\n%s", body, h, Format(vs, "  "))
			}
		}
	}
}

func TestCheckErrorEnvelopeRejects(t *testing.T) {
	const envelope = `{"error":{"code":"…","message":"…"}}`
	cases := []struct {
		name   string
		header http.Header
		body   string
		want   []Violation
	}{
		{
			"legacy shape, from the azure-cli recording of a malformed id",
			ctHeader("application/json"),
			`{"CommunicationError": {"Code": "BadRequest", "Message": "Identifier format is invalid (8:acs:fakeid===).", "Details": []}}`,
			[]Violation{{"ERR-05", "/error", `missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse ` + envelope + `; it holds Code "BadRequest", Message "Identifier format is invalid (8:acs:fakeid===)."`}},
		},
		{
			"legacy shape without Message, from the azure-cli 404 recording",
			ctHeader("application/json"),
			`{"CommunicationError": {"Code": "NotFound", "Details": []}}`,
			[]Violation{{"ERR-05", "/error", `missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse ` + envelope + `; it holds Code "NotFound", no Message`}},
		},
		{
			"legacy shape holding a string",
			nil,
			`{"CommunicationError": "boom"}`,
			[]Violation{{"ERR-05", "/error", `missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse ` + envelope + `; its CommunicationError is a string ("boom")`}},
		},
		{
			"no error member",
			ctHeader("application/json"),
			`{"code":"BadRequest","message":"m"}`,
			[]Violation{{"ERR-05", "/error", `missing; the documented error envelope is ` + envelope + `, but the body has only the members "code", "message"`}},
		},
		{
			"Error in another case",
			nil,
			`{"Error":{"code":"BadRequest","message":"m"}}`,
			[]Violation{{"ERR-05", "/error", `missing; the documented error envelope is ` + envelope + `, but the body has only the member "Error" ("Error" is not "error": member names are case-sensitive)`}},
		},
		{
			"empty object",
			nil,
			`{}`,
			[]Violation{{"ERR-05", "/error", `missing; the documented error envelope is ` + envelope + `, but the body has no members ({})`}},
		},
		{
			"error is a string",
			nil,
			`{"error":"bad request"}`,
			[]Violation{{"ERR-05", "/error", `must be an object with code and message, but is a string ("bad request")`}},
		},
		{
			"code and message missing, Code in another case",
			nil,
			`{"error":{"Code":"BadRequest"}}`,
			[]Violation{
				{"ERR-05", "/error/code", `missing; the error must name what went wrong in a non-empty string code (e.g. BadRequest) ("Code" is not "code": member names are case-sensitive)`},
				{"ERR-05", "/error/message", `missing; the documented error has a string message for people`},
			},
		},
		{
			"code a number, message null",
			nil,
			`{"error":{"code":400,"message":null}}`,
			[]Violation{
				{"ERR-05", "/error/code", `must be a string, but is a number (400)`},
				{"ERR-05", "/error/message", `must be a string, but is null`},
			},
		},
		{
			"empty code",
			nil,
			`{"error":{"code":"","message":"m"}}`,
			[]Violation{{"ERR-05", "/error/code", `is an empty string; it must name what went wrong (e.g. BadRequest)`}},
		},
		{
			"no Content-Type, empty body",
			http.Header{},
			``,
			[]Violation{
				{"ERR-05", "", `the Content-Type header is missing; an error body must be sent as application/json`},
				{"ERR-05", "", `the body is empty; an error response must carry ` + envelope},
			},
		},
		{
			"HTML error page",
			ctHeader("text/html"),
			`<html><body>Bad Gateway</body></html>`,
			[]Violation{
				{"ERR-05", "", `the Content-Type is "text/html"; an error body must be sent as application/json`},
				{"ERR-05", "", `the body is not JSON: invalid character '<' looking for beginning of value (byte 1): "<html><body>Bad Gateway</body></html>"; an error response must carry ` + envelope},
			},
		},
		{
			"array",
			nil,
			`[{"error":{"code":"x","message":"y"}}]`,
			[]Violation{{"ERR-05", "", `the body is a JSON array, not an object; an error response must carry ` + envelope}},
		},
		{
			"duplicate member",
			nil,
			`{"error":{"code":"a","message":"m","code":"b"}}`,
			[]Violation{{"ERR-05", "", `the body repeats the member "code" in the object at "/error"; member names must be unique, or clients disagree on the value (RFC 8259 §4); an error response must carry ` + envelope}},
		},
	}
	for _, c := range cases {
		got := CheckErrorEnvelope(c.header, []byte(c.body))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", c.name, Format(got, "  "), Format(c.want, "  "))
		}
	}
}

func TestCheckErrorCode(t *testing.T) {
	ok := []struct {
		status int
		body   string
	}{
		{400, `{"error":{"code":"BadRequest","message":"m"}}`},
		{401, `{"error":{"code":"Unauthorized","message":"m"}}`},
		{403, `{"error":{"code":"Forbidden","message":"m"}}`},
		{404, `{"error":{"code":"NotFound","message":"m"}}`},
		{429, `{"error":{"code":"TooManyRequests","message":"m"}}`},
		{503, `{"error":{"code":"ServiceUnavailable","message":"m"}}`},
		{500, `{"error":{"code":"Anything","message":"m"}}`}, // no documented code
		{418, `not even json`},
	}
	for _, c := range ok {
		if vs := CheckErrorCode(c.status, []byte(c.body)); vs != nil {
			t.Errorf("%d %s: %v", c.status, c.body, vs)
		}
	}
	bad := []struct {
		status     int
		body, want string
	}{
		{400, `{"error":{"code":"badRequest","message":"m"}}`, `[ERR-06] /error/code: status 400 Bad Request documents error.code "BadRequest", but it is "badRequest": codes are case-sensitive`},
		{404, `{"error":{"code":"ResourceNotFound","message":"m"}}`, `[ERR-06] /error/code: status 404 Not Found documents error.code "NotFound", but it is "ResourceNotFound"`},
		{400, `{"CommunicationError":{"Code":"BadRequest","Message":"m","Details":[]}}`, `[ERR-06] /error/code: status 400 Bad Request documents error.code "BadRequest", but there is no error.code: the body has the legacy shape, whose CommunicationError.Code is "BadRequest"`},
		{401, `{"error":{"code":401}}`, `[ERR-06] /error/code: status 401 Unauthorized documents error.code "Unauthorized", but error.code is a number (401) (see ERR-05)`},
		{403, `{}`, `[ERR-06] /error: status 403 Forbidden documents error.code "Forbidden", but the body has no error object (see ERR-05)`},
		{429, ``, `[ERR-06] status 429 Too Many Requests documents error.code "TooManyRequests", but the body is empty (see ERR-05)`},
	}
	for _, c := range bad {
		if got := Format(CheckErrorCode(c.status, []byte(c.body)), ""); got != c.want {
			t.Errorf("%d %s\n got: %v\nwant: %s", c.status, c.body, got, c.want)
		}
	}
	if vs := CheckErrorCodeIs([]byte(`{"error":{"code":"NotFound","message":"m"}}`), "NotFound"); vs != nil {
		t.Error(vs)
	}
	got := Format(CheckErrorCodeIs([]byte(`{"error":{"code":"NOTFOUND","message":"m"}}`), "NotFound"), "")
	if want := `[ERR-06] /error/code: expected error.code "NotFound", but it is "NOTFOUND": codes are case-sensitive`; got != want {
		t.Errorf("got %v\nwant %s", got, want)
	}
}
