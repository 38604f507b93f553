package faults

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Variations are the conformant variations: middlewares that make the
// clean reference server vary where the contract permits it. The suite
// must pass against each (no failure, and no warning except the SHOULDs an
// entry names in Warns): a check asserts only what the contract says, and
// accepts every variation the contract permits. The matrix runs each in the
// standard profile and with CHAT_STRICT=1, where its Warns fail.
func Variations() []Fault {
	vs := []Fault{
		{
			Name:    "var-pages-half-size",
			Mistake: "serves at most ceil(N/2) participants per page for maxPageSize=N and continues with nextLink",
			Permits: "PAGE-01 caps a page at N; PAGE-03: a page may hold fewer than N",
			Wrap:    halfPages(),
		},
		{
			Name:    "var-time-lowercase",
			Mistake: "writes every shareHistoryTime with a lower-case t and z (2020-06-06t05:55:41z)",
			Permits: "RFC 3339 §5.6 NOTE: T and Z may alternatively be lower case; the documented form is upper case, hence TIME-02",
			Warns:   []string{"TIME-02"},
			Wrap:    editTimes(strings.ToLower),
		},
		{
			Name:    "var-time-offset-0530",
			Mistake: "writes every shareHistoryTime at offset +05:30 (the same instant)",
			Permits: "TIME-01/03: an RFC 3339 date-time for the same instant; only the SHOULD TIME-02 asks for Z",
			Warns:   []string{"TIME-02"},
			Wrap:    editInstants(func(t time.Time) string { return t.In(time.FixedZone("IST", 5*3600+1800)).Format(time.RFC3339) }),
		},
		{
			Name:    "var-next-link-encoded-thread-id",
			Mistake: "percent-encodes the thread id in the nextLink path (19%3A…%40thread.v2)",
			Permits: "RFC 3986 §2: the encoded and the literal path name the same resource; PAGE-04 asks only for an absolute URL that works",
			Wrap: editNextLink(func(r *http.Request, u *url.URL, m map[string]any) {
				if u.String() == "" {
					return
				}
				u.RawPath = "/chat/threads/" + strings.NewReplacer(":", "%3A", "@", "%40").Replace(threadOf(r)) + "/participants"
				m["nextLink"] = u.String()
			}),
		},
		{
			Name:    "var-next-link-continuation-token",
			Mistake: "puts an opaque continuationToken in nextLink instead of skip and maxPageSize",
			Permits: "nextLink is opaque (ChatParticipantsCollection.nextLink: \"If there are more chat participants that can be retrieved, the next link will be populated\"); PAGE-04 asks for api-version only",
			Wrap:    continuationTokens(),
		},
		{
			Name:    "var-next-link-query-reordered",
			Mistake: "orders nextLink's query api-version, maxPageSize, skip",
			Permits: "the order of query parameters carries no meaning to the API",
			Wrap: editNextLink(func(_ *http.Request, u *url.URL, m map[string]any) {
				if u.String() != "" {
					u.RawQuery = u.Query().Encode() // sorted: api-version first
					m["nextLink"] = u.String()
				}
			}),
		},
		{
			Name:    "var-add-empty-invalid-list",
			Mistake: "answers a fully successful add with {\"invalidParticipants\":[]}",
			Permits: "ADD-03: invalidParticipants absent or empty",
			Wrap: rewrite(isAdd, func(_ *http.Request, c *captured) {
				if m := c.object(); c.status == http.StatusCreated && m != nil && m["invalidParticipants"] == nil {
					m["invalidParticipants"] = []any{}
					c.setObject(m)
				}
			}),
		},
		{
			Name:    "var-invalid-participants-reversed",
			Mistake: "lists invalidParticipants in the reverse of the request's order",
			Permits: "AddChatParticipantsResult.invalidParticipants is an array with no documented order; each entry names its target",
			Wrap: rewrite(isAdd, func(_ *http.Request, c *captured) {
				if m := c.object(); c.status == http.StatusCreated && m != nil {
					if inv, ok := m["invalidParticipants"].([]any); ok && len(inv) > 1 {
						slices.Reverse(inv)
						c.setObject(m)
					}
				}
			}),
		},
		{
			Name:    "var-unknown-response-fields",
			Mistake: "adds an unknown field to every JSON object it answers with: collection, participant, add result and its entries, thread, error envelope and error",
			Permits: "no schema of fixtures/openapi sets additionalProperties: false; Azure REST guidelines require clients to ignore unknown fields",
			Wrap:    rewrite(isChat, func(_ *http.Request, c *captured) { unknownFields(c) }),
		},
		{
			Name:    "var-creator-listed-last",
			Mistake: "keeps each thread's members in a stable order with the creator last",
			Permits: "LIST-04 asks that the creator be listed, not where; the listing's order is not documented",
			Wrap:    creatorLast(),
		},
		{
			Name:    "var-supported-versions-split-and-extra",
			Mistake: "sends api-supported-versions as one header line per version, newest first, with previews the suite does not know",
			Permits: "RFC 9110 §5.3: a list-valued field may be split over several lines, in any order; VER-01 asks only that the list name the version served",
			Wrap: rewrite(isChat, func(_ *http.Request, c *captured) {
				listed := strings.Split(c.header.Get("api-supported-versions"), ",")
				slices.Reverse(listed)
				c.header.Del("api-supported-versions")
				for _, v := range append([]string{"2099-01-01-preview"}, listed...) {
					c.header.Add("api-supported-versions", strings.TrimSpace(v))
				}
			}),
		},
		{
			Name:       "var-metadata-refused-where-undocumented",
			Mistake:    "refuses an add carrying participant metadata at an api-version without metadata, with 400 and the envelope",
			Permits:    "metadata is an unknown field of ChatParticipant at 2024-03-07; META-03 asks only that such a version never return it",
			APIVersion: "2024-03-07",
			Wrap: intercept(func(r *http.Request) bool {
				if !isAdd(r) {
					return false
				}
				for _, p := range addRequest(readBody(r)) {
					if _, ok := p["metadata"]; ok {
						return true
					}
				}
				return false
			}, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("api-supported-versions", "2024-03-07")
				errorBody(w, http.StatusBadRequest, "application/json", envelope("BadRequest", "unknown property metadata"))
			}),
		},
	}
	for i := range vs {
		vs[i].Conformant = true
	}
	return vs
}

