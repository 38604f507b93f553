package faults

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
)

// STATE-01: defects only a sequence shows, each in a shape the one-step
// specs do not send (REM-02 re-adds alone, REM-05 walks from the start,
// ADD-06 names the existing participants first), so that STATE-01 alone
// catches it. Each trips STATE-01 and the rows its evidence always counts
// for (the listing that shows the departure is ADD-04 evidence, a walk
// PAGE-01…04 evidence); Collateral are rows some sequences also see.
// TestStatefulFaultsShrink states how few steps each needs.
func statefulFaults() []Fault {
	return []Fault{
		{
			Name:    "readd-after-remove-lost-in-batch",
			Mistake: "the batch insert path skips participants with a removal tombstone (the single-insert path clears it), so a removed participant re-added together with others answers 201 but is never listed again",
			// The listing after the re-add misses a participant added.
			Trips: []string{"STATE-01", "ADD-04"},
			Wrap:  readdLostInBatch(),
		},
		{
			Name:    "skip-after-remove-counts-tombstones",
			Mistake: "after a remove, a caller's skip counts the removed participants' tombstones, so a walk from skip=K on such a thread starts that many participants late (nextLinks it hands out are right)",
			// The walk from the skip misses participants (PAGE-02) and ends
			// without a nextLink while they remain (PAGE-03).
			Trips: []string{"STATE-01", "PAGE-02", "PAGE-03"},
			Wrap:  skipCountsTombstones(),
		},
		{
			Name:    "mixed-add-duplicates-existing-after-new",
			Mistake: "checks for existing members only before the first insert of a batch, so an existing member named after a new one in the same add is inserted again",
			// The listing shows a participant added twice (ADD-04). A walk
			// over it has a page one too full (PAGE-01) and the duplicate
			// on two pages (PAGE-02, PAGE-03); a participant named twice in
			// the add that first added it is ADD-07's (a SHOULD) to list once.
			Trips:      []string{"STATE-01", "ADD-04"},
			Collateral: []string{"ADD-07", "PAGE-01", "PAGE-02", "PAGE-03"},
			Wrap:       duplicatesExistingAfterNew(),
		},
	}
}

// readdLostInBatch drops, from an add naming more than one participant,
// everyone the thread has removed before.
func readdLostInBatch() func(Deps, http.Handler) http.Handler {
	removed := newMemory()
	return chain(rewrite(isRemove, func(r *http.Request, c *captured) {
		if target := removeTarget(readBody(r)); c.status == http.StatusNoContent && target != "" {
			removed.set(threadOf(r), target, "tombstone")
		}
	}), func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			lost := false
			editAdd(r, func(req map[string]any, ps []any) bool {
				if len(ps) < 2 {
					return false
				}
				kept := slices.DeleteFunc(slices.Clone(ps), func(v any) bool {
					p, _ := v.(map[string]any)
					_, gone := removed.get(threadOf(r), requestID(p))
					return p != nil && gone
				})
				if len(kept) == len(ps) {
					return false
				}
				lost, req["participants"] = len(kept) == 0, kept
				return true
			})
			if lost {
				created(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
}

// skipCountsTombstones adds the thread's removes so far to the skip of a
// listing that is not a nextLink the server handed out.
func skipCountsTombstones() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	removes := map[string]int{}
	issued := map[string]bool{} // thread?query of every nextLink handed out
	return chain(rewrite(isRemove, func(r *http.Request, c *captured) {
		if c.status == http.StatusNoContent {
			mu.Lock()
			removes[threadOf(r)]++
			mu.Unlock()
		}
	}), rewrite(isList, func(r *http.Request, c *captured) {
		if link, _ := c.object()["nextLink"].(string); link != "" {
			if u, err := url.Parse(link); err == nil {
				mu.Lock()
				issued[threadOf(r)+"?"+u.Query().Encode()] = true
				mu.Unlock()
			}
		}
	}), before(func(r *http.Request) {
		if !isList(r) {
			return
		}
		q := r.URL.Query()
		k, err := strconv.Atoi(q.Get("skip"))
		mu.Lock()
		n, followed := removes[threadOf(r)], issued[threadOf(r)+"?"+q.Encode()]
		mu.Unlock()
		if err != nil || k <= 0 || n == 0 || followed {
			return
		}
		q.Set("skip", strconv.Itoa(k+n))
		r.URL.RawQuery = q.Encode()
	}))
}

// duplicatesExistingAfterNew lists twice every member an add named after a
// participant new to the thread; a remove forgets both.
func duplicatesExistingAfterNew() func(Deps, http.Handler) http.Handler {
	members, dups := newMemory(), newMemory()
	return chain(rewrite(isRemove, func(r *http.Request, c *captured) {
		if target := removeTarget(readBody(r)); c.status == http.StatusNoContent && target != "" {
			members.set(threadOf(r), target, "")
			dups.set(threadOf(r), target, "")
		}
	}), rewrite(isAdd, func(r *http.Request, c *captured) {
		if c.status/100 != 2 {
			return
		}
		thread, sawNew := threadOf(r), false
		ids := requestIDs(readBody(r))
		was := map[string]bool{}
		for _, id := range ids {
			v, _ := members.get(thread, id)
			was[id] = v == "member"
		}
		for _, id := range ids {
			if !was[id] {
				sawNew = true
			} else if sawNew {
				dups.set(thread, id, "dup")
			}
		}
		for _, id := range ids {
			members.set(thread, id, "member")
		}
	}), listTwice(dups))
}
