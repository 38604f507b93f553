// Package limits is the one copy of the documented ACS Chat limits
// (service-limits.md, section "Chat", and the preview document's metadata
// note; see ../shared/reference/README.md): the reference server enforces
// them, the bench's counter derives its lower bounds from them, and the
// harness and the generated documentation quote them. Nothing else may
// restate a number that is here.
package limits

import (
	"fmt"
	"strconv"
	"time"
)

// Size limits.
const (
	// ParticipantsPerThread is how many participants a thread may have.
	ParticipantsPerThread = 250
	// ParticipantsPerRequest is how many participants one CreateThread or
	// AddParticipants request may carry.
	ParticipantsPerRequest = 200
	// MetadataBytes is the total size of all metadata pairs of a
	// participant or a thread (api-version 2024-03-15-preview only).
	MetadataBytes = 1024
)

// Rule is one rate limit: at most N requests in any Window.
type Rule struct {
	N      int
	Window time.Duration
}

// Bound is the least time a sliding-window limiter enforcing the rule needs
// to admit n requests: the first N at once, each later batch of N one
// window after the previous, so the n-th at ((n-1) div N) × Window.
func (r Rule) Bound(n int) time.Duration {
	if n <= 0 || r.N <= 0 {
		return 0
	}
	return time.Duration((n-1)/r.N) * r.Window
}

// String renders the rule as the documentation prose does: "10 per 10 s".
func (r Rule) String() string {
	return fmt.Sprintf("%d per %s s", r.N, strconv.FormatFloat(r.Window.Seconds(), 'f', -1, 64))
}

// Rates are the documented rate limits, each keyed as its comment says.
type Rates struct {
	ThreadsPerUser             Rule // create + delete thread, per user
	MembersShort, MembersLong  Rule // add + remove participants, per thread
	ListPerUser, ListPerThread Rule // list participants, per user per thread / per thread
}

// ACS returns the documented rate limits with every window divided by
// scale (0 or 1: the documented windows), as refserver.Options.
// RateLimitScale shortens them for tests and the bench.
func ACS(scale float64) Rates {
	w := func(d time.Duration) time.Duration {
		if scale > 1 {
			return time.Duration(float64(d) / scale)
		}
		return d
	}
	return Rates{
		ThreadsPerUser: Rule{10, w(10 * time.Second)},
		MembersShort:   Rule{10, w(10 * time.Second)},
		MembersLong:    Rule{30, w(time.Minute)},
		ListPerUser:    Rule{10, w(10 * time.Second)},
		ListPerThread:  Rule{250, w(10 * time.Second)},
	}
}
