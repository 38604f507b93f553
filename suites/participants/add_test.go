package participants

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/client"
	. "github.com/chatconform/chatconform/internal/framework"
	"github.com/chatconform/chatconform/internal/limits"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

// maxAddBatch is the documented most participants one add may name.
const maxAddBatch = limits.ParticipantsPerRequest

var _ = Certify("Add Chat Participants", func() {
	var t *Thread

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
	})

	When("every participant is new and valid", func() {
		var (
			sent []wire.Participant
			resp *transcript.Response
		)

		BeforeEach(func(ctx SpecContext) {
			sent = Members(0, 3)
			resp = Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, sent...))
			if resp.Status == http.StatusCreated {
				t.Added(sent...)
			}
		})

		Assert("ADD-01", "returns 201 Created", func() {
			Expect(resp).To(HaveStatus(http.StatusCreated))
		})

		Assert("ADD-02", "returns a JSON object valid against AddChatParticipantsResult", func() {
			Expect(resp).To(HaveJSONContentType())
			Expect(resp).To(ConformToSchema(Spec(), "AddChatParticipantsResult"))
		})

		Assert("ADD-03", "reports no invalid participants", func() {
			var result wire.AddParticipantsResult
			Decode(resp, &result)
			Expect(result.InvalidParticipants).To(BeEmpty(),
				"every participant was an existing user, so none may be reported invalid\n%s", resp.Exchange)
		})

		Assert("ADD-04", "lists each added participant exactly once with the displayName and shareHistoryTime sent", func(ctx SpecContext) {
			Expect(resp).To(HaveStatus(http.StatusCreated))
			listed := ListAll(ctx, t) // judged against what was added
			Expect(listed).To(HaveNoDuplicateParticipants())
			Expect(listed).To(ConsistOfParticipants(Expected(t, listed, IDs(sent)...)...))
		})
	})

	AssertTable("ADD-04", "stores every displayName it accepts byte for byte",
		func(ctx SpecContext, name fixtures.Shape) {
			p := Members(0, 1)[0]
			p.DisplayName = name.Value
			judgeDomainAdd(ctx, t, p, name)
		},
		domainEntries(fixtures.DisplayNames()),
	)

	AssertTable("ADD-04", "stores every identifier shape the SDKs send under the identity sent",
		func(ctx SpecContext, shape int) {
			s := fixtures.IdentifierShapes()[shape]
			p := Members(0, 1)[0]
			p.CommunicationIdentifier = s.Build(p.CommunicationIdentifier.Key())
			judgeDomainAdd(ctx, t, p, fixtures.Shape{Name: s.Name, MayReject: true})
		},
		identifierEntries(),
	)

	When("one request names the documented maximum of participants", func() {
		Assert("ADD-04", "lists every one of 200 participants added at once", func(ctx SpecContext) {
			if why := Env.NeedMembers(maxAddBatch); why != "" {
				Skip("[ADD-04] the 200-participant batch " + why)
			}
			sent := Members(0, maxAddBatch)
			resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, sent...))
			Expect(resp).To(HaveStatus(http.StatusCreated))
			t.Added(sent...)
			listed := ListAll(ctx, t)
			Expect(listed).To(ConsistOfParticipants(Expected(t, listed, IDs(sent)...)...))
		})
	})

	When("the same participants are added again", func() {
		Assert("ADD-05", "returns 201 and leaves the listing as it was", func(ctx SpecContext) {
			sent := Members(0, 4)
			Add(ctx, t, sent...)
			before := ListAll(ctx, t)

			// Again all of them, and then one from the middle alone.
			for _, again := range [][]wire.Participant{sent, sent[1:2]} {
				resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, again...))
				Expect(resp).To(HaveStatus(http.StatusCreated))
				after := ListAll(ctx, t)
				Expect(after).To(HaveNoDuplicateParticipants())
				Expect(after).To(ConsistOfParticipants(IDs(before)...), "re-adding existing participants must change nothing")
				Check("PAGE-06", func() {
					Expect(IDs(after)).To(Equal(IDs(before)), "a re-add that changes nothing must leave the listing's order as it was")
				})
			}
		})
	})

	When("some participants already exist", func() {
		Assert("ADD-06", "adds only the new ones and duplicates none", func(ctx SpecContext) {
			ps := Members(0, 4)
			Add(ctx, t, ps[0], ps[1], ps[2])

			resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, ps[1], ps[3]))
			Expect(resp).To(HaveStatusClass(2), "a mixed add must succeed")
			if resp.Status/100 == 2 {
				t.Added(ps[3])
			}
			listed := ListAll(ctx, t)
			Expect(listed).To(HaveNoDuplicateParticipants())
			Expect(listed).To(ConsistOfParticipants(Expected(t, listed, IDs(ps)...)...))
		})
	})

	When("one request names the same participant twice", func() {
		Assert("ADD-07", "yields one member", func(ctx SpecContext) {
			p := Members(0, 1)[0]
			resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p, p))
			Expect(resp).NotTo(HaveStatusClass(5), "a request naming a participant twice")
			listed := ListAll(ctx, t)
			Expect(listed).To(ConsistOfParticipants(Expected(t, listed, p.CommunicationIdentifier.RawID)...))
		})
	})

	When("an existing participant is added again with other details", func() {
		Assert("ADD-08", "keeps the original displayName and shareHistoryTime", func(ctx SpecContext) {
			original := Members(0, 1)[0]
			Add(ctx, t, original)
			changed := original
			changed.DisplayName = original.DisplayName + "-renamed"
			changed.ShareHistoryTime = "2021-01-01T00:00:00Z"

			resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, changed))
			t.Added(changed)
			Expect(resp).NotTo(HaveStatusClass(5), "re-adding an existing participant")
			listed := ListAll(ctx, t)
			Expect(IDs(listed)).To(ContainElement(original.CommunicationIdentifier.RawID), "the participant must still be listed")
			got, _ := Find(listed, original.CommunicationIdentifier.RawID)
			Expect(got.DisplayName).To(Equal(original.DisplayName), "\"If participants already exist, no change occurs\": displayName changed")
			Expect(got.ShareHistoryTime).To(BeSameInstantAs(original.ShareHistoryTime), "\"If participants already exist, no change occurs\": shareHistoryTime changed")
		})
	})

	When("a well-formed participant id belongs to no user", func() {
		Assert("ADD-09", "returns 201 naming it in invalidParticipants and still adds the valid ones", func(ctx SpecContext) {
			valid := Members(0, 2)
			resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, valid[0], wire.Participant{
				CommunicationIdentifier: wire.UserIdentifier(Env.Missing), DisplayName: "chatconform-nobody"}, valid[1]))
			Expect(resp).To(HaveStatus(http.StatusCreated))
			t.Added(valid...)
			Expect(resp).To(HaveInvalidParticipant(Env.Missing))
			listed := ListAll(ctx, t)
			Expect(listed).To(ConsistOfParticipants(Expected(t, listed, IDs(valid)...)...))
		})
	})

	AssertTable("ADD-10", "rejects a malformed body with 400 and the error envelope",
		func(ctx SpecContext, body string) {
			resp := Judge(ctx, client.AddRaw(t.Host.Token, t.ID, []byte(body)))
			Expect(resp).To(HaveStatus(http.StatusBadRequest))
			Expect(resp).To(HaveErrorEnvelope(""))
		},
		Entry("when the body is not JSON", `participants=8:acs:x`),
		Entry("when the body lacks participants", `{}`),
		Entry("when participants is a string", `{"participants":"8:acs:x"}`),
		Entry("when participants is an object", `{"participants":{"communicationIdentifier":{}}}`),
	)

	When("an identifier is malformed", func() {
		Assert("ADD-11", "rejects it (4xx with the envelope, or 201 naming it) and never lists it", func(ctx SpecContext) {
			const malformed = "8:acs:not===valid"
			resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, wire.Participant{
				CommunicationIdentifier: wire.UserIdentifier(malformed)}))
			Expect(resp).NotTo(HaveStatusClass(5), "a malformed identifier")
			if resp.Status == http.StatusCreated {
				Expect(resp).To(HaveInvalidParticipant(malformed))
			} else {
				Expect(resp).To(HaveStatusClass(4))
				Expect(resp).To(HaveErrorEnvelope(""))
			}
			listed := ListAll(ctx, t)
			Expect(listed).To(ConsistOfParticipants(Expected(t, listed)...), "a malformed identifier must never be listed, in any spelling")
		})
	})

	When("the thread does not exist", func() {
		Assert("ADD-12", "rejects the add with a 4xx (404 expected) and the error envelope", func(ctx SpecContext) {
			p := Members(0, 1)[0]
			resp := Judge(ctx, client.AddParticipants(t.Host.Token, MissingThread(t.ID), p))
			Expect(resp).To(HaveStatusClass(4), "adding to a thread that does not exist")
			Expect(resp).To(HaveErrorEnvelope(""))
			Should(func() { Expect(resp).To(HaveStatus(http.StatusNotFound)) })
		})
	})
})

