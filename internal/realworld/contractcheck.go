// Package realworld holds the tests that hold the suite against the real
// world rather than against itself: the live service's recorded traffic
// (../shared/reference/recordings), the published OpenAPI documents and
// their official examples, and the official JavaScript SDKs.
//
// The only non-test code is ContractCheck, a recording middleware built from
// kin-openapi's openapi3filter that judges every exchange against a
// published document without changing a byte of it.
package realworld

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Sides of an exchange a rejection is about.
const (
	SideRoute    = "route"    // the document has no operation for the request
	SideRequest  = "request"  // the request breaks the document
	SideResponse = "response" // the response breaks the document
)

// maxCheckedBody bounds the bytes buffered per body. The suite's largest
// request (the negative corpus' oversized bodies) and the largest page are
// far below it; a body beyond it is still served whole, only judged cut.
const maxCheckedBody = 8 << 20

// Rejection is one exchange kin-openapi refused.
type Rejection struct {
	Side      string
	Method    string
	Path      string // the escaped path, without the query
	Query     string
	Operation string // operationId, "" when no route was found
	Status    int    // what the server answered
	Err       string // kin-openapi's error, verbatim
	// RequestBody and ResponseBody are the bodies as exchanged (bounded by
	// maxCheckedBody), so a caller can look closer at what was rejected.
	RequestBody  []byte
	ResponseBody []byte
}

func (r Rejection) String() string {
	op := r.Operation
	if op == "" {
		op = "no operation"
	}
	q := ""
	if r.Query != "" {
		q = "?" + r.Query
	}
	s := fmt.Sprintf("%s %s%s (%s) → %d: %s rejected: %s", r.Method, r.Path, q, op, r.Status, r.Side, oneLine(r.Err))
	if r.Side == SideRequest && len(r.RequestBody) > 0 {
		s += "; request body: " + excerpt(r.RequestBody)
	}
	return s
}

// maxShownBody bounds the request body quoted in a rejection.
const maxShownBody = 200

func excerpt(b []byte) string {
	if len(b) <= maxShownBody {
		return strconv.Quote(string(b))
	}
	return strconv.Quote(string(b[:maxShownBody])) + "…"
}

// oneLine folds kin-openapi's multi-line errors (schema dumps are disabled,
// but MultiError joins with " | " and some reasons carry newlines).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// ContractCheck is a middleware that validates every exchange of the
// operations a document describes with openapi3filter (request: security,
// parameters, body; response: status, headers, Content-Type, body) and
// RECORDS what it rejects. It never changes the exchange: the request
// reaches the wrapped handler as sent and the response reaches the client
// as written, so the suite behind it sees exactly the unwrapped server.
//
// Requests are judged after the response is known (the body is buffered):
//
//   - a response is always judged;
//   - a request the server answered 2xx is judged, and a rejection is a
//     finding: the server accepted what the document forbids;
//   - a request the server answered 4xx/5xx is judged too, but its rejection
//     is not a finding: the suite's negative checks (bad api-version,
//     malformed bodies, missing auth, bad paging parameters) break the
//     request contract on purpose, and the server refused them as it must.
//     Such rejections are kept in Refused, so a caller can prove the request
//     validator is not vacuous.
//
// Paths under Passthrough (e.g. "/identities") belong to another document
// and are served unvalidated; any other path the document does not describe
// is a route rejection.
type ContractCheck struct {
	router      routers.Router
	options     openapi3filter.Options
	passthrough []string

	mu         sync.Mutex
	findings   []Rejection
	refused    []Rejection
	validated  int
	passed     int
	operations map[string]int
}

// NewContractCheck builds the check for doc, which must be a validated
// OpenAPI 3 document (e.g. openapi.Spec.Doc, a published Swagger 2.0
// document converted with openapi2conv). Paths starting with one of
// passthrough are not validated.
//
// Routing is by method and path only: the document's servers are dropped
// (the published one has none, the embedded ones name the template
// {endpoint}), because the server under test listens wherever it likes.
func NewContractCheck(doc *openapi3.T, passthrough ...string) (*ContractCheck, error) {
	anyHost := *doc
	anyHost.Servers = nil
	router, err := gorillamux.NewRouter(&anyHost)
	if err != nil {
		return nil, fmt.Errorf("building the kin-openapi router: %w", err)
	}
	return &ContractCheck{
		operations:  map[string]int{},
		router:      router,
		passthrough: passthrough,
		options: openapi3filter.Options{
			// Strict: an undocumented status is an error, every error is
			// reported, a body on an operation without one is refused, and
			// formats (date-time) are enforced.
			IncludeResponseStatus:             true,
			MultiError:                        true,
			RejectWhenRequestBodyNotSpecified: true,
			SkipSettingDefaults:               true,
			AuthenticationFunc:                requireAPIKey,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{
				openapi3.EnableFormatValidation(),
				openapi3.DisableSchemaErrorDetails(),
			},
		},
	}, nil
}

// requireAPIKey checks what an apiKey scheme documents: the named header
// (query, cookie) is present and not empty. The token's validity is the
// server's business, not the document's.
func requireAPIKey(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "apiKey" {
		return fmt.Errorf("security scheme %q of type %q is not supported by this check", in.SecuritySchemeName, schemeType(s))
	}
	r := in.RequestValidationInput.Request
	var v string
	switch s.In {
	case "header":
		v = r.Header.Get(s.Name)
	case "query":
		v = r.URL.Query().Get(s.Name)
	case "cookie":
		if c, err := r.Cookie(s.Name); err == nil {
			v = c.Value
		}
	}
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("security scheme %q: the %s %q is missing or empty", in.SecuritySchemeName, s.In, s.Name)
	}
	return nil
}

