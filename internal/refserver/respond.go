package refserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chatconform/chatconform/internal/wire"
)

// apiError is a failure a handler returns; the adapter turns it into the
// documented error envelope.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.status, e.message) }

// errorf builds an apiError with a formatted, human-readable message.
func errorf(status int, format string, args ...any) error {
	return &apiError{status: status, message: fmt.Sprintf(format, args...)}
}

// errorCode is the documented error.code for a status; statuses the
// documentation does not name get their status text without spaces.
func errorCode(status int) string {
	if c, ok := wire.ErrorCodes[status]; ok {
		return c
	}
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

// encode renders v compactly without HTML escaping (the service does not
// escape <, > and &, and messages read better unescaped).
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded here, so this is a programming error.
		panic(fmt.Sprintf("refserver: encoding response: %v", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeJSON writes a success body with the live service's content type and
// an exact Content-Length.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body := encode(v)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes the documented CommunicationErrorResponse envelope.
// Errors use "application/json" without charset, as the live service does.
func writeError(w http.ResponseWriter, status int, code, message string) {
	body := encode(wire.ErrorResponse{Error: wire.Error{Code: code, Message: message}})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Location")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// fail writes err as an envelope: apiErrors keep their status, anything
// else is an internal error (which the suite reports as a server bug).
func fail(w http.ResponseWriter, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		writeError(w, ae.status, errorCode(ae.status), ae.message)
		return
	}
	writeError(w, http.StatusInternalServerError, errorCode(http.StatusInternalServerError), "internal error: "+err.Error())
}

// readBody reads the whole request body, enforcing the size limit.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, errorf(http.StatusRequestEntityTooLarge, "the request body exceeds the limit of %d bytes", tooBig.Limit)
	case err != nil:
		return nil, errorf(http.StatusBadRequest, "reading the request body: %v", err)
	}
	return body, nil
}

// decodeJSON strictly decodes one JSON value from body into v: invalid
// UTF-8, trailing data, wrong types and excessive nesting are all 400s.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errorf(http.StatusBadRequest, "the request body is empty; a JSON object is required")
	}
	// encoding/json silently replaces invalid UTF-8; the service rejects it.
	if !utf8.Valid(body) {
		return errorf(http.StatusBadRequest, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "the request body is not valid JSON for this operation: %s", describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(http.StatusBadRequest, "the request body has data after the JSON value")
	}
	return nil
}

// describeJSONError names the offending field for type errors, which is
// what a human fixing the request needs.
func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("field %q must be %s, got JSON %s", te.Field, jsonTypeName(te.Type.Kind().String()), te.Value)
		}
		return fmt.Sprintf("the body must be %s, got JSON %s", jsonTypeName(te.Type.Kind().String()), te.Value)
	}
	return err.Error()
}

func jsonTypeName(kind string) string {
	switch kind {
	case "struct", "map", "ptr":
		return "an object"
	case "slice", "array":
		return "an array"
	case "string":
		return "a string"
	case "int", "int32", "int64":
		return "an integer"
	case "bool":
		return "a boolean"
	}
	return "a " + kind
}
