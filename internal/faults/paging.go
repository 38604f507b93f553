package faults

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/chatconform/chatconform/internal/outcome"
)

// walkers are the specs that walk a nextLink chain; a broken chain fails
// them all, whichever one the fault is aimed at.
var walkers = []string{"PAGE-01", "PAGE-02", "PAGE-03", "PAGE-04", "PAGE-06"}

func without(ids []string, drop ...string) []string {
	var out []string
next:
	for _, id := range ids {
		for _, d := range drop {
			if id == d {
				continue next
			}
		}
		out = append(out, id)
	}
	return out
}

func pagingFaults() []Fault {
	return []Fault{
		{
			Name:    "page-size-plus-one",
			Mistake: "treats maxPageSize as exclusive and returns one participant more per page",
			Trips:   []string{"PAGE-01"},
			Wrap: before(func(r *http.Request) {
				if isList(r) && paged(r) {
					q := r.URL.Query()
					if n, err := strconv.Atoi(q.Get("maxPageSize")); err == nil && n > 0 {
						q.Set("maxPageSize", strconv.Itoa(n+1))
						r.URL.RawQuery = q.Encode()
					}
				}
			}),
		},
		{
			Name:       "pages-overlap-by-one",
			Mistake:    "computes the next skip as skip+count-1, so consecutive pages share a participant",
			Trips:      []string{"PAGE-02"},
			Collateral: without(walkers, "PAGE-02"),
			Wrap:       editNextLink(shiftSkip(-1)),
		},
		{
			Name:       "pages-skip-one",
			Mistake:    "computes the next skip as skip+count+1, so a participant falls between pages",
			Trips:      []string{"PAGE-02"},
			Collateral: without(walkers, "PAGE-02"),
			Wrap:       editNextLink(shiftSkip(+1)),
		},
		{
			Name:    "last-page-keeps-next-link",
			Mistake: "always emits a nextLink, also after the last participant",
			Trips:   []string{"PAGE-03"},
			Wrap: editNextLink(func(r *http.Request, u *url.URL, m map[string]any) {
				if u.String() != "" || valueLen(m) == 0 {
					return
				}
				q := r.URL.Query()
				k, _ := strconv.Atoi(q.Get("skip"))
				q.Set("skip", strconv.Itoa(k+valueLen(m)))
				m["nextLink"] = "http://" + r.Host + r.URL.Path + "?" + q.Encode()
			}),
		},
		{
			Name:       "middle-page-drops-next-link",
			Mistake:    "emits nextLink only on the first page",
			Trips:      []string{"PAGE-03"},
			Collateral: without(walkers, "PAGE-03"),
			Wrap: editNextLink(func(r *http.Request, u *url.URL, m map[string]any) {
				if r.URL.Query().Get("skip") != "" && r.URL.Query().Get("skip") != "0" {
					delete(m, "nextLink")
				}
			}),
		},
		{
			Name:       "next-link-cycle",
			Mistake:    "points the last page's nextLink back at the first page",
			Trips:      []string{"PAGE-03"},
			Collateral: without(walkers, "PAGE-03"),
			Wrap: editNextLink(func(r *http.Request, u *url.URL, m map[string]any) {
				if u.String() != "" || valueLen(m) == 0 {
					return
				}
				q := r.URL.Query()
				q.Set("skip", "0")
				m["nextLink"] = "http://" + r.Host + r.URL.Path + "?" + q.Encode()
			}),
		},
		{
			Name:    "next-link-relative",
			Mistake: "emits nextLink as a path relative to the host",
			Trips:   []string{"PAGE-04"},
			Wrap: editNextLink(func(_ *http.Request, u *url.URL, m map[string]any) {
				if u.String() != "" {
					m["nextLink"] = u.RequestURI()
				}
			}),
		},
		{
			Name:       "next-link-drops-api-version",
			Mistake:    "builds nextLink from skip and maxPageSize only, losing api-version",
			Trips:      []string{"PAGE-04"},
			Collateral: without(walkers, "PAGE-04"),
			Wrap: editNextLink(func(_ *http.Request, u *url.URL, m map[string]any) {
				if u.String() != "" {
					q := u.Query()
					q.Del("api-version")
					u.RawQuery = q.Encode()
					m["nextLink"] = u.String()
				}
			}),
		},
		{
			Name:       "next-link-foreign-host",
			Mistake:    "builds nextLink from a configured host that is not the endpoint (the token must not follow it)",
			Trips:      []string{"PAGE-04"},
			Collateral: without(walkers, "PAGE-04"),
			Wrap: func(d Deps, next http.Handler) http.Handler {
				return editNextLink(func(_ *http.Request, u *url.URL, m map[string]any) {
					if u.String() != "" {
						u.Scheme, u.Host = d.Foreign.Scheme, d.Foreign.Host
						m["nextLink"] = u.String()
					}
				})(d, next)
			},
		},
		{
			Name:       "skip-ignored",
			Mistake:    "ignores skip and always starts at the first participant",
			Trips:      []string{"PAGE-05"},
			Collateral: append(walkers, "PAGE-07"),
			Wrap: before(func(r *http.Request) {
				if isList(r) {
					q := r.URL.Query()
					q.Del("skip")
					r.URL.RawQuery = q.Encode()
				}
			}),
		},
		{
			Name:    "skip-past-end-keeps-next-link",
			Mistake: "emits a nextLink on an empty page past the end",
			Trips:   []string{"PAGE-05"},
			Wrap: rewrite(isList, func(r *http.Request, c *captured) {
				m := c.object()
				if c.status == http.StatusOK && m != nil && valueLen(m) == 0 && r.URL.Query().Get("skip") != "" {
					m["nextLink"] = "http://" + r.Host + r.URL.RequestURI()
					c.setObject(m)
				}
			}),
		},
		{
			Name:    "empty-page-value-null",
			Mistake: "serialises an empty page as \"value\": null",
			Trips:   []string{"PAGE-05"},
			Wrap: rewrite(isList, func(_ *http.Request, c *captured) {
				m := c.object()
				if c.status == http.StatusOK && m != nil && valueLen(m) == 0 {
					m["value"] = nil
					c.setObject(m)
				}
			}),
		},
		{
			Name:    "unstable-order",
			Mistake: "lists from an unordered map, so the order changes between calls",
			Trips:   []string{"PAGE-06"},
			Wrap:    alternatingOrder(),
		},
		{
			Name:       "invalid-paging-500",
			Mistake:    "parses maxPageSize and skip without checking them and crashes",
			Trips:      []string{"PAGE-07"},
			Collateral: []string{"ERR-09"},
			Wrap: onStatus(func(r *http.Request) bool { return isList(r) && (paged(r) || r.URL.Query().Get("skip") != "") },
				http.StatusBadRequest, answered(http.StatusInternalServerError, envelope("InternalServerError", "strconv.Atoi: parsing"))),
		},
		{
			Name:    "invalid-paging-ignored",
			Mistake: "ignores a maxPageSize or skip it cannot parse, answering 200",
			Trips:   []string{"PAGE-07"},
			Expect:  outcome.Warned, // the clause's SHOULD half: 400 with the envelope
			Wrap: before(func(r *http.Request) {
				if isList(r) {
					q := r.URL.Query()
					for _, k := range []string{"maxPageSize", "skip"} {
						if n, err := strconv.Atoi(q.Get(k)); q.Get(k) != "" && (err != nil || n < 0 || (k == "maxPageSize" && n == 0)) {
							q.Del(k)
						}
					}
					r.URL.RawQuery = q.Encode()
				}
			}),
		},
	}
}

// alternatingOrder reverses every second unpaged listing of a thread.
func alternatingOrder() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	calls := map[string]int{}
	return rewrite(func(r *http.Request) bool {
		return isList(r) && !paged(r) && r.URL.Query().Get("skip") == ""
	}, func(r *http.Request, c *captured) {
		mu.Lock()
		calls[threadOf(r)]++
		n := calls[threadOf(r)]
		mu.Unlock()
		m := c.object()
		vs, ok := m["value"].([]any)
		if !ok || n%2 == 1 {
			return
		}
		for i, j := 0, len(vs)-1; i < j; i, j = i+1, j-1 {
			vs[i], vs[j] = vs[j], vs[i]
		}
		c.setObject(m)
	})
}
