package matchers

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// ConformToPaging succeeds when the actual contract.Walk (or *Walk) pages
// as documented (contract.CheckWalk): PAGE-01 no page above
// want.MaxPageSize, PAGE-02 every id of want.Unpaged exactly once, PAGE-03
// nextLink exactly while items remain and an ending chain, PAGE-04
// absolute nextLinks carrying want.APIVersion. Smaller pages, any query
// order and opaque tokens are fine. The failure lists the violations with
// their IDs, then each page with the request that fetched it.
//
//	Expect(walk).To(ConformToPaging(contract.WalkWant{MaxPageSize: 2, Unpaged: ids, APIVersion: v}))
func ConformToPaging(want contract.WalkWant) types.GomegaMatcher {
	return &conformToPagingMatcher{want: want}
}

type conformToPagingMatcher struct {
	want       contract.WalkWant
	walk       contract.Walk
	violations []contract.Violation
}

func (m *conformToPagingMatcher) Match(actual any) (bool, error) {
	switch w := actual.(type) {
	case contract.Walk:
		m.walk = w
	case *contract.Walk:
		if w == nil {
			return false, fmt.Errorf("ConformToPaging got a nil *contract.Walk")
		}
		m.walk = *w
	default:
		return false, fmt.Errorf("ConformToPaging expects a contract.Walk, got:\n%s", format.Object(actual, 1))
	}
	m.violations = contract.CheckWalk(m.walk, m.want)
	return len(m.violations) == 0, nil
}

// expected says what the walk was judged against.
func (m *conformToPagingMatcher) expected() string {
	size := "no maxPageSize"
	if m.want.MaxPageSize > 0 {
		size = fmt.Sprintf("maxPageSize=%d", m.want.MaxPageSize)
	}
	return fmt.Sprintf("%d participants at %s, api-version %s", len(m.want.Unpaged), size, m.want.APIVersion)
}

// pages lists each page with the request that fetched it.
func (m *conformToPagingMatcher) pages() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Pages (%d", len(m.walk.Pages))
	if m.walk.Cut {
		b.WriteString(", cut at the bound with a nextLink pending")
	}
	b.WriteString("):")
	for i, p := range m.walk.Pages {
		req := "(request not recorded)"
		if p.Resp != nil && p.Resp.Exchange != nil {
			req = p.Resp.Exchange.Method + " " + p.Resp.Exchange.URL
		}
		n := fmt.Sprintf("%d participants", len(p.Items))
		if len(p.Items) == 1 {
			n = "1 participant"
		}
		fmt.Fprintf(&b, "\n%spage %d: %s → %s", format.Indent, i+1, req, n)
	}
	return b.String()
}

func (m *conformToPagingMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("Expected the walk to page as documented (%s), but it breaks the contract %s:\n%s\n%s",
		m.expected(), places(len(m.violations)), violationList(m.violations), m.pages())
}

func (m *conformToPagingMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("Expected the walk not to page as documented (%s), but it does.\n%s", m.expected(), m.pages())
}
