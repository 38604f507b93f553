package participants

import (
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

var _ = Certify("Remove Chat Participant", func() {
	var (
		t       *Thread
		members []wire.Participant
		before  []wire.Participant // the listing before the remove
	)

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
		members = Members(0, 5)
		Add(ctx, t, members...)
		before = ListAll(ctx, t)
	})

	// remove judges the removal of a member (not the last one added: one
	// from the middle of the listing) and lists afterwards.
	remove := func(ctx SpecContext, rawID string) []wire.Participant {
		GinkgoHelper()
		resp := Judge(ctx, client.RemoveParticipant(t.Host.Token, t.ID, rawID))
		Expect(resp).To(HaveStatus(http.StatusNoContent), "removing the member %s", rawID)
		t.Removed(rawID)
		return ListAll(ctx, t)
	}

	Assert("REM-01", "answers 204, no longer lists the participant, and leaves every other member as it was", func(ctx SpecContext) {
		gone := members[2].CommunicationIdentifier.RawID
		after := remove(ctx, gone)
		var rest []wire.Participant
		for _, p := range before {
			if p.CommunicationIdentifier.Key() != gone {
				rest = append(rest, p)
			}
		}
		Expect(after).To(ConsistOfParticipants(IDs(rest)...), "only %s was removed", gone)
		for _, p := range rest {
			got, _ := Find(after, p.CommunicationIdentifier.Key())
			Expect(got.DisplayName).To(Equal(p.DisplayName), "%s was not removed and must be unchanged", p.CommunicationIdentifier.Key())
			// Unchanged: the same text, or the same instant written otherwise.
			Expect(got.ShareHistoryTime).To(Or(Equal(p.ShareHistoryTime), BeSameInstantAs(p.ShareHistoryTime)), "%s was not removed and must be unchanged", p.CommunicationIdentifier.Key())
		}
	})

	Assert("REM-02", "lists a removed participant again, exactly once, after a re-add", func(ctx SpecContext) {
		p := members[1]
		Remove(ctx, t, p.CommunicationIdentifier.RawID)
		resp := Judge(ctx, client.AddParticipants(t.Host.Token, t.ID, p))
		Expect(resp).To(HaveStatus(http.StatusCreated), "re-adding the removed participant")
		t.Added(p)
		listed := ListAll(ctx, t)
		Expect(listed).To(HaveNoDuplicateParticipants())
		Expect(listed).To(ConsistOfParticipants(IDs(before)...), "the re-added participant is a member again, once")
	})

	Assert("REM-03", "rejects a malformed identifier with 400 and an unknown thread with 404, both with the envelope", func(ctx SpecContext) {
		resp := Judge(ctx, client.RemoveParticipant(t.Host.Token, t.ID, "8:acs:not===valid"))
		Expect(resp).To(HaveStatus(http.StatusBadRequest), "removing a malformed identifier")
		Expect(resp).To(HaveErrorEnvelope(""))

		resp = Judge(ctx, client.RemoveParticipant(t.Host.Token, MissingThread(t.ID), members[0].CommunicationIdentifier.RawID))
		Expect(resp).To(HaveStatus(http.StatusNotFound), "removing from a thread that does not exist")
		Expect(resp).To(HaveErrorEnvelope(""))

		Expect(ListAll(ctx, t)).To(ConsistOfParticipants(IDs(before)...), "a rejected remove must remove nobody")
	})

	Assert("REM-04", "no longer lets a caller who removed itself list or add", func(ctx SpecContext) {
		u, err := Env.MintUser(ctx)
		SetupErr("minting a user who will remove itself", err)
		Add(ctx, t, fixtures.NewParticipant(u.RawID))
		Expect(Judge(ctx, client.ListParticipants(u.Token, t.ID, "", ""))).To(HaveStatus(http.StatusOK), "a member may list before removing itself")

		resp := Judge(ctx, client.RemoveParticipant(u.Token, t.ID, u.RawID))
		Expect(resp).To(HaveStatus(http.StatusNoContent), "a member removing itself")
		t.Removed(u.RawID)
		for op, req := range map[string]client.Request{
			"list": client.ListParticipants(u.Token, t.ID, "", ""),
			"add":  client.AddParticipants(u.Token, t.ID, members[0]),
		} {
			resp := Judge(ctx, req)
			Expect(resp).To(HaveStatus(http.StatusForbidden), "%s by a caller who removed itself from the thread", op)
			Expect(resp).To(HaveErrorEnvelope(""))
		}
	})

	Assert("REM-05", "keeps paging exact after a remove", func(ctx SpecContext) {
		Remove(ctx, t, members[1].CommunicationIdentifier.RawID)
		Remove(ctx, t, members[3].CommunicationIdentifier.RawID)
		unpaged := IDs(ListAll(ctx, t))
		for _, n := range []int{2, 3} { // within 10 lists per 10 s on the thread
			w := Walk(ctx, t, n, 0)
			// Every paging property, reported under REM-05: the walk is
			// evidence about paging after a remove.
			CheckPaging(w, contract.WalkWant{MaxPageSize: n, Unpaged: unpaged, APIVersion: Version()}, "REM-05")
		}
	})
})
