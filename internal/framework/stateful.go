package framework

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
	"golang.org/x/sync/errgroup"
	"pgregory.net/rapid"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	"github.com/chatconform/chatconform/matchers"
)

// STATE-01 generates sequences of adds, removes, unpaged listings and
// walks (maxPageSize from a skip) over one or two fresh threads, judges
// every response against a model of each thread's membership and against
// every oracle the request helpers apply, and shrinks a failing sequence
// to a minimal one with rapid (pgregory.net/rapid).
//
// The generator is shaped for shrinking. A sequence is a slice of steps
// (rapid.SliceOfN), each a pure value drawn before anything is sent, so
// rapid can delete any step or batch participant and lower any number. A
// participant is a kind (new, existing, re-added, repeated in the request,
// unknown) and an index, resolved against the thread when the add runs,
// so it keeps its meaning when the steps around it shrink and shrinks to
// "the first new user"; a batch shrinks to one participant, names and
// times to the first of the documented domain (absent, UTC Z), a sequence
// to one thread. The steps are drawn last first, since rapid deletes the
// earliest draws first: a sequence loses what it does not need from its
// end, where the departure is, while the adds that set it up are whole.
// rapid only deletes and lowers, so a last pass moves a later add's
// participants into an earlier add where that still fails (merge). The
// failure is raised at one place with one message whichever step departed,
// since rapid accepts a smaller case only when it fails the same way (same
// message and stack); rapid's state machines (T.Repeat) raise it in each
// action instead and bound the steps by no maximum, so they are not used.
//
// Requests are counted, not timed. Exploring is two passes of rapid over
// the same seeds: the first only draws, until the sequences drawn would
// send CHAT_STATEFUL_BUDGET requests against a conformant server
// (estimate); they then run stateConcurrency at a time, each on threads of
// its own, so the run costs about its longest sequence's round trips, not
// the sum of all of them; the second pass is rapid's own, which meets every
// sequence remembered and shrinks the first that failed, one sequence at a
// time, within CHAT_STATEFUL_SHRINK_BUDGET more requests. The server is
// assumed deterministic (rapid's shrinking assumes it too), so a sequence
// already run is not sent again: its outcome is remembered, and so is every
// failing prefix (a sequence that failed at its third step fails there
// whatever follows). Shrinking then spends requests only on sequences it
// has not seen, and CHAT_SEED=… repeats the run's sequences, whatever the
// timing.
const (
	// StateMinMembers is how many users to add STATE-01 needs.
	StateMinMembers  = 3
	statePool        = 8  // users sequences draw from: few, so re-adds are common
	stateUnknown     = 3  // well-formed ids of users that do not exist
	stateMinSteps    = 2  // fewest drawn steps (a step with nothing to do is left out)
	stateSteps       = 14 // most drawn steps in one sequence (7 on average)
	stateBatch       = 20 // most participants in one add
	stateHosts       = 32 // acting users STATE-01 mints for its threads, when it can: two for each sequence in flight
	stateShrinkHosts = 24 // and more once a sequence failed
	// stateConcurrency is how many sequences run at a time while
	// exploring: each is on threads of its own, within their limits.
	stateConcurrency = 16
	// Per-thread caps: every generated thread stays within ACS's 10 adds
	// or removes and 10 list pages per 10 s whatever the timing, so a run
	// against a real resource is never throttled in a judged request.
	stateThreadOps   = 10
	stateThreadLists = 10
	// EntrySequence and EntryReplay carry a failure's shrunk sequence and
	// the curl script that replays it.
	EntrySequence = "stateful-sequence"
	EntryReplay   = "stateful-replay"
)

// The operations, weighted by repetition: changes more often than reads.
// An index shrinks towards 0, so a shrunk step is an add where it can be.
type stateOp int

const (
	opAdd stateOp = iota
	opRemove
	opList
	opWalk
)

var (
	stateOps = []stateOp{opAdd, opAdd, opAdd, opRemove, opRemove, opRemove, opList, opWalk, opWalk}
	// A sequence runs on one thread, one in four on two: each sequence's
	// threads are fresh, and creating them counts against ACS's 10 thread
	// creations and deletions per 10 s per acting user.
	stateThreads = []int{1, 1, 1, 2}
	// stateMetadata are the metadata an add draws from on an api-version
	// that has it (wire.HasMetadata).
	stateMetadata = []map[string]string{nil, {"team": "a"}, {"team": "b", "role": "x"}}
)

// stepSpec is one generated step, before anything is sent: what it means
// depends on the model when it runs (a batch's picks and a remove's
// member are relative to the thread's members; a walk's skip to its
// listing).
type stepSpec struct {
	Op     stateOp
	Thread int
	Batch  []int // add: one pick a participant (stateful.pick)
	Who    int   // remove: the member at this position (modulo the members)
	Size   int   // walk: maxPageSize
	Skip   int   // walk: skip, modulo the listed participants plus one
}

// member of the model: what its first add sent, whether those details must
// still be listed (a re-add with other details is ADD-08's SHOULD business,
// not the model's), and whether that add named it twice (then a double
// listing is ADD-07's SHOULD business).
type stateMember struct {
	sent    wire.Participant
	details bool
	twice   bool
}

// membership is the model of a thread's members, in the order added.
type membership struct{ members []stateMember }

func (m *membership) find(key string) int {
	return slices.IndexFunc(m.members, func(s stateMember) bool { return s.sent.CommunicationIdentifier.Key() == key })
}

func sameDetails(a, b wire.Participant) bool {
	return a.DisplayName == b.DisplayName && a.ShareHistoryTime == b.ShareHistoryTime && maps.Equal(a.Metadata, b.Metadata)
}

