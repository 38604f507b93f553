package matchers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	. "github.com/chatconform/chatconform/matchers"
)

func TestHaveErrorEnvelopeAccepts(t *testing.T) {
	documented := response("POST", addURL, 400, jsonBareHeader, `{"error":{"code":"BadRequest","message":"Identifier format is invalid."}}`)
	expectNoFailure(t, func() { Expect(documented).To(HaveErrorEnvelope("BadRequest")) })
	expectNoFailure(t, func() { Expect(documented).To(HaveErrorEnvelope("")) })
	// Status-independent: the envelope is judged, not the status.
	odd := response("GET", listURL, 200, jsonHeader, `{"error":{"code":"X","message":""}}`)
	expectNoFailure(t, func() { Expect(odd).To(HaveErrorEnvelope("")) })
	// A bare body: headers unknown, Content-Type not checked.
	expectNoFailure(t, func() {
		Expect([]byte(`{"error":{"code":"NotFound","message":"m"}}`)).To(HaveErrorEnvelope("NotFound"))
	})
	expectNoFailure(t, func() {
		Expect(json.RawMessage(`{"error":{"code":"NotFound","message":"m"}}`)).To(HaveErrorEnvelope(""))
	})
	expectNoFailure(t, func() { Expect(response("GET", listURL, 200, jsonHeader, `{"value":[]}`)).NotTo(HaveErrorEnvelope("")) })
}

// TestHaveErrorEnvelopeOfficialExamples: every error body of the official
// examples has the envelope, with the code its status documents.
func TestHaveErrorEnvelopeOfficialExamples(t *testing.T) {
	codes := map[string]string{"401": "Unauthorized", "403": "Forbidden", "429": "TooManyRequests", "503": "ServiceUnavailable"}
	n := 0
	for _, ex := range officialExamples(t) {
		for status, r := range ex.Responses {
			if status[0] == '2' {
				continue
			}
			body := []byte(r.Body)
			expectNoFailure(t, func() { Expect(body).To(HaveErrorEnvelope(codes[status])) })
			n++
		}
	}
	if n == 0 {
		t.Error("no error examples found")
	}
}

func TestHaveErrorEnvelopeRejectsLegacy(t *testing.T) {
	const legacyPrefix = `missing: the body has the legacy ACS shape {"CommunicationError":{"Code":…,"Message":…}} instead of the documented CommunicationErrorResponse {"error":{"code":"…","message":"…"}}; it holds `
	for _, c := range []struct {
		status int
		body   string
		code   string
		holds  string
	}{
		{400, recordedLegacy400, "BadRequest", `Code "BadRequest", Message "Identifier format is invalid (8:acs:fakeid===)."`},
		{403, recordedLegacy403, "Forbidden", `Code "Forbidden", Message "The initiator doesn't have the permission to perform the requested operation."`},
		{404, recordedLegacy404, "", `Code "NotFound", no Message`},
	} {
		resp := response("POST", addURL, c.status, jsonBareHeader, c.body)
		code := "…"
		if c.code != "" {
			code = `"` + c.code + `"`
		}
		expectOneFailure(t, `Expected the `+statusLine(c.status)+` response to carry the documented error envelope {"error":{"code":`+code+`,"message":…}}, but it breaks it in 1 place:
    [ERR-05] /error: `+legacyPrefix+c.holds+`
Transcript:
`+trimNL(resp.Exchange.String()),
			func() { Expect(resp).To(HaveErrorEnvelope(c.code)) })
	}
}

func TestHaveErrorEnvelopeRejects(t *testing.T) {
	wrongCase := response("POST", addURL, 400, jsonBareHeader, `{"error":{"code":"badRequest","message":"m"}}`)
	expectOneFailure(t, `Expected the 400 Bad Request response to carry the documented error envelope {"error":{"code":"BadRequest","message":…}}, but it breaks it in 1 place:
    [ERR-06] /error/code: expected error.code "BadRequest", but it is "badRequest": codes are case-sensitive
Transcript:
`+trimNL(wrongCase.Exchange.String()),
		func() { Expect(wrongCase).To(HaveErrorEnvelope("BadRequest")) })

	html := response("GET", listURL, 502, http.Header{"Content-Type": {"text/html"}}, `<html>Bad Gateway</html>`)
	expectOneFailure(t, `Expected the 502 Bad Gateway response to carry the documented error envelope {"error":{"code":…,"message":…}}, but it breaks it in 2 places:
    [ERR-05] the Content-Type is "text/html"; an error body must be sent as application/json
    [ERR-05] the body is not JSON: invalid character '<' looking for beginning of value (byte 1): "<html>Bad Gateway</html>"; an error response must carry {"error":{"code":"…","message":"…"}}
Transcript:
`+trimNL(html.Exchange.String()),
		func() { Expect(html).To(HaveErrorEnvelope("")) })

	expectOneFailure(t, `Expected the body to carry the documented error envelope {"error":{"code":…,"message":…}}, but it breaks it in 2 places:
    [ERR-05] /error/code: is an empty string; it must name what went wrong (e.g. BadRequest)
    [ERR-05] /error/message: must be a string, but is a number (7)
Body:
    {"error":{"code":"","message":7}}`,
		func() { Expect([]byte(`{"error": {"code": "", "message": 7}}`)).To(HaveErrorEnvelope("")) })

	ok := response("POST", addURL, 400, jsonBareHeader, `{"error":{"code":"BadRequest","message":"m"}}`)
	expectOneFailure(t, "Expected the 400 Bad Request response not to carry the documented error envelope {\"error\":{\"code\":\"BadRequest\",\"message\":…}}, but it does.\nTranscript:\n"+trimNL(ok.Exchange.String()),
		func() { Expect(ok).NotTo(HaveErrorEnvelope("BadRequest")) })
}

func TestHaveErrorEnvelopeWrongActual(t *testing.T) {
	expectOneFailure(t, "HaveErrorEnvelope expects a *transcript.Response or a []byte body, got:\n    <string>: {}",
		func() { Expect("{}").To(HaveErrorEnvelope("")) })
}

func statusLine(code int) string {
	return map[int]string{400: "400 Bad Request", 403: "403 Forbidden", 404: "404 Not Found"}[code]
}
