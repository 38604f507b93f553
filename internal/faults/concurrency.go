package faults

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// raceWindow is how long each fault's add takes between reading the
// membership and writing it: the window concurrent requests fall into.
// Sequential requests never do, so only the CONC specs see these faults.
const raceWindow = 30 * time.Millisecond

func concurrencyFaults() []Fault {
	return []Fault{
		{
			Name:       "concurrent-add-duplicates",
			Mistake:    "checks whether a participant is a member, then inserts it: concurrent adds of the same new participant each insert a row",
			Trips:      []string{"CONC-01"},
			Collateral: []string{"ADD-04"},
			Wrap:       checkThenInsert(),
		},
		{
			Name:       "concurrent-adds-lose-updates",
			Mistake:    "reads the thread's membership, adds the new participants and writes it back: concurrent adds overwrite each other",
			Trips:      []string{"CONC-02"},
			Collateral: []string{"ADD-04"},
			Wrap:       readModifyWrite(),
		},
		{
			Name:    "list-repeats-during-add",
			Mistake: "lists a half-written membership while an add is in flight: the last participant appears twice",
			Trips:   []string{"CONC-03"},
			Wrap:    listsDuringAdds(),
		},
	}
}

// acceptedIDs are the distinct raw ids of an add the answer did not name
// in invalidParticipants.
func acceptedIDs(r *http.Request, c *captured) []string {
	var res struct {
		Invalid []struct {
			Target string `json:"target"`
		} `json:"invalidParticipants"`
	}
	_ = json.Unmarshal(c.body, &res)
	invalid := map[string]bool{}
	for _, e := range res.Invalid {
		invalid[e.Target] = true
	}
	var ids []string
	for _, id := range requestIDs(readBody(r)) {
		if id != "" && !invalid[id] && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// threadSets is per-thread sets of raw ids under one lock.
type threadSets map[string]map[string]bool

func (s threadSets) of(thread string) map[string]bool {
	if s[thread] == nil {
		s[thread] = map[string]bool{}
	}
	return s[thread]
}

// checkThenInsert keeps its own view of each thread's membership: an add
// checks it, waits, then inserts. Every add that saw a participant absent
// inserts a row; the rows beyond the first are listed as duplicates.
func checkThenInsert() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	members := threadSets{}
	extra := map[string]map[string]int{} // thread → raw id → rows beyond one
	return onThread(func(thread string, next http.Handler, w http.ResponseWriter, r *http.Request) {
		switch {
		case isAdd(r):
			absent := map[string]bool{}
			racyAdd(next, w, r, &mu, func() {
				for _, id := range requestIDs(readBody(r)) {
					absent[id] = !members.of(thread)[id]
				}
			}, func(accepted []string) {
				for _, id := range accepted {
					if absent[id] && members.of(thread)[id] {
						if extra[thread] == nil {
							extra[thread] = map[string]int{}
						}
						extra[thread][id]++
					}
					members.of(thread)[id] = true
				}
			})
		case isRemove(r):
			forgetRemoved(next, w, r, &mu, func(id string) {
				delete(members.of(thread), id)
				delete(extra[thread], id)
			})
		case isList(r):
			editValue(next, w, r, &mu, func(vs []any) []any {
				out := []any{}
				for _, v := range vs {
					out = append(out, v)
					if p, ok := v.(map[string]any); ok {
						for range extra[thread][rawID(p)] {
							out = append(out, v)
						}
					}
				}
				return out
			})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// readModifyWrite stores each thread's membership as one value an add
// reads, extends and, after a delay, writes back: of concurrent adds the
// last write wins, and the participants only the others wrote are no
// longer listed (though the reference server still has them).
func readModifyWrite() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	stored := threadSets{} // the membership as last written
	added := threadSets{}  // every raw id an add wrote
	return onThread(func(thread string, next http.Handler, w http.ResponseWriter, r *http.Request) {
		switch {
		case isAdd(r):
			var read map[string]bool
			racyAdd(next, w, r, &mu, func() { read = maps.Clone(stored.of(thread)) }, func(accepted []string) {
				for _, id := range accepted {
					read[id], added.of(thread)[id] = true, true
				}
				stored[thread] = read
			})
		case isRemove(r):
			forgetRemoved(next, w, r, &mu, func(id string) {
				delete(stored.of(thread), id)
				delete(added.of(thread), id)
			})
		case isList(r):
			editValue(next, w, r, &mu, func(vs []any) []any {
				return slices.DeleteFunc(slices.Clone(vs), func(v any) bool {
					p, _ := v.(map[string]any)
					id := rawID(p)
					return p != nil && added.of(thread)[id] && !stored.of(thread)[id]
				})
			})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// listsDuringAdds counts each thread's adds in flight (each takes
// raceWindow); a listing read meanwhile repeats its last participant, as
// a listing of a half-written membership might.
func listsDuringAdds() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	inFlight := map[string]int{}
	return onThread(func(thread string, next http.Handler, w http.ResponseWriter, r *http.Request) {
		switch {
		case isAdd(r):
			mu.Lock()
			inFlight[thread]++
			mu.Unlock()
			defer func() {
				mu.Lock()
				inFlight[thread]--
				mu.Unlock()
			}()
			time.Sleep(raceWindow)
			next.ServeHTTP(w, r)
		case isList(r):
			mu.Lock()
			busy := inFlight[thread] > 0
			mu.Unlock()
			if !busy {
				next.ServeHTTP(w, r)
				return
			}
			editValue(next, w, r, &mu, func(vs []any) []any {
				if len(vs) == 0 {
					return vs
				}
				return append(vs, vs[len(vs)-1])
			})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// forgetRemoved passes a remove on and, when it succeeded, calls forget
// with the raw id it named, under mu.
func forgetRemoved(next http.Handler, w http.ResponseWriter, r *http.Request, mu *sync.Mutex, forget func(id string)) {
	readBody(r) // kept, to read the target after next consumed it
	c := capture(next, r)
	if c.status == http.StatusNoContent {
		id := removeTarget(readBody(r))
		mu.Lock()
		forget(id)
		mu.Unlock()
	}
	c.write(w)
}

// editValue passes a listing on and replaces its value array by what edit
// makes of it, under mu.
func editValue(next http.Handler, w http.ResponseWriter, r *http.Request, mu *sync.Mutex, edit func(vs []any) []any) {
	c := capture(next, r)
	if m := c.object(); m != nil {
		vs, _ := m["value"].([]any)
		mu.Lock()
		out := edit(vs)
		mu.Unlock()
		if len(out) != len(vs) {
			m["value"] = out
			c.setObject(m)
		}
	}
	c.write(w)
}

// onThread is a middleware that hands every request to serve with the
// thread it is about.
func onThread(serve func(thread string, next http.Handler, w http.ResponseWriter, r *http.Request)) func(Deps, http.Handler) http.Handler {
	return func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(threadOf(r), next, w, r) })
	}
}

// racyAdd is an add with a race window: check reads the fault's state under
// mu, the add then waits raceWindow and goes to the server, and when it
// succeeded insert writes the state under mu with the raw ids it accepted.
func racyAdd(next http.Handler, w http.ResponseWriter, r *http.Request, mu *sync.Mutex, check func(), insert func(accepted []string)) {
	readBody(r) // kept for acceptedIDs, after next consumed it
	mu.Lock()
	check()
	mu.Unlock()
	time.Sleep(raceWindow)
	c := capture(next, r)
	if c.status/100 == 2 {
		mu.Lock()
		insert(acceptedIDs(r, c))
		mu.Unlock()
	}
	c.write(w)
}