// add applies an accepted add of existing users: new ones are appended,
// existing ones stay as they were, a user named twice is one member.
func (m *membership) add(ps []wire.Participant) {
	fresh := map[string]bool{}
	for _, p := range ps {
		key := p.CommunicationIdentifier.Key()
		if i := m.find(key); i >= 0 {
			if !sameDetails(m.members[i].sent, p) {
				m.members[i].details = false
			}
			m.members[i].twice = m.members[i].twice || fresh[key]
			continue
		}
		m.members = append(m.members, stateMember{sent: p, details: true})
		fresh[key] = true
	}
}

func (m *membership) remove(key string) {
	if i := m.find(key); i >= 0 {
		m.members = slices.Delete(m.members, i, i+1)
	}
}

// departures compares a listing with the model as a multiset, order aside
// (order is PAGE-06's, a SHOULD): every member exactly once with its first
// add's details, nobody else but the creator (at most once: whether it is
// listed at all is LIST-04's). A walk from a skip (partial) must hold want
// participants, each a member or the creator, each once. ADD-07's double
// listing is returned apart.
func (m *membership) departures(listed []wire.Participant, host string, partial bool, want int, name func(string) string) (problems, twice []string) {
	count := map[string]int{}
	for _, p := range listed {
		count[p.CommunicationIdentifier.Key()]++
	}
	for _, key := range slices.Sorted(maps.Keys(count)) {
		n, i := count[key], m.find(key)
		switch {
		case i < 0 && key != host:
			problems = append(problems, fmt.Sprintf("%s is listed but is no member", name(key)))
		case n > 1 && i >= 0 && m.members[i].twice:
			twice = append(twice, fmt.Sprintf("%s, named twice in the add that added it, is listed %d times", name(key), n))
		case n > 1:
			problems = append(problems, fmt.Sprintf("%s is listed %d times", name(key), n))
		}
	}
	for _, s := range m.members {
		if key := s.sent.CommunicationIdentifier.Key(); count[key] == 0 && !partial {
			problems = append(problems, fmt.Sprintf("%s is a member but is not listed", name(key)))
		}
	}
	if partial && len(listed) != want {
		problems = append(problems, fmt.Sprintf("the walk lists %d participants, want %d", len(listed), want))
	}
	seen := map[string]bool{}
	for _, p := range listed {
		key := p.CommunicationIdentifier.Key()
		i := m.find(key)
		if i < 0 || !m.members[i].details || seen[key] {
			continue
		}
		seen[key] = true
		sent := m.members[i].sent
		if sent.DisplayName != "" && p.DisplayName != sent.DisplayName {
			problems = append(problems, fmt.Sprintf("%s: displayName sent %q, listed %q", name(key), sent.DisplayName, p.DisplayName))
		}
		if sent.ShareHistoryTime != "" {
			if same, _ := contract.SameInstant(sent.ShareHistoryTime, p.ShareHistoryTime); !same {
				problems = append(problems, fmt.Sprintf("%s: shareHistoryTime sent %q, listed %q", name(key), sent.ShareHistoryTime, p.ShareHistoryTime))
			}
		}
		if len(sent.Metadata) > 0 && !maps.Equal(sent.Metadata, p.Metadata) {
			problems = append(problems, fmt.Sprintf("%s: metadata sent %v, listed %v", name(key), sent.Metadata, p.Metadata))
		}
	}
	return problems, twice
}

// stateStep is one step of a sequence as the report shows it.
type stateStep struct {
	thread    int
	text      string
	expected  string // the model's listing, for list and walk steps
	observed  string
	problem   string
	exchanges []*transcript.Exchange
}

// stateThread is a generated thread and what the sequence did to it.
type stateThread struct {
	*Thread
	model      membership
	ops, lists int
	// ref is the thread's last unpaged listing (raw ids, in order) while
	// nothing changed since: PAGE-06 compares a repeated one with it, and a
	// walk from a skip is judged against it.
	ref   []string
	fresh bool
	// removed are the users removed from the thread, in order.
	removed []string
}

// outcomeOf is a sequence run (or remembered): its steps, its threads and
// whether it departed from the model.
type outcomeOf struct {
	// specs are the steps that ran (a failing sequence's up to its
	// departure), closing the closing walk's.
	specs   []stepSpec
	closing stepSpec
	steps   []*stateStep
	threads []*stateThread
	failed  bool
}

// stateful is one STATE-01 run.
type stateful struct {
	ctx                  context.Context
	seed                 uint64
	budget, shrinkBudget int
	sent                 int // requests sent, threads' creations and deletions included
	failedAt             int // sent when the first sequence failed; -1 before
	pool, unknown        []string
	labels               map[string]string
	hosts                []client.User // STATE-01's own acting users (none in manual mode)
	metadata             bool
	picks                int // distinct picks of a participant: kind × index × name × time × metadata

	seen                 map[string]*outcomeOf // by the sequence's steps
	failing              map[string]*outcomeOf // by a failing prefix of steps
	last                 *outcomeOf            // the last failing sequence run: the shrunk one, in the end
	runs, fails, threads int
	abort                any

	// drafts are the sequences the first pass drew (estimated, what they
	// are expected to send); the turn is what their goroutines take turns
	// with (turns.go) while they run.
	drafting  bool
	drafts    []draft
	estimated int
	exploring bool
	turn      sync.Mutex

	found      map[string]*outcome.Finding
	foundOrder []string
	foundTimes map[string]int
}

// draft is a sequence drawn, not yet run.
type draft struct {
	specs   []stepSpec
	closing stepSpec
}

// findings, when set, receives the findings Check would report: STATE-01
// reruns sequences while shrinking, which would repeat each finding.
var findings func(outcome.Finding)

