package participants

import (
	"fmt"
	"net/http"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

// pagedMembers is how many users a paging thread gets besides its creator:
// total 6, so maxPageSize 2 divides it exactly and 4 does not. Whether the
// creator is listed is LIST-04's business; these specs use what is listed.
const pagedMembers = 5

var _ = Describe("List Chat Participants with paging", func() {
	var (
		t       thread
		unpaged []string // the listing without maxPageSize: the reference sequence
		total   int
	)

	BeforeEach(func(ctx SpecContext) {
		t = newThread(ctx)
		add(ctx, t, members(0, pagedMembers)...)
		unpaged = ids(listAll(ctx, t))
		total = len(unpaged)
		Expect(total).To(BeNumerically(">=", pagedMembers), "setup: the thread must list the %d added users", pagedMembers)
	})

	DescribeTable("[PAGE-01] never puts more than maxPageSize participants on a page",
		As("PAGE-01"),
		func(ctx SpecContext, size func(total int) int) {
			n := size(total)
			w := walk(ctx, t, strconv.Itoa(n), contract.Bound(total, n))
			Expect(contract.CheckPageSizes(w, n)).To(BeEmpty(), "[PAGE-01] with maxPageSize=%d no page may hold more than %d participants", n, n)
		},
		Entry("when maxPageSize is 1", func(int) int { return 1 }),
		Entry("when maxPageSize is 2", func(int) int { return 2 }),
		Entry("when maxPageSize is 3", func(int) int { return 3 }),
		Entry("when maxPageSize is total-1", func(t int) int { return t - 1 }),
		Entry("when maxPageSize is total", func(t int) int { return t }),
		Entry("when maxPageSize is total+1", func(t int) int { return t + 1 }),
	)

	When("maxPageSize is 2", func() {
		It("[PAGE-02] yields every participant exactly once across nextLink pages", As("PAGE-02"), func(ctx SpecContext) {
			w := walk(ctx, t, "2", contract.Bound(total, 2))
			Expect(contract.CheckExactlyOnce(w, unpaged)).To(BeEmpty(),
				"[PAGE-02] following nextLink from the first page must yield each of the %d participants of the unpaged listing exactly once", total)
		})

		It("[PAGE-04] hands out absolute nextLinks that carry api-version and work with the same token", As("PAGE-04"), func(ctx SpecContext) {
			w := walk(ctx, t, "2", contract.Bound(total, 2))
			Expect(len(w.Pages)).To(BeNumerically(">", 1), "6 participants at maxPageSize=2 need more than one page, so a nextLink must be handed out")
			Expect(contract.CheckLinkForm(w, env.Config.APIVersion)).To(BeEmpty(),
				"[PAGE-04] every nextLink must be an absolute http(s) URL carrying the api-version of the listing")
			// walk followed every link with the same Authorization header and
			// got 200 ChatParticipantsCollections, or it would have failed.
		})
	})

	DescribeTable("[PAGE-03] hands out nextLink exactly while participants remain",
		As("PAGE-03"),
		func(ctx SpecContext, n int) {
			w := walk(ctx, t, strconv.Itoa(n), contract.Bound(total, n))
			Expect(contract.CheckNextLinks(w, total, n)).To(BeEmpty(),
				"[PAGE-03] with maxPageSize=%d over %d participants, nextLink must be present while participants remain and absent on the last page", n, total)
		},
		Entry("when maxPageSize divides the total (2)", 2),
		Entry("when maxPageSize does not divide the total (4)", 4),
	)

	When("skip is given", func() {
		It("[PAGE-05] returns the listing from position skip, and nothing past the end", As("PAGE-05"), func(ctx SpecContext) {
			for _, k := range []int{0, 2, total - 1} {
				resp := judge(ctx, client.ListParticipants(t.Host.Token, t.ID, strconv.Itoa(total), strconv.Itoa(k)))
				Expect(resp).To(HaveStatus(http.StatusOK))
				var page wire.ParticipantsCollection
				decode(resp, &page)
				Expect(ids(page.Value)).To(Equal(unpaged[k:]), "skip=%d must start at position %d of the unpaged listing\n%s", k, k, resp.Exchange)
			}
			for _, k := range []int{total, total + 3} {
				resp := judge(ctx, client.ListParticipants(t.Host.Token, t.ID, "", strconv.Itoa(k)))
				Expect(resp).To(HaveStatus(http.StatusOK))
				var page wire.ParticipantsCollection
				decode(resp, &page)
				Expect(page.Value).NotTo(BeNil(), "skip=%d: value must be an empty array, not null or absent\n%s", k, resp.Exchange)
				Expect(page.Value).To(BeEmpty(), "skip=%d is past the last of %d participants\n%s", k, total, resp.Exchange)
				Expect(page.NextLink).To(BeEmpty(), "skip=%d is past the end, so there is no next page\n%s", k, resp.Exchange)
			}
		})
	})

	When("the same listing is repeated", func() {
		It("[PAGE-06] returns the same order, and the pages concatenate to the unpaged sequence", As("PAGE-06"), func(ctx SpecContext) {
			again := ids(listAll(ctx, t))
			w := walk(ctx, t, "2", contract.Bound(total, 2))
			should("PAGE-06", func() {
				Expect(again).To(Equal(unpaged), "a repeated unpaged listing must keep its order")
				Expect(w.IDs()).To(Equal(unpaged), "the pages of maxPageSize=2 concatenated must equal the unpaged listing")
			})
		})
	})

	DescribeTable("[PAGE-07] answers an invalid maxPageSize or skip without a 5xx",
		As("PAGE-07"),
		func(ctx SpecContext, maxPageSize, skip string) {
			resp := judge(ctx, client.ListParticipants(t.Host.Token, t.ID, maxPageSize, skip))
			no5xx(resp, fmt.Sprintf("maxPageSize=%q skip=%q", maxPageSize, skip))
			should("PAGE-07", func() {
				Expect(resp).To(HaveStatus(http.StatusBadRequest))
				Expect(resp).To(HaveErrorEnvelope(""))
			})
		},
		Entry("when maxPageSize is 0", "0", ""),
		Entry("when maxPageSize is -1", "-1", ""),
		Entry("when maxPageSize is abc", "abc", ""),
		Entry("when skip is -1", "", "-1"),
		Entry("when skip is abc", "", "abc"),
	)
})
