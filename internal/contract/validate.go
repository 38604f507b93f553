package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/chatconform/chatconform/internal/openapi"
)

// dateTimeFormat enforces RFC 3339 §5.6 with CheckRFC3339's rules. It is
// passed per validation rather than registered globally, so importing this
// package changes nothing for other kin-openapi users in the process, and it
// is stricter than kin-openapi's default regexp (which accepts 2021-02-30).
var dateTimeFormat = openapi3.NewCallbackValidator(func(s string) error {
	if p := rfc3339Problem(s); p != "" {
		return errors.New(p)
	}
	return nil
})

// schemaOptions are the schema validation options for a document: every
// error rather than the first, formats enforced. OpenAPI 3.0 messages leave
// out schema dumps; OpenAPI 3.1 documents go through kin-openapi's JSON
// Schema 2020-12 validator, as openapi3filter does for them.
func schemaOptions(openapi31 bool) []openapi3.SchemaValidationOption {
	opts := []openapi3.SchemaValidationOption{
		openapi3.MultiErrors(),
		openapi3.EnableFormatValidation(),
		openapi3.WithStringFormatValidator("date-time", dateTimeFormat),
	}
	if openapi31 {
		return append(opts, openapi3.EnableJSONSchema2020())
	}
	return append(opts, openapi3.DisableSchemaErrorDetails())
}

var (
	opts30 = schemaOptions(false)
	opts31 = schemaOptions(true)
	// The response variants also apply readOnly/writeOnly as for a
	// response, as openapi3filter does. Clipped so that append copies and
	// concurrent validations never share a backing array.
	respOpts30 = append(slices.Clip(opts30), openapi3.VisitAsResponse())
	respOpts31 = append(slices.Clip(opts31), openapi3.VisitAsResponse())
)

func optionsFor(doc *openapi3.T) []openapi3.SchemaValidationOption {
	if doc.IsOpenAPI31OrLater() {
		return opts31
	}
	return opts30
}

func responseOptionsFor(doc *openapi3.T) []openapi3.SchemaValidationOption {
	if doc.IsOpenAPI31OrLater() {
		return respOpts31
	}
	return respOpts30
}

// ValidateResponse judges one response against the operation that spec
// documents for method and path: the status must be documented (a 4xx or
// 5xx may fall to the default response), the Content-Type documented, the
// body valid UTF-8 JSON matching the documented schema with formats
// (date-time) enforced, documented headers well-formed. The route is found
// from method and path alone (Spec.FindRoute ignores servers and host).
// Every violation carries its JSON pointer; the assertion ID is ADD-02 for
// the add 201, LIST-01 for the list 200, ERR-05 for 4xx/5xx, TIME-01 for a
// bad shareHistoryTime, else "". nil means the response conforms.
func ValidateResponse(spec *openapi.Spec, method, path string, status int, header http.Header, body []byte) []Violation {
	route, params, err := spec.FindRoute(method, path)
	if err != nil {
		return []Violation{{Message: err.Error()}}
	}
	id := assertionForResponse(route.Operation.OperationID, status)
	fail := func(pointer, format string, args ...any) []Violation {
		return []Violation{{Assertion: id, Pointer: pointer, Message: fmt.Sprintf(format, args...)}}
	}
	what := fmt.Sprintf("%s %s (%s)", route.Method, route.Path, route.Operation.OperationID)

	responseRef := route.Operation.Responses.Status(status)
	if responseRef == nil && status >= 400 {
		// default describes errors; a success status it would catch is
		// reported as undocumented rather than as a body lacking "error".
		responseRef = route.Operation.Responses.Default()
	}
	if responseRef == nil || responseRef.Value == nil {
		return fail("", "status %d %s is not documented for %s; documented: %s",
			status, http.StatusText(status), what, strings.Join(openapi.DocumentedStatuses(route.Operation), ", "))
	}
	response := responseRef.Value

	// Checked here rather than left to kin-openapi, whose messages for these
	// cases do not say what was expected.
	var (
		media   *openapi3.MediaType
		value   any
		decoded bool // the body is JSON, judged here rather than by openapi3filter
	)
	if len(response.Content) > 0 {
		documented := strings.Join(openapi.MediaTypes(response), ", ")
		ct := header.Get("Content-Type")
		switch {
		case ct == "":
			return fail("", "the Content-Type header is missing; status %d of %s documents %s", status, what, documented)
		case response.Content.Get(ct) == nil:
			return fail("", "the Content-Type %q is not documented for status %d of %s; documented: %s", ct, status, what, documented)
		}
		media = response.Content.Get(ct)
		if openapi.IsJSONMediaType(ct) {
			if len(bytes.TrimSpace(body)) == 0 {
				return fail("", "the body is empty, but status %d of %s documents a body of schema %s", status, what, schemaName(media.Schema))
			}
			var problem string
			if value, problem = decodeBody(body); problem != "" {
				return fail("", "%s", problem)
			}
			decoded = true
		}
	}

	// Status and headers go through openapi3filter. A JSON body was decoded
	// above and is validated below with the same schema options, so that it
	// is parsed once, by the faster decoder.
	u, err := url.Parse(path)
	if err != nil {
		u = &url.URL{Path: path}
	}
	req := &http.Request{Method: route.Method, URL: u, Header: http.Header{}, Body: http.NoBody}
	opts := &openapi3filter.Options{
		IncludeResponseStatus:   true,
		MultiError:              true,
		ExcludeResponseBody:     decoded,
		SchemaValidationOptions: optionsFor(spec.Document()),
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
			Options:    opts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: opts,
	}
	var vs []Violation
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		vs = responseViolations(id, route, err)
	}
	if decoded && media.Schema != nil && media.Schema.Value != nil {
		if err := media.Schema.Value.VisitJSON(value, responseOptionsFor(spec.Document())...); err != nil {
			vs = append(vs, schemaViolations(id, err)...)
		}
	}
	if vs == nil {
		return nil
	}
	sortViolations(vs)
	return nameLegacyShape(vs, body)
}