// RunStateful is the body of the STATE-01 spec.
func RunStateful(ctx context.Context) {
	GinkgoHelper()
	if why := Env.NeedMembers(StateMinMembers); why != "" {
		Skip("[STATE-01] " + why)
	}
	began := time.Now()
	// Unset, the run's Ginkgo seed: one seed for every api-version's spec
	// and every process, printed at the start of the run.
	seed := Env.Config.Seed
	if seed == 0 {
		seed = uint64(max(GinkgoRandomSeed(), 1))
	}
	AddReportEntry(outcome.EntrySeed, strconv.FormatUint(seed, 10), ReportEntryVisibilityNever)
	fmt.Fprintf(GinkgoWriter, "STATE-01 seed %d (CHAT_SEED=%d repeats this run)\n", seed, seed)

	s := &stateful{ctx: ctx, seed: seed, budget: Env.Config.StatefulBudget, shrinkBudget: Env.Config.StatefulShrinkBudget,
		failedAt: -1, labels: map[string]string{}, metadata: wire.HasMetadata(apiVersion()),
		seen: map[string]*outcomeOf{}, failing: map[string]*outcomeOf{},
		found: map[string]*outcome.Finding{}, foundTimes: map[string]int{}}
	for i, u := range Env.Members[:min(statePool, len(Env.Members))] {
		s.pool = append(s.pool, u.RawID)
		s.labels[u.RawID] = "m" + strconv.Itoa(i+1)
	}
	// Unknown users: the run's missing user and two more of its shape.
	for i := range stateUnknown {
		id := Env.Missing
		if i > 0 {
			id = id[:len(id)-4] + fmt.Sprintf("%04d", i)
		}
		s.unknown = append(s.unknown, id)
		s.labels[id] = "u" + strconv.Itoa(i+1)
	}
	metas := 1
	if s.metadata {
		metas = len(stateMetadata)
	}
	s.picks = pickKinds * statePool * len(fixtures.DisplayNames()) * len(fixtures.ShareHistoryTimes()) * metas

	s.mintHosts(stateHosts)
	for name, v := range map[string]string{"rapid.seed": strconv.FormatUint(seed, 10), "rapid.checks": strconv.Itoa(s.budget),
		"rapid.nofailfile": "true", "rapid.shrinktime": "10m", "rapid.v": "false", "rapid.debug": "false", "rapid.log": "false"} {
		if err := flag.Set(name, v); err != nil {
			panic(err)
		}
	}
	findings = s.finding
	func() {
		defer func() { findings = nil }()
		defer func() {
			// A server that answers a replay differently makes rapid panic;
			// the last failing sequence is still the evidence.
			if r := recover(); r != nil && s.last == nil {
				panic(r)
			}
		}()
		// The first pass draws the sequences the budget affords and runs
		// them together; the second, with as many checks, is rapid's.
		s.drafting = true
		rapid.Check(&rapidTB{}, s.property)
		s.drafting = false
		s.explore()
		if err := flag.Set("rapid.checks", strconv.Itoa(len(s.drafts))); err != nil {
			panic(err)
		}
		tb := &rapidTB{}
		rapid.Check(tb, s.property)
		if s.last == nil && s.abort == nil && s.fails > 0 {
			// rapid met fewer sequences than were drafted (it runs a fifth
			// of its checks under go test -short): the first that failed
			// while exploring is the evidence, unshrunk.
			for _, d := range s.drafts {
				if o := s.remembered(d.specs, d.closing); o != nil && o.failed {
					s.last = o
					break
				}
			}
		}
		if tb.failed && s.last == nil && s.abort == nil {
			// No sequence departed, yet rapid failed: the generator's own fault.
			HarnessFailure(fmt.Errorf("STATE-01's generator failed (seed %d):\n%s", seed, tb.log.String()))
		}
		if s.last != nil && s.abort == nil {
			s.merge()
		}
	}()
	for _, id := range s.foundOrder {
		f := *s.found[id]
		if n := s.foundTimes[id]; n > 1 {
			f.Message += fmt.Sprintf("\n(seen in %d of STATE-01's sequences; the last is shown)", n)
		}
		b, _ := json.Marshal(f)
		AddReportEntry(outcome.EntryFinding, string(b), ReportEntryVisibilityAlways)
	}
	if s.abort != nil {
		panic(s.abort) // Ginkgo has recorded the failure already
	}
	summary := fmt.Sprintf("STATE-01, seed %d (CHAT_SEED=%d repeats it): %d sequences run (%d of them exploring, up to %d at a time) on %d threads of %d acting users, %d of them failing, in %d requests and %s (CHAT_STATEFUL_BUDGET=%d, CHAT_STATEFUL_SHRINK_BUDGET=%d)",
		seed, seed, s.runs, len(s.drafts), stateConcurrency, s.threads, max(len(s.hosts), 1), s.fails, s.sent, time.Since(began).Round(time.Millisecond), s.budget, s.shrinkBudget)
	if s.last != nil {
		summary += fmt.Sprintf("; the failing sequence shown has %d steps", len(s.last.steps))
	}
	AddReportEntry(outcome.EntryStateful, summary, ReportEntryVisibilityAlways)
	if s.last == nil {
		return
	}
	seq, script := s.sequence(s.last), s.script(s.last)
	AddReportEntry(EntrySequence, seq, ReportEntryVisibilityFailureOrVerbose)
	AddReportEntry(EntryReplay, script, ReportEntryVisibilityFailureOrVerbose)
	shrunk := fmt.Sprintf("Shrunk to %d steps", len(s.last.steps))
	if s.shrinkBudget == 0 {
		shrunk = fmt.Sprintf("Not shrunk (CHAT_STATEFUL_SHRINK_BUDGET=0), %d steps", len(s.last.steps))
	}
	departure := s.last.steps[len(s.last.steps)-1].problem
	Expect(departure).To(BeEmpty(), "a generated sequence departs from the model of the thread's membership (seed %d: CHAT_SEED=%d repeats it). %s:\n%s\nReplay it with curl (set CHAT_TOKEN, and CHAT_ENDPOINT unless it is the one below):\n%s",
		seed, seed, shrunk, seq, script)
}

// finding keeps one finding per row, the last (when a sequence failed, from
// the smallest sequences rapid tried), and counts them.
func (s *stateful) finding(f outcome.Finding) {
	if s.found[f.ID] == nil {
		s.foundOrder = append(s.foundOrder, f.ID)
	}
	s.found[f.ID] = &f
	s.foundTimes[f.ID]++
}

