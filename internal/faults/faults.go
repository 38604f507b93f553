// Package faults is the fault catalogue: named defects a server implementer
// would plausibly ship, each an http.Handler middleware wrapped around the
// (clean) reference server, each declaring the assertions it must trip. The
// fault matrix (matrix_test.go) runs the suite against every one of them and
// proves that every check can fail.
package faults

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/chatconform/chatconform/internal/outcome"
)

// Fault is one named defect.
type Fault struct {
	Name string
	// Mistake says, as an implementer would, what the server gets wrong.
	Mistake string
	// Trips are the assertion IDs whose specs must fail (or, for findings of
	// SHOULD tier, warn) against this fault.
	Trips []string
	// Collateral are IDs that may also fail: checks that need the broken
	// behaviour as a step (e.g. every paging walk when nextLink is broken).
	Collateral []string
	// Expect is the outcome the Trips must have; "" means failed for a MUST
	// assertion and warned for a SHOULD one. A fault aimed at the SHOULD
	// half of a MUST clause expects outcome.Warned; a hang, which the suite
	// must treat as harness trouble (a timeout), expects outcome.Error.
	Expect outcome.Outcome
	// APIVersion runs the suite with this api-version (META faults).
	APIVersion string
	// Env adds variables to the suite's environment.
	Env map[string]string
	// Wrap builds the middleware around the reference server.
	Wrap func(deps Deps, next http.Handler) http.Handler

	// Conformant marks a conformant variation (variations.go), not a
	// defect: the server varies where the contract permits it, and the
	// suite must pass. Trips and Collateral are empty; Mistake says what
	// the server does differently, Permits why the contract allows it.
	Conformant bool
	Permits    string
	// Warns are the SHOULD assertions a conformant variation departs from:
	// they warn in the standard profile and fail under CHAT_STRICT=1.
	Warns []string
}

// Deps is what some faults need from the matrix.
type Deps struct {
	// Foreign is the base URL of a second server, standing for a host the
	// user did not trust; it records any request it gets.
	Foreign *url.URL
}

// Catalogue lists every fault, sorted by name.
func Catalogue() []Fault {
	all := append(append(append(append(addFaults(), listFaults()...), pagingFaults()...), timeFaults()...), errorFaults()...)
	all = append(append(append(all, metadataFaults()...), hostileFaults()...), hostileBytesFaults()...)
	all = append(append(all, removeFaults()...), missedFaults()...)
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return withObserved(all)
}

// --- request classification -------------------------------------------

func isAdd(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/participants/:add")
}

func isList(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/participants")
}

func isRemove(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/participants/:remove")
}

func isCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/chat/threads"
}

func isChat(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/chat/") }

// threadOf is the thread id in a chat path.
func threadOf(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.URL.Path, "/chat/threads/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

func paged(r *http.Request) bool { return r.URL.Query().Get("maxPageSize") != "" }

// --- response capture and rewrite ------------------------------------------

// captured is a response the reference server wrote, held for editing.
type captured struct {
	status int
	header http.Header
	body   []byte
}

func capture(next http.Handler, r *http.Request) *captured {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return &captured{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (c *captured) write(w http.ResponseWriter) {
	for k, vs := range c.header {
		if strings.EqualFold(k, "Content-Length") {
			continue
		}
		w.Header()[k] = vs
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body)
}

// object decodes the body as a JSON object (nil when it is not one).
func (c *captured) object() map[string]any {
	var m map[string]any
	if json.Unmarshal(c.body, &m) != nil {
		return nil
	}
	return m
}

func (c *captured) setObject(m map[string]any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	c.body = bytes.TrimRight(buf.Bytes(), "\n")
}

// rewrite edits the responses to matching requests.
func rewrite(match func(*http.Request) bool, edit func(r *http.Request, c *captured)) func(Deps, http.Handler) http.Handler {
	return func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) {
				next.ServeHTTP(w, r)
				return
			}
			readBody(r) // kept, so edit can still read what next consumed
			c := capture(next, r)
			edit(r, c)
			c.write(w)
		})
	}
}

