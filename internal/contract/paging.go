package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// The paging assertions.
const (
	pageSizeID    = "PAGE-01"
	exactlyOnceID = "PAGE-02"
	nextLinkID    = "PAGE-03"
	linkFormID    = "PAGE-04"
	orderID       = "PAGE-06"
)

// Page is one page of a listing as the server sent it.
type Page struct {
	Items    []wire.Participant
	IDs      []string
	NextLink string
	Resp     *transcript.Response
}

// Walk is the outcome of following a chain.
type Walk struct {
	Pages []Page
	// Cut says the walk stopped at its page bound with a nextLink still
	// pending: an endless chain or a cycle.
	Cut bool
}

// IDs concatenates the raw ids of every page, in order.
func (w Walk) IDs() []string {
	var ids []string
	for _, p := range w.Pages {
		ids = append(ids, p.IDs...)
	}
	return ids
}

// Items concatenates every page's participants, in order.
func (w Walk) Items() []wire.Participant {
	var ps []wire.Participant
	for _, p := range w.Pages {
		ps = append(ps, p.Items...)
	}
	return ps
}

// Fetch gets one page: link is "" for the first page, else a nextLink.
type Fetch func(ctx context.Context, link string) (*transcript.Response, error)

// StatusError says a page did not come back as a 200 JSON collection; the
// walk's pages so far are kept beside it.
type StatusError struct {
	Page int
	Resp *transcript.Response
	Why  string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("page %d: %s\n%s", e.Page, e.Why, e.Resp.Exchange)
}

// Follow walks from the first page until a page has no nextLink or
// maxPages pages were read. A transport error or a page that is not a 200
// ChatParticipantsCollection ends the walk with an error.
func Follow(ctx context.Context, fetch Fetch, maxPages int) (Walk, error) {
	return FollowWithin(ctx, fetch, Limits{Pages: maxPages})
}

// Limits end a walk early, as cut (an endless chain), before it costs more
// requests than a conformant chain could need: a server that repeats pages
// or hands out empty pages with nextLinks would otherwise walk the suite
// into the list rate limits, and the chain is already non-conformant.
type Limits struct {
	Pages int // pages read at most
	// Items, when > 0: the walk is cut once it has returned more items than
	// this while a nextLink is still pending.
	Items int
	// EmptyPages, when > 0: the walk is cut after that many consecutive
	// empty pages that still hand out a nextLink.
	EmptyPages int
}

// FollowWithin is Follow with limits beyond the page count.
func FollowWithin(ctx context.Context, fetch Fetch, lim Limits) (Walk, error) {
	var w Walk
	link := ""
	items, empty := 0, 0
	for i := 1; ; i++ {
		if i > lim.Pages || (lim.Items > 0 && items > lim.Items) || (lim.EmptyPages > 0 && empty >= lim.EmptyPages) {
			w.Cut = true
			return w, nil
		}
		resp, err := fetch(ctx, link)
		if err != nil {
			return w, err
		}
		if resp.Status != 200 {
			return w, &StatusError{Page: i, Resp: resp, Why: fmt.Sprintf("status %d, want 200", resp.Status)}
		}
		var c wire.ParticipantsCollection
		if err := json.Unmarshal(resp.Body, &c); err != nil {
			return w, &StatusError{Page: i, Resp: resp, Why: "the body is not a ChatParticipantsCollection JSON object: " + err.Error()}
		}
		if c.Value == nil {
			// JSON null, or an object without value: nothing to walk.
			return w, &StatusError{Page: i, Resp: resp, Why: "the body has no value array (ChatParticipantsCollection.value is required)"}
		}
		p := Page{Items: c.Value, NextLink: c.NextLink, Resp: resp}
		for _, it := range c.Value {
			p.IDs = append(p.IDs, it.CommunicationIdentifier.Key())
		}
		w.Pages = append(w.Pages, p)
		if c.NextLink == "" {
			return w, nil
		}
		items += len(c.Value)
		if empty++; len(c.Value) > 0 {
			empty = 0
		}
		link = c.NextLink
	}
}

// Bound is how many pages a walk of total items may read before it counts
// as endless (PAGE-03). maxPageSize n is only a maximum: a conformant
// server may return a single item per page, so total items may take total
// pages whatever n is; one more page lets a chain that ends on an empty
// page be judged on its nextLinks rather than cut. n is kept for the
// message and for callers that know it.
func Bound(total, n int) int {
	return max(total, 1) + 1
}

func where(page int) string { return "page " + strconv.Itoa(page) }

// CheckPageSizes is PAGE-01: no page has more than n items. Fewer is
// allowed: maxPageSize is a maximum.
func CheckPageSizes(w Walk, n int) []Violation {
	var vs []Violation
	for i, p := range w.Pages {
		if len(p.Items) > n {
			vs = append(vs, Violation{Assertion: pageSizeID, Pointer: where(i + 1),
				Message: fmt.Sprintf("%d participants on the page, but maxPageSize is %d", len(p.Items), n)})
		}
	}
	return vs
}

