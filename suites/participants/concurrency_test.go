package participants

import (
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	. "github.com/chatconform/chatconform/internal/framework"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

// concurrentAdds is how many adds each check releases together: within
// ACS's per-thread limit of 10 adds per 10 s.
const concurrentAdds = 5

// concurrentRounds is how many times CONC-03 releases its adds and
// listings before it gives up for want of an overlap.
const concurrentRounds = 2

var _ = Certify("Concurrent requests", func() {
	var t *Thread

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
	})

	// addFlights are one flight per batch, each adding its participants.
	addFlights := func(batches ...[]wire.Participant) []*Flight {
		var fs []*Flight
		for i, ps := range batches {
			fs = append(fs, SendFlight(fmt.Sprintf("add #%d", i+1), client.AddParticipants(t.Host.Token, t.ID, ps...)))
		}
		return fs
	}

	When("adds naming the same new participant are released together", func() {
		Assert("CONC-01", "answers each 201 and then lists the participant exactly once", func(ctx SpecContext) {
			p := Members(0, 1)[0]
			batches := make([][]wire.Participant, concurrentAdds)
			for i := range batches {
				batches[i] = []wire.Participant{p}
			}
			adds := addFlights(batches...)
			timing := Together(ctx, adds...)
			for _, f := range adds {
				if resp := f.Resp(); resp.Status/100 == 2 {
					t.Added(p)
				}
			}
			listed := ListAll(ctx, t) // judged against what was added (ADD-04)
			for _, f := range adds {
				Expect(f.Resp()).To(HaveStatus(http.StatusCreated), "%s of %d adds of %s released together\n%s",
					f.Name, concurrentAdds, p.CommunicationIdentifier.RawID, timing)
			}
			Expect(listed).To(HaveNoDuplicateParticipants(), "after %d concurrent adds of one participant\n%s", concurrentAdds, timing)
			Expect(listed).To(ConsistOfParticipants(Expected(t, listed, p.CommunicationIdentifier.RawID)...))
		})
	})

	When("adds of distinct participants are released together", func() {
		Assert("CONC-02", "answers each 201 and then lists every participant exactly once", func(ctx SpecContext) {
			ps := Members(0, 6)
			batches := [][]wire.Participant{ps[0:1], ps[1:2], ps[2:4], ps[4:5], ps[5:6]}
			adds := addFlights(batches...)
			timing := Together(ctx, adds...)
			for i, f := range adds {
				if resp := f.Resp(); resp.Status/100 == 2 {
					t.Added(batches[i]...)
				}
			}
			listed := ListAll(ctx, t)
			for _, f := range adds {
				Expect(f.Resp()).To(HaveStatus(http.StatusCreated), "%s of %d released together\n%s", f.Name, len(adds), timing)
			}
			Expect(listed).To(HaveNoDuplicateParticipants(), "after %d concurrent adds\n%s", len(adds), timing)
			Expect(listed).To(ConsistOfParticipants(Expected(t, listed, IDs(ps)...)...), "after %d concurrent adds\n%s", len(adds), timing)
		})
	})

	When("listings are read while adds are in flight", func() {
		Assert("CONC-03", "never shows a participant twice", func(ctx SpecContext) {
			// A loaded machine against a fast server can answer every add
			// before a listing starts: then a second round, with four
			// other users, before the check is given up as not run. Two
			// rounds (8 adds, 6 listings and the ListAll after) stay within
			// 10 adds and 10 listings per 10 s.
			for round := range concurrentRounds {
				if round > 0 && Env.NeedMembers(8) != "" {
					HarnessFailure(fmt.Errorf("no listing was read while an add was in flight, and a second round needs 8 users to add (%s)", Env.NeedMembers(8)))
				}
				ps := Members(4*round, 4)
				adds := addFlights(ps[0:1], ps[1:2], ps[2:3], ps[3:4])
				// Interleaved, and a millisecond apart, so that some listing
				// lands while adds are in flight even when the adds are slow
				// to arrive.
				var lists []*Flight
				for i := range 3 {
					lists = append(lists, ListFlight(fmt.Sprintf("list #%d", 3*round+i+1), t).After(time.Duration(i)*time.Millisecond))
				}
				all := []*Flight{adds[0], lists[0], adds[1], lists[1], adds[2], lists[2], adds[3]}
				timing := Together(ctx, all...)
				// Judged before the adds are recorded: a listing read
				// mid-flight need only show what was there before. A round
				// whose listings missed the adds is evidence all the same.
				for _, f := range lists {
					w := f.Walk()
					CheckAdded(t, w.Items())
					Expect(w.Items()).To(HaveNoDuplicateParticipants(), "%s, read while adds were in flight\n%s", f.Name, timing)
				}
				// The adds themselves are CONC-02 evidence.
				for i, f := range adds {
					resp := f.Resp()
					Check("CONC-02", func() {
						Expect(resp).To(HaveStatus(http.StatusCreated), "%s, concurrent with other adds and listings\n%s", f.Name, timing)
					})
					if resp.Status/100 == 2 {
						t.Added(ps[i])
					}
				}
				if timing.Overlap(lists, adds) {
					break
				}
				if round == concurrentRounds-1 {
					HarnessFailure(fmt.Errorf("in %d rounds no listing was read while an add was in flight, so the check could not run as designed\n%s", concurrentRounds, timing))
				}
			}
			ListAll(ctx, t)
		})
	})
})
