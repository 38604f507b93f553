package framework

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
)

// Flight is one request of a batch that Together releases at once: a
// judged request (never retried) or a whole unpaged listing. Its outcome is
// judged on the spec goroutine afterwards, through Resp or Walk.
type Flight struct {
	Name  string
	req   client.Request
	list  *Thread
	after time.Duration // sent this long after the release

	resp       *transcript.Response
	walk       contract.Walk
	err        error
	start, end time.Time
	judged     bool // Resp has judged resp
}

// SendFlight is a flight of one request, judged as Judge judges one.
func SendFlight(name string, req client.Request) *Flight {
	return &Flight{Name: name, req: req.NoRetry()}
}

// ListFlight is a flight of t's unpaged listing, its nextLinks followed.
func ListFlight(name string, t *Thread) *Flight { return &Flight{Name: name, list: t} }

// After delays the flight by d past the release, so that it lands while
// the others are in flight rather than ahead of them.
func (f *Flight) After(d time.Duration) *Flight { f.after = d; return f }

// fly sends the flight. It runs off the spec goroutine, so it calls neither
// Ginkgo nor Gomega: a failure there would not stop the spec.
func (f *Flight) fly(ctx context.Context) {
	f.start = time.Now()
	if f.list != nil {
		f.walk, f.err = follow(ctx, f.list, 0, 0)
	} else {
		f.resp, f.err = Client().Do(ctx, f.req)
	}
	f.end = time.Now()
	// The exchanges' own times are what went over the wire (after the
	// shared rate limiter let the request go); the goroutine's stay only
	// when no exchange was recorded.
	var exs []*transcript.Exchange
	if f.resp != nil {
		exs = append(exs, f.resp.Exchange)
	}
	for _, p := range f.walk.Pages {
		if p.Resp != nil {
			exs = append(exs, p.Resp.Exchange)
		}
	}
	exs = slices.DeleteFunc(exs, func(ex *transcript.Exchange) bool { return ex == nil || ex.Start.IsZero() })
	if len(exs) > 0 {
		f.start, f.end = exs[0].Start, exs[len(exs)-1].Start.Add(exs[len(exs)-1].Duration)
	}
}

// Resp is the flight's answer, judged as Judge judges one (transport
// failures, throttling, the error envelope), once however often it is read.
func (f *Flight) Resp() *transcript.Response {
	GinkgoHelper()
	if !f.judged {
		f.resp, f.judged = judgeSent(f.req, f.resp, f.err), true
	}
	return f.resp
}

// Walk is the flight's listing, judged as Walk judges one. It is not
// checked against what the thread recorded (CheckAdded): the caller knows
// what the listing could already show.
func (f *Flight) Walk() contract.Walk {
	GinkgoHelper()
	return walked(f.walk, f.err)
}

// quiesceAtMost bounds how long Together waits for the harness's
// background requests (one in a Retry-After wait is not waited out).
const quiesceAtMost = time.Second

// Timing is when each flight of a batch ran, from its exchanges.
type Timing struct {
	Flights []*Flight
	// MaxInFlight is the most flights in flight at one moment; AllAtOnce
	// says every one was (the last started before the first ended).
	MaxInFlight int
	AllAtOnce   bool
}

// Together sends every flight on its own goroutine, all released by one
// channel close once each is waiting, and returns when all have answered.
// It attaches the timing to the spec's report and ends the spec as a
// harness error when no two requests overlapped at all: the check could
// not run as designed, which says nothing about the server.
func Together(ctx context.Context, fs ...*Flight) Timing {
	GinkgoHelper()
	// The harness's background requests (the next spec's thread, the last
	// one's deletion) land first: against a server that answers in a
	// millisecond they would otherwise take the scheduler from the flights.
	Env.Quiesce(quiesceAtMost)
	release := make(chan struct{})
	var ready, done sync.WaitGroup
	for _, f := range fs {
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			<-release
			if f.after > 0 {
				time.Sleep(f.after)
			}
			f.fly(ctx)
		})
	}
	ready.Wait()
	close(release)
	done.Wait()

	t := timingOf(fs)
	AddReportEntry(outcome.EntryTiming, t.String(), ReportEntryVisibilityAlways)
	// A flight that got no answer is judged first: its failure says more.
	for _, f := range fs {
		if f.err != nil {
			if f.list != nil {
				f.Walk()
			} else {
				f.Resp()
			}
		}
	}
	if len(fs) > 1 && t.MaxInFlight < 2 {
		HarnessFailure(fmt.Errorf("the %d requests released together did not overlap at all, so the concurrency check could not run as designed (is CHAT_MAX_RPS very low?)\n%s", len(fs), t))
	}
	return t
}

func timingOf(fs []*Flight) Timing {
	t := Timing{Flights: fs}
	type event struct {
		at    time.Time
		delta int
	}
	var evs []event
	for _, f := range fs {
		evs = append(evs, event{f.start, +1}, event{f.end, -1})
	}
	// An end at the same instant as a start is no overlap.
	slices.SortFunc(evs, func(a, b event) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta
	})
	n := 0
	for _, e := range evs {
		n += e.delta
		t.MaxInFlight = max(t.MaxInFlight, n)
	}
	t.AllAtOnce = len(fs) > 0 && t.MaxInFlight == len(fs)
	return t
}

// Overlap says some flight of as was in flight while some flight of bs was.
func (t Timing) Overlap(as, bs []*Flight) bool {
	for _, a := range as {
		for _, b := range bs {
			if a != b && a.start.Before(b.end) && b.start.Before(a.end) {
				return true
			}
		}
	}
	return false
}

// String lists each flight's start and end relative to the first start,
// then whether they were all in flight at once.
func (t Timing) String() string {
	if len(t.Flights) == 0 {
		return "no requests"
	}
	first, lastStart, firstEnd := t.Flights[0].start, t.Flights[0].start, t.Flights[0].end
	for _, f := range t.Flights {
		first = minTime(first, f.start)
		firstEnd = minTime(firstEnd, f.end)
		if f.start.After(lastStart) {
			lastStart = f.start
		}
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests released together (times relative to the first start):\n", len(t.Flights))
	for _, f := range t.Flights {
		fmt.Fprintf(&b, "  %-8s +%s … +%s (%s)\n", f.Name, ms(f.start.Sub(first)), ms(f.end.Sub(first)), ms(f.end.Sub(f.start)))
	}
	switch {
	case t.AllAtOnce:
		fmt.Fprintf(&b, "overlapped: all %d were in flight at once (the last started at +%s, before the first ended at +%s)",
			len(t.Flights), ms(lastStart.Sub(first)), ms(firstEnd.Sub(first)))
	case t.MaxInFlight > 1:
		fmt.Fprintf(&b, "overlapped in part: at most %d of %d were in flight at once (the last started at +%s, after the first ended at +%s)",
			t.MaxInFlight, len(t.Flights), ms(lastStart.Sub(first)), ms(firstEnd.Sub(first)))
	default:
		b.WriteString("did not overlap: each request started after the one before it had ended")
	}
	return b.String()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
