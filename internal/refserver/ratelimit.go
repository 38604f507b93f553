package refserver

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rule is one documented limit: at most n requests in any window.
type rule struct {
	n      int
	window time.Duration
}

// quota is a rule applied to one key (a thread, a user, or both).
type quota struct {
	key  string
	rule rule
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
		id := q.key + "|" + q.rule.window.String() + "|" + strconv.Itoa(q.rule.n)
		lg := l.logs[id]
		if lg == nil {
			lg = &windowLog{window: q.rule.window}
			l.logs[id] = lg
			l.longest = max(l.longest, q.rule.window)
		}
		lg.prune(now)
		logs[i] = lg
		if c := len(lg.times); c >= q.rule.n {
			// The request fits once the (c-n+1)th oldest leaves the window.
			wait = max(wait, lg.times[c-q.rule.n].Add(q.rule.window).Sub(now))
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

// ratePolicy holds the documented ACS Chat limits (service-limits.md, "Chat"),
// windows divided by the configured scale.
type ratePolicy struct {
	limiter                    *slidingWindow
	threadsPerUser             rule // create+delete thread, per user
	membersShort, membersLong  rule // add+remove, per thread
	listPerUser, listPerThread rule // list, per user per thread / per thread
}

func newRatePolicy(scale float64) *ratePolicy {
	w := func(d time.Duration) time.Duration {
		if scale > 1 {
			return time.Duration(float64(d) / scale)
		}
		return d
	}
	return &ratePolicy{
		limiter:        newSlidingWindow(),
		threadsPerUser: rule{10, w(10 * time.Second)},
		membersShort:   rule{10, w(10 * time.Second)},
		membersLong:    rule{30, w(60 * time.Second)},
		listPerUser:    rule{10, w(10 * time.Second)},
		listPerThread:  rule{250, w(10 * time.Second)},
	}
}

// quotas lists what a request of class by user on threadID counts against.
func (p *ratePolicy) quotas(class limitClass, user, threadID string) []quota {
	switch class {
	case limitThreads:
		return []quota{{"threads/" + user, p.threadsPerUser}}
	case limitMembers:
		k := "members/" + threadID
		return []quota{{k, p.membersShort}, {k, p.membersLong}}
	case limitList:
		return []quota{
			{"list/" + threadID + "/" + user, p.listPerUser},
			{"list/" + threadID, p.listPerThread},
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
