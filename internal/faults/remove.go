package faults

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/chatconform/chatconform/internal/client"
)

// LIST-05 and REM-01…REM-05: listing an unknown thread, and removing
// participants.
func removeFaults() []Fault {
	return []Fault{
		{
			Name:    "unknown-thread-list-empty",
			Mistake: "answers a listing of a thread that does not exist with 200 and an empty value (a query that matched no rows)",
			Trips:   []string{"LIST-05"},
			Wrap: onStatus(isList, http.StatusNotFound, func(c *captured) {
				answered(http.StatusOK, `{"value":[]}`)(c)
				c.header.Set("Content-Type", "application/json; charset=utf-8")
			}),
		},
		{
			Name:    "unknown-thread-list-403",
			Mistake: "checks membership before existence, so a listing of a thread that does not exist is 403, not 404",
			Trips:   []string{"LIST-05"},
			Wrap: onStatus(isList, http.StatusNotFound,
				answered(http.StatusForbidden, envelope("Forbidden", "The initiator doesn't have the permission to perform the requested operation."))),
		},
		{
			Name:    "remove-200-not-204",
			Mistake: "answers a successful remove with 200 OK instead of 204 No Content",
			Trips:   []string{"REM-01"},
			// Every remove spec removes as a step.
			Collateral: []string{"REM-02", "REM-04", "REM-05"},
			Wrap:       onStatus(isRemove, http.StatusNoContent, func(c *captured) { c.status = http.StatusOK }),
		},
		{
			Name:       "remove-does-not-remove",
			Mistake:    "answers 204 to a remove of a member but keeps it (the delete targets a stale key)",
			Trips:      []string{"REM-01"},
			Collateral: []string{"REM-02", "REM-04", "REM-05"},
			Wrap:       removeMisses(),
		},
		{
			Name:       "remove-takes-another-member",
			Mistake:    "removes the requested member and also the participant added last (an off-by-one in the delete range)",
			Trips:      []string{"REM-01"},
			Collateral: []string{"REM-02", "REM-05"},
			Wrap:       removeTakesLastAdded(),
		},
		{
			Name:    "readd-after-remove-lost",
			Mistake: "keeps a tombstone for a removed participant, so a later add of it answers 201 but never lists it again",
			Trips:   []string{"REM-02"},
			// The listing after the re-add may be judged for ADD-04 as well.
			Collateral: []string{"ADD-04"},
			Wrap:       readdLost(),
		},
		{
			Name:    "remove-malformed-id-204",
			Mistake: "treats a remove with an identifier it cannot parse as a remove of a non-member: 204",
			Trips:   []string{"REM-03"},
			Wrap:    onStatus(isRemove, http.StatusBadRequest, noContent),
		},
		{
			Name:    "remove-unknown-thread-204",
			Mistake: "answers a remove on a thread that does not exist with 204 (deleting zero rows is not an error to it)",
			Trips:   []string{"REM-03"},
			Wrap:    onStatus(isRemove, http.StatusNotFound, noContent),
		},
		{
			Name:    "self-removed-keeps-access",
			Mistake: "caches a caller's permissions per thread and does not drop them when the caller removes itself",
			Trips:   []string{"REM-04"},
			Wrap:    selfRemovedKeepsAccess(),
		},
		{
			Name:    "paging-after-remove-stale-skip",
			Mistake: "keeps removed participants as tombstones and computes nextLink's skip over them, so a walk after a remove misses participants (the unpaged listing is right)",
			Trips:   []string{"REM-05"},
			Wrap:    tombstoneSkip(),
		},
	}
}

func noContent(c *captured) {
	c.status, c.body = http.StatusNoContent, nil
	c.header.Del("Content-Type")
}

// removeTarget is the raw id a remove body names ("" when it names none).
func removeTarget(body []byte) string {
	var id map[string]any
	if json.Unmarshal(body, &id) != nil {
		return ""
	}
	if s, _ := id["rawId"].(string); s != "" {
		return s
	}
	cu, _ := id["communicationUser"].(map[string]any)
	s, _ := cu["id"].(string)
	return s
}

// caller is the raw id of the user whose token the request carries.
func caller(r *http.Request) string {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	id, _ := client.RawIDFromToken(tok)
	return id
}

// removeMisses sends the reference server a remove of a well-formed id that
// is no member (a no-op 204) instead of the member named; malformed ids,
// unknown threads and outsiders are still answered faithfully.
func removeMisses() func(Deps, http.Handler) http.Handler {
	return before(func(r *http.Request) {
		if !isRemove(r) {
			return
		}
		target := removeTarget(readBody(r))
		i := strings.LastIndex(target, "_")
		if i < 0 || strings.ContainsAny(target, "=") {
			return
		}
		stale := target[:i+1] + "00000000-0000-4000-8000-00000000dead"
		b, _ := json.Marshal(map[string]any{"rawId": stale, "communicationUser": map[string]any{"id": stale}})
		setBody(r, b)
	})
}