func (s *stateful) name(raw string) string {
	if l, ok := s.labels[raw]; ok {
		return l
	}
	return raw
}

// property is one generated sequence for rapid. It fails at one place with
// one message, whichever step departed (see above).
func (s *stateful) property(rt *rapid.T) {
	if s.abort != nil {
		return
	}
	specs, closing := s.draw(rt)
	if s.drafting {
		if s.estimated < s.budget {
			s.drafts = append(s.drafts, draft{specs, closing})
			s.estimated += estimate(specs, closing)
		}
		return
	}
	o, failed := s.remembered(specs, closing), false
	switch {
	case o != nil:
		// Run while exploring, or met before while shrinking.
		if failed = o.failed; failed {
			s.last = o
		}
	case s.spent():
		// Exploring, a sequence passes unsent. Shrinking, rapid has no way
		// to be stopped, so every sequence it tries "fails" as the last
		// real one did: it then accepts each and runs out of smaller ones
		// at once, instead of spinning through thousands of tries. The
		// shrunk sequence stays the last that really failed.
		failed = s.failedAt >= 0
	default:
		if o = s.run(specs, closing); o == nil {
			return // aborted
		}
		if failed = o.failed; failed {
			s.last = o
		}
	}
	if failed {
		// One place, one message: rapid takes a smaller sequence for the
		// same failure only when it fails with the same message and stack.
		rt.Fatalf("a response departs from the model of the thread's membership")
	}
}

// draw draws one sequence: its steps, each on one of its threads, and the
// closing walk's maxPageSize and skip.
func (s *stateful) draw(rt *rapid.T) ([]stepSpec, stepSpec) {
	// Drawn last step first: rapid tries deleting the earliest draws first,
	// which so are the steps that run last. A sequence then loses the
	// steps it does not need from its end, where the departure is, while
	// the adds that set it up are still whole, and ends shorter: "add m1
	// m2; remove m1; walk" rather than "add m1; remove m1; add m1; walk".
	threads := rapid.SampledFrom(stateThreads).Draw(rt, "threads")
	specs := rapid.SliceOfN(s.stepGen(), stateMinSteps, stateSteps).Draw(rt, "steps")
	slices.Reverse(specs)
	for i := range specs {
		specs[i].Thread %= threads
	}
	// The closing walk of every thread changed since it was last listed
	// (at least 2 a page: it runs on every sequence, and the walk steps
	// try a page of 1).
	closing := stepSpec{Op: opWalk, Size: rapid.IntRange(2, 6).Draw(rt, "closing maxPageSize"), Skip: rapid.IntRange(0, 8).Draw(rt, "closing skip")}
	return specs, closing
}

// estimate is about what a sequence sends to a conformant server: each
// thread's creation and deletion, a request an add and a remove (once the
// thread has members), a page an unpaged listing, a walk its listing when
// the thread changed since and a page per maxPageSize participants from
// its skip, and the closing walk of every changed thread. It depends on the
// steps alone, so the sequences a budget explores do not depend on timing.
func estimate(specs []stepSpec, closing stepSpec) int {
	type sim struct {
		created, fresh bool
		members        int
	}
	ths := make([]sim, slices.Max(stateThreads))
	pages := func(th sim, size, skip int) int {
		total := th.members + 1 // and the creator
		rest := total - skip%(total+1)
		return max((rest+size-1)/size, 1)
	}
	n := 0
	for _, sp := range specs {
		th := &ths[sp.Thread]
		if !th.created {
			if sp.Op == opRemove {
				continue
			}
			th.created, n = true, n+2
		}
		switch sp.Op {
		case opAdd:
			th.members, th.fresh, n = min(th.members+len(sp.Batch), statePool), false, n+1
		case opRemove:
			if th.members > 0 {
				th.members, th.fresh, n = th.members-1, false, n+1
			}
		case opList:
			th.fresh, n = true, n+1
		case opWalk:
			if !th.fresh {
				th.fresh, n = true, n+1
			}
			n += pages(*th, sp.Size, sp.Skip)
		}
	}
	for _, th := range ths {
		if th.created && !th.fresh {
			n += 1 + pages(th, closing.Size, closing.Skip)
		}
	}
	return n
}

// explore runs the drafted sequences, stateConcurrency at a time, each on
// a goroutine of its own that takes turns with the others (turns.go): their
// round trips overlap, their judging does not. Their outcomes are
// remembered for rapid's pass, which meets them in the same order.
func (s *stateful) explore() {
	ctx := s.ctx
	s.ctx, s.exploring = withTurns(ctx, &s.turn), true
	defer func() { s.ctx, s.exploring = ctx, false }()
	var g errgroup.Group
	g.SetLimit(stateConcurrency)
	for _, d := range s.drafts {
		g.Go(func() error {
			defer GinkgoRecover() // a bug of the harness fails the spec, not the process
			s.turn.Lock()
			defer s.turn.Unlock()
			defer func() {
				// Any other panic (run recovers Ginkgo's) stops the other
				// sequences too; GinkgoRecover then records it.
				if r := recover(); r != nil {
					s.abort = r
					panic(r)
				}
			}()
			if s.abort == nil {
				s.run(d.specs, d.closing)
			}
			return nil
		})
	}
	_ = g.Wait()
	if s.fails > 0 {
		// Shrinking's budget counts from here, whichever sequence failed
		// first in time.
		s.failedAt = s.sent
	}
}

// spent says the requests allowed so far are spent: CHAT_STATEFUL_BUDGET
// exploring, CHAT_STATEFUL_SHRINK_BUDGET more once a sequence failed.
func (s *stateful) spent() bool {
	if s.failedAt < 0 {
		return s.sent >= s.budget
	}
	return s.sent >= s.failedAt+s.shrinkBudget
}

