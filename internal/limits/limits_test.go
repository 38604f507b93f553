package limits

import (
	"testing"
	"time"
)

func TestRuleBound(t *testing.T) {
	r := Rule{N: 10, Window: 10 * time.Second}
	for n, want := range map[int]time.Duration{0: 0, 1: 0, 10: 0, 11: 10 * time.Second, 20: 10 * time.Second, 21: 20 * time.Second, 142: 140 * time.Second} {
		if got := r.Bound(n); got != want {
			t.Errorf("Bound(%d) = %v, want %v", n, got, want)
		}
	}
	if got := (Rule{}).Bound(5); got != 0 {
		t.Errorf("a rule admitting nothing bounds nothing, got %v", got)
	}
}

func TestACSScale(t *testing.T) {
	l := ACS(20)
	if l.ThreadsPerUser != (Rule{10, 500 * time.Millisecond}) || l.MembersLong != (Rule{30, 3 * time.Second}) || l.ListPerThread.N != ParticipantsPerThread {
		t.Errorf("scaled limits %+v", l)
	}
	if ACS(0) != ACS(1) || ACS(0.5) != ACS(1) {
		t.Error("a scale of at most 1 must mean the documented windows")
	}
}

// The documented figures, as ../shared/reference/README.md quotes them.
func TestACSDocumented(t *testing.T) {
	l := ACS(1)
	for _, c := range []struct {
		name string
		rule Rule
		want string
	}{
		{"create or delete thread per user", l.ThreadsPerUser, "10 per 10 s"},
		{"add or remove per thread", l.MembersShort, "10 per 10 s"},
		{"add or remove per thread, per minute", l.MembersLong, "30 per 60 s"},
		{"list per user per thread", l.ListPerUser, "10 per 10 s"},
		{"list per thread", l.ListPerThread, "250 per 10 s"},
	} {
		if got := c.rule.String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if got := (Rule{3, 1500 * time.Millisecond}).String(); got != "3 per 1.5 s" {
		t.Errorf("fractional window: %s", got)
	}
	if ParticipantsPerThread != 250 || ParticipantsPerRequest != 200 || MetadataBytes != 1024 {
		t.Error("size limits differ from the documentation")
	}
}