// nameLegacyShape replaces "/error: required, but missing" by the diagnosis
// of the legacy {"CommunicationError":…} shape when that is what the body
// holds, so the failure says what the server actually sent.
func nameLegacyShape(vs []Violation, body []byte) []Violation {
	for i, v := range vs {
		if v.Pointer != "/error" || v.Message != msgRequired {
			continue
		}
		if obj, problem := decodeObject(body); problem == "" {
			if legacy, ok := obj[legacyKey]; ok {
				vs[i].Message = legacyDiagnosis(legacy)
			}
		}
	}
	return vs
}

// assertionForResponse maps an operation and status to the catalogue ID a
// schema violation there is evidence against.
func assertionForResponse(operationID string, status int) string {
	switch {
	case status >= 400:
		return errEnvelopeID
	case operationID == openapi.OpAddParticipants && status == http.StatusCreated:
		return "ADD-02"
	case operationID == openapi.OpListParticipants && status == http.StatusOK:
		return "LIST-01"
	}
	return ""
}

// assertionForSchema maps a schema name to the catalogue ID a violation of
// it is evidence against.
func assertionForSchema(name string) string {
	switch name {
	case "AddChatParticipantsResult":
		return "ADD-02"
	case "ChatParticipantsCollection":
		return "LIST-01"
	case "CommunicationErrorResponse":
		return errEnvelopeID
	}
	return ""
}

func responseViolations(id string, route *routers.Route, err error) []Violation {
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) && re.Err != nil && !strings.HasPrefix(re.Reason, "response header ") {
		var se *openapi3.SchemaError
		var me openapi3.MultiError
		if errors.As(re.Err, &se) || errors.As(re.Err, &me) {
			return schemaViolations(id, re.Err)
		}
	}
	// Header findings and anything else: kin-openapi's own words, which name
	// the header, plus the operation.
	msg := strings.TrimPrefix(err.Error(), "response ")
	return []Violation{{Assertion: id, Message: fmt.Sprintf("%s (%s %s)", msg, route.Method, route.Path)}}
}

// ValidateSchema judges a JSON body against the named schema of spec, with
// every error reported and formats (date-time) enforced. The assertion ID is
// ADD-02 for AddChatParticipantsResult, LIST-01 for
// ChatParticipantsCollection, ERR-05 for CommunicationErrorResponse,
// TIME-01 for a bad shareHistoryTime, else "".
func ValidateSchema(spec *openapi.Spec, schemaName string, body []byte) []Violation {
	id := assertionForSchema(schemaName)
	ref, err := spec.Schema(schemaName)
	if err != nil {
		return []Violation{{Assertion: id, Message: err.Error()}}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return []Violation{{Assertion: id, Message: fmt.Sprintf("the body is empty; a %s is a JSON value", schemaName)}}
	}
	value, problem := decodeBody(body)
	if problem != "" {
		return []Violation{{Assertion: id, Message: problem}}
	}
	if err := ref.Value.VisitJSON(value, optionsFor(spec.Document())...); err != nil {
		return nameLegacyShape(schemaViolations(id, err), body)
	}
	return nil
}