// merge tries, on the shrunk sequence, what rapid's shrinking cannot: it
// only deletes and lowers what was drawn, so "add m1; remove m1; add m1;
// walk" stays four steps although "add m1 m2; remove m1; walk" fails the
// same way. merge moves a later add's participants into an earlier add on
// the same thread, then deletes any step and any participant of a batch
// the departure does not need, until nothing changes; every candidate
// counts against the shrinking budget like rapid's.
func (s *stateful) merge() {
	try := func(specs []stepSpec) bool {
		o := s.remembered(specs, s.last.closing)
		if o == nil && !s.spent() {
			o = s.run(specs, s.last.closing)
		}
		if o != nil && o.failed && len(o.steps) <= len(s.last.steps) {
			s.last = o
			return true
		}
		return false
	}
	for changed := true; changed && s.abort == nil; {
		changed = false
		specs := s.last.specs
	candidates:
		for j, later := range specs {
			for i, first := range specs[:j] {
				if later.Op != opAdd || first.Op != opAdd || first.Thread != later.Thread || len(first.Batch)+len(later.Batch) > stateBatch {
					continue
				}
				c := slices.Clone(specs)
				c[i].Batch = append(slices.Clone(first.Batch), later.Batch...)
				if changed = try(slices.Delete(c, j, j+1)); changed {
					break candidates
				}
			}
		}
		for j := 0; !changed && j < len(specs); j++ {
			changed = try(slices.Delete(slices.Clone(specs), j, j+1))
			for k := 0; !changed && k < len(specs[j].Batch) && len(specs[j].Batch) > 1; k++ {
				c := slices.Clone(specs)
				c[j].Batch = slices.Delete(slices.Clone(c[j].Batch), k, k+1)
				changed = try(c)
			}
		}
	}
}

// stepGen draws one step: its operation, its thread and what the operation
// needs, nothing else (a step that draws less shrinks in fewer tries).
func (s *stateful) stepGen() *rapid.Generator[stepSpec] {
	return rapid.Custom(func(t *rapid.T) stepSpec {
		sp := stepSpec{Op: rapid.SampledFrom(stateOps).Draw(t, "op"), Thread: rapid.IntRange(0, 1).Draw(t, "thread")}
		switch sp.Op {
		case opAdd:
			sp.Batch = rapid.SliceOfN(rapid.IntRange(0, s.picks-1), 1, stateBatch).Draw(t, "batch")
		case opRemove:
			sp.Who = rapid.IntRange(0, len(s.pool)-1).Draw(t, "removed")
		case opWalk:
			sp.Size = rapid.IntRange(1, 5).Draw(t, "maxPageSize")
			sp.Skip = rapid.IntRange(0, 8).Draw(t, "skip")
		}
		return sp
	})
}

// The kinds of participant a batch mixes. A pick names its participant
// relative to the thread when the add runs, not by pool index: "new" is
// the first pool user neither a member nor already in the batch, so when
// shrinking moves a pick into an earlier add it stays a new participant
// there, and "existing" stays a member however the steps before it shrink.
const (
	pickNew      = iota // a pool user who is no member (an existing one when all are)
	pickExisting        // a member (a new user when there is none)
	pickRemoved         // a user removed from the thread before, and no member since (new when none)
	pickRepeat          // a participant named before in the same request (new when first)
	pickUnknown         // a well-formed id of a user that does not exist
	pickKinds
)

var pickNames = []string{"new", "existing", "re-added", "repeated", "unknown"}

// pick resolves one participant of a batch (v: kind, index and details,
// each 0 at v=0) against the thread's model and the batch so far: the
// participant, its displayName and shareHistoryTime of the documented
// domain, on an api-version with metadata one of stateMetadata.
func (s *stateful) pick(v int, th *stateThread, batch []wire.Participant) (p wire.Participant, label string, mayReject bool) {
	names, times := fixtures.DisplayNames(), fixtures.ShareHistoryTimes()
	kind, rest := v%pickKinds, v/pickKinds
	idx, rest := rest%statePool, rest/statePool
	name, rest := names[rest%len(names)], rest/len(names)
	when, rest := times[rest%len(times)], rest/len(times)
	var members, fresh, removed, named []string
	for _, m := range th.model.members {
		members = append(members, m.sent.CommunicationIdentifier.Key())
	}
	for _, b := range batch {
		named = append(named, b.CommunicationIdentifier.Key())
	}
	for _, raw := range s.pool {
		if !slices.Contains(members, raw) && !slices.Contains(named, raw) {
			fresh = append(fresh, raw)
		}
	}
	for _, raw := range th.removed {
		if slices.Contains(fresh, raw) && !slices.Contains(removed, raw) {
			removed = append(removed, raw)
		}
	}
	chosen := kind
	switch {
	case kind == pickExisting && len(members) == 0, kind == pickRepeat && len(named) == 0, kind == pickRemoved && len(removed) == 0:
		chosen = pickNew
	}
	if chosen == pickNew && len(fresh) == 0 {
		chosen, members = pickExisting, append(members, named...) // every pool user is named already
	}
	raw := ""
	switch chosen {
	case pickNew:
		raw = fresh[idx%len(fresh)]
	case pickExisting:
		raw = members[idx%len(members)]
	case pickRemoved:
		raw = removed[idx%len(removed)]
	case pickRepeat:
		raw = named[idx%len(named)]
	default:
		raw = s.unknown[idx%len(s.unknown)]
	}
	p = wire.Participant{CommunicationIdentifier: wire.UserIdentifier(raw), DisplayName: name.Value, ShareHistoryTime: when.Value}
	label = fmt.Sprintf("%s(%s: %s, %s", s.name(raw), pickNames[chosen], name.Name, when.Name)
	if s.metadata {
		p.Metadata = stateMetadata[rest%len(stateMetadata)]
		if len(p.Metadata) > 0 {
			label += fmt.Sprintf(", metadata %v", p.Metadata)
		}
	}
	return p, label + ")", name.MayReject || when.MayReject
}

func stepsKey(specs []stepSpec) string { return fmt.Sprintf("%v", specs) }

