package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/wire"
)

const (
	errEnvelopeID = "ERR-05"
	errCodeID     = "ERR-06"
	// documentedEnvelope is the shape every 4xx/5xx body must have.
	documentedEnvelope = `{"error":{"code":"…","message":"…"}}`
	// legacyKey is the top-level key of the shape the live service sends.
	legacyKey = "CommunicationError"
)

// CheckErrorEnvelope judges an error response against
// CommunicationErrorResponse (ERR-05), whatever its status: Content-Type
// JSON, a JSON object whose "error" is an object with a non-empty string
// "code" and a string "message". A nil header means the headers are unknown
// and Content-Type is not checked. The legacy ACS shape
// {"CommunicationError":{"Code":…}} is named as such, with what it held.
func CheckErrorEnvelope(header http.Header, body []byte) []Violation {
	var vs []Violation
	add := func(pointer, format string, args ...any) {
		vs = append(vs, Violation{Assertion: errEnvelopeID, Pointer: pointer, Message: fmt.Sprintf(format, args...)})
	}
	if header != nil {
		switch ct := header.Get("Content-Type"); {
		case ct == "":
			add("", "the Content-Type header is missing; an error body must be sent as application/json")
		case !openapi.IsJSONMediaType(ct):
			add("", "the Content-Type is %q; an error body must be sent as application/json", ct)
		}
	}
	obj, problem := decodeObject(body)
	if problem != "" {
		add("", "%s; an error response must carry %s", problem, documentedEnvelope)
		return vs
	}

	errVal, hasError := obj["error"]
	if legacy, ok := obj[legacyKey]; ok && !hasError {
		add("/error", "%s", legacyDiagnosis(legacy))
		return vs
	}
	if !hasError {
		add("/error", "%s", missing(obj, "error", fmt.Sprintf("missing; the documented error envelope is %s, but the body has %s", documentedEnvelope, memberList(obj))))
		return vs
	}
	errObj, ok := errVal.(map[string]any)
	if !ok {
		add("/error", "must be an object with code and message, but is %s", kindAndValue(errVal))
		return vs
	}
	switch code, ok := errObj["code"]; {
	case !ok:
		add("/error/code", "%s", missing(errObj, "code", "missing; the error must name what went wrong in a non-empty string code (e.g. BadRequest)"))
	case jsonKind(code) != "string":
		add("/error/code", "must be a string, but is %s", kindAndValue(code))
	case code == "":
		add("/error/code", "is an empty string; it must name what went wrong (e.g. BadRequest)")
	}
	switch msg, ok := errObj["message"]; {
	case !ok:
		add("/error/message", "%s", missing(errObj, "message", "missing; the documented error has a string message for people"))
	case jsonKind(msg) != "string":
		add("/error/message", "must be a string, but is %s", kindAndValue(msg))
	}
	return vs
}

// missing says that obj lacks the member name, why that matters, and, when
// a member differs from name only in case, that names are case-sensitive.
func missing(obj map[string]any, name, why string) string {
	if k := foldedKey(obj, name); k != "" {
		why += fmt.Sprintf(" (%q is not %q: member names are case-sensitive)", k, name)
	}
	return why
}

// legacyDiagnosis describes a body in the live service's legacy shape.
func legacyDiagnosis(legacy any) string {
	msg := fmt.Sprintf("missing: the body has the legacy ACS shape {%q:{\"Code\":…,\"Message\":…}} instead of the documented CommunicationErrorResponse %s", legacyKey, documentedEnvelope)
	inner, ok := legacy.(map[string]any)
	if !ok {
		return msg + fmt.Sprintf("; its %s is %s", legacyKey, kindAndValue(legacy))
	}
	var seen []string
	for _, k := range []string{"Code", "Message"} {
		if v, ok := inner[k]; ok {
			seen = append(seen, fmt.Sprintf("%s %s", k, show(v)))
		} else {
			seen = append(seen, "no "+k)
		}
	}
	return msg + "; it holds " + strings.Join(seen, ", ")
}

// CheckErrorCode checks that error.code is the code documented for status
// (ERR-06): 400 BadRequest, 401 Unauthorized, 403 Forbidden, 404 NotFound,
// 413 PayloadTooLarge, 429 TooManyRequests, 503 ServiceUnavailable; exact,
// case-sensitive. A status without a documented code passes.
func CheckErrorCode(status int, body []byte) []Violation {
	want, ok := wire.ErrorCodeForStatus[status]
	if !ok {
		return nil
	}
	return checkCode(body, want, fmt.Sprintf("status %d %s documents error.code %q", status, http.StatusText(status), want))
}

// CheckErrorCodeIs checks that error.code is exactly want (ERR-06).
func CheckErrorCodeIs(body []byte, want string) []Violation {
	return checkCode(body, want, fmt.Sprintf("expected error.code %q", want))
}

func checkCode(body []byte, want, expectation string) []Violation {
	fail := func(pointer, format string, args ...any) []Violation {
		return []Violation{{Assertion: errCodeID, Pointer: pointer, Message: expectation + ", but " + fmt.Sprintf(format, args...)}}
	}
	obj, problem := decodeObject(body)
	if problem != "" {
		return fail("", "%s (see ERR-05)", problem)
	}
	errObj, _ := obj["error"].(map[string]any)
	code, isString := errObj["code"].(string)
	switch {
	case errObj == nil:
		if legacy, ok := obj[legacyKey].(map[string]any); ok {
			if lc, ok := legacy["Code"]; ok {
				return fail("/error/code", "there is no error.code: the body has the legacy shape, whose %s.Code is %s", legacyKey, show(lc))
			}
		}
		return fail("/error", "the body has no error object (see ERR-05)")
	case !isString:
		return fail("/error/code", "error.code is %s (see ERR-05)", kindAndValue(errObj["code"]))
	case code == want:
		return nil
	case strings.EqualFold(code, want):
		return fail("/error/code", "it is %q: codes are case-sensitive", code)
	}
	return fail("/error/code", "it is %q", code)
}

// decodeObject decodes body as one JSON object, or says in words why it is
// not one.
func decodeObject(body []byte) (map[string]any, string) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, "the body is empty"
	}
	v, problem := decodeBody(body)
	if problem != "" {
		return nil, problem
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("the body is a JSON %s, not an object", jsonKind(v))
	}
	return obj, ""
}

// foldedKey returns a key of obj equal to name under case folding but not
// equal to it, or "".
func foldedKey(obj map[string]any, name string) string {
	for k := range obj {
		if k != name && strings.EqualFold(k, name) {
			return k
		}
	}
	return ""
}

// memberList renders the member names of obj for a message.
func memberList(obj map[string]any) string {
	if len(obj) == 0 {
		return "no members ({})"
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, fmt.Sprintf("%q", k))
	}
	sort.Strings(keys)
	word := "members"
	if len(keys) == 1 {
		word = "member"
	}
	return fmt.Sprintf("only the %s %s", word, strings.Join(keys, ", "))
}

// decodeJSON decodes one JSON value, numbers kept as json.Number so that
// huge literals do not fail or lose digits.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