// schemaViolations flattens kin-openapi schema errors into violations with
// pointers and messages rebuilt from their parts.
func schemaViolations(id string, err error) []Violation {
	var vs []Violation
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, sub := range e {
				walk(sub)
			}
		case *openapi3.SchemaError:
			pointer := Pointer(e.JSONPointer()...)
			a := id
			if e.SchemaField == "format" && strings.HasSuffix(pointer, "/shareHistoryTime") {
				a = "TIME-01"
			}
			vs = append(vs, Violation{Assertion: a, Pointer: pointer, Message: schemaErrorMessage(e)})
		default:
			if err != nil {
				vs = append(vs, Violation{Assertion: id, Message: err.Error()})
			}
		}
	}
	walk(err)
	sortViolations(vs)
	return vs
}

const msgRequired = "required, but missing"

// schemaErrorMessage says what a SchemaError means, with the value seen.
func schemaErrorMessage(e *openapi3.SchemaError) string {
	s := e.Schema
	switch e.SchemaField {
	case "required":
		return msgRequired
	case "type", "nullable":
		if s != nil && s.Type != nil && len(*s.Type) > 0 {
			return fmt.Sprintf("must be %s, but is %s", typeWords(*s.Type), kindAndValue(e.Value))
		}
	case "format":
		if s != nil && s.Format == "date-time" {
			// The origin wraps the reason rfc3339Problem gave.
			reason := e.Reason
			if inner := errors.Unwrap(e.Origin); inner != nil {
				reason = inner.Error()
			}
			return fmt.Sprintf("%s is not an RFC 3339 date-time (format date-time): %s", show(e.Value), reason)
		}
		if s != nil {
			return fmt.Sprintf("%s does not match the format %q: %s", show(e.Value), s.Format, e.Reason)
		}
	case "enum":
		if s != nil {
			enum, _ := json.Marshal(s.Enum) // the spec's list: shown whole
			return fmt.Sprintf("must be one of %s, but is %s", enum, show(e.Value))
		}
	case "additionalProperties":
		return e.Reason + " (the schema allows no other members here)"
	}
	if e.Value != nil && e.SchemaField != "required" {
		return fmt.Sprintf("%s (value: %s)", e.Reason, show(e.Value))
	}
	return e.Reason
}

// typeWords says "a string", "an array" or "one of string, null".
func typeWords(t openapi3.Types) string {
	if len(t) == 1 {
		switch t[0] {
		case "array", "object", "integer":
			return "an " + t[0]
		}
		return "a " + t[0]
	}
	return "one of " + strings.Join(t, ", ")
}

func schemaName(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return "JSON"
	}
	if i := strings.LastIndex(ref.Ref, "/"); i >= 0 {
		return ref.Ref[i+1:]
	}
	if ref.Ref != "" {
		return ref.Ref
	}
	return "JSON"
}

// checkJSONText returns "" when body is one valid UTF-8 JSON value, else
// what is wrong, with the position (bytes counted from 1).
func checkJSONText(body []byte) string {
	if !utf8.Valid(body) {
		off := 0
		for off < len(body) {
			r, size := utf8.DecodeRune(body[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return fmt.Sprintf("the body is not valid UTF-8: byte %d is 0x%02x; JSON text must be UTF-8 (RFC 8259 §8.1)", off+1, body[off])
	}
	var raw json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the bytes read, so it is the 1-based position.
			return fmt.Sprintf("the body is not JSON: %s (byte %d): %s", se.Error(), se.Offset, bodyExcerpt(body))
		}
		return fmt.Sprintf("the body is not JSON: %s: %s", err, bodyExcerpt(body))
	}
	return ""
}

// decodeBody decodes one JSON value, or says in words why body is not
// one. It uses the JSON v2 decoder (several times faster than
// encoding/json into any, and strict: invalid UTF-8 and repeated member
// names are errors); what only v2 refuses, such as a number beyond float64,
// is decoded again by encoding/json with json.Number.
func decodeBody(body []byte) (any, string) {
	var v any
	err := jsonv2.Unmarshal(body, &v)
	if err == nil {
		return v, ""
	}
	if p := checkJSONText(body); p != "" {
		return nil, p
	}
	var se *jsontext.SyntacticError
	if errors.Is(err, jsontext.ErrDuplicateName) && errors.As(err, &se) {
		return nil, fmt.Sprintf("the body repeats the member %q in the object at %q; member names must be unique, or clients disagree on the value (RFC 8259 §4)",
			se.JSONPointer.LastToken(), string(se.JSONPointer.Parent()))
	}
	v1, err1 := decodeJSON(body)
	if err1 != nil {
		return nil, "the body is not JSON: " + err.Error()
	}
	return v1, ""
}