// participants applies f to every participant object of a listing page.
func participants(c *captured, f func(p map[string]any)) {
	m := c.object()
	if m == nil {
		return
	}
	vs, _ := m["value"].([]any)
	for _, v := range vs {
		if p, ok := v.(map[string]any); ok {
			f(p)
		}
	}
	c.setObject(m)
}

// identifier is a participant's communicationIdentifier object.
func identifier(p map[string]any) map[string]any {
	id, _ := p["communicationIdentifier"].(map[string]any)
	if id == nil {
		id = map[string]any{}
	}
	return id
}

func rawID(p map[string]any) string {
	s, _ := identifier(p)["rawId"].(string)
	return s
}

// readBody returns a request's body and leaves a fresh reader in its place,
// so next can read it again; once read, the bytes stay with the request, so
// a fault can read them after next has consumed the body.
func readBody(r *http.Request) []byte {
	if rc, ok := r.Body.(readCloser); ok {
		return rc.b
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(r.Body)
	r.Body.Close()
	b := buf.Bytes()
	r.Body = readCloser{bytes.NewReader(b), b}
	r.ContentLength = int64(len(b))
	return b
}

func setBody(r *http.Request, b []byte) {
	r.Body = readCloser{bytes.NewReader(b), b}
	r.ContentLength = int64(len(b))
	r.Header.Set("Content-Length", "")
	r.Header.Del("Content-Length")
}

type readCloser struct {
	*bytes.Reader
	b []byte
}

func (readCloser) Close() error { return nil }

// addRequest decodes an add body leniently (nil when it is not one).
func addRequest(b []byte) []map[string]any {
	var req struct {
		Participants []map[string]any `json:"participants"`
	}
	if json.Unmarshal(b, &req) != nil {
		return nil
	}
	return req.Participants
}

// memory is per-thread state a stateful fault keeps.
type memory struct {
	mu sync.Mutex
	m  map[string]map[string]string // thread → raw id → value
}

func newMemory() *memory { return &memory{m: map[string]map[string]string{}} }

func (m *memory) set(thread, id, v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m[thread] == nil {
		m.m[thread] = map[string]string{}
	}
	m.m[thread][id] = v
}

func (m *memory) get(thread, id string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[thread][id]
	return v, ok
}

// errorBody writes an error response with any body.
func errorBody(w http.ResponseWriter, status int, contentType, body string) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// envelope is the documented error body.
func envelope(code, message string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": message}})
	return string(b)
}

// subrequest is a request of the fault's own to the reference server, with
// the headers (Authorization above all) of the request that caused it.
func subrequest(r *http.Request, method, target string, body []byte) *http.Request {
	sub := httptest.NewRequest(method, target, strings.NewReader(string(body)))
	sub.Host, sub.TLS = r.Host, r.TLS
	sub.Header = r.Header.Clone()
	sub.Header.Del("Content-Length")
	if body != nil {
		sub.Header.Set("Content-Type", "application/json")
	}
	return sub
}

// intercept answers matching requests itself; the reference server never
// sees them.
func intercept(match func(*http.Request) bool, answer func(w http.ResponseWriter, r *http.Request)) func(Deps, http.Handler) http.Handler {
	return func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if match(r) {
				answer(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// before edits every request on its way to the reference server.
func before(edit func(r *http.Request)) func(Deps, http.Handler) http.Handler {
	return func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			edit(r)
			next.ServeHTTP(w, r)
		})
	}
}

// crash answers like an unhandled exception behind a framework: 500 with
// the envelope and the exception's text.
func crash(message string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		errorBody(w, http.StatusInternalServerError, "application/json", envelope("InternalServerError", message))
	}
}

// created answers an add with 201 and an empty result, as if it succeeded.
func created(w http.ResponseWriter, _ *http.Request) {
	errorBody(w, http.StatusCreated, "application/json; charset=utf-8", "{}")
}