// judgeDomainAdd adds one participant built from the documented domain: a
// conformant server stores it unchanged (ADD-04 on the listing) or, where
// the shape allows, refuses it with a 4xx and the envelope. A silent change
// is the failure.
func judgeDomainAdd(ctx SpecContext, t *Thread, p wire.Participant, shape fixtures.Shape) {
	GinkgoHelper()
	resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p))
	if resp.Status != http.StatusCreated && shape.MayReject {
		Expect(resp).To(HaveStatusClass(4), "%s: a server that does not take it must say so with a 4xx", shape.Name)
		Expect(resp).To(HaveErrorEnvelope(""))
		listed := ListAll(ctx, t)
		Expect(listed).To(ConsistOfParticipants(Expected(t, listed)...), "%s: a refused add must add nobody", shape.Name)
		return
	}
	Expect(resp).To(HaveStatus(http.StatusCreated), "%s must be accepted", shape.Name)
	Expect(resp).NotTo(HaveInvalidParticipant(p.CommunicationIdentifier.Key()))
	t.Added(p)
	listed := ListAll(ctx, t) // ADD-04: listed once, name and time as sent
	Expect(listed).To(ConsistOfParticipants(Expected(t, listed, p.CommunicationIdentifier.Key())...))
	got, _ := Find(listed, p.CommunicationIdentifier.Key())
	Expect(got.DisplayName).To(Equal(p.DisplayName), "%s: the displayName must come back byte for byte", shape.Name)
}

func domainEntries(shapes []fixtures.Shape) []TableEntry {
	var es []TableEntry
	for _, s := range shapes {
		es = append(es, Entry("when it is "+s.Name, s))
	}
	return es
}

func identifierEntries() []TableEntry {
	var es []TableEntry
	for i, s := range fixtures.IdentifierShapes() {
		es = append(es, Entry("when it is sent as "+s.Name, i))
	}
	return es
}
