package participants

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

var _ = Describe("Add Chat Participants", func() {
	var t thread

	BeforeEach(func(ctx SpecContext) {
		t = newThread(ctx)
	})

	When("every participant is new and valid", func() {
		var (
			sent []wire.Participant
			resp *transcript.Response
		)

		BeforeEach(func(ctx SpecContext) {
			sent = members(0, 2)
			resp = judge(ctx, client.AddParticipants(t.Host.Token, t.ID, sent...))
		})

		It("[ADD-01] returns 201 Created", As("ADD-01"), func() {
			Expect(resp).To(HaveStatus(http.StatusCreated))
		})

		It("[ADD-02] returns a JSON object valid against AddChatParticipantsResult", As("ADD-02"), func() {
			Expect(resp.Header.Get("Content-Type")).To(HavePrefix("application/json"),
				"the 201 body must be JSON\n%s", resp.Exchange)
			Expect(resp).To(ConformToSchema(env.Spec, "AddChatParticipantsResult"))
		})

		It("[ADD-03] reports no invalid participants", As("ADD-03"), func() {
			var result wire.AddParticipantsResult
			decode(resp, &result)
			Expect(result.InvalidParticipants).To(BeEmpty(),
				"every participant was an existing user, so none may be reported invalid\n%s", resp.Exchange)
		})

		It("[ADD-04] lists each added participant exactly once with the displayName sent", As("ADD-04"), func(ctx SpecContext) {
			listed := listAll(ctx, t)
			Expect(listed).To(HaveNoDuplicateParticipants())
			Expect(listed).To(ConsistOfParticipants(expected(t, listed, ids(sent)...)...))
			for _, p := range sent {
				got, _ := find(listed, p.CommunicationIdentifier.RawID)
				Expect(got.DisplayName).To(Equal(p.DisplayName), "displayName of %s", p.CommunicationIdentifier.RawID)
			}
		})
	})

	When("the same participants are added again", func() {
		It("[ADD-05] returns 201 and leaves the listing as it was", As("ADD-05"), func(ctx SpecContext) {
			sent := members(0, 2)
			add(ctx, t, sent...)
			before := listAll(ctx, t)

			resp := judge(ctx, client.AddParticipants(t.Host.Token, t.ID, sent...))
			Expect(resp).To(HaveStatus(http.StatusCreated))

			after := listAll(ctx, t)
			Expect(after).To(HaveNoDuplicateParticipants())
			Expect(after).To(ConsistOfParticipants(ids(before)...), "re-adding existing participants must change nothing")
		})
	})

	When("some participants already exist", func() {
		It("[ADD-06] adds only the new ones and duplicates none", As("ADD-06"), func(ctx SpecContext) {
			ps := members(0, 3)
			add(ctx, t, ps[0], ps[1])

			resp := judge(ctx, client.AddParticipants(t.Host.Token, t.ID, ps[1], ps[2]))
			Expect(resp.Status).To(BeNumerically("~", 200, 99), "a mixed add must succeed\n%s", resp.Exchange)

			listed := listAll(ctx, t)
			Expect(listed).To(HaveNoDuplicateParticipants())
			Expect(listed).To(ConsistOfParticipants(expected(t, listed, ids(ps)...)...))
		})
	})

	When("one request names the same participant twice", func() {
		It("[ADD-07] yields one member", As("ADD-07"), func(ctx SpecContext) {
			p := members(0, 1)[0]
			resp := judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p, p))
			listed := listAll(ctx, t)
			should("ADD-07", func() {
				no5xx(resp, "a request naming a participant twice")
				Expect(listed).To(ConsistOfParticipants(expected(t, listed, p.CommunicationIdentifier.RawID)...))
			})
		})
	})

	When("an existing participant is added again with other details", func() {
		It("[ADD-08] keeps the original displayName and shareHistoryTime", As("ADD-08"), func(ctx SpecContext) {
			ps := members(0, 2)
			original := ps[0]
			add(ctx, t, original)
			changed := original
			changed.DisplayName = original.DisplayName + "-renamed"
			changed.ShareHistoryTime = "2021-01-01T00:00:00Z"

			resp := judge(ctx, client.AddParticipants(t.Host.Token, t.ID, changed))
			listed := listAll(ctx, t)
			got, ok := find(listed, original.CommunicationIdentifier.RawID)
			should("ADD-08", func() {
				no5xx(resp, "re-adding an existing participant")
				Expect(ok).To(BeTrue(), "%s must still be listed", original.CommunicationIdentifier.RawID)
				Expect(got.DisplayName).To(Equal(original.DisplayName), "\"If participants already exist, no change occurs\": displayName changed")
				Expect(sameInstant(got.ShareHistoryTime, original.ShareHistoryTime)).To(BeTrue(),
					"\"If participants already exist, no change occurs\": shareHistoryTime was %s, is now %s", original.ShareHistoryTime, got.ShareHistoryTime)
			})
		})
	})

	When("a well-formed participant id belongs to no user", func() {
		It("[ADD-09] returns 201 naming it in invalidParticipants and still adds the valid ones", As("ADD-09"), func(ctx SpecContext) {
			valid := members(0, 1)[0]
			resp := judge(ctx, client.AddParticipants(t.Host.Token, t.ID, valid, wire.Participant{
				CommunicationIdentifier: wire.UserIdentifier(env.Missing), DisplayName: "chatconform-nobody"}))
			Expect(resp).To(HaveStatus(http.StatusCreated))

			var result struct {
				InvalidParticipants []struct {
					Code    any    `json:"code"`
					Message any    `json:"message"`
					Target  string `json:"target"`
				} `json:"invalidParticipants"`
			}
			decode(resp, &result)
			Expect(result.InvalidParticipants).To(ContainElement(HaveField("Target", env.Missing)),
				"invalidParticipants must name the unknown user %s as target\n%s", env.Missing, resp.Exchange)
			for _, e := range result.InvalidParticipants {
				if e.Target == env.Missing {
					Expect(e.Code).To(And(BeAssignableToTypeOf(""), Not(BeEmpty())), "invalidParticipants[].code must be a non-empty string\n%s", resp.Exchange)
					Expect(e.Message).To(And(BeAssignableToTypeOf(""), Not(BeEmpty())), "invalidParticipants[].message must be a non-empty string\n%s", resp.Exchange)
				}
			}
			listed := listAll(ctx, t)
			Expect(listed).To(ConsistOfParticipants(expected(t, listed, valid.CommunicationIdentifier.RawID)...))
		})
	})

	DescribeTable("[ADD-10] rejects a malformed body with 400 and the error envelope",
		As("ADD-10"),
		func(ctx SpecContext, body string) {
			resp := judge(ctx, client.AddRaw(t.Host.Token, t.ID, []byte(body)))
			Expect(resp).To(HaveStatus(http.StatusBadRequest))
			Expect(resp).To(HaveErrorEnvelope(""))
		},
		Entry("when the body is not JSON", `participants=8:acs:x`),
		Entry("when the body lacks participants", `{}`),
		Entry("when participants is a string", `{"participants":"8:acs:x"}`),
		Entry("when participants is an object", `{"participants":{"communicationIdentifier":{}}}`),
	)

	When("an identifier is malformed", func() {
		It("[ADD-11] rejects it (4xx with the envelope, or 201 naming it) and never lists it", As("ADD-11"), func(ctx SpecContext) {
			const malformed = "8:acs:not===valid"
			resp := judge(ctx, client.AddParticipants(t.Host.Token, t.ID, wire.Participant{
				CommunicationIdentifier: wire.UserIdentifier(malformed)}))
			no5xx(resp, "a malformed identifier")
			switch {
			case resp.Status == http.StatusCreated:
				var result wire.AddParticipantsResult
				decode(resp, &result)
				Expect(result.InvalidParticipants).To(ContainElement(HaveField("Target", malformed)),
					"[ADD-11] a 201 must name the malformed identifier as an invalidParticipants target\n%s", resp.Exchange)
			default:
				Expect(resp.Status).To(BeNumerically(">=", 400), "[ADD-11] a malformed identifier must be rejected\n%s", resp.Exchange)
				Expect(resp).To(HaveErrorEnvelope(""))
			}
			listed := listAll(ctx, t)
			Expect(listed).To(ConsistOfParticipants(expected(t, listed)...), "[ADD-11] a malformed identifier must never be listed, in any spelling")
		})
	})

	When("the thread does not exist", func() {
		It("[ADD-12] rejects the add with a 4xx (404 expected) and the error envelope", As("ADD-12"), func(ctx SpecContext) {
			p := members(0, 1)[0]
			resp := judge(ctx, client.AddParticipants(t.Host.Token, missingThread(t.ID), p))
			Expect(resp.Status).To(BeNumerically("~", 449, 50), "adding to a thread that does not exist must be a 4xx\n%s", resp.Exchange)
			Expect(resp).To(HaveErrorEnvelope(""))
			should("ADD-12", func() { Expect(resp).To(HaveStatus(http.StatusNotFound)) })
		})
	})
})

// missingThread makes a well-formed thread id that no server has, shaped
// like like so that a server cannot reject it on format alone.
func missingThread(like string) string {
	const suffix = "@thread.v2"
	if i := strings.Index(like, "_"); i > 0 && strings.HasSuffix(like, suffix) {
		return like[:i+1] + "chatconformmissing0000000000" + suffix
	}
	return "19:chatconformmissing0000000000" + suffix
}