// remembered is the outcome of a sequence already run, or of one that
// begins with a failing one's steps up to its departure.
func (s *stateful) remembered(specs []stepSpec, closing stepSpec) *outcomeOf {
	for i := 1; i <= len(specs); i++ {
		if o := s.failing[stepsKey(specs[:i])]; o != nil {
			return o
		}
	}
	return s.seen[stepsKey(append(slices.Clone(specs), closing))]
}

// run sends a sequence on fresh threads, stopping at the first departure;
// a closing walk (a listing, then the walk) judges every thread changed
// since it was last listed. The threads are deleted right away.
func (s *stateful) run(specs []stepSpec, closing stepSpec) (o *outcomeOf) {
	s.runs++
	o = &outcomeOf{specs: specs, closing: closing, threads: make([]*stateThread, slices.Max(stateThreads))}
	threads := o.threads // o is nil once aborted
	defer func() {
		for _, th := range threads {
			if th != nil {
				deleteStateThread(th.Thread)
			}
		}
		if r := recover(); r != nil {
			if _, ok := r.(types.GinkgoError); ok {
				s.abort, o = r, nil // a harness or setup failure: stop, Ginkgo reports it
				return
			}
			panic(r)
		}
	}()
	departed := func(st *stateStep) bool {
		o.steps = append(o.steps, st)
		if st.problem == "" {
			return false
		}
		o.failed = true
		s.fails++
		if s.failedAt < 0 {
			s.failedAt = s.sent
		}
		return true
	}
	for i, sp := range specs {
		if s.abort != nil {
			return nil // another sequence's harness failure: Ginkgo reports it
		}
		th := o.threads[sp.Thread]
		if th == nil && sp.Op == opRemove {
			continue // nobody to remove from a thread not yet created
		}
		if th == nil {
			th = &stateThread{Thread: s.newThread()}
			o.threads[sp.Thread] = th
		}
		st := &stateStep{thread: sp.Thread + 1}
		switch {
		case sp.Op == opAdd && th.ops < stateThreadOps:
			s.add(sp, th, st)
		case sp.Op == opRemove && th.ops < stateThreadOps && len(th.model.members) > 0:
			s.remove(sp, th, st)
		case sp.Op == opList && s.listsLeft(th) >= 1:
			s.list(th, st)
		case sp.Op == opWalk && s.listsLeft(th) >= 2:
			s.walk(sp, th, st)
		default:
			continue // nothing to do (no member to remove, or the thread's allowance is spent)
		}
		if departed(st) {
			// Whatever follows, these steps fail the same way.
			o.specs = specs[:i+1]
			s.failing[stepsKey(o.specs)] = o
			return o
		}
	}
	for i, th := range o.threads {
		if th == nil || th.fresh {
			continue
		}
		st := &stateStep{thread: i + 1}
		s.walk(closing, th, st)
		if departed(st) {
			break
		}
	}
	s.seen[stepsKey(append(slices.Clone(specs), closing))] = o
	return o
}

// listsLeft is how many list pages the thread may still read, one kept for
// the closing listing.
func (s *stateful) listsLeft(th *stateThread) int { return stateThreadLists - 1 - th.lists }

func (s *stateful) add(sp stepSpec, th *stateThread, st *stateStep) {
	var batch []wire.Participant
	var labels, unknown []string
	mayReject := false
	for _, v := range sp.Batch {
		p, label, reject := s.pick(v, th, batch)
		batch, mayReject = append(batch, p), mayReject || reject
		labels = append(labels, label)
		if raw := p.CommunicationIdentifier.Key(); !slices.Contains(s.pool, raw) && !slices.Contains(unknown, raw) {
			unknown = append(unknown, raw)
		}
	}
	st.text = "add " + strings.Join(labels, " ")
	resp := Judge(s.ctx, client.AddParticipants(th.Host.Token, th.ID, batch...))
	s.sent++
	th.ops++
	st.exchanges = append(st.exchanges, resp.Exchange)
	st.text += fmt.Sprintf(" → %d", resp.Status)
	switch {
	case resp.Status/100 == 2:
		// Pool users exist, so they are members whatever invalidParticipants says.
		var valid []wire.Participant
		for _, p := range batch {
			if slices.Contains(s.pool, p.CommunicationIdentifier.Key()) {
				valid = append(valid, p)
			}
		}
		th.Added(valid...)
		th.model.add(valid)
		th.fresh = false
		Check("ADD-02", func() {
			Expect(resp).To(matchers.HaveJSONContentType())
			Expect(resp).To(matchers.ConformToSchema(apiSpec(), "AddChatParticipantsResult"))
		})
		for _, raw := range unknown {
			Check("ADD-09", func() { Expect(resp).To(matchers.HaveInvalidParticipant(raw)) })
		}
	case resp.Status/100 == 4 && mayReject:
		st.text += " (a name or time a server may refuse: nothing added)"
	default:
		st.problem = fmt.Sprintf("the add answered %d: an add of existing users and well-formed ids of unknown ones answers 201", resp.Status)
	}
}

func (s *stateful) remove(sp stepSpec, th *stateThread, st *stateStep) {
	// The Who-th member in the order added: shrinks to the first.
	best := sp.Who % len(th.model.members)
	raw := th.model.members[best].sent.CommunicationIdentifier.Key()
	resp := Judge(s.ctx, client.RemoveParticipant(th.Host.Token, th.ID, raw))
	s.sent++
	th.ops++
	st.exchanges = append(st.exchanges, resp.Exchange)
	st.text = fmt.Sprintf("remove %s → %d", s.name(raw), resp.Status)
	if resp.Status/100 != 2 {
		st.problem = fmt.Sprintf("removing the member %s answered %d (204 expected)", s.name(raw), resp.Status)
		return
	}
	th.model.remove(raw)
	th.Removed(raw)
	th.removed = append(th.removed, raw)
	th.fresh = false
}

