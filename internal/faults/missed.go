package faults

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/chatconform/chatconform/internal/limits"
)

// Defects the suite used to miss: each is subtle enough to pass a check
// that looks at one page, one small batch or ASCII data only.
func missedFaults() []Fault {
	return []Fault{
		{
			Name:    "short-last-page-repeats",
			Mistake: "on a short last page (fewer than maxPageSize, no nextLink) re-sends the previous page's last participant first",
			Trips:   []string{"PAGE-02"},
			// A walk from skip=K may end on a short page whose predecessor an
			// earlier walk saw; the concatenation no longer equals the listing.
			Collateral: []string{"PAGE-05", "PAGE-06", "REM-05"},
			Wrap:       shortLastPageRepeats(),
		},
		{
			Name:    "add-batch-truncated",
			Mistake: "stores only the first 3 participants of an add (a fixed-size batch buffer) and answers 201 as if all were added",
			Trips:   []string{"ADD-04"},
			// Any spec adding more than 3 at once sees fewer members.
			Collateral: []string{"ADD-05", "ADD-06", "ADD-07", "ADD-09"},
			Wrap: before(func(r *http.Request) {
				editAdd(r, func(req map[string]any, ps []any) bool {
					if len(ps) <= 3 {
						return false
					}
					req["participants"] = ps[:3]
					return true
				})
			}),
		},
		{
			Name:       "communication-user-only-garbled",
			Mistake:    "reads the id of a participant from rawId only, so one sent with communicationUser alone (the Java SDK's shape) is stored and listed with an empty id",
			Trips:      []string{"ADD-04"},
			Collateral: []string{"LIST-02"},
			Wrap:       communicationUserOnlyGarbled(),
		},
		{
			Name:    "display-name-truncated-64",
			Mistake: "stores displayName in a 64-character column, truncating longer names (256 are allowed)",
			Trips:   []string{"ADD-04"},
			Wrap: editNames(func(s string) string {
				if utf8.RuneCountInString(s) <= 64 {
					return s
				}
				return string([]rune(s)[:64])
			}),
		},
		{
			Name:    "display-name-emoji-stripped",
			Mistake: "stores displayName in a 3-byte UTF-8 (MySQL utf8mb3) column, losing emoji and other characters outside the BMP",
			Trips:   []string{"ADD-04"},
			Wrap: editNames(func(s string) string {
				return strings.Map(func(r rune) rune {
					if r > 0xFFFF || r == 0x200D || r == 0xFE0F {
						return -1
					}
					return r
				}, s)
			}),
		},
		{
			Name:    "display-name-mojibake",
			Mistake: "decodes displayName's UTF-8 bytes as Latin-1 when storing it, so every non-ASCII name comes back as mojibake (é → Ã©)",
			Trips:   []string{"ADD-04"},
			Wrap: editNames(func(s string) string {
				var b strings.Builder
				for i := 0; i < len(s); i++ {
					b.WriteRune(rune(s[i]))
				}
				return b.String()
			}),
		},
		{
			Name:       "time-offset-dropped",
			Mistake:    "parses shareHistoryTime with a layout ending in a literal Z and, when that fails on an offset such as +02:00, silently stores the default",
			Trips:      []string{"TIME-03"},
			Collateral: []string{"ADD-04", "ADD-08"},
			Wrap:       offsetTimesDropped(),
		},
		{
			Name:    "readd-moves-to-end",
			Mistake: "re-inserts a participant that is added again (same set, same details) at the end of the membership",
			Trips:   []string{"PAGE-06"},
			Wrap:    readdMovesToEnd(),
		},
		{
			Name:       "metadata-1024-rejected",
			Mistake:    "checks the metadata limit with >= instead of >, rejecting exactly 1024 bytes",
			Trips:      []string{"META-02"},
			APIVersion: preview,
			Wrap: intercept(func(r *http.Request) bool {
				if !isAdd(r) {
					return false
				}
				for _, p := range addRequest(readBody(r)) {
					if md, ok := p["metadata"].(map[string]any); ok && metadataSize(md) == limits.MetadataBytes {
						return true
					}
				}
				return false
			}, func(w http.ResponseWriter, _ *http.Request) {
				errorBody(w, http.StatusBadRequest, "application/json", envelope("BadRequest", "metadata totals 1024 bytes; it must be smaller than 1024"))
			}),
		},
		{
			Name:    "skip-start-next-link-wrong",
			Mistake: "computes the first nextLink of a walk that starts at skip=K as skip=count, forgetting K (the nextLinks after it are right)",
			Trips:   []string{"PAGE-05"},
			// The walk from K repeats participants.
			Collateral: []string{"PAGE-02", "PAGE-06"},
			Wrap:       skipStartNextLinkWrong(),
		},
	}
}

// editNames rewrites every displayName in listings.
func editNames(edit func(string) string) func(Deps, http.Handler) http.Handler {
	return editListed(func(p map[string]any) {
		if s, ok := p["displayName"].(string); ok {
			p["displayName"] = edit(s)
		}
	})
}

