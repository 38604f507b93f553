package participants

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	. "github.com/chatconform/chatconform/internal/framework"
	. "github.com/chatconform/chatconform/matchers"
)

// pagedMembers is how many users a paging thread gets besides its creator:
// 7 in all when the creator is listed (6 when not), so that most page sizes
// walked (2, 3, 4, total-1, total+1) do not divide the total. Whether the
// creator is listed is LIST-04's business; these specs use what is listed.
const pagedMembers = 6

// pageSize is a maxPageSize of a table entry, absolute or relative to the
// thread's total.
type pageSize struct {
	name string
	of   func(total int) int
}

func fixed(n int) pageSize { return pageSize{fmt.Sprint(n), func(int) int { return n }} }

var (
	totalMinusOne = pageSize{"total-1", func(t int) int { return t - 1 }}
	totalSize     = pageSize{"total", func(t int) int { return t }}
	totalPlusOne  = pageSize{"total+1", func(t int) int { return t + 1 }}
)

func sizeEntries(sizes ...pageSize) []TableEntry {
	var es []TableEntry
	for _, s := range sizes {
		es = append(es, Entry("when maxPageSize is "+s.name, s))
	}
	return es
}

var _ = Certify("List Chat Participants with paging", func() {
	var (
		t       *Thread
		unpaged []string // the listing without maxPageSize: the reference sequence
		total   int
	)

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
		Add(ctx, t, Members(0, pagedMembers)...)
		unpaged = IDs(ListAll(ctx, t)) // checked against the members added (ADD-04)
		total = len(unpaged)
		if total < 2 {
			SetupErr("adding the paging thread's members", fmt.Errorf("the thread lists %d participants after %d were added, too few to page", total, pagedMembers))
		}
	})

	// walk lists at maxPageSize n and judges the walk against every paging
	// property (PAGE-01…04), each under its own ID: the spec's own row is
	// judged there, the others' findings count for them.
	walk := func(ctx SpecContext, n int) contract.Walk {
		GinkgoHelper()
		w := Walk(ctx, t, n, 0)
		CheckPaging(w, contract.WalkWant{MaxPageSize: n, Unpaged: unpaged, APIVersion: Version()}, "")
		return w
	}

	AssertTable("PAGE-01", "never puts more than maxPageSize participants on a page",
		func(ctx SpecContext, size pageSize) {
			walk(ctx, size.of(total))
		},
		sizeEntries(fixed(1), fixed(2), fixed(3), fixed(4), totalMinusOne, totalSize, totalPlusOne),
	)

	AssertTable("PAGE-02", "yields every participant exactly once across nextLink pages",
		func(ctx SpecContext, size pageSize) {
			walk(ctx, size.of(total))
		},
		sizeEntries(fixed(1), fixed(2), fixed(3), fixed(4), totalMinusOne, totalPlusOne),
	)

	AssertTable("PAGE-03", "hands out nextLink exactly while participants remain, and ends",
		func(ctx SpecContext, size pageSize) {
			walk(ctx, size.of(total))
		},
		sizeEntries(fixed(1), fixed(2), fixed(4), totalMinusOne, totalSize),
	)

	AssertTable("PAGE-04", "hands out absolute nextLinks that carry api-version and work with the same token",
		func(ctx SpecContext, size pageSize) {
			n := size.of(total)
			w := walk(ctx, n)
			Expect(len(w.Pages)).To(BeNumerically(">", 1), "%d participants at maxPageSize=%d need more than one page, so a nextLink must be handed out", total, n)
			// Walk followed every link with the same Authorization header
			// and got 200 ChatParticipantsCollections, or it would have failed.
		},
		sizeEntries(fixed(2), fixed(3)),
	)

	AssertTable("PAGE-05", "yields the listing from position skip, and nothing past the end",
		func(ctx SpecContext, n int, skip func(total int) int) {
			k := skip(total)
			w := Walk(ctx, t, n, k)
			if k >= total {
				Expect(len(w.Pages)).To(Equal(1), "skip=%d is past the last of %d participants, so there is one page and no nextLink:\n%s", k, total, w.Pages[0].Resp.Exchange)
				Expect(w.Pages[0].Items).To(BeEmpty(), "skip=%d is past the last of %d participants\n%s", k, total, w.Pages[0].Resp.Exchange)
				Expect(w.Pages[0].NextLink).To(BeEmpty(), "skip=%d is past the end, so there is no next page\n%s", k, total, w.Pages[0].Resp.Exchange)
				return
			}
			CheckPaging(w, contract.WalkWant{MaxPageSize: n, Unpaged: unpaged[k:], APIVersion: Version()}, "")
			Expect(w.IDs()).To(Equal(unpaged[k:]), "the walk from skip=%d (first page and its nextLinks) must be the unpaged listing from position %d", k, k)
		},
		Entry("when skip is 1 at maxPageSize 2", 2, func(int) int { return 1 }),
		Entry("when skip is 2 at maxPageSize 3", 3, func(int) int { return 2 }),
		Entry("when skip is total-1 at maxPageSize total", 0, func(t int) int { return t - 1 }),
		Entry("when skip is 3 without maxPageSize", 0, func(int) int { return 3 }),
		Entry("when skip is total", 0, func(t int) int { return t }),
		Entry("when skip is total+3", 2, func(t int) int { return t + 3 }),
	)

	When("the same listing is repeated", func() {
		Assert("PAGE-06", "returns the same order, and the pages concatenate to the unpaged sequence", func(ctx SpecContext) {
			again := IDs(ListAll(ctx, t))
			Expect(again).To(Equal(unpaged), "a repeated unpaged listing must keep its order")
			// One walk: the thread's 10 lists per 10 s must also cover a
			// server that fills pages only partly.
			Expect(walk(ctx, 3).IDs()).To(Equal(unpaged), "the pages of maxPageSize=3 concatenated must equal the unpaged listing")
		})
	})

	AssertTable("PAGE-07", "answers an invalid maxPageSize or skip without a 5xx",
		func(ctx SpecContext, maxPageSize, skip string) {
			resp := Judge(ctx, client.ListParticipants(t.Host.Token, t.ID, maxPageSize, skip))
			Expect(resp).NotTo(HaveStatusClass(5), "maxPageSize=%q skip=%q", maxPageSize, skip)
			Should(func() {
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
