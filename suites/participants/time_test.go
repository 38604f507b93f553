package participants

import (
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

var _ = Describe("shareHistoryTime", func() {
	var t thread

	BeforeEach(func(ctx SpecContext) {
		t = newThread(ctx)
	})

	When("participants are added with and without a shareHistoryTime", func() {
		// times maps raw id to the shareHistoryTime as sent, for those the
		// listing carries one (the member is optional in the schema).
		var times map[string]string

		BeforeEach(func(ctx SpecContext) {
			ps := members(0, 2)
			ps[1].ShareHistoryTime = "" // the server picks the default
			add(ctx, t, ps...)
			times = presentTimes(walk(ctx, t, "", 20))
			Expect(times).NotTo(BeEmpty(), "the listing carries no shareHistoryTime at all, although one was sent")
		})

		It("[TIME-01] returns every shareHistoryTime as an RFC 3339 date-time", As("TIME-01"), func() {
			for id, v := range times {
				Expect(v).To(BeRFC3339(), "[TIME-01] shareHistoryTime of %s", id)
			}
		})

		It("[TIME-02] returns every shareHistoryTime in the documented yyyy-MM-ddTHH:mm:ssZ form", As("TIME-02"), func() {
			should("TIME-02", func() {
				for id, v := range times {
					Expect(v).To(BeRFC3339UTCSeconds(), "shareHistoryTime of %s", id)
				}
			})
		})
	})

	When("a shareHistoryTime is sent", func() {
		It("[TIME-03] returns the same instant at second precision", As("TIME-03"), func(ctx SpecContext) {
			ps := members(0, 3)
			sent := []string{"2020-06-06T05:55:41Z", "2021-03-04T10:20:30+02:00", "2022-01-02T03:04:05.678Z"}
			for i := range ps {
				ps[i].ShareHistoryTime = sent[i]
			}
			add(ctx, t, ps...)
			listed := listAll(ctx, t)
			for i, p := range ps {
				got, ok := find(listed, p.CommunicationIdentifier.RawID)
				Expect(ok).To(BeTrue(), "%s was added and must be listed", p.CommunicationIdentifier.RawID)
				want, _ := time.Parse(time.RFC3339, sent[i])
				returned, err := time.Parse(time.RFC3339, got.ShareHistoryTime)
				Expect(err).NotTo(HaveOccurred(), "shareHistoryTime %q of %s", got.ShareHistoryTime, p.CommunicationIdentifier.RawID)
				Expect(returned.Truncate(time.Second)).To(BeTemporally("==", want.Truncate(time.Second)),
					"sent %s, got %s back: not the same instant", sent[i], got.ShareHistoryTime)
			}
		})
	})

	DescribeTable("[TIME-04] never stores and echoes a shareHistoryTime that is not RFC 3339",
		As("TIME-04"),
		func(ctx SpecContext, invalid string) {
			p := members(0, 1)[0]
			p.ShareHistoryTime = invalid
			resp := judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p))
			no5xx(resp, "shareHistoryTime "+invalid)
			listed := listAll(ctx, t)
			if got, ok := find(listed, p.CommunicationIdentifier.RawID); ok {
				Expect(got.ShareHistoryTime).NotTo(Equal(invalid), "the invalid shareHistoryTime %q was stored and echoed back", invalid)
			}
			should("TIME-04", func() {
				Expect(resp).To(HaveStatus(http.StatusBadRequest))
				Expect(resp).To(HaveErrorEnvelope(""))
			})
		},
		Entry("when it has a space instead of T", "2020-06-06 05:55:41"),
		Entry("when it is a word", "yesterday"),
		Entry("when its fields are out of range", "2020-13-45T25:61:00Z"),
	)
})

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
		decode(p.Resp, &page)
		for _, v := range page.Value {
			if v.ShareHistoryTime != nil {
				times[v.CommunicationIdentifier.Key()] = *v.ShareHistoryTime
			}
		}
	}
	return times
}