// halfPages serves ceil(N/2) participants per page of maxPageSize=N; its
// nextLinks still carry N.
func halfPages() func(Deps, http.Handler) http.Handler {
	return func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			n64, err := strconv.ParseInt(q.Get("maxPageSize"), 10, 32) // what the server accepts
			n := int(n64)
			if !isList(r) || err != nil || n < 2 {
				next.ServeHTTP(w, r)
				return
			}
			q.Set("maxPageSize", strconv.Itoa((n+1)/2))
			r.URL.RawQuery = q.Encode()
			c := capture(next, r)
			if m := c.object(); c.status == http.StatusOK && m != nil {
				if s, _ := m["nextLink"].(string); s != "" {
					if u, err := url.Parse(s); err == nil {
						lq := u.Query()
						lq.Set("maxPageSize", strconv.Itoa(n))
						u.RawQuery = lq.Encode()
						m["nextLink"] = u.String()
						c.setObject(m)
					}
				}
			}
			c.write(w)
		})
	}
}

// continuation is what an opaque continuationToken stands for.
type continuation struct {
	Skip int `json:"s"`
	Size int `json:"n"`
}

// continuationTokens rewrites every nextLink to
// …/participants?api-version=V&continuationToken=<base64url JSON>, and
// translates a request carrying a token back into skip and maxPageSize.
func continuationTokens() func(Deps, http.Handler) http.Handler {
	return func(d Deps, next http.Handler) http.Handler {
		links := editNextLink(func(r *http.Request, u *url.URL, m map[string]any) {
			if u.String() == "" {
				return
			}
			skip, _ := strconv.Atoi(u.Query().Get("skip"))
			size, _ := strconv.Atoi(u.Query().Get("maxPageSize"))
			tok, _ := json.Marshal(continuation{skip, size})
			q := url.Values{"api-version": {u.Query().Get("api-version")}, "continuationToken": {base64.RawURLEncoding.EncodeToString(tok)}}
			u.RawQuery = q.Encode()
			m["nextLink"] = u.String()
		})(d, next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if !isList(r) || !q.Has("continuationToken") {
				links.ServeHTTP(w, r)
				return
			}
			var c continuation
			b, err := base64.RawURLEncoding.DecodeString(q.Get("continuationToken"))
			if err != nil || json.Unmarshal(b, &c) != nil || c.Size < 1 || c.Skip < 0 || q.Has("skip") || q.Has("maxPageSize") {
				errorBody(w, http.StatusBadRequest, "application/json", envelope("BadRequest", "The continuation token is invalid."))
				return
			}
			q.Del("continuationToken")
			q.Set("skip", strconv.Itoa(c.Skip))
			q.Set("maxPageSize", strconv.Itoa(c.Size))
			r.URL.RawQuery = q.Encode()
			links.ServeHTTP(w, r)
		})
	}
}

// extension is the unknown field a forward-compatible client must ignore.
const extension = "x-contoso-extension"

func unknownFields(c *captured) {
	m := c.object()
	if m == nil {
		return
	}
	mark := func(v any) {
		if o, ok := v.(map[string]any); ok {
			o[extension] = map[string]any{"since": "2099-01-01", "flags": []any{1, "two", nil}}
		}
	}
	mark(m)
	for _, k := range []string{"value", "invalidParticipants"} {
		if vs, ok := m[k].([]any); ok {
			for _, v := range vs {
				mark(v)
			}
		}
	}
	mark(m["error"])
	mark(m["chatThread"])
	c.setObject(m)
}

// creatorLast lists each thread's creator after every other member.
func creatorLast() func(Deps, http.Handler) http.Handler {
	creators := newThreadCreators()
	return chain(creators.track, reordered(func(r *http.Request, vs []any) []any {
		creator := creators.of(threadOf(r))
		out := make([]any, 0, len(vs))
		var last []any
		for _, v := range vs {
			if p, _ := v.(map[string]any); p != nil && rawID(p) == creator {
				last = append(last, v)
				continue
			}
			out = append(out, v)
		}
		return append(out, last...)
	}))
}