// removeTakesLastAdded remembers the last participant each thread got and
// removes it too after every successful remove of someone else.
func removeTakesLastAdded() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	added := map[string][]string{} // thread → ids added, in order
	return func(d Deps, next http.Handler) http.Handler {
		return chain(rewrite(isAdd, func(r *http.Request, c *captured) {
			if c.status == http.StatusCreated {
				mu.Lock()
				added[threadOf(r)] = append(added[threadOf(r)], requestIDs(readBody(r))...)
				mu.Unlock()
			}
		}), rewrite(isRemove, func(r *http.Request, c *captured) {
			if c.status != http.StatusNoContent {
				return
			}
			target := removeTarget(readBody(r))
			mu.Lock()
			ids := added[threadOf(r)]
			victim := ""
			for i := len(ids) - 1; i >= 0; i-- {
				if ids[i] != target && ids[i] != caller(r) {
					victim = ids[i]
					break
				}
			}
			mu.Unlock()
			if victim != "" {
				b, _ := json.Marshal(map[string]any{"rawId": victim})
				_ = capture(next, subrequest(r, http.MethodPost, r.URL.RequestURI(), b))
			}
		}))(d, next)
	}
}

// readdLost drops, from later adds, every participant once removed from a
// thread, answering as if they had been added.
func readdLost() func(Deps, http.Handler) http.Handler {
	removed := newMemory()
	gone := func(r *http.Request, p map[string]any) bool {
		_, gone := removed.get(threadOf(r), requestID(p))
		return p != nil && gone
	}
	return chain(rewrite(isRemove, func(r *http.Request, c *captured) {
		if target := removeTarget(readBody(r)); c.status == http.StatusNoContent && target != "" {
			removed.set(threadOf(r), target, "tombstone")
		}
	}), intercept(func(r *http.Request) bool {
		if !isAdd(r) {
			return false
		}
		ps := addRequest(readBody(r))
		return len(ps) > 0 && !slices.ContainsFunc(ps, func(p map[string]any) bool { return !gone(r, p) })
	}, created), before(func(r *http.Request) {
		editAdd(r, func(req map[string]any, ps []any) bool {
			kept := slices.DeleteFunc(slices.Clone(ps), func(v any) bool {
				p, _ := v.(map[string]any)
				return gone(r, p)
			})
			if len(kept) == len(ps) {
				return false
			}
			req["participants"] = kept
			return true
		})
	}))
}

// requestID is the raw id one participant of an add body names.
func requestID(p map[string]any) string {
	if id := rawID(p); id != "" {
		return id
	}
	cu, _ := identifier(p)["communicationUser"].(map[string]any)
	s, _ := cu["id"].(string)
	return s
}

// selfRemovedKeepsAccess serves a caller that removed itself from a thread
// as the thread's creator whenever the reference server forbids it.
func selfRemovedKeepsAccess() func(Deps, http.Handler) http.Handler {
	creators := newThreadCreators()
	ghosts := newMemory()
	return chain(creators.track, func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !isChat(r) {
				next.ServeHTTP(w, r)
				return
			}
			body := readBody(r)
			thread, who := threadOf(r), caller(r)
			c := capture(next, r)
			_, ghost := ghosts.get(thread, who)
			switch {
			case isRemove(r) && c.status == http.StatusNoContent && who != "" && removeTarget(body) == who:
				ghosts.set(thread, who, "ghost")
			case (isList(r) || isAdd(r)) && ghost && c.status == http.StatusForbidden && creators.authOf(thread) != "":
				r.Header.Set("Authorization", creators.authOf(thread))
				setBody(r, body)
				c = capture(next, r)
			}
			c.write(w)
		})
	})
}

// tombstoneSkip adds to every nextLink's skip the number of participants
// removed from the thread so far.
func tombstoneSkip() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	removed := map[string]int{}
	return chain(rewrite(isRemove, func(r *http.Request, c *captured) {
		if c.status == http.StatusNoContent {
			mu.Lock()
			removed[threadOf(r)]++
			mu.Unlock()
		}
	}), editNextLink(func(r *http.Request, u *url.URL, m map[string]any) {
		mu.Lock()
		n := removed[threadOf(r)]
		mu.Unlock()
		if n != 0 {
			shiftSkip(n)(r, u, m)
		}
	}))
}
