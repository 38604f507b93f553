package refserver

import (
	"fmt"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/limits"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func TestSlidingWindowAdmitsExactlyNPerWindow(t *testing.T) {
	l := newSlidingWindow()
	q := quota{"k", limits.Rule{N: 3, Window: 10 * time.Second}}
	steps := []struct {
		at       time.Duration
		ok       bool
		wantWait time.Duration
	}{
		{0, true, 0},
		{1 * time.Second, true, 0},
		{2 * time.Second, true, 0},
		{3 * time.Second, false, 7 * time.Second}, // the request at 0 leaves at 10
		{9 * time.Second, false, 1 * time.Second}, // rejected requests are not recorded
		{10 * time.Second, true, 0},               // exactly one window later: a slot is free
		{10 * time.Second, false, 1 * time.Second},
		{11 * time.Second, true, 0},
		{11500 * time.Millisecond, false, 500 * time.Millisecond},
		{30 * time.Second, true, 0},
	}
	for _, s := range steps {
		wait, ok := l.admit(t0.Add(s.at), q)
		if ok != s.ok || wait != s.wantWait {
			t.Errorf("at %v: admit = (%v, %v), want (%v, %v)", s.at, wait, ok, s.wantWait, s.ok)
		}
	}
}

// Several quotas are ANDed: a request is recorded against all or none, and
// the wait is the longest of the exceeded ones.
func TestSlidingWindowCombinesQuotas(t *testing.T) {
	l := newSlidingWindow()
	short := quota{"thread", limits.Rule{N: 2, Window: time.Second}}
	long := quota{"thread", limits.Rule{N: 3, Window: time.Minute}}
	for i, want := range []bool{true, true, false} {
		if _, ok := l.admit(t0, short, long); ok != want {
			t.Fatalf("request %d at t0: ok=%v, want %v", i, ok, want)
		}
	}
	if _, ok := l.admit(t0.Add(time.Second), short, long); !ok {
		t.Fatal("third request after the short window should pass")
	}
	wait, ok := l.admit(t0.Add(2*time.Second), short, long)
	if ok || wait != 58*time.Second {
		t.Fatalf("fourth request: (%v, %v), want the long window's 58s", wait, ok)
	}
	// The rejected call must not have consumed the short quota.
	other := quota{"other", limits.Rule{N: 1, Window: time.Hour}}
	if _, ok := l.admit(t0.Add(2*time.Second), other, short); !ok {
		t.Error("a quota was charged by a rejected request")
	}
}

func TestSlidingWindowKeysAreIndependent(t *testing.T) {
	l := newSlidingWindow()
	r := limits.Rule{N: 1, Window: time.Second}
	if _, ok := l.admit(t0, quota{"a", r}); !ok {
		t.Fatal("a")
	}
	if _, ok := l.admit(t0, quota{"b", r}); !ok {
		t.Fatal("b is limited by a")
	}
	if _, ok := l.admit(t0, quota{"a", r}); ok {
		t.Fatal("a admitted twice")
	}
}

func TestSlidingWindowSweepsIdleKeys(t *testing.T) {
	l := newSlidingWindow()
	r := limits.Rule{N: 1, Window: time.Second}
	for i := range sweepEvery {
		l.admit(t0.Add(time.Duration(i)*time.Minute), quota{fmt.Sprint(i), r})
	}
	if n := len(l.logs); n > 2 {
		t.Errorf("%d logs kept after a sweep, want only recent ones", n)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for wait, want := range map[time.Duration]string{
		time.Nanosecond:                       "1",
		300 * time.Millisecond:                "1",
		time.Second:                           "1",
		time.Second + time.Millisecond:        "2",
		9*time.Second + 999*time.Millisecond:  "10",
		58 * time.Second:                      "58",
		59*time.Second + 500*time.Millisecond: "60",
	} {
		if got := retryAfterSeconds(wait); got != want {
			t.Errorf("retryAfterSeconds(%v) = %s, want %s", wait, got, want)
		}
	}
}

func TestParseRateLimitMode(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    RateLimitMode
		wantErr bool
	}{
		{"off", RateLimitsOff, false},
		{"acs", RateLimitsACS, false},
		{"", RateLimitsOff, true},
		{"ACS", RateLimitsOff, true},
		{"on", RateLimitsOff, true},
	} {
		got, err := ParseRateLimitMode(c.in)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("ParseRateLimitMode(%q) = %v, %v", c.in, got, err)
		}
		if err == nil && got.String() != c.in {
			t.Errorf("String() = %q, want %q", got.String(), c.in)
		}
	}
}

