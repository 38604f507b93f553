package participants

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/client"
	. "github.com/chatconform/chatconform/internal/framework"
	. "github.com/chatconform/chatconform/matchers"
)

var _ = Certify("Participant metadata", func() {
	var t *Thread

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
	})

	Assert("META-01", "returns the metadata sent on add unchanged in the listing", func(ctx SpecContext) {
		p := Members(0, 1)[0]
		// Values a server might normalise: surrounding spaces, case, non-ASCII.
		p.Metadata = map[string]string{"team": " Blue Team ", "Role": "ReViewer", "note": "ünïcode ✓ 参加 🙂", "empty": ""}
		Add(ctx, t, p)
		listed := ListAll(ctx, t)
		Expect(IDs(listed)).To(ContainElement(p.CommunicationIdentifier.RawID), "the participant was added and must be listed")
		got, _ := Find(listed, p.CommunicationIdentifier.RawID)
		Expect(got.Metadata).To(Equal(p.Metadata))
	})

	Assert("META-02", "accepts metadata of exactly 1024 bytes and rejects 1025 with 400, adding nothing", func(ctx SpecContext) {
		ps := Members(0, 2)
		ps[0].Metadata = fixtures.MetadataOfSize(fixtures.MetadataLimit)
		resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, ps[0]))
		Expect(resp).To(HaveStatus(http.StatusCreated), "metadata of exactly %d bytes is within the limit", fixtures.MetadataLimit)
		t.Added(ps[0])

		ps[1].Metadata = fixtures.MetadataOfSize(fixtures.MetadataLimit + 1)
		resp = Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, ps[1]))
		Expect(resp).To(HaveStatus(http.StatusBadRequest), "metadata of %d bytes is over the limit", fixtures.MetadataLimit+1)
		Expect(resp).To(HaveErrorEnvelope(""))
		listed := ListAll(ctx, t)
		Expect(listed).To(ConsistOfParticipants(Expected(t, listed, ps[0].CommunicationIdentifier.RawID)...), "a rejected add must add nobody")
	})

	Assert("META-03", "lists no metadata for a participant added with metadata", func(ctx SpecContext) {
		p := Members(0, 1)[0]
		p.Metadata = map[string]string{"team": "Blue Team", "note": "参加"}
		resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p))
		// To this version metadata is an unknown field: it may be refused
		// (a 4xx with the envelope, which Judge checks) or ignored.
		Expect(resp).To(Or(HaveStatus(http.StatusCreated), HaveStatusClass(4)))
		if resp.Status != http.StatusCreated {
			return
		}
		p.Metadata = nil
		t.Added(p)
		listed := ListAll(ctx, t) // every page is judged against META-03
		got, _ := Find(listed, p.CommunicationIdentifier.RawID)
		Expect(got.Metadata).To(BeEmpty(), "api-version %s has no participant metadata, so a listing at it carries none", Version())
	})
})
