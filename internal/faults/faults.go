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
	all = append(append(append(all, concurrencyFaults()...), versionFaults()...), statefulFaults()...)
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return withSupportedVersions(withObserved(all))
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

// onStatus edits the responses of one status to matching requests.
func onStatus(match func(*http.Request) bool, status int, edit func(c *captured)) func(Deps, http.Handler) http.Handler {
	return rewrite(match, func(_ *http.Request, c *captured) {
		if c.status == status {
			edit(c)
		}
	})
}

// answered is an edit that replaces the status and the body.
func answered(status int, body string) func(c *captured) {
	return func(c *captured) { c.status, c.body = status, []byte(body) }
}

// chain stacks middlewares into one; the first sees a request first.
func chain(wraps ...func(Deps, http.Handler) http.Handler) func(Deps, http.Handler) http.Handler {
	return func(d Deps, next http.Handler) http.Handler {
		for i := len(wraps) - 1; i >= 0; i-- {
			next = wraps[i](d, next)
		}
		return next
	}
}

// objects applies f to every JSON object among vs.
func objects(vs []any, f func(p map[string]any)) {
	for _, v := range vs {
		if p, ok := v.(map[string]any); ok {
			f(p)
		}
	}
}

// participants applies f to every participant object of a listing page.
func participants(c *captured, f func(p map[string]any)) {
	m := c.object()
	if m == nil {
		return
	}
	vs, _ := m["value"].([]any)
	objects(vs, f)
	c.setObject(m)
}

// editListed edits every participant of the listings.
func editListed(edit func(p map[string]any)) func(Deps, http.Handler) http.Handler {
	return rewrite(isList, func(_ *http.Request, c *captured) { participants(c, edit) })
}

// editAdd decodes the body of an add request and lets edit change it (ps
// is its participants array, nil when it has none); when edit says it did,
// the request goes on with the body encoded again.
func editAdd(r *http.Request, edit func(req map[string]any, ps []any) bool) {
	var req map[string]any
	if !isAdd(r) || json.Unmarshal(readBody(r), &req) != nil {
		return
	}
	ps, _ := req["participants"].([]any)
	if edit(req, ps) {
		b, _ := json.Marshal(req)
		setBody(r, b)
	}
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

// threadCreators remembers, from the answers to thread creations, each
// thread's creator: its raw id, and the Authorization header it created the
// thread with, so that a fault can single the creator out or act as it.
type threadCreators struct {
	mu          sync.Mutex
	rawID, auth map[string]string // thread → creator's raw id, Authorization
	// track is the middleware that records every creation it passes on.
	track func(Deps, http.Handler) http.Handler
}

func newThreadCreators() *threadCreators {
	t := &threadCreators{rawID: map[string]string{}, auth: map[string]string{}}
	t.track = rewrite(isCreate, func(r *http.Request, c *captured) {
		var res struct {
			ChatThread struct {
				ID        string `json:"id"`
				CreatedBy struct {
					RawID string `json:"rawId"`
				} `json:"createdByCommunicationIdentifier"`
			} `json:"chatThread"`
		}
		if json.Unmarshal(c.body, &res) == nil && res.ChatThread.ID != "" {
			t.mu.Lock()
			t.rawID[res.ChatThread.ID] = res.ChatThread.CreatedBy.RawID
			t.auth[res.ChatThread.ID] = r.Header.Get("Authorization")
			t.mu.Unlock()
		}
	})
	return t
}

// of is the raw id of the thread's creator ("" when unknown).
func (t *threadCreators) of(thread string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rawID[thread]
}

// authOf is the Authorization the thread was created with ("" when unknown).
func (t *threadCreators) authOf(thread string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.auth[thread]
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