// The documented limits through HTTP with a fake clock: 429 with the
// envelope and Retry-After exactly when the sliding window is full.
func TestRateLimitsOverHTTP(t *testing.T) {
	t.Run("add and remove: 10 per 10 s per thread", func(t *testing.T) {
		f := newFixture(t, Options{RateLimits: RateLimitsACS})
		owner := f.newUser()
		thread := f.createThread(owner)
		ids := f.seedUsers(30)
		for i := range 9 {
			f.add(owner, thread, stable, ids[i]).wantStatus(t, 201)
		}
		f.chat("POST", threadPath(thread, "/participants/:remove", stable), owner.token, `{"rawId":"`+ids[0]+`"}`).wantStatus(t, 204)
		f.clock.Advance(4 * time.Second)
		r := f.add(owner, thread, stable, ids[10])
		r.wantError(t, 429)
		if got := r.header.Get("Retry-After"); got != "6" {
			t.Errorf("Retry-After %q, want 6", got)
		}
		f.clock.Advance(6 * time.Second)
		f.add(owner, thread, stable, ids[10]).wantStatus(t, 201)
	})
	t.Run("add and remove: 30 per minute per thread", func(t *testing.T) {
		f := newFixture(t, Options{RateLimits: RateLimitsACS})
		owner := f.newUser()
		thread := f.createThread(owner)
		other := f.createThread(owner)
		ids := f.seedUsers(40)
		for i := range 30 {
			f.add(owner, thread, stable, ids[i]).wantStatus(t, 201)
			f.clock.Advance(1500 * time.Millisecond) // 10 per 10 s never binds
		}
		// 30 requests at 0 .. 43.5 s; now is 45 s, the first frees at 60 s.
		r := f.add(owner, thread, stable, ids[30])
		r.wantError(t, 429)
		if got := r.header.Get("Retry-After"); got != "15" {
			t.Errorf("Retry-After %q, want 15", got)
		}
		f.add(owner, other, stable, ids[30]).wantStatus(t, 201) // per thread
		f.clock.Advance(15 * time.Second)
		f.add(owner, thread, stable, ids[30]).wantStatus(t, 201)
	})
	t.Run("list: 10 per 10 s per user per thread", func(t *testing.T) {
		f := newFixture(t, Options{RateLimits: RateLimitsACS})
		owner, peer := f.newUser(), f.newUser()
		thread := f.createThread(owner, peer.id)
		list := func(u account) result { return f.chat("GET", threadPath(thread, "/participants", stable), u.token, "") }
		for range 10 {
			list(owner).wantStatus(t, 200)
		}
		r := list(owner)
		r.wantError(t, 429)
		if r.header.Get("Retry-After") != "10" {
			t.Errorf("Retry-After %q, want 10", r.header.Get("Retry-After"))
		}
		list(peer).wantStatus(t, 200)
	})
	t.Run("list: 250 per 10 s per thread", func(t *testing.T) {
		f := newFixture(t, Options{RateLimits: RateLimitsACS})
		owner := f.newUser()
		users := make([]account, 26)
		ids := make([]string, len(users))
		for i := range users {
			users[i] = f.newUser()
			ids[i] = users[i].id
		}
		thread := f.createThread(owner, ids...)
		for _, u := range users[:25] {
			for range 10 {
				f.chat("GET", threadPath(thread, "/participants", stable), u.token, "").wantStatus(t, 200)
			}
		}
		f.chat("GET", threadPath(thread, "/participants", stable), users[25].token, "").wantError(t, 429)
	})
	t.Run("create and delete thread: 10 per 10 s per user", func(t *testing.T) {
		f := newFixture(t, Options{RateLimits: RateLimitsACS})
		u, v := f.newUser(), f.newUser()
		thread := f.createThread(u)
		for range 8 {
			f.createThread(u)
		}
		f.chat("DELETE", threadPath(thread, "", stable), u.token, "").wantStatus(t, 204)
		f.chat("POST", "/chat/threads?api-version="+stable, u.token, `{"topic":"t"}`).wantError(t, 429)
		f.createThread(v)
	})
	t.Run("scale 10: 10 per second", func(t *testing.T) {
		f := newFixture(t, Options{RateLimits: RateLimitsACS, RateLimitScale: 10})
		u := f.newUser()
		thread := f.createThread(u)
		for range 10 {
			f.chat("GET", threadPath(thread, "/participants", stable), u.token, "").wantStatus(t, 200)
		}
		r := f.chat("GET", threadPath(thread, "/participants", stable), u.token, "")
		r.wantError(t, 429)
		if r.header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q, want 1", r.header.Get("Retry-After"))
		}
		f.clock.Advance(time.Second)
		f.chat("GET", threadPath(thread, "/participants", stable), u.token, "").wantStatus(t, 200)
	})
	t.Run("off by default", func(t *testing.T) {
		f := newFixture(t, Options{})
		u := f.newUser()
		thread := f.createThread(u)
		for range 40 {
			f.chat("GET", threadPath(thread, "/participants", stable), u.token, "").wantStatus(t, 200)
		}
	})
	t.Run("identity is unlimited", func(t *testing.T) {
		f := newFixture(t, Options{RateLimits: RateLimitsACS})
		for range 40 {
			f.newUser()
		}
	})
}
