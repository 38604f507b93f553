package participants

import (
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

var _ = Describe("List Chat Participants", func() {
	var (
		t    thread
		resp *transcript.Response
	)

	BeforeEach(func(ctx SpecContext) {
		t = newThread(ctx)
		add(ctx, t, members(0, 2)...)
		resp = judge(ctx, client.ListParticipants(t.Host.Token, t.ID, "", ""))
	})

	It("[LIST-01] returns 200 with a ChatParticipantsCollection whose value is an array", As("LIST-01"), func() {
		Expect(resp).To(HaveStatus(http.StatusOK))
		Expect(resp).To(ConformToOperation(env.Spec))
		var raw struct {
			Value json.RawMessage `json:"value"`
		}
		decode(resp, &raw)
		Expect(string(raw.Value)).To(HavePrefix("["), "value must be an array, never null or absent\n%s", resp.Exchange)
	})

	It("[LIST-02] gives every participant a communicationIdentifier whose rawId matches communicationUser.id", As("LIST-02"), func() {
		var page wire.ParticipantsCollection
		decode(resp, &page)
		Expect(page.Value).NotTo(BeEmpty(), "the thread has participants\n%s", resp.Exchange)
		for i, p := range page.Value {
			id := p.CommunicationIdentifier
			Expect(id.RawID).NotTo(BeEmpty(), "value[%d].communicationIdentifier.rawId is required in responses\n%s", i, resp.Exchange)
			if id.CommunicationUser != nil {
				Expect(id.CommunicationUser.ID).To(Equal(id.RawID), "value[%d]: communicationUser.id must equal rawId", i)
			}
		}
	})

	It("[LIST-03] gives every communicationIdentifier a kind matching its populated sub-object", As("LIST-03"), func() {
		var page wire.ParticipantsCollection
		decode(resp, &page)
		should("LIST-03", func() {
			Expect(contract.CheckIdentifierKinds(page.Value)).To(BeEmpty(), "communicationIdentifier.kind\n%s", resp.Exchange)
		})
	})

	It("[LIST-04] lists the thread's creator", As("LIST-04"), func() {
		var page wire.ParticipantsCollection
		decode(resp, &page)
		should("LIST-04", func() {
			Expect(ids(page.Value)).To(ContainElement(t.Host.RawID), "the creator of the thread is a participant")
		})
	})
})
