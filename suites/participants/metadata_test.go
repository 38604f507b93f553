package participants

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/client"
	. "github.com/chatconform/chatconform/matchers"
)

var _ = Describe("Participant metadata", func() {
	var t thread

	BeforeEach(func(ctx SpecContext) {
		t = newThread(ctx)
	})

	It("[META-01] returns the metadata sent on add unchanged in the listing", As("META-01"), func(ctx SpecContext) {
		p := members(0, 1)[0]
		// Values a server might normalise: surrounding spaces, case, non-ASCII.
		p.Metadata = map[string]string{"team": " Blue Team ", "Role": "ReViewer", "note": "ünïcode ✓", "empty": ""}
		add(ctx, t, p)
		got, ok := find(listAll(ctx, t), p.CommunicationIdentifier.RawID)
		Expect(ok).To(BeTrue(), "%s was added and must be listed", p.CommunicationIdentifier.RawID)
		Expect(got.Metadata).To(Equal(p.Metadata))
	})

	It("[META-02] rejects metadata over 1 KB with 400 and adds nothing", As("META-02"), func(ctx SpecContext) {
		p := members(0, 1)[0]
		p.Metadata = fixtures.MetadataOfSize(1025)
		resp := judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p))
		Expect(resp).To(HaveStatus(http.StatusBadRequest))
		Expect(resp).To(HaveErrorEnvelope(""))
		listed := listAll(ctx, t)
		Expect(listed).To(ConsistOfParticipants(expected(t, listed)...), "a rejected add must add nobody")
	})
})