// CheckExactlyOnce is PAGE-02: the pages together hold every id of want
// exactly once and nothing else.
func CheckExactlyOnce(w Walk, want []string) []Violation {
	seen := map[string][]int{}
	var order []string // ids in walk order, once each
	for i, p := range w.Pages {
		for _, id := range p.IDs {
			if seen[id] == nil {
				order = append(order, id)
			}
			seen[id] = append(seen[id], i+1)
		}
	}
	var vs []Violation
	add := func(format string, args ...any) {
		vs = append(vs, Violation{Assertion: exactlyOnceID, Message: fmt.Sprintf(format, args...)})
	}
	wanted := make(map[string]bool, len(want))
	for _, id := range want {
		if wanted[id] {
			continue
		}
		wanted[id] = true
		switch pages := seen[id]; {
		case len(pages) == 0:
			add("%s is missing from every page (a gap)", id)
		case len(pages) > 1:
			add("%s appears %d times, on pages %v (pages overlap)", id, len(pages), pages)
		}
	}
	for _, id := range order {
		if !wanted[id] {
			add("%s appears on pages %v but is not in the unpaged listing", id, seen[id])
		}
	}
	return vs
}

// CheckNextLinks is PAGE-03: every page after which items remain has a
// nextLink, the page that completes the listing has none, and the chain
// ends within Bound pages. total is how many items the walk must yield;
// items are counted as sent, so a gap filled by a repeat (PAGE-02) is not
// also a PAGE-03 finding.
func CheckNextLinks(w Walk, total, n int) []Violation {
	var vs []Violation
	seen := 0
	for i, p := range w.Pages {
		seen += len(p.Items)
		if p.NextLink == "" && seen < total {
			vs = append(vs, Violation{Assertion: nextLinkID, Pointer: where(i + 1),
				Message: fmt.Sprintf("no nextLink, although only %d of %d participants were returned so far", seen, total)})
		}
		if p.NextLink != "" && seen >= total {
			// Only the first such page: the later ones follow from it.
			vs = append(vs, Violation{Assertion: nextLinkID, Pointer: where(i + 1),
				Message: fmt.Sprintf("still a nextLink (%s), although all %d participants were returned", p.NextLink, total)})
			break
		}
	}
	if w.Cut {
		size := "no maxPageSize"
		if n > 0 {
			size = fmt.Sprintf("maxPageSize=%d", n)
		}
		vs = append(vs, Violation{Assertion: nextLinkID,
			Message: fmt.Sprintf("the nextLink chain did not end within %d pages (%d participants at %s need at most %d, even at one per page): an endless chain or a cycle",
				len(w.Pages), total, size, max(total, 1))})
	}
	return vs
}

// CheckLinkForm is the static half of PAGE-04: every nextLink is an
// absolute http(s) URL carrying api-version (apiVersion when given). The
// order of its query parameters, an opaque continuation token instead of
// skip, and a percent-encoded thread id are all fine.
func CheckLinkForm(w Walk, apiVersion string) []Violation {
	var vs []Violation
	for i, p := range w.Pages {
		if p.NextLink == "" {
			continue
		}
		add := func(format string, args ...any) {
			vs = append(vs, Violation{Assertion: linkFormID, Pointer: where(i + 1), Message: fmt.Sprintf(format, args...)})
		}
		u, err := url.Parse(p.NextLink)
		switch {
		case err != nil:
			add("nextLink %q is not a URL: %v", p.NextLink, err)
		case !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			add("nextLink %q is not an absolute http(s) URL", p.NextLink)
		case u.Query().Get("api-version") == "":
			add("nextLink %q carries no api-version", p.NextLink)
		case apiVersion != "" && u.Query().Get("api-version") != apiVersion:
			add("nextLink %q carries api-version=%s, the listing was asked with %s", p.NextLink, u.Query().Get("api-version"), apiVersion)
		}
	}
	return vs
}

// WalkWant is what one walk of a listing must yield.
type WalkWant struct {
	// MaxPageSize is the maxPageSize sent; 0 means none was sent.
	MaxPageSize int
	// Unpaged are the raw ids expected from the start position, in order.
	Unpaged []string
	// APIVersion is the api-version every nextLink must carry.
	APIVersion string
}

// CheckWalk runs every paging property that applies to one walk, each
// violation under its own ID: PAGE-01 (only when a maxPageSize was sent),
// PAGE-02, PAGE-03 and PAGE-04. Pages smaller than maxPageSize, any query
// order, opaque tokens and encoded thread ids in nextLinks are permitted.
func CheckWalk(w Walk, want WalkWant) []Violation {
	var vs []Violation
	if want.MaxPageSize > 0 {
		vs = append(vs, CheckPageSizes(w, want.MaxPageSize)...)
	}
	vs = append(vs, CheckExactlyOnce(w, want.Unpaged)...)
	vs = append(vs, CheckNextLinks(w, len(want.Unpaged), want.MaxPageSize)...)
	vs = append(vs, CheckLinkForm(w, want.APIVersion)...)
	return vs
}

// CheckOrder is PAGE-06 (SHOULD): the pages concatenated are the unpaged
// sequence. It reports the first position where they part.
func CheckOrder(w Walk, want []string) []Violation {
	got := w.IDs()
	if slices.Equal(got, want) {
		return nil
	}
	pos := 0
	for i, p := range w.Pages {
		for _, id := range p.IDs {
			if pos >= len(want) || id != want[pos] {
				return []Violation{{Assertion: orderID, Pointer: where(i + 1),
					Message: fmt.Sprintf("item %d of the walk is %s, but the unpaged listing has %s there", pos+1, id, itemAt(want, pos))}}
			}
			pos++
		}
	}
	return []Violation{{Assertion: orderID,
		Message: fmt.Sprintf("the walk ends after %d items, but the unpaged listing goes on with %s", len(got), want[len(got)])}}
}

func itemAt(ids []string, i int) string {
	if i < len(ids) {
		return ids[i]
	}
	return "nothing (it has only " + strconv.Itoa(len(ids)) + ")"
}
