package participants

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	. "github.com/chatconform/chatconform/internal/framework"
	. "github.com/chatconform/chatconform/matchers"
)

var _ = Certify("api-versions", func() {
	var t *Thread

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
	})

	// Every response the suite reads is also VER-01 evidence (Send, Judge
	// and every listing page); this spec asks for a success and an error.
	Assert("VER-01", "lists the api-version of the request in api-supported-versions, on success and on error", func(ctx SpecContext) {
		Expect(Judge(ctx, client.ListParticipants(t.Host.Token, t.ID, "", ""))).To(ListSupportedVersion(Version()))
		Expect(Judge(ctx, client.ListParticipants(t.Host.Token, MissingThread(t.ID), "", ""))).To(ListSupportedVersion(Version()))
	})
})
