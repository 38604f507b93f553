package participants

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	. "github.com/chatconform/chatconform/internal/framework"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

var _ = Certify("List Chat Participants", func() {
	var (
		t    *Thread
		resp *transcript.Response
		page wire.ParticipantsCollection
	)

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
		Add(ctx, t, Members(0, 3)...)
		resp = Judge(ctx, client.ListParticipants(t.Host.Token, t.ID, "", ""))
		if resp.Status == http.StatusOK {
			Decode(resp, &page)
			CheckAdded(t, page.Value)
		}
	})

	Assert("LIST-01", "returns 200 with a ChatParticipantsCollection whose value is an array", func() {
		Expect(resp).To(HaveStatus(http.StatusOK))
		Expect(resp).To(ConformToOperation(Spec()))
	})

	Assert("LIST-02", "gives every participant a communicationIdentifier whose rawId matches communicationUser.id", func() {
		Expect(resp).To(HaveStatus(http.StatusOK))
		Expect(page.Value).NotTo(BeEmpty(), "the thread has participants\n%s", resp.Exchange)
		Expect(page.Value).To(HaveConsistentIdentifiers())
	})

	Assert("LIST-03", "gives every communicationIdentifier a kind matching its populated sub-object", func() {
		Expect(resp).To(HaveStatus(http.StatusOK))
		Expect(page.Value).To(HaveIdentifierKinds(Version()))
	})

	Assert("LIST-04", "lists the thread's creator", func() {
		Expect(IDs(page.Value)).To(ContainElement(t.Host.RawID), "the creator of the thread is a participant")
	})

	When("the thread does not exist", func() {
		Assert("LIST-05", "answers 404 with the error envelope", func(ctx SpecContext) {
			resp := Judge(ctx, client.ListParticipants(t.Host.Token, MissingThread(t.ID), "", ""))
			Expect(resp).To(HaveStatus(http.StatusNotFound), "listing the participants of a thread that does not exist")
			Expect(resp).To(HaveErrorEnvelope(""))
		})
	})
})
