package framework

import (
	"slices"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/wire"
)

func participant(raw, name, when string) wire.Participant {
	return wire.Participant{CommunicationIdentifier: wire.UserIdentifier(raw), DisplayName: name, ShareHistoryTime: when}
}

const (
	utc = "2020-06-06T05:55:41Z"
	ist = "2020-06-06T11:25:41+05:30" // the same instant
)

// The model accepts what the contract permits (any order, the creator
// listed or not, the same instant in another form, a re-added member's
// details either way) and nothing else.
func TestMembershipDepartures(t *testing.T) {
	var m membership
	m.add([]wire.Participant{participant("a", "A", utc), participant("b", "", utc), participant("b", "", utc)})
	m.add([]wire.Participant{participant("c", "C", utc), participant("a", "other", utc)}) // a re-added with another name
	m.remove("c")
	name := func(raw string) string { return raw }
	for _, tc := range []struct {
		name     string
		listed   []wire.Participant
		partial  bool
		want     int
		problems []string
		twice    bool
	}{
		{name: "in another order, with the creator, the same instant in another form",
			listed: []wire.Participant{participant("host", "", utc), participant("b", "", ist), participant("a", "A", utc)}},
		{name: "without the creator", listed: []wire.Participant{participant("a", "A", utc), participant("b", "", utc)}},
		{name: "a re-added member with the re-add's details", listed: []wire.Participant{participant("a", "other", utc), participant("b", "", utc)}},
		{name: "a member missing", listed: []wire.Participant{participant("a", "A", utc)}, problems: []string{"b is a member but is not listed"}},
		{name: "a removed member listed", listed: []wire.Participant{participant("a", "A", utc), participant("b", "", utc), participant("c", "C", utc)},
			problems: []string{"c is listed but is no member"}},
		{name: "a member listed twice", listed: []wire.Participant{participant("a", "A", utc), participant("a", "A", utc), participant("b", "", utc)},
			problems: []string{"a is listed 2 times"}},
		{name: "named twice in its add and listed twice: ADD-07's", listed: []wire.Participant{participant("a", "A", utc), participant("b", "", utc), participant("b", "", utc)},
			twice: true},
		{name: "the creator twice", listed: []wire.Participant{participant("host", "", utc), participant("host", "", utc), participant("a", "A", utc), participant("b", "", utc)},
			problems: []string{"host is listed 2 times"}},
		{name: "another instant", listed: []wire.Participant{participant("a", "A", utc), participant("b", "", "2020-06-06T05:55:42Z")},
			problems: []string{`b: shareHistoryTime sent "2020-06-06T05:55:41Z", listed "2020-06-06T05:55:42Z"`}},
		{name: "a walk from a skip: the right count of members", listed: []wire.Participant{participant("b", "", utc)}, partial: true, want: 1},
		{name: "a walk from a skip one short", listed: []wire.Participant{participant("b", "", utc)}, partial: true, want: 2,
			problems: []string{"the walk lists 1 participants, want 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems, twice := m.departures(tc.listed, "host", tc.partial, tc.want, name)
			if !slices.Equal(problems, tc.problems) {
				t.Errorf("problems %q, want %q", problems, tc.problems)
			}
			if (len(twice) > 0) != tc.twice {
				t.Errorf("ADD-07 evidence %q, want some: %v", twice, tc.twice)
			}
		})
	}
}

// A pick names its participant relative to the thread: each kind falls
// back to a new user when the thread has none of it, and every part of a
// pick is the domain's first at 0.
func TestPickKinds(t *testing.T) {
	s := &stateful{pool: []string{"m1", "m2", "m3"}, unknown: []string{"u1"}, labels: map[string]string{}}
	th := &stateThread{}
	pick := func(kind, idx int, batch ...wire.Participant) string {
		p, _, _ := s.pick(kind+pickKinds*idx, th, batch)
		return p.CommunicationIdentifier.Key()
	}
	for kind := range pickKinds - 1 { // all but unknown fall back to new on an empty thread
		if got := pick(kind, 0); got != "m1" {
			t.Errorf("kind %s on an empty thread is %s, want the first new user m1", pickNames[kind], got)
		}
	}
	if got := pick(pickUnknown, 0); got != "u1" {
		t.Errorf("unknown is %s, want u1", got)
	}
	th.model.add([]wire.Participant{participant("m1", "", utc), participant("m2", "", utc)})
	th.model.remove("m1")
	th.removed = []string{"m1"}
	for kind, want := range map[int]string{pickNew: "m1", pickExisting: "m2", pickRemoved: "m1"} {
		if got := pick(kind, 0); got != want {
			t.Errorf("%s is %s, want %s", pickNames[kind], got, want)
		}
	}
	if got := pick(pickNew, 1); got != "m3" {
		t.Errorf("the second new user is %s, want m3", got)
	}
	if got := pick(pickNew, 0, participant("m1", "", utc)); got != "m3" {
		t.Errorf("new, with m1 already in the batch, is %s, want m3", got)
	}
	if got := pick(pickRepeat, 0, participant("m3", "", utc)); got != "m3" {
		t.Errorf("repeated is %s, want m3, named before in the request", got)
	}
	if got := pick(pickNew, 0, participant("m1", "", utc), participant("m3", "", utc)); got != "m1" && got != "m2" && got != "m3" {
		t.Errorf("new with every pool user taken is %s, want an existing one", got)
	}
	p, label, _ := s.pick(0, th, nil)
	names, times := fixtures.DisplayNames(), fixtures.ShareHistoryTimes()
	if p.DisplayName != names[0].Value || p.ShareHistoryTime != times[0].Value || !strings.Contains(label, names[0].Name) {
		t.Errorf("pick 0 is %+v (%s), want the domain's first name and time", p, label)
	}
}

// The estimate that decides how many sequences a budget explores counts
// what a conformant server is sent, from the steps alone.
func TestEstimate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		specs   []stepSpec
		closing stepSpec
		want    int
	}{
		{name: "a remove on a thread not yet created sends nothing", specs: []stepSpec{{Op: opRemove}}, want: 0},
		{name: "add three, walk a page at a time: the listing, then four pages",
			specs: []stepSpec{{Op: opAdd, Batch: []int{0, 1, 2}}, {Op: opWalk, Size: 1}}, closing: stepSpec{Size: 2}, want: 2 + 1 + 1 + 4},
		{name: "add, then the closing walk from skip 1 at 2 a page",
			specs: []stepSpec{{Op: opAdd, Batch: []int{0, 1, 2}}}, closing: stepSpec{Size: 2, Skip: 1}, want: 2 + 1 + 1 + 2},
		{name: "two threads, a remove on an empty one sends nothing",
			specs: []stepSpec{{Op: opList}, {Op: opRemove}, {Op: opAdd, Thread: 1, Batch: []int{0}}, {Op: opList, Thread: 1}}, want: 2 + 1 + 2 + 1 + 1},
	} {
		if got := estimate(tc.specs, tc.closing); got != tc.want {
			t.Errorf("%s: estimate %d, want %d", tc.name, got, tc.want)
		}
	}
}
