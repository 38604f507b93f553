package harness

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/transcript"
)

// Preparing work off the specs' own chains. A spec's thread is not one of
// the requests it judges, nor is its deletion: a per-process reservoir
// creates threads ahead of demand, and a background deleter deletes them
// after the spec, both with bounded concurrency, through the run's client
// (so within CHAT_MAX_RPS, retrying throttled answers) and round robin over
// the hosts (so within the per-user creation limit as before). Every thread
// is tracked from its creation: Teardown waits for both, then deletes what
// is still tracked (unclaimed threads, failed deletions) and reports what it
// could not.
const (
	// PrepareAhead is how many threads each process keeps created ahead:
	// a spec takes its thread and the next one is created while it runs,
	// one round trip, which every spec outlasts. More would only leave
	// more unclaimed threads to delete at the end.
	PrepareAhead = 1
	// DeleteConcurrency bounds the background deletions of a process.
	DeleteConcurrency = 8
	// Unclaimed is the ForSpec of the creation of a thread the reservoir
	// made that no spec took (it is deleted at Teardown).
	Unclaimed = "(created ahead; no spec took it)"
)

// busy counts the background requests in flight (creations ahead,
// deletions behind), so that a spec about to release requests together
// can let them land first (Quiesce).
type busy struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0
}

func (b *busy) begin() {
	b.mu.Lock()
	if b.n == 0 {
		b.idle = make(chan struct{})
	}
	b.n++
	b.mu.Unlock()
}

func (b *busy) end() {
	b.mu.Lock()
	if b.n--; b.n == 0 {
		close(b.idle)
	}
	b.mu.Unlock()
}

// Quiesce waits, at most max, until no background request of this process
// is in flight: a concurrency check releases its requests into a quiet
// process, so that their overlap is theirs, not the scheduler's under the
// harness's own traffic. New background work starts only when a spec takes
// a thread or ends, so mid-spec it stays quiet.
func (e *Env) Quiesce(max time.Duration) {
	e.busy.mu.Lock()
	if e.busy.n == 0 {
		e.busy.mu.Unlock()
		return
	}
	idle := e.busy.idle
	e.busy.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}

// Prepared is a spec's thread: its id, its host, and the exchanges of its
// creation when the reservoir created it off the spec's goroutine (nil when
// the spec created it itself and its own recorder has them).
type Prepared struct {
	ID        string
	Host      client.User
	Exchanges []*transcript.Exchange
	Err       error
	done      chan struct{}
}

// record keeps an exchange of the thread's creation; only the creating
// goroutine calls it, before done is closed.
func (p *Prepared) record(ex *transcript.Exchange) { p.Exchanges = append(p.Exchanges, ex) }

// reservoir is one process's threads created ahead of demand.
type reservoir struct {
	e       *Env
	depth   int
	mu      sync.Mutex
	pending []*Prepared // created or being created, oldest first
	stopped bool
	wg      sync.WaitGroup
}

// deleter is one process's background deletions.
type deleter struct {
	e   *Env
	sem chan struct{}
	wg  sync.WaitGroup
	mu  sync.Mutex
	// exchanges are the deletions' transcripts (ForSpec set), waiting for
	// Background to hand them to a node that can record them.
	exchanges []*transcript.Exchange
}

// Prepare starts this process's reservoir of depth threads (0: none, every
// thread is created when a spec asks) and its background deleter. Call it
// once, after Setup.
func (e *Env) Prepare(depth int) {
	e.deleter = &deleter{e: e, sem: make(chan struct{}, DeleteConcurrency)}
	if depth > 0 {
		e.reservoir = &reservoir{e: e, depth: depth}
		e.reservoir.mu.Lock()
		e.reservoir.fillLocked(depth)
		e.reservoir.mu.Unlock()
	}
}

// fillLocked starts n creations; r.mu is held.
func (r *reservoir) fillLocked(n int) {
	for range n {
		if r.stopped {
			return
		}
		p := &Prepared{Host: r.e.Host(), done: make(chan struct{})}
		r.pending = append(r.pending, p)
		r.wg.Add(1)
		r.e.busy.begin()
		go func() {
			defer r.wg.Done()
			defer r.e.busy.end()
			defer close(p.done)
			ctx := client.RecordTo(context.Background(), p.record)
			p.ID, p.Err = r.e.NewThread(ctx, p.Host, "chatconform")
		}()
	}
}