// shortLastPageRepeats remembers each page's last participant by the skip
// its nextLink continues at, and puts it first on a short last page.
func shortLastPageRepeats() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	lastOf := map[string]any{} // thread|skip of the next page → previous page's last participant
	return rewrite(func(r *http.Request) bool { return isList(r) && paged(r) }, func(r *http.Request, c *captured) {
		m := c.object()
		vs, ok := m["value"].([]any)
		if c.status != http.StatusOK || !ok || len(vs) == 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if s, _ := m["nextLink"].(string); s != "" {
			if u, err := url.Parse(s); err == nil {
				lastOf[threadOf(r)+"|"+u.Query().Get("skip")] = vs[len(vs)-1]
			}
			return
		}
		size, _ := strconv.Atoi(r.URL.Query().Get("maxPageSize"))
		prev, seen := lastOf[threadOf(r)+"|"+r.URL.Query().Get("skip")]
		if len(vs) < size && seen {
			m["value"] = append([]any{prev}, vs...)
			c.setObject(m)
		}
	})
}

// communicationUserOnlyGarbled lists with an empty id (rawId and
// communicationUser.id) every participant that was added with
// communicationUser and no rawId.
func communicationUserOnlyGarbled() func(Deps, http.Handler) http.Handler {
	garbled := newMemory()
	return chain(rewrite(isAdd, func(r *http.Request, c *captured) {
		if c.status != http.StatusCreated {
			return
		}
		for _, p := range addRequest(readBody(r)) {
			if _, has := identifier(p)["rawId"]; !has {
				garbled.set(threadOf(r), requestID(p), "garbled")
			}
		}
	}), rewrite(isList, func(r *http.Request, c *captured) {
		participants(c, func(p map[string]any) {
			if _, ok := garbled.get(threadOf(r), rawID(p)); ok {
				// The id it stored is the empty rawId it read.
				id := identifier(p)
				id["rawId"] = ""
				if cu, ok := id["communicationUser"].(map[string]any); ok {
					cu["id"] = ""
				}
			}
		})
	}))
}

// hasOffset says whether an RFC 3339 time ends in a numeric offset.
func hasOffset(s string) bool {
	if len(s) < 6 {
		return false
	}
	tail := s[len(s)-6:]
	return (tail[0] == '+' || tail[0] == '-') && tail[3] == ':'
}

// offsetTimesDropped removes, from add requests, every shareHistoryTime
// given with a numeric offset, so the reference server stores the default.
func offsetTimesDropped() func(Deps, http.Handler) http.Handler {
	return before(func(r *http.Request) {
		editAdd(r, func(_ map[string]any, ps []any) bool {
			changed := false
			objects(ps, func(p map[string]any) {
				if s, ok := p["shareHistoryTime"].(string); ok && hasOffset(s) {
					delete(p, "shareHistoryTime")
					changed = true
				}
			})
			return changed
		})
	})
}

// readdMovesToEnd keeps, per thread, the order in which members were added
// again, and lists those last, in that order.
func readdMovesToEnd() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	known := map[string]map[string]bool{} // thread → members seen added
	moved := map[string][]string{}        // thread → re-added members, last re-add last
	return chain(rewrite(isAdd, func(r *http.Request, c *captured) {
		if c.status != http.StatusCreated {
			return
		}
		ids, thread := requestIDs(readBody(r)), threadOf(r)
		mu.Lock()
		defer mu.Unlock()
		if known[thread] == nil {
			known[thread] = map[string]bool{}
		}
		for _, id := range ids {
			if known[thread][id] {
				moved[thread] = append(slices.DeleteFunc(moved[thread], func(s string) bool { return s == id }), id)
			}
		}
		for _, id := range ids {
			known[thread][id] = true
		}
	}), rewrite(isRemove, func(r *http.Request, c *captured) {
		if c.status != http.StatusNoContent {
			return
		}
		target, thread := removeTarget(readBody(r)), threadOf(r)
		mu.Lock()
		defer mu.Unlock()
		delete(known[thread], target)
		moved[thread] = slices.DeleteFunc(moved[thread], func(s string) bool { return s == target })
	}), reordered(func(r *http.Request, vs []any) []any {
		mu.Lock()
		order := slices.Clone(moved[threadOf(r)])
		mu.Unlock()
		out := make([]any, 0, len(vs))
		byID := map[string]any{}
		for _, v := range vs {
			p, _ := v.(map[string]any)
			if p != nil && slices.Contains(order, rawID(p)) {
				byID[rawID(p)] = v
				continue
			}
			out = append(out, v)
		}
		for _, id := range order {
			if v, ok := byID[id]; ok {
				out = append(out, v)
			}
		}
		return out
	}))
}

// skipStartNextLinkWrong remembers every nextLink it hands out; a paged
// request with skip>0 that is none of them starts a walk, and its nextLink
// gets skip=count instead of skip+count.
func skipStartNextLinkWrong() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	issued := map[string]bool{} // path?query of nextLinks handed out
	return editNextLink(func(r *http.Request, u *url.URL, m map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		if u.String() == "" {
			return
		}
		k, _ := strconv.Atoi(r.URL.Query().Get("skip"))
		if k > 0 && !issued[r.URL.EscapedPath()+"?"+r.URL.RawQuery] {
			// Keep the server's parameter order, which the suite's own
			// requests (url.Values.Encode, sorted) do not have.
			parts := strings.Split(u.RawQuery, "&")
			for i, p := range parts {
				if strings.HasPrefix(p, "skip=") {
					parts[i] = "skip=" + strconv.Itoa(valueLen(m))
				}
			}
			u.RawQuery = strings.Join(parts, "&")
			m["nextLink"] = u.String()
		}
		issued[u.EscapedPath()+"?"+u.RawQuery] = true
	})
}
