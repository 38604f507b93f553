package faults

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

func listFaults() []Fault {
	return []Fault{
		{
			Name:    "list-text-plain",
			Mistake: "labels the listing text/plain",
			Trips:   []string{"LIST-01"},
			Wrap:    onStatus(isList, http.StatusOK, func(c *captured) { c.header.Set("Content-Type", "text/plain; charset=utf-8") }),
		},
		{
			Name:    "list-rawid-missing",
			Mistake: "serialises identifiers without rawId",
			Trips:   []string{"LIST-02"},
			Wrap:    editListed(func(p map[string]any) { delete(identifier(p), "rawId") }),
		},
		{
			Name:    "list-rawid-mismatch",
			Mistake: "puts the bare GUID in communicationUser.id while rawId keeps the 8:acs: prefix",
			Trips:   []string{"LIST-02"},
			Wrap: editListed(func(p map[string]any) {
				if cu, ok := identifier(p)["communicationUser"].(map[string]any); ok {
					cu["id"] = rawID(p)[len("8:acs:"):]
				}
			}),
		},
		{
			Name:    "list-kind-missing",
			Mistake: "omits communicationIdentifier.kind, as the live service does",
			Trips:   []string{"LIST-03"},
			Wrap:    editListed(func(p map[string]any) { delete(identifier(p), "kind") }),
		},
		{
			Name:    "list-kind-wrong",
			Mistake: "labels every identifier kind=phoneNumber",
			Trips:   []string{"LIST-03"},
			Wrap:    editListed(func(p map[string]any) { identifier(p)["kind"] = "phoneNumber" }),
		},
		{
			Name:    "creator-not-listed",
			Mistake: "does not make the creator of a thread one of its participants",
			Trips:   []string{"LIST-04"},
			// skip counts the hidden creator, so skip=K no longer starts at
			// position K of the listing the client sees.
			Collateral: []string{"PAGE-05"},
			Wrap:       creatorHidden(),
		},
	}
}

// creatorHidden drops each thread's creator from its listings.
func creatorHidden() func(Deps, http.Handler) http.Handler {
	creators := newThreadCreators()
	return chain(creators.track, rewrite(isList, func(r *http.Request, c *captured) {
		creator := creators.of(threadOf(r))
		if m := c.object(); m != nil {
			if vs, ok := m["value"].([]any); ok {
				m["value"] = slices.DeleteFunc(vs, func(v any) bool {
					p, _ := v.(map[string]any)
					return p != nil && rawID(p) == creator
				})
				c.setObject(m)
			}
		}
	}))
}

// editNextLink rewrites the nextLink of paged listings.
func editNextLink(edit func(r *http.Request, link *url.URL, m map[string]any)) func(Deps, http.Handler) http.Handler {
	return rewrite(func(r *http.Request) bool { return isList(r) && paged(r) }, func(r *http.Request, c *captured) {
		m := c.object()
		if m == nil || c.status != http.StatusOK {
			return
		}
		s, _ := m["nextLink"].(string)
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		edit(r, u, m)
		c.setObject(m)
	})
}

// shiftSkip moves a nextLink's skip by delta.
func shiftSkip(delta int) func(*http.Request, *url.URL, map[string]any) {
	return func(_ *http.Request, u *url.URL, m map[string]any) {
		if u.String() == "" {
			return
		}
		q := u.Query()
		k, _ := strconv.Atoi(q.Get("skip"))
		q.Set("skip", strconv.Itoa(k+delta))
		u.RawQuery = q.Encode()
		m["nextLink"] = u.String()
	}
}

func valueLen(m map[string]any) int {
	vs, _ := m["value"].([]any)
	return len(vs)
}