// list reads the unpaged listing (ListAll's checks: ADD-04, the pages'
// schema, identifiers and times, PAGE-01…04) and judges it against the
// model; a repeated listing with nothing changed in between keeps its
// order (PAGE-06, SHOULD).
func (s *stateful) list(th *stateThread, st *stateStep) {
	w, listed := listAll(s.ctx, th.Thread)
	s.sent += len(w.Pages)
	th.lists += len(w.Pages)
	for _, p := range w.Pages {
		st.exchanges = append(st.exchanges, p.Resp.Exchange)
	}
	if st.text == "" {
		st.text = "list"
	} else {
		st.text += "; list"
	}
	ids := IDs(listed)
	st.expected, st.observed = s.modelLines(th), s.listLines(listed)
	problems, twice := th.model.departures(listed, th.Host.RawID, false, 0, s.name)
	if len(twice) > 0 {
		Check("ADD-07", func() { Expect(twice).To(BeEmpty(), "listed: %s", st.observed) })
	}
	if th.fresh && !slices.Equal(th.ref, ids) {
		Check("PAGE-06", func() {
			Expect(ids).To(Equal(th.ref), "a repeated unpaged listing, nothing changed in between, must keep its order")
		})
	}
	th.ref, th.fresh = ids, true
	if len(problems) > 0 {
		st.problem = strings.Join(problems, "; ")
	}
}

// walk pages the listing from a skip at a maxPageSize, judged against the
// thread's last unpaged listing (read first when something changed since):
// the paging properties (PAGE-01…04) and the model (the members from that
// position, each once). The page size is raised when the walk would not
// fit in the thread's list allowance at half-filled pages.
func (s *stateful) walk(sp stepSpec, th *stateThread, st *stateStep) {
	if !th.fresh {
		if s.list(th, st); st.problem != "" {
			return
		}
	}
	if s.listsLeft(th) < 2 {
		return // no allowance left for the walk: the step is its listing
	}
	// The skip falls within the listing or just past its end.
	total, n := len(th.ref), sp.Size
	k := sp.Skip % (total + 1)
	rest, left := max(total-k, 0), s.listsLeft(th)
	for rest > 0 && n < 2*rest && (rest+max(n/2, 1)-1)/max(n/2, 1)+1 > left {
		n++ // at n = 2×rest two pages will do, and left is at least 2
	}
	w := Walk(s.ctx, th.Thread, n, k)
	s.sent += len(w.Pages)
	th.lists += len(w.Pages)
	for _, p := range w.Pages {
		st.exchanges = append(st.exchanges, p.Resp.Exchange)
	}
	var ref []string
	if k < total {
		ref = th.ref[k:]
	}
	CheckPaging(w, contract.WalkWant{MaxPageSize: n, Unpaged: ref, APIVersion: apiVersion()}, "")
	if st.text == "" {
		st.text = fmt.Sprintf("walk maxPageSize=%d skip=%d", n, k)
	} else {
		st.text += fmt.Sprintf("; walk maxPageSize=%d skip=%d", n, k)
	}
	items := w.Items()
	st.expected = fmt.Sprintf("%d of the %d listed, from position %d, each once", rest, total, k)
	st.observed = fmt.Sprintf("%d in %d pages: %s", len(items), len(w.Pages), s.listLines(items))
	if problems, _ := th.model.departures(items, th.Host.RawID, true, rest, s.name); len(problems) > 0 {
		st.problem = strings.Join(problems, "; ")
	}
}

func (s *stateful) modelLines(th *stateThread) string {
	var parts []string
	for _, m := range th.model.members {
		line := fmt.Sprintf("%s %q %s", s.name(m.sent.CommunicationIdentifier.Key()), m.sent.DisplayName, m.sent.ShareHistoryTime)
		if !m.details {
			line += " (details of a re-add not judged)"
		}
		parts = append(parts, line)
	}
	return strings.Join(append(parts, "and the creator, if listed"), "; ")
}

func (s *stateful) listLines(ps []wire.Participant) string {
	if len(ps) == 0 {
		return "nobody"
	}
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s %q %s", s.name(p.CommunicationIdentifier.Key()), p.DisplayName, p.ShareHistoryTime))
	}
	return strings.Join(parts, "; ")
}

// sequence renders a sequence as numbered steps, the listing the model
// expects and the one observed under each listing.
func (s *stateful) sequence(o *outcomeOf) string {
	var b strings.Builder
	for i, st := range o.steps {
		fmt.Fprintf(&b, "  %d. thread %d: %s\n", i+1, st.thread, st.text)
		if st.expected != "" {
			fmt.Fprintf(&b, "     expected (model): %s\n     observed:         %s\n", st.expected, st.observed)
		}
		if st.problem != "" {
			fmt.Fprintf(&b, "     DEPARTS: %s\n", st.problem)
		}
	}
	b.WriteString("  users:")
	for _, raw := range append(slices.Clone(s.pool), s.unknown...) {
		fmt.Fprintf(&b, " %s=%s", s.labels[raw], raw)
	}
	return b.String() + " (u… do not exist; the creator of each thread is the acting user)\n"
}

