package faults

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

func addFaults() []Fault {
	return []Fault{
		{
			Name:       "add-200-not-201",
			Mistake:    "answers a successful add with 200 OK instead of 201 Created",
			Trips:      []string{"ADD-01"},
			Collateral: []string{"ADD-05", "ADD-09", "CONC-01", "CONC-02"},
			Wrap:       onStatus(isAdd, http.StatusCreated, func(c *captured) { c.status = http.StatusOK }),
		},
		{
			Name:       "add-returns-array",
			Mistake:    "answers a successful add with a JSON array [] instead of an object",
			Trips:      []string{"ADD-02"},
			Collateral: []string{"ADD-03"},
			Wrap: rewrite(isAdd, func(_ *http.Request, c *captured) {
				if c.status == http.StatusCreated && string(c.body) == "{}" {
					c.body = []byte("[]")
				}
			}),
		},
		{
			Name:    "add-text-plain",
			Mistake: "labels the 201 body text/plain",
			Trips:   []string{"ADD-02"},
			Wrap:    onStatus(isAdd, http.StatusCreated, func(c *captured) { c.header.Set("Content-Type", "text/plain; charset=utf-8") }),
		},
		{
			Name:    "add-reports-valid-as-invalid",
			Mistake: "lists a participant that was added in invalidParticipants",
			Trips:   []string{"ADD-03"},
			Wrap: rewrite(isAdd, func(r *http.Request, c *captured) {
				if ids := requestIDs(readBody(r)); c.status == http.StatusCreated && string(c.body) == "{}" && len(ids) > 0 {
					c.setObject(map[string]any{"invalidParticipants": []any{
						map[string]any{"code": "200", "message": "Added", "target": ids[0]}}})
				}
			}),
		},
		{
			Name:       "list-drops-display-name",
			Mistake:    "does not store displayName, so the listing omits it",
			Trips:      []string{"ADD-04"},
			Collateral: []string{"ADD-08"},
			Wrap:       editListed(func(p map[string]any) { delete(p, "displayName") }),
		},
		{
			Name:    "readd-duplicates-member",
			Mistake: "inserts a participant again when it is re-added, instead of ignoring it",
			Trips:   []string{"ADD-05", "ADD-06"},
			// Concurrent adds of one participant are re-adds too.
			Collateral: []string{"CONC-01"},
			Wrap:       duplicating(func(known, _ bool, _ int) bool { return known }),
		},
		{
			Name:    "mixed-add-duplicates-existing",
			Mistake: "in a request mixing existing and new participants, inserts the existing ones again",
			Trips:   []string{"ADD-06"},
			Wrap:    duplicating(func(known, mixed bool, _ int) bool { return known && mixed }),
		},
		{
			Name:    "same-request-duplicate-kept",
			Mistake: "inserts a participant twice when one request names it twice",
			Trips:   []string{"ADD-07"},
			Wrap:    duplicating(func(_, _ bool, timesInRequest int) bool { return timesInRequest > 1 }),
		},
		{
			Name:    "readd-overwrites-details",
			Mistake: "updates displayName and shareHistoryTime when an existing participant is added again",
			Trips:   []string{"ADD-08"},
			Wrap:    overwriting(),
		},
		{
			Name:    "unknown-user-dropped-silently",
			Mistake: "drops a user that does not exist without reporting it in invalidParticipants",
			Trips:   []string{"ADD-09"},
			Wrap:    onStatus(isAdd, http.StatusCreated, func(c *captured) { c.body = []byte("{}") }),
		},
		{
			Name:    "unknown-user-fails-request",
			Mistake: "answers 404 for the whole request when one user does not exist (after adding the others)",
			Trips:   []string{"ADD-09"},
			Wrap: rewrite(isAdd, func(_ *http.Request, c *captured) {
				if c.status == http.StatusCreated && strings.Contains(string(c.body), "invalidParticipants") {
					answered(http.StatusNotFound, envelope("NotFound", "User not found"))(c)
				}
			}),
		},
		{
			Name:       "malformed-body-500",
			Mistake:    "lets the JSON decoder's error escape as 500",
			Trips:      []string{"ADD-10"},
			Collateral: []string{"ERR-09", "ERR-06"},
			Wrap: intercept(func(r *http.Request) bool { return isAdd(r) && !json.Valid(readBody(r)) },
				crash("unexpected end of JSON input")),
		},
		{
			Name:    "missing-participants-accepted",
			Mistake: "treats a body without participants as an empty list and answers 201",
			Trips:   []string{"ADD-10"},
			Wrap: intercept(func(r *http.Request) bool {
				var m map[string]json.RawMessage
				return isAdd(r) && json.Unmarshal(readBody(r), &m) == nil && m != nil && m["participants"] == nil
			}, created),
		},
		{
			Name:    "malformed-id-accepted-and-listed",
			Mistake: "reports a malformed identifier in invalidParticipants but stores and lists it all the same",
			Trips:   []string{"ADD-11"},
			Wrap:    malformedListed(),
		},
		{
			Name:       "malformed-id-500",
			Mistake:    "crashes on an identifier it cannot parse",
			Trips:      []string{"ADD-11"},
			Collateral: []string{"ERR-09"},
			Wrap: rewrite(isAdd, func(r *http.Request, c *captured) {
				if c.status == http.StatusBadRequest && strings.Contains(string(readBody(r)), "===") {
					answered(http.StatusInternalServerError, envelope("InternalServerError", "index out of range"))(c)
				}
			}),
		},
		{
			Name:    "unknown-thread-201",
			Mistake: "creates nothing but answers 201 when the thread does not exist",
			Trips:   []string{"ADD-12"},
			Wrap: onStatus(isAdd, http.StatusNotFound, func(c *captured) {
				answered(http.StatusCreated, "{}")(c)
				c.header.Set("Content-Type", "application/json; charset=utf-8")
			}),
		},
	}
}

