package perf

import (
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/limits"
	"github.com/chatconform/chatconform/internal/wire"
)

// Resource is one limited resource, keyed exactly as the reference server
// keys its quotas: "threads/<user>", "members/<thread>",
// "list/<thread>/<user>" or "list/<thread>".
type Resource struct {
	Key   string
	Rules []limits.Rule
	// Requests counts the requests the server admitted against it (a 429
	// is not admitted and does not count).
	Requests int
}

// Bound is the least time the resource's rules need to admit its
// requests: the largest of the rules' bounds (each rule alone already
// needs that long).
func (r Resource) Bound() time.Duration {
	var b time.Duration
	for _, rule := range r.Rules {
		b = max(b, rule.Bound(r.Requests))
	}
	return b
}

// Kind is the resource's kind: the key up to the first id.
func (r Resource) Kind() string {
	kind, rest, _ := strings.Cut(r.Key, "/")
	if kind == "list" && strings.Contains(rest, "/") {
		return "list per user per thread"
	}
	switch kind {
	case "threads":
		return "create/delete per user"
	case "members":
		return "add/remove per thread"
	case "list":
		return "list per thread"
	}
	return kind
}

// LimitBound is the least time the limits need for all the resources: the
// largest resource bound (resources are limited independently, so they can
// be served in parallel but none faster than its own bound). It returns
// the resource that sets it (the zero Resource when none bounds anything).
func LimitBound(rs []Resource) (time.Duration, Resource) {
	var (
		b     time.Duration
		worst Resource
	)
	for _, r := range rs {
		if rb := r.Bound(); rb > b || (rb == b && r.Requests > worst.Requests) {
			b, worst = rb, r
		}
	}
	return b, worst
}

// Counter is middleware that counts, per limited resource, the requests the
// reference server admits. It classifies each request as the server does
// (the route, the caller from the token's skypeid claim, read without
// verifying: the server behind it verifies) and, once the response is
// known, counts it unless the server rejected it before its rate limiter:
// a missing or unsupported api-version (400), a bad token (401), a body
// over the limit (413), or the limiter itself (429).
type Counter struct {
	rates limits.Rates
	mu    sync.Mutex
	res   map[string]*Resource
	// throttled counts 429 answers.
	throttled int
}

// NewCounter counts against rates (which supply each resource's rules),
// limits.ACS with the server's RateLimitScale.
func NewCounter(rates limits.Rates) *Counter {
	return &Counter{rates: rates, res: map[string]*Resource{}}
}

// Wrap returns h with counting in front.
func (c *Counter) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		quotas := c.Classify(r)
		if len(quotas) == 0 {
			h.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		c.record(quotas, sw.status())
	})
}

// Classify returns the resources a request counts against if admitted:
// none for the Identity API, unlimited operations, unroutable paths and
// requests rejected before the limiter for their api-version or token.
func (c *Counter) Classify(r *http.Request) []Resource {
	p := r.URL.Path
	if path.Clean(p) != p || !strings.HasPrefix(p, "/chat/threads") {
		return nil
	}
	if v := r.URL.Query(); !v.Has("api-version") || !slices.Contains(wire.SupportedChatVersions, v.Get("api-version")) {
		return nil
	}
	user := caller(r)
	if user == "" {
		return nil // 401 before the limiter
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	l := c.rates
	switch {
	case len(segs) == 2 && r.Method == http.MethodPost, // POST /chat/threads
		len(segs) == 3 && r.Method == http.MethodDelete: // DELETE /chat/threads/{id}
		return []Resource{{Key: "threads/" + user, Rules: []limits.Rule{l.ThreadsPerUser}}}
	case len(segs) == 4 && segs[3] == "participants" && get:
		return []Resource{
			{Key: "list/" + segs[2] + "/" + user, Rules: []limits.Rule{l.ListPerUser}},
			{Key: "list/" + segs[2], Rules: []limits.Rule{l.ListPerThread}},
		}
	case len(segs) == 5 && segs[3] == "participants" && (segs[4] == ":add" || segs[4] == ":remove") && r.Method == http.MethodPost:
		return []Resource{{Key: "members/" + segs[2], Rules: []limits.Rule{l.MembersShort, l.MembersLong}}}
	}
	return nil
}

// caller is the raw id in the bearer token's skypeid claim, unverified.
func caller(r *http.Request) string {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	id, err := client.RawIDFromToken(strings.TrimSpace(tok))
	if err != nil {
		return ""
	}
	return id
}

// admitted reports whether a response to a classified request means the
// limiter admitted it: everything the server rejects before its limiter
// answers 400 (api-version, checked in Classify), 401 or 413; the limiter 429.
func admitted(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return false
	}
	return true
}

func (c *Counter) record(quotas []Resource, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if status == http.StatusTooManyRequests {
		c.throttled++
	}
	if !admitted(status) {
		return
	}
	for _, q := range quotas {
		r := c.res[q.Key]
		if r == nil {
			r = &Resource{Key: q.Key, Rules: q.Rules}
			c.res[q.Key] = r
		}
		r.Requests++
	}
}

// Resources returns a snapshot of every resource counted, the one with the
// largest bound first.
func (c *Counter) Resources() []Resource {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Resource, 0, len(c.res))
	for _, k := range sortedKeys(c.res) {
		out = append(out, *c.res[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		bi, bj := out[i].Bound(), out[j].Bound()
		if bi != bj {
			return bi > bj
		}
		return out[i].Requests > out[j].Requests
	})
	return out
}

// Throttled counts the 429 answers seen.
func (c *Counter) Throttled() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.throttled
}

// Reset forgets every count (between runs against one server).
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.res, c.throttled = map[string]*Resource{}, 0
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