// script renders a sequence as a bash script of curl commands: it creates
// its own threads with $CHAT_TOKEN, adds the users M1… (by default the
// run's, which the run deletes at its end: set M1… to users of your own),
// replays every request and deletes the threads.
func (s *stateful) script(o *outcomeOf) string {
	ep, v := strings.TrimSuffix(endpoint(), "/"), apiVersion()
	var b strings.Builder
	fmt.Fprintf(&b, "#!/usr/bin/env bash\n# STATE-01, seed %d: the shrunk sequence, replayed. Set CHAT_TOKEN (a chat token of the acting user)\n", s.seed)
	b.WriteString("# and CHAT_ENDPOINT; M1… are users to add, by default the run's (deleted when the run ended).\nset -u\n: \"${CHAT_TOKEN:?set CHAT_TOKEN}\"\n")
	fmt.Fprintf(&b, "ENDPOINT=\"${CHAT_ENDPOINT:-%s}\"\nENDPOINT=\"${ENDPOINT%%/}\"\n", ep)
	vars := map[string]string{}
	for _, raw := range s.pool {
		name := strings.ToUpper(s.labels[raw])
		vars[raw] = name
		fmt.Fprintf(&b, "%s=\"${%s:-%s}\"\n", name, name, raw)
	}
	for i, th := range o.threads {
		if th == nil {
			continue
		}
		fmt.Fprintf(&b, "T%d=$(curl -sS -X POST \"$ENDPOINT/chat/threads?api-version=%s\" -H \"Authorization: Bearer $CHAT_TOKEN\" -H 'Content-Type: application/json' -d '{\"topic\":\"chatconform STATE-01 replay\"}' | sed -n 's/.*\"id\":\"\\(19:[^\"]*\\)\".*/\\1/p')\n", i+1, v)
		vars[th.ID] = "T" + strconv.Itoa(i+1)
		if e := url.PathEscape(th.ID); e != th.ID {
			vars[e] = "T" + strconv.Itoa(i+1)
		}
	}
	vars[ep] = "ENDPOINT"
	keys := slices.Collect(maps.Keys(vars))
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) }) // longest first
	for i, st := range o.steps {
		fmt.Fprintf(&b, "\n# step %d, thread %d: %s\n", i+1, st.thread, oneLine(st.text))
		if st.expected != "" {
			fmt.Fprintf(&b, "# expected (model): %s\n# observed:         %s\n", oneLine(st.expected), oneLine(st.observed))
		}
		for _, ex := range st.exchanges {
			line := report.Curl(ex)
			for _, k := range keys {
				line = strings.ReplaceAll(line, k, `'"${`+vars[k]+`}"'`)
			}
			fmt.Fprintf(&b, "echo '>>> step %d'\n%s\necho\n", i+1, line)
		}
	}
	b.WriteString("\n# clean up\n")
	for i, th := range o.threads {
		if th != nil {
			fmt.Fprintf(&b, "curl -sS -o /dev/null -X DELETE \"$ENDPOINT/chat/threads/${T%d}?api-version=%s\" -H \"Authorization: Bearer $CHAT_TOKEN\"\n", i+1, v)
		}
	}
	return b.String()
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }

// What STATE-01 takes from the running spec's api-version, and the
// threads it creates and deletes once per sequence (NewThread's live until
// the spec ends, and a shrinking run creates hundreds).

func apiVersion() string     { return Version() }
func apiSpec() *openapi.Spec { return Spec() }
func endpoint() string       { return Client().Endpoint().String() }

// newThread creates a thread for one sequence, as NewThreads does (the
// creation need not be at the spec's api-version).
func (s *stateful) newThread() *Thread {
	GinkgoHelper()
	if s.failedAt >= 0 && !s.exploring && len(s.hosts) == stateHosts {
		s.mintHosts(stateShrinkHosts) // shrinking creates threads by the hundred
	}
	var host client.User
	if len(s.hosts) > 0 {
		host = s.hosts[s.threads%len(s.hosts)]
	} else {
		host = Env.Host()
	}
	// Counted before the creation is sent: the other sequences go on
	// meanwhile, and the next thread is the next host's.
	s.sent += 2 // its creation and its deletion
	s.threads++
	var id string
	var err error
	inFlight(s.ctx, func() { id, err = Env.NewThread(s.ctx, host, "chatconform STATE-01") })
	SetupErr("creating a STATE-01 thread", err)
	s.labels[host.RawID] = "creator"
	return &Thread{ID: id, Host: host}
}

// mintHosts mints STATE-01's own acting users when the run can mint: a
// sequence's threads are fresh, so STATE-01 creates and deletes tens of
// threads, and on the run's shared hosts that would use up ACS's 10 thread
// creations and deletions per 10 s per user that the other specs' threads
// need too; shrinking a failure creates threads by the hundred, so it
// mints more. They are deleted at the end of the run (Env.Teardown).
func (s *stateful) mintHosts(n int) {
	GinkgoHelper()
	if !Env.CanMint() {
		return // manual mode: the one acting user (Env.Host)
	}
	hosts := make([]client.User, n)
	var g errgroup.Group
	for i := range hosts {
		g.Go(func() (err error) {
			hosts[i], err = Env.MintUser(s.ctx)
			return err
		})
	}
	SetupErr("minting STATE-01's acting users", g.Wait())
	s.hosts = append(s.hosts, hosts...)
}

// deleteStateThread hands a sequence's thread to the background deleter
// (Env.DeleteLater), as NewThreads' cleanup does.
func deleteStateThread(t *Thread) { Env.DeleteLater(t.Host, t.ID, CurrentSpecReport().FullText()) }

// rapidTB is what rapid reports to: it only records that a property
// failed; the spec reports the sequence itself.
type rapidTB struct {
	failed bool
	log    strings.Builder
}

func (r *rapidTB) Helper()                      {}
func (r *rapidTB) Name() string                 { return "STATE-01" }
func (r *rapidTB) Logf(format string, a ...any) { fmt.Fprintf(&r.log, format+"\n", a...) }
func (r *rapidTB) Log(a ...any)                 { fmt.Fprintln(&r.log, a...) }
func (r *rapidTB) Skipf(string, ...any)         {}
func (r *rapidTB) Skip(...any)                  {}
func (r *rapidTB) SkipNow()                     {}
func (r *rapidTB) Errorf(format string, a ...any) {
	r.failed = true
	r.Logf(format, a...)
}
func (r *rapidTB) Error(a ...any)                 { r.failed = true; r.Log(a...) }
func (r *rapidTB) Fatalf(format string, a ...any) { r.Errorf(format, a...) }
func (r *rapidTB) Fatal(a ...any)                 { r.Error(a...) }
func (r *rapidTB) FailNow()                       { r.failed = true }
func (r *rapidTB) Fail()                          { r.failed = true }
func (r *rapidTB) Failed() bool                   { return r.failed }
