package matchers_test

import (
	"encoding/json"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

// pagedWalk builds a walk of pages of the given raw ids, each page's
// request recorded, every page but the last carrying a nextLink.
func pagedWalk(pages ...[]string) contract.Walk {
	var w contract.Walk
	url := listURL
	for i, ids := range pages {
		c := wire.ParticipantsCollection{Value: participants(ids...)}
		if i < len(pages)-1 {
			c.NextLink = fmt.Sprintf("%s/participants?skip=%d&maxPageSize=2&api-version=2024-03-07", threadURL, 2*(i+1))
		}
		body, _ := json.Marshal(c)
		w.Pages = append(w.Pages, contract.Page{Items: c.Value, IDs: ids, NextLink: c.NextLink, Resp: response("GET", url, 200, jsonHeader, string(body))})
		url = c.NextLink
	}
	return w
}

var pagingWant = contract.WalkWant{MaxPageSize: 2, Unpaged: []string{"8:acs:r_a", "8:acs:r_b", "8:acs:r_c"}, APIVersion: "2024-03-07"}

func TestConformToPaging(t *testing.T) {
	good := pagedWalk([]string{"8:acs:r_a", "8:acs:r_b"}, []string{"8:acs:r_c"})
	expectNoFailure(t, func() { Expect(good).To(ConformToPaging(pagingWant)) })
	expectNoFailure(t, func() { Expect(&good).To(ConformToPaging(pagingWant)) })
	// Pages smaller than maxPageSize are fine.
	small := pagedWalk([]string{"8:acs:r_a"}, []string{"8:acs:r_b"}, []string{"8:acs:r_c"})
	expectNoFailure(t, func() { Expect(small).To(ConformToPaging(pagingWant)) })

	bad := pagedWalk([]string{"8:acs:r_a", "8:acs:r_b", "8:acs:r_a"})
	bad.Pages[0].Resp.Exchange = nil
	expectOneFailure(t, `Expected the walk to page as documented (3 participants at maxPageSize=2, api-version 2024-03-07), but it breaks the contract in 3 places:
    [PAGE-01] page 1: 3 participants on the page, but maxPageSize is 2
    [PAGE-02] 8:acs:r_a appears 2 times, on pages [1 1] (pages overlap)
    [PAGE-02] 8:acs:r_c is missing from every page (a gap)
Pages (1):
    page 1: (request not recorded) → 3 participants`,
		func() { Expect(bad).To(ConformToPaging(pagingWant)) })

	cut := pagedWalk([]string{"8:acs:r_a", "8:acs:r_b"}, []string{"8:acs:r_c"}, []string{})
	cut.Pages[2].NextLink = listURL
	cut.Cut = true
	expectOneFailure(t, `Expected the walk to page as documented (3 participants at maxPageSize=2, api-version 2024-03-07), but it breaks the contract in 2 places:
    [PAGE-03] page 2: still a nextLink (`+threadURL+`/participants?skip=4&maxPageSize=2&api-version=2024-03-07), although all 3 participants were returned
    [PAGE-03] the nextLink chain did not end within 3 pages (3 participants at maxPageSize=2 need at most 3, even at one per page): an endless chain or a cycle
Pages (3, cut at the bound with a nextLink pending):
    page 1: GET `+listURL+` → 2 participants
    page 2: GET `+threadURL+`/participants?skip=2&maxPageSize=2&api-version=2024-03-07 → 1 participant
    page 3: GET `+threadURL+`/participants?skip=4&maxPageSize=2&api-version=2024-03-07 → 0 participants`,
		func() { Expect(cut).To(ConformToPaging(pagingWant)) })

	expectOneFailure(t, `Expected the walk not to page as documented (3 participants at maxPageSize=2, api-version 2024-03-07), but it does.
Pages (2):
    page 1: GET `+listURL+` → 2 participants
    page 2: GET `+threadURL+`/participants?skip=2&maxPageSize=2&api-version=2024-03-07 → 1 participant`,
		func() { Expect(good).NotTo(ConformToPaging(pagingWant)) })
}

func TestConformToPagingWrongActual(t *testing.T) {
	expectOneFailure(t, "ConformToPaging expects a contract.Walk, got:\n    <[]string | len:1, cap:1>: [\"8:acs:r_a\"]",
		func() { Expect([]string{"8:acs:r_a"}).To(ConformToPaging(pagingWant)) })
	expectOneFailure(t, "ConformToPaging got a nil *contract.Walk",
		func() { Expect((*contract.Walk)(nil)).To(ConformToPaging(pagingWant)) })
}
