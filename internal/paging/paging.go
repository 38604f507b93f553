// Package paging walks a nextLink chain and judges it: the PAGE oracles as
// plain functions, testable without Ginkgo and usable against a replay of
// real traffic.
package paging

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
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
	var w Walk
	link := ""
	for i := 1; ; i++ {
		if i > maxPages {
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
		link = c.NextLink
	}
}

// Bound is the most pages a correct chain of total items at n per page can
// take, plus one: PAGE-03's limit before a chain counts as endless.
func Bound(total, n int) int {
	if n <= 0 {
		return 1
	}
	return (total+n-1)/n + 1
}

// CheckPageSizes is PAGE-01: no page has more than n items.
func CheckPageSizes(w Walk, n int) []string {
	var out []string
	for i, p := range w.Pages {
		if len(p.Items) > n {
			out = append(out, fmt.Sprintf("page %d has %d participants but maxPageSize is %d", i+1, len(p.Items), n))
		}
	}
	return out
}

// CheckExactlyOnce is PAGE-02: the pages together hold every id of want
// exactly once and nothing else.
func CheckExactlyOnce(w Walk, want []string) []string {
	var out []string
	seen := map[string][]int{}
	for i, p := range w.Pages {
		for _, id := range p.IDs {
			seen[id] = append(seen[id], i+1)
		}
	}
	for _, id := range want {
		switch pages := seen[id]; {
		case len(pages) == 0:
			out = append(out, fmt.Sprintf("%s is missing from every page (a gap)", id))
		case len(pages) > 1:
			out = append(out, fmt.Sprintf("%s appears %d times, on pages %v (pages overlap)", id, len(pages), pages))
		}
	}
	wanted := make(map[string]bool, len(want))
	for _, id := range want {
		wanted[id] = true
	}
	for id, pages := range seen {
		if !wanted[id] {
			out = append(out, fmt.Sprintf("%s appears on pages %v but is not in the unpaged listing", id, pages))
		}
	}
	slices.Sort(out)
	return out
}

// CheckNextLinks is PAGE-03: every page after which items remain has a
// nextLink, the last has none, and the chain ends within Bound pages.
func CheckNextLinks(w Walk, total, n int) []string {
	var out []string
	if w.Cut {
		out = append(out, fmt.Sprintf("the nextLink chain did not end within %d pages (%d participants at maxPageSize=%d need %d): an endless chain or a cycle",
			Bound(total, n), total, n, Bound(total, n)-1))
	}
	seen := 0
	for i, p := range w.Pages {
		seen += len(p.Items)
		last := i == len(w.Pages)-1
		switch {
		case p.NextLink == "" && seen < total:
			out = append(out, fmt.Sprintf("page %d has no nextLink although only %d of %d participants were returned so far", i+1, seen, total))
		case p.NextLink != "" && seen >= total && !(last && w.Cut):
			out = append(out, fmt.Sprintf("page %d still has a nextLink (%s) although all %d participants were returned", i+1, p.NextLink, total))
		}
	}
	return out
}

// CheckLinkForm is the static half of PAGE-04: every nextLink is an absolute
// http(s) URL carrying api-version (apiVersion when given).
func CheckLinkForm(w Walk, apiVersion string) []string {
	var out []string
	for i, p := range w.Pages {
		if p.NextLink == "" {
			continue
		}
		u, err := url.Parse(p.NextLink)
		switch {
		case err != nil:
			out = append(out, fmt.Sprintf("page %d: nextLink %q is not a URL: %v", i+1, p.NextLink, err))
		case !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			out = append(out, fmt.Sprintf("page %d: nextLink %q is not an absolute http(s) URL", i+1, p.NextLink))
		case u.Query().Get("api-version") == "":
			out = append(out, fmt.Sprintf("page %d: nextLink %q carries no api-version", i+1, p.NextLink))
		case apiVersion != "" && u.Query().Get("api-version") != apiVersion:
			out = append(out, fmt.Sprintf("page %d: nextLink %q carries api-version=%s, the listing was asked with %s",
				i+1, p.NextLink, u.Query().Get("api-version"), apiVersion))
		}
	}
	return out
}

// Join renders findings one per line for a failure message.
func Join(findings []string) string { return "  - " + strings.Join(findings, "\n  - ") }