func schemeType(s *openapi3.SecurityScheme) string {
	if s == nil {
		return ""
	}
	return s.Type
}

// Findings returns the rejections that are findings: every response
// rejection, every route rejection, and request rejections of exchanges the
// server answered 2xx. Sorted for stable output.
func (c *ContractCheck) Findings() []Rejection {
	c.mu.Lock()
	defer c.mu.Unlock()
	return sorted(c.findings)
}

// Refused returns the request rejections of exchanges the server answered
// with an error status: the negative checks, refused as they must be.
func (c *ContractCheck) Refused() []Rejection {
	c.mu.Lock()
	defer c.mu.Unlock()
	return sorted(c.refused)
}

// Counts returns how many exchanges were validated and how many passed
// through unvalidated.
func (c *ContractCheck) Counts() (validated, passedThrough int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.validated, c.passed
}

// Operations returns how many exchanges were validated per operationId.
func (c *ContractCheck) Operations() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.operations)
}

func sorted(in []Rejection) []Rejection {
	out := append([]Rejection(nil), in...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Wrap returns the middleware around next.
func (c *ContractCheck) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range c.passthrough {
			if strings.HasPrefix(r.URL.Path, p) {
				c.mu.Lock()
				c.passed++
				c.mu.Unlock()
				next.ServeHTTP(w, r)
				return
			}
		}

		// Buffer the request body so the handler and the validator each
		// read it whole; the handler gets the very same bytes.
		var reqBody []byte
		bodyJudged := true
		if r.Body != nil && r.Body != http.NoBody {
			orig := r.Body
			b, err := io.ReadAll(io.LimitReader(orig, maxCheckedBody+1))
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(b), orig), orig}
			reqBody = b
			// A body cut by the bound or by a read error would be judged
			// as something the client never sent.
			bodyJudged = err == nil && len(b) <= maxCheckedBody
		}
		judged := cloneRequest(r, reqBody)

		tee := &teeWriter{ResponseWriter: w}
		next.ServeHTTP(tee, r)
		status, header := tee.status, tee.header
		if status == 0 { // the handler wrote nothing at all
			status, header = http.StatusOK, w.Header().Clone()
		}
		c.judge(judged, reqBody, bodyJudged, status, header, tee.body.Bytes())
	})
}

// cloneRequest is a copy of r for the validator, with its own body and
// header, so that validation cannot disturb what the handler sees.
func cloneRequest(r *http.Request, body []byte) *http.Request {
	cp := r.Clone(context.Background())
	if body == nil {
		cp.Body = http.NoBody
		cp.ContentLength = 0
		cp.GetBody = nil
		return cp
	}
	cp.Body = io.NopCloser(bytes.NewReader(body))
	cp.ContentLength = int64(len(body))
	cp.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return cp
}

func (c *ContractCheck) judge(r *http.Request, reqBody []byte, bodyJudged bool, status int, header http.Header, body []byte) {
	base := Rejection{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Status: status,
		RequestBody: reqBody, ResponseBody: body}
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		rj := base
		rj.Side, rj.Err = SideRoute, err.Error()
		c.record(rj, true)
		return
	}
	base.Operation = route.Operation.OperationID
	opts := c.options // a copy per exchange: the filter may keep state in it
	opts.ExcludeRequestBody = !bodyJudged
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: &opts}

	ctx := context.Background()
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	// ValidateRequest consumed the body; the response validator gets a
	// fresh copy of the request.
	in.Request = cloneRequest(r, reqBody)
	respErr := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &opts,
	})

	c.mu.Lock()
	c.validated++
	c.operations[base.Operation]++
	c.mu.Unlock()
	if reqErr != nil {
		rj := base
		rj.Side, rj.Err = SideRequest, describe(reqErr)
		c.record(rj, status >= 200 && status < 300)
	}
	if respErr != nil {
		rj := base
		rj.Side, rj.Err = SideResponse, describe(respErr)
		c.record(rj, true)
	}
}

// describe renders a kin-openapi error; a MultiError is listed whole.
func describe(err error) string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		parts := make([]string, 0, len(me))
		for _, e := range me {
			parts = append(parts, describe(e))
		}
		return strings.Join(parts, " | ")
	}
	return err.Error()
}

func (c *ContractCheck) record(r Rejection, finding bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if finding {
		c.findings = append(c.findings, r)
	} else {
		c.refused = append(c.refused, r)
	}
}

// teeWriter passes everything through to the client and keeps a copy of
// the status, the headers as sent and (a bounded prefix of) the body.
type teeWriter struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
}

func (t *teeWriter) WriteHeader(status int) {
	if t.status == 0 {
		t.status = status
		t.header = t.ResponseWriter.Header().Clone()
	}
	t.ResponseWriter.WriteHeader(status)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	if room := maxCheckedBody - t.body.Len(); room > 0 {
		t.body.Write(b[:min(len(b), room)])
	}
	return t.ResponseWriter.Write(b)
}

// Flush keeps chunked responses chunked.
func (t *teeWriter) Flush() {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
