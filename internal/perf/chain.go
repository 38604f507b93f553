package perf

import (
	"fmt"
	"sort"
	"time"
)

// Chain returns the longest chain of exchanges that do not overlap in time:
// e1, e2, … ek with each e(i+1) starting at or after e(i) ended. Exchanges
// that overlap were in flight together, so neither waited for the other;
// exchanges that do not overlap may have (a request that needs the answer
// of another must start after that answer arrived). The chain is therefore
// the longest sequence of round trips the run made one after another, and
// against a server that answers after a latency L it takes at least k × L.
//
// Overlap is judged strictly (a start even 1 ns before the other's end
// overlaps), so clock noise can only shorten a chain, never lengthen it: the
// bound stays a lower bound. The chain is computed greedily by end time,
// which is optimal for the longest set of pairwise disjoint intervals.
func Chain(exs []Exchange) []Exchange {
	sorted := append([]Exchange(nil), exs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		ei, ej := sorted[i].End(), sorted[j].End()
		if !ei.Equal(ej) {
			return ei.Before(ej)
		}
		return sorted[i].Start.After(sorted[j].Start) // the shorter first
	})
	var chain []Exchange
	for _, e := range sorted {
		if len(chain) == 0 || !e.Start.Before(chain[len(chain)-1].End()) {
			chain = append(chain, e)
		}
	}
	return chain
}

// CriticalPath is the longest chain of dependent requests of a run, in
// requests (see CriticalPathOf for the definition).
type CriticalPath struct {
	// Process is the process whose setup and teardown chains are the
	// shortest; Setup and Teardown are their lengths.
	Process         int
	Setup, Teardown int
	// Spec is the spec with the longest chain, SpecChain that chain's
	// length, and SpecProcess the process that ran it.
	Spec        string
	SpecChain   int
	SpecProcess int
	// Specs counts the run's specs; Work is the sum of their chains of
	// what each spec sent on its own goroutine (the round trips all
	// processes together had to get through one after another, setup and
	// teardown aside; the harness's background work for a spec overlaps
	// other specs, so it is in the spec's chain but not in Work).
	Specs, Work int
	// Processes counts the processes that recorded a setup or teardown.
	Processes int
}

// Requests is the critical path's length: Setup + SpecChain + Teardown.
func (c CriticalPath) Requests() int { return c.Setup + c.SpecChain + c.Teardown }

// Bound is the least wall time the critical path needs when every round
// trip takes at least latency.
func (c CriticalPath) Bound(latency time.Duration) time.Duration {
	return time.Duration(c.Requests()) * latency
}

// WorkBound is the least wall time procs processes need for all the specs'
// chains when every round trip takes at least latency: some process must do
// its setup and teardown plus at least an even share of the work. It
// exceeds Bound when there are too few processes for the specs.
func (c CriticalPath) WorkBound(procs int, latency time.Duration) time.Duration {
	procs = max(1, procs)
	share := (c.Work + procs - 1) / procs
	return time.Duration(c.Setup+c.Teardown+max(share, c.SpecChain)) * latency
}

// String summarises the path, e.g. "5 setup + 12 in [ADD-04] … + 5 teardown = 22".
func (c CriticalPath) String() string {
	return fmt.Sprintf("%d setup + %d in %q + %d teardown = %d requests", c.Setup, c.SpecChain, c.Spec, c.Teardown, c.Requests())
}

// CriticalPathOf computes a run's critical path from its nodes:
//
//	Setup + SpecChain + Teardown
//
// where SpecChain is the longest Chain among the specs (each spec's chain
// covers all its nodes: BeforeEach, the It, AfterEach and DeferCleanup,
// and what the harness sent for it in the background: its thread created
// ahead, its deletion after it, which it depends on as much as on its own),
// and Setup and Teardown are the chains of one process's setup nodes
// (SynchronizedBeforeSuite, BeforeSuite) and teardown nodes
// (SynchronizedAfterSuite, AfterSuite): those of the process for which
// their sum is least. Every process must finish its setup before its first
// spec and start its teardown after its last, and the longest spec runs on
// some process, so however the specs are distributed the run cannot take
// fewer round trips one after another; taking the least setup+teardown
// keeps that true even when processes differ.
func CriticalPathOf(nodes []Node) CriticalPath {
	var c CriticalPath
	setup, teardown := map[int][]Exchange{}, map[int][]Exchange{}
	procs := map[int]bool{}
	for _, n := range nodes {
		switch {
		case n.IsSetup():
			setup[n.Process] = append(setup[n.Process], n.Exchanges...)
			procs[n.Process] = true
		case n.IsTeardown():
			teardown[n.Process] = append(teardown[n.Process], n.Exchanges...)
			procs[n.Process] = true
		case n.IsSpec():
			c.Specs++
			k := len(Chain(n.Exchanges))
			c.Work += len(Chain(n.Foreground()))
			if k > c.SpecChain || c.Spec == "" {
				c.Spec, c.SpecChain, c.SpecProcess = n.Text, k, n.Process
			}
		}
	}
	c.Processes = len(procs)
	first := true
	for _, p := range sortedInts(procs) {
		s, t := len(Chain(setup[p])), len(Chain(teardown[p]))
		if first || s+t < c.Setup+c.Teardown {
			c.Process, c.Setup, c.Teardown, first = p, s, t, false
		}
	}
	return c
}

func sortedInts(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// RateBound is the least time a client capped at rps requests per second
// (a token bucket holding burst) needs for the node with the most
// requests: a node runs within one process and so within one client's cap,
// and after the burst each further request waits 1/rps. It returns the
// bound and that node. Zero when rps is not positive.
func RateBound(nodes []Node, rps float64, burst int) (time.Duration, Node) {
	var (
		b     time.Duration
		worst Node
	)
	if rps <= 0 {
		return 0, worst
	}
	for _, n := range nodes {
		extra := len(n.Exchanges) - max(burst, 1)
		if d := time.Duration(float64(max(extra, 0)) / rps * float64(time.Second)); d > b || worst.Text == "" {
			b, worst = d, n
		}
	}
	return b, worst
}

// Phases is where a run's time went, from its nodes' start and end times.
type Phases struct {
	// Setup runs from the first node's start to the end of the last
	// process's setup; Specs from there to the end of the last spec;
	// Teardown from there to the end of the last teardown node.
	Setup, Specs, Teardown time.Duration
}

// Suite is the three together: the suite's nodes from the first start to
// the last end (process start-up before it, and the reports after it, are
// not in it).
func (p Phases) Suite() time.Duration { return p.Setup + p.Specs + p.Teardown }

// PhasesOf measures the phases of nodes that carry times (zero otherwise).
func PhasesOf(nodes []Node) Phases {
	var first, setupEnd, specEnd, end time.Time
	for _, n := range nodes {
		if n.Start.IsZero() || n.End.IsZero() {
			continue
		}
		if first.IsZero() || n.Start.Before(first) {
			first = n.Start
		}
		switch {
		case n.IsSetup() && n.End.After(setupEnd):
			setupEnd = n.End
		case n.IsSpec() && n.End.After(specEnd):
			specEnd = n.End
		case n.IsTeardown() && n.End.After(end):
			end = n.End
		}
	}
	if first.IsZero() {
		return Phases{}
	}
	if setupEnd.IsZero() {
		setupEnd = first
	}
	if specEnd.Before(setupEnd) {
		specEnd = setupEnd
	}
	if end.Before(specEnd) {
		end = specEnd
	}
	return Phases{Setup: setupEnd.Sub(first), Specs: specEnd.Sub(setupEnd), Teardown: end.Sub(specEnd)}
}