// claim takes up to n of the pending threads (waiting for those still
// being created) and starts as many new creations.
func (r *reservoir) claim(n int) []*Prepared {
	r.mu.Lock()
	k := min(n, len(r.pending))
	got := append([]*Prepared(nil), r.pending[:k]...)
	r.pending = r.pending[k:]
	r.fillLocked(k)
	r.mu.Unlock()
	for _, p := range got {
		// Not cut short by ctx: the creation outlives an interrupt (see
		// NewThread) and is bounded by its own timeout.
		<-p.done
	}
	return got
}

// stop ends the refills, waits for the creations in flight and returns the
// threads no spec took (tracked, so Teardown deletes them).
func (r *reservoir) stop() []*Prepared {
	r.mu.Lock()
	r.stopped = true
	left := r.pending
	r.pending = nil
	r.mu.Unlock()
	r.wg.Wait()
	return left
}

// Threads returns n threads for a spec: those the reservoir holds (created
// ahead, their creation's exchanges in Prepared.Exchanges), the rest created
// now, concurrently, recorded as ctx's requests are. Every thread is
// tracked from its creation. The error is the first creation that failed;
// the threads that were created are returned with it (IDs set), so that
// their deletion can be scheduled.
func (e *Env) Threads(ctx context.Context, n int, topic string) ([]*Prepared, error) {
	var got []*Prepared
	if e.reservoir != nil {
		got = e.reservoir.claim(n)
	}
	fresh := make([]*Prepared, n-len(got))
	var g errgroup.Group
	for i := range fresh {
		p := &Prepared{Host: e.Host()}
		fresh[i] = p
		g.Go(func() error {
			p.ID, p.Err = e.NewThread(ctx, p.Host, topic)
			return nil
		})
	}
	_ = g.Wait()
	got = append(got, fresh...)
	for _, p := range got {
		if p.Err != nil {
			return got, p.Err
		}
	}
	return got, nil
}

// DeleteLater hands a tracked thread to the background deleter, which
// deletes it with bounded concurrency while the next spec runs; the
// deletion's exchanges are kept for spec (see Background). Without
// Prepare it deletes at once.
func (e *Env) DeleteLater(host client.User, id, spec string) {
	d := e.deleter
	if d == nil {
		_ = e.DeleteThread(host, id) // a failure leaves it tracked for Teardown
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.sem <- struct{}{}
		defer func() { <-d.sem }()
		e.busy.begin()
		defer e.busy.end()
		ctx := client.RecordTo(context.Background(), func(ex *transcript.Exchange) {
			ex.ForSpec = spec
			d.mu.Lock()
			d.exchanges = append(d.exchanges, ex)
			d.mu.Unlock()
		})
		_ = e.deleteThread(ctx, host, id) // a failure leaves it tracked for Teardown
	}()
}

// Background returns, and forgets, the exchanges of the work done off the
// specs' goroutines that no spec recorded: the background deletions (each
// naming its spec in ForSpec) and the creation of every thread no spec
// took (ForSpec Unclaimed). Call it after Teardown, from a node that can
// record them.
func (e *Env) Background() []*transcript.Exchange {
	e.mu.Lock()
	out := e.background
	e.background = nil
	e.mu.Unlock()
	if d := e.deleter; d != nil {
		d.mu.Lock()
		out = append(out, d.exchanges...)
		d.exchanges = nil
		d.mu.Unlock()
	}
	return out
}

// settle stops the reservoir and waits for the deleter, so that every
// thread this process created is either deleted or still tracked. The
// threads created ahead that no spec took are handed to unclaimed as soon
// as the reservoir has stopped, so that their deletion need not wait for
// the deleter's last deletions (one round trip each, one after the other).
func (e *Env) settle(unclaimed func(*Prepared)) {
	if r := e.reservoir; r != nil {
		for _, p := range r.stop() {
			for _, ex := range p.Exchanges {
				ex.ForSpec = Unclaimed
			}
			e.mu.Lock()
			e.background = append(e.background, p.Exchanges...)
			e.mu.Unlock()
			if p.Err == nil && p.ID != "" {
				unclaimed(p)
			}
		}
	}
	if d := e.deleter; d != nil {
		d.wg.Wait()
	}
}
