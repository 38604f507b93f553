package participants

import (
	"errors"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	. "github.com/chatconform/chatconform/internal/framework"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

var _ = Certify("shareHistoryTime", func() {
	var t *Thread

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
	})

	When("participants are added with and without a shareHistoryTime", func() {
		// times maps raw id to the shareHistoryTime as listed, for those the
		// listing carries one (the member is optional in the schema).
		var times map[string]string

		BeforeEach(func(ctx SpecContext) {
			ps := Members(0, 3)
			ps[1].ShareHistoryTime = "" // the server picks the default
			Add(ctx, t, ps...)
			times = presentTimes(Walk(ctx, t, 0, 0))
			if len(times) == 0 {
				SetupErr("reading shareHistoryTime", errNoTimes)
			}
		})

		Assert("TIME-01", "returns every shareHistoryTime as an RFC 3339 date-time", func() {
			for id, v := range times {
				Expect(v).To(BeRFC3339(), "shareHistoryTime of %s", id)
			}
		})

		Assert("TIME-02", "returns every shareHistoryTime in the documented yyyy-MM-ddTHH:mm:ssZ form", func() {
			for id, v := range times {
				Expect(v).To(BeRFC3339UTCSeconds(), "shareHistoryTime of %s", id)
			}
		})
	})

	AssertTable("TIME-03", "returns the shareHistoryTime sent as the same instant",
		func(ctx SpecContext, sent fixtures.Shape) {
			p := Members(0, 1)[0]
			p.ShareHistoryTime = sent.Value
			resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p))
			if resp.Status != http.StatusCreated && sent.MayReject {
				Expect(resp).To(HaveStatusClass(4), "a server that does not take shareHistoryTime %s must say so with a 4xx", sent.Value)
				Expect(resp).To(HaveErrorEnvelope(""))
				return
			}
			Expect(resp).To(HaveStatus(http.StatusCreated), "shareHistoryTime %s (%s) is an RFC 3339 date-time", sent.Value, sent.Name)
			t.Added(p)
			listed := ListAll(ctx, t)
			Expect(IDs(listed)).To(ContainElement(p.CommunicationIdentifier.RawID), "the participant was added and must be listed")
			got, _ := Find(listed, p.CommunicationIdentifier.RawID)
			Expect(got.ShareHistoryTime).To(BeSameInstantAs(sent.Value))
		},
		domainEntries(fixtures.ShareHistoryTimes()),
	)

	AssertTable("TIME-04", "never stores and echoes a shareHistoryTime that is not RFC 3339",
		func(ctx SpecContext, invalid string) {
			p := Members(0, 1)[0]
			p.ShareHistoryTime = invalid
			resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p))
			Expect(resp).NotTo(HaveStatusClass(5), "shareHistoryTime %q", invalid)
			if got, ok := Find(ListAll(ctx, t), p.CommunicationIdentifier.RawID); ok {
				Expect(got.ShareHistoryTime).NotTo(Equal(invalid), "the invalid shareHistoryTime %q was stored and echoed back", invalid)
			}
			Should(func() {
				Expect(resp).To(HaveStatus(http.StatusBadRequest))
				Expect(resp).To(HaveErrorEnvelope(""))
			})
		},
		Entry("when it has a space instead of T", "2020-06-06 05:55:41"),
		Entry("when it is a word", "yesterday"),
		Entry("when its fields are out of range", "2020-13-45T25:61:00Z"),
	)
})

var errNoTimes = errors.New("the listing carries no shareHistoryTime at all, although one was sent")

// presentTimes reads every shareHistoryTime a listing carries, exactly as
// sent: present but empty is kept (and judged), absent is left out.
func presentTimes(w contract.Walk) map[string]string {
	GinkgoHelper()
	times := map[string]string{}
	for _, p := range w.Pages {
		var page struct {
			Value []struct {
				CommunicationIdentifier wire.Identifier `json:"communicationIdentifier"`
				ShareHistoryTime        *string         `json:"shareHistoryTime"`
			} `json:"value"`
		}
		Decode(p.Resp, &page)
		for _, v := range page.Value {
			if v.ShareHistoryTime != nil {
				times[v.CommunicationIdentifier.Key()] = *v.ShareHistoryTime
			}
		}
	}
	return times
}