// requestIDs are the raw ids an add body names, in order, repeats kept.
func requestIDs(body []byte) []string {
	var ids []string
	for _, p := range addRequest(body) {
		if id := rawID(p); id != "" {
			ids = append(ids, id)
		} else if cu, ok := identifier(p)["communicationUser"].(map[string]any); ok {
			s, _ := cu["id"].(string)
			ids = append(ids, s)
		}
	}
	return ids
}

// duplicating lists a participant twice once dup says an add should have
// inserted it again. known: already a member before this request; mixed:
// the request also names new members; timesInRequest: how often it is named.
func duplicating(dup func(known, mixed bool, timesInRequest int) bool) func(Deps, http.Handler) http.Handler {
	members, dups := newMemory(), newMemory()
	return chain(rewrite(isAdd, func(r *http.Request, c *captured) {
		if c.status/100 != 2 {
			return
		}
		thread, count, mixed := threadOf(r), map[string]int{}, false
		for _, id := range requestIDs(readBody(r)) {
			count[id]++
			if _, ok := members.get(thread, id); !ok {
				mixed = true
			}
		}
		for id, n := range count {
			_, known := members.get(thread, id)
			if dup(known, mixed && known, n) {
				dups.set(thread, id, "dup")
			}
		}
		for id := range count {
			members.set(thread, id, "member")
		}
	}), listTwice(dups))
}

// listTwice lists every participant dups marks "dup" on its thread twice:
// a stored duplicate, as a listing shows it ("" is one removed since).
func listTwice(dups *memory) func(Deps, http.Handler) http.Handler {
	return rewrite(isList, func(r *http.Request, c *captured) {
		m := c.object()
		if vs, ok := m["value"].([]any); ok {
			out := []any{}
			for _, v := range vs {
				out = append(out, v)
				if p, ok := v.(map[string]any); ok {
					if d, _ := dups.get(threadOf(r), rawID(p)); d == "dup" {
						out = append(out, v)
					}
				}
			}
			m["value"] = out
			c.setObject(m)
		}
	})
}

// overwriting remembers the details of a re-add and shows them in listings.
func overwriting() func(Deps, http.Handler) http.Handler {
	members := newMemory()
	var mu sync.Mutex
	latest := map[string]map[string]any{} // thread|id → participant as last sent
	return chain(rewrite(isAdd, func(r *http.Request, c *captured) {
		if c.status/100 != 2 {
			return
		}
		mu.Lock()
		for _, p := range addRequest(readBody(r)) {
			id := rawID(p)
			if _, known := members.get(threadOf(r), id); known {
				latest[threadOf(r)+"|"+id] = p
			}
			members.set(threadOf(r), id, "member")
		}
		mu.Unlock()
	}), rewrite(isList, func(r *http.Request, c *captured) {
		participants(c, func(p map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			if sent, ok := latest[threadOf(r)+"|"+rawID(p)]; ok {
				for _, k := range []string{"displayName", "shareHistoryTime"} {
					if v, ok := sent[k]; ok {
						p[k] = v
					}
				}
			}
		})
	}))
}

// malformedListed pretends to accept malformed identifiers and lists them.
func malformedListed() func(Deps, http.Handler) http.Handler {
	accepted := newMemory()
	// malformed is the first id of an add that the reference server refuses.
	malformed := func(r *http.Request) string {
		for _, id := range requestIDs(readBody(r)) {
			if strings.Contains(id, "=") {
				return id
			}
		}
		return ""
	}
	return chain(intercept(func(r *http.Request) bool { return isAdd(r) && malformed(r) != "" }, func(w http.ResponseWriter, r *http.Request) {
		id := malformed(r)
		accepted.set(threadOf(r), id, id)
		errorBody(w, http.StatusCreated, "application/json; charset=utf-8",
			`{"invalidParticipants":[{"code":"400","message":"Identifier format is invalid","target":`+strconv.Quote(id)+`}]}`)
	}), rewrite(isList, func(r *http.Request, c *captured) {
		accepted.mu.Lock()
		extra := accepted.m[threadOf(r)]
		accepted.mu.Unlock()
		if m := c.object(); m != nil && len(extra) > 0 {
			vs, _ := m["value"].([]any)
			for id := range extra {
				vs = append(vs, map[string]any{"communicationIdentifier": map[string]any{
					"rawId": id, "communicationUser": map[string]any{"id": id}}, "shareHistoryTime": "1970-01-01T00:00:00Z"})
			}
			m["value"] = vs
			c.setObject(m)
		}
	}))
}
