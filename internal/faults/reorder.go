package faults

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// reordered serves every listing, paged or not, from the thread's whole
// membership in the order reorder gives it, so skip, maxPageSize and
// nextLink stay consistent with one another: the server simply keeps its
// members in another order. Each listing is still one request to the
// reference server (the whole membership fits in one page of 250).
func reordered(reorder func(r *http.Request, vs []any) []any) func(Deps, http.Handler) http.Handler {
	return func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !isList(r) {
				next.ServeHTTP(w, r)
				return
			}
			q := r.URL.Query()
			size, okSize := pagingParam(q, "maxPageSize", 100, 1)
			skip, okSkip := pagingParam(q, "skip", 0, 0)
			if !okSize || !okSkip {
				next.ServeHTTP(w, r) // the reference server's 400
				return
			}
			all := url.Values{"api-version": {q.Get("api-version")}, "maxPageSize": {"250"}}
			full := subrequest(r, http.MethodGet, r.URL.Path+"?"+all.Encode(), nil)
			c := capture(next, full)
			m := c.object()
			vs, ok := m["value"].([]any)
			if c.status != http.StatusOK || !ok {
				c.write(w)
				return
			}
			vs = reorder(r, vs)
			page := []any{}
			if skip < len(vs) {
				page = vs[skip:min(len(vs), skip+size)]
			}
			out := map[string]any{"value": page}
			if skip+size < len(vs) {
				out["nextLink"] = fmt.Sprintf("%s%s?skip=%d&maxPageSize=%d&api-version=%s",
					base(r), r.URL.Path, skip+size, size, url.QueryEscape(q.Get("api-version")))
			}
			c.setObject(out)
			c.write(w)
		})
	}
}

func pagingParam(q url.Values, name string, def, low int) (int, bool) {
	if !q.Has(name) {
		return def, true
	}
	n, err := strconv.ParseInt(q.Get(name), 10, 32)
	return int(n), err == nil && int(n) >= low
}

// base is the scheme and authority the request came to.
func base(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
