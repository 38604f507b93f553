package refserver

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/chatconform/chatconform/internal/limits"
)

// quota is a rule applied to one key (a thread, a user, or both).
type quota struct {
	key  string
	rule limits.Rule
}

// slidingWindow enforces exact sliding-window limits: it keeps the time of
// every admitted request per key, so "n per window" holds over every
// interval of that length (no token-bucket bursts). That lets the suite
// compute a hard lower bound for when a 429 must appear.
type slidingWindow struct {
	mu      sync.Mutex
	logs    map[string]*windowLog
	admits  int
	longest time.Duration // for sweeping idle keys
}

type windowLog struct {
	window time.Duration
	times  []time.Time // admitted requests, oldest first
}

func newSlidingWindow() *slidingWindow {
	return &slidingWindow{logs: map[string]*windowLog{}}
}

// sweepEvery bounds memory: every so many admits, keys idle for longer than
// the longest window are dropped.
const sweepEvery = 1024

// admit admits a request at now only if every quota has room, recording it
// against all of them; otherwise it records nothing (a rejected request does
// not extend the wait) and returns how long until every quota has room.
func (l *slidingWindow) admit(now time.Time, quotas ...quota) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	logs := make([]*windowLog, len(quotas))
	for i, q := range quotas {
		id := q.key + "|" + q.rule.Window.String() + "|" + strconv.Itoa(q.rule.N)
		lg := l.logs[id]
		if lg == nil {
			lg = &windowLog{window: q.rule.Window}
			l.logs[id] = lg
			l.longest = max(l.longest, q.rule.Window)
		}
		lg.prune(now)
		logs[i] = lg
		if c := len(lg.times); c >= q.rule.N {
			// The request fits once the (c-n+1)th oldest leaves the window.
			wait = max(wait, lg.times[c-q.rule.N].Add(q.rule.Window).Sub(now))
		}
	}
	if wait > 0 {
		return wait, false
	}
	for _, lg := range logs {
		lg.times = append(lg.times, now)
	}
	if l.admits++; l.admits%sweepEvery == 0 {
		l.sweep(now)
	}
	return 0, true
}

// prune drops the requests that left the window (those at or before now-window).
func (lg *windowLog) prune(now time.Time) {
	cut := now.Add(-lg.window)
	i := 0
	for i < len(lg.times) && !lg.times[i].After(cut) {
		i++
	}
	if i > 0 {
		lg.times = append(lg.times[:0], lg.times[i:]...)
	}
}

func (l *slidingWindow) sweep(now time.Time) {
	for id, lg := range l.logs {
		if n := len(lg.times); n == 0 || !lg.times[n-1].After(now.Add(-l.longest)) {
			delete(l.logs, id)
		}
	}
}

// retryAfterSeconds renders a wait as a Retry-After value: whole seconds,
// rounded up, at least 1.
func retryAfterSeconds(wait time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
}

// limitClass names which documented chat limits an operation is subject to.
type limitClass int

const (
	limitNone    limitClass = iota
	limitThreads            // create and delete thread
	limitMembers            // add and remove participants
	limitList               // list participants
)

// ratePolicy enforces the documented ACS Chat rate limits (limits.ACS),
// windows divided by the configured scale.
type ratePolicy struct {
	limiter *slidingWindow
	rates   limits.Rates
}

func newRatePolicy(scale float64) *ratePolicy {
	return &ratePolicy{limiter: newSlidingWindow(), rates: limits.ACS(scale)}
}

// quotas lists what a request of class by user on threadID counts against.
func (p *ratePolicy) quotas(class limitClass, user, threadID string) []quota {
	switch class {
	case limitThreads:
		return []quota{{"threads/" + user, p.rates.ThreadsPerUser}}
	case limitMembers:
		k := "members/" + threadID
		return []quota{{k, p.rates.MembersShort}, {k, p.rates.MembersLong}}
	case limitList:
		return []quota{
			{"list/" + threadID + "/" + user, p.rates.ListPerUser},
			{"list/" + threadID, p.rates.ListPerThread},
		}
	}
	return nil
}

// admit applies the rate limits (when enabled) and answers 429 with
// Retry-After when one is exceeded.
func (s *Server) admit(w http.ResponseWriter, class limitClass, user, threadID string) error {
	if s.limits == nil || class == limitNone {
		return nil
	}
	wait, ok := s.limits.limiter.admit(s.now(), s.limits.quotas(class, user, threadID)...)
	if ok {
		return nil
	}
	w.Header().Set("Retry-After", retryAfterSeconds(wait))
	return errorf(http.StatusTooManyRequests, "rate limit exceeded; retry after %s", wait.Round(time.Millisecond))
}
