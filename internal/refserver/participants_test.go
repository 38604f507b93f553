package refserver

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chatconform/chatconform/internal/wire"
)

func addPath(thread, apiVersion string) string {
	return threadPath(thread, "/participants/:add", apiVersion)
}

func TestAddParticipants(t *testing.T) {
	f := newFixture(t, Options{})
	owner, a, b := f.newUser(), f.newUser(), f.newUser()
	thread := f.createThread(owner)
	body := fmt.Sprintf(`{"participants":[
		{"communicationIdentifier":{"rawId":%q,"communicationUser":{"id":%q}},"displayName":"Alex","shareHistoryTime":"2020-06-06T05:55:41Z"},
		{"communicationIdentifier":{"communicationUser":{"id":%q}},"displayName":"Bo"}]}`, a.id, a.id, b.id)
	r := f.chat("POST", addPath(thread, stable), owner.token, body).wantStatus(t, 201)
	if string(r.body) != "{}" {
		t.Errorf("body %s, want {}", r.body)
	}
	got := f.members(owner, thread)
	want := []wire.Participant{
		{CommunicationIdentifier: wire.ResponseIdentifier(owner.id), ShareHistoryTime: "1970-01-01T00:00:00Z"},
		{CommunicationIdentifier: wire.ResponseIdentifier(a.id), DisplayName: "Alex", ShareHistoryTime: "2020-06-06T05:55:41Z"},
		{CommunicationIdentifier: wire.ResponseIdentifier(b.id), DisplayName: "Bo", ShareHistoryTime: "1970-01-01T00:00:00Z"},
	}
	if asJSON(got) != asJSON(want) {
		t.Errorf("listing\n got %s\nwant %s", asJSON(got), asJSON(want))
	}
	// The new member can act in the thread.
	f.chat("GET", threadPath(thread, "/participants", stable), b.token, "").wantStatus(t, 200)
}

// ADD-05/06/08: existing members never change; re-adding is a 201 no-op.
func TestAddExistingChangesNothing(t *testing.T) {
	f := newFixture(t, Options{})
	owner, a, fresh := f.newUser(), f.newUser(), f.newUser()
	thread := f.createThread(owner)
	f.chat("POST", addPath(thread, preview), owner.token, fmt.Sprintf(
		`{"participants":[{"communicationIdentifier":{"rawId":%q},"displayName":"first","shareHistoryTime":"2021-01-01T00:00:00Z","metadata":{"m":"1"}}]}`, a.id)).
		wantStatus(t, 201)
	before := f.members(owner, thread)

	f.chat("POST", addPath(thread, preview), owner.token, fmt.Sprintf(
		`{"participants":[{"communicationIdentifier":{"rawId":%q},"displayName":"second","shareHistoryTime":"2022-02-02T00:00:00Z","metadata":{"m":"2"}},
		{"communicationIdentifier":{"rawId":%q},"displayName":"renamed owner"}]}`, a.id, owner.id)).
		wantStatus(t, 201)
	if after := f.members(owner, thread); asJSON(after) != asJSON(before) {
		t.Errorf("re-adding changed the listing\nbefore %s\n after %s", asJSON(before), asJSON(after))
	}

	f.add(owner, thread, stable, a.id, fresh.id, owner.id).wantStatus(t, 201)
	if got := memberIDs(f.members(owner, thread)); fmt.Sprint(got) != fmt.Sprint([]string{owner.id, a.id, fresh.id}) {
		t.Errorf("mixed add: members %v", got)
	}
}

// ADD-07: one member for an id repeated in one request; the first entry wins.
func TestAddSameParticipantTwiceInOneRequest(t *testing.T) {
	f := newFixture(t, Options{})
	owner, a := f.newUser(), f.newUser()
	thread := f.createThread(owner)
	f.chat("POST", addPath(thread, stable), owner.token, fmt.Sprintf(`{"participants":[
		{"communicationIdentifier":{"rawId":%q},"displayName":"one"},
		{"communicationIdentifier":{"communicationUser":{"id":%q}},"displayName":"two"}]}`, a.id, a.id)).wantStatus(t, 201)
	ms := f.members(owner, thread)
	if len(ms) != 2 || ms[1].DisplayName != "one" {
		t.Errorf("members %+v, want owner plus one entry named one", ms)
	}
}

// ADD-09: unknown and deleted users are reported, the rest is still added.
func TestAddUnknownUsers(t *testing.T) {
	f := newFixture(t, Options{})
	owner, valid := f.newUser(), f.newUser()
	deleted := f.newUserID()
	f.identity("DELETE", "/identities/"+deleted+identityQuery, ``).wantStatus(t, 204)
	never := "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000000-0000-4000-8000-000000000001"
	foreign := "8:acs:00000000-1111-2222-3333-444444444444_55555555-6666-7777-8888-999999999999"
	thread := f.createThread(owner)

	var res wire.AddParticipantsResult
	f.add(owner, thread, stable, never, valid.id, deleted, foreign).wantStatus(t, 201).decode(t, &res)
	var targets []string
	for _, e := range res.InvalidParticipants {
		if e.Code != "404" || e.Message != "Not found" {
			t.Errorf("invalid entry %+v, want code 404, message Not found", e)
		}
		targets = append(targets, e.Target)
	}
	if want := []string{never, deleted, foreign}; fmt.Sprint(targets) != fmt.Sprint(want) {
		t.Errorf("targets %v, want %v", targets, want)
	}
	if got := memberIDs(f.members(owner, thread)); fmt.Sprint(got) != fmt.Sprint([]string{owner.id, valid.id}) {
		t.Errorf("members %v", got)
	}
}

// ADD-10/11, TIME-04, ERR-09: every malformed request is a 400 with the
// envelope and adds nothing, even when valid participants ride along.
func TestAddRejectsMalformedRequests(t *testing.T) {
	f := newFixture(t, Options{})
	owner, a := f.newUser(), f.newUser()
	thread := f.createThread(owner)
	ok := fmt.Sprintf(`{"communicationIdentifier":{"rawId":%q}}`, a.id)
	with := func(p string) string { return `{"participants":[` + ok + `,` + p + `]}` }
	ident := func(id string) string { return fmt.Sprintf(`{"communicationIdentifier":%s}`, id) }
	withTime := func(ts string) string {
		return with(fmt.Sprintf(`{"communicationIdentifier":{"rawId":%q},"shareHistoryTime":%q}`, a.id, ts))
	}
	many := make([]string, 201)
	for i := range many {
		many[i] = fmt.Sprintf(`{"communicationIdentifier":{"rawId":"8:acs:r_%d"}}`, i)
	}
	cases := []struct{ name, body string }{
		{"empty body", ``},
		{"not JSON", `participants=1`},
		{"truncated JSON", `{"participants":[`},
		{"JSON array", `[]`},
		{"JSON string", `"participants"`},
		{"missing participants", `{}`},
		{"null participants", `{"participants":null}`},
		{"participants a string", `{"participants":"x"}`},
		{"participants an object", `{"participants":{}}`},
		{"participant a number", `{"participants":[1]}`},
		{"participant without identifier", with(`{}`)},
		{"null identifier", with(ident(`null`))},
		{"identifier a string", with(ident(`"8:acs:r_1"`))},
		{"identifier without id", with(ident(`{}`))},
		{"malformed raw id", with(ident(`{"rawId":"8:acs:not===valid"}`))},
		{"malformed communicationUser id", with(ident(`{"communicationUser":{"id":"8:acs:fakeid==="}}`))},
		{"not an ACS id", with(ident(`{"rawId":"4:+14255550123"}`))},
		{"rawId and communicationUser disagree", with(ident(fmt.Sprintf(`{"rawId":%q,"communicationUser":{"id":"8:acs:r_other"}}`, a.id)))},
		{"phone number kind", with(ident(`{"kind":"phoneNumber","rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123"}}`))},
		{"rawId wrong type", with(ident(`{"rawId":12}`))},
		{"displayName wrong type", with(fmt.Sprintf(`{"communicationIdentifier":{"rawId":%q},"displayName":5}`, a.id))},
		{"displayName 257 characters", with(fmt.Sprintf(`{"communicationIdentifier":{"rawId":%q},"displayName":%q}`, a.id, strings.Repeat("é", 257)))},
		{"shareHistoryTime with a space", withTime("2020-06-06 05:55:41")},
		{"shareHistoryTime yesterday", withTime("yesterday")},
		{"shareHistoryTime out of range", withTime("2020-13-45T25:61:00Z")},
		{"shareHistoryTime without zone", withTime("2020-06-06T05:55:41")},
		{"shareHistoryTime empty", withTime("")},
		{"shareHistoryTime a number", with(fmt.Sprintf(`{"communicationIdentifier":{"rawId":%q},"shareHistoryTime":0}`, a.id))},
		{"invalid UTF-8", "{\"participants\":[{\"communicationIdentifier\":{\"rawId\":\"" + a.id + "\"},\"displayName\":\"\xff\xfe\"}]}"},
		{"deep nesting", `{"participants":[` + ok + `],"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`},
		{"trailing data", `{"participants":[` + ok + `]} {}`},
		{"201 participants", `{"participants":[` + strings.Join(many, ",") + `]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := f.chat("POST", addPath(thread, stable), owner.token, c.body).wantError(t, 400)
			t.Log(e.Message)
		})
	}
	if got := memberIDs(f.members(owner, thread)); len(got) != 1 {
		t.Errorf("rejected requests added members: %v", got)
	}
}

// TIME-02/03: times come back as the same instant, UTC, whole seconds.
func TestShareHistoryTimeNormalisation(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	for _, c := range []struct{ sent, want string }{
		{"2020-06-06T05:55:41Z", "2020-06-06T05:55:41Z"},
		{"2023-05-18T01:38:21.237353Z", "2023-05-18T01:38:21Z"},
		{"2020-06-06T07:55:41.999+02:00", "2020-06-06T05:55:41Z"},
		{"2020-06-05T23:00:00-08:00", "2020-06-06T07:00:00Z"},
	} {
		t.Run(c.sent, func(t *testing.T) {
			id := f.newUserID()
			f.chat("POST", addPath(thread, stable), owner.token, fmt.Sprintf(
				`{"participants":[{"communicationIdentifier":{"rawId":%q},"shareHistoryTime":%q}]}`, id, c.sent)).wantStatus(t, 201)
			ms := f.members(owner, thread)
			if got := ms[len(ms)-1].ShareHistoryTime; got != c.want {
				t.Errorf("returned %q, want %q", got, c.want)
			}
		})
	}
}

func TestDisplayNameLimit(t *testing.T) {
	f := newFixture(t, Options{})
	owner, a := f.newUser(), f.newUser()
	thread := f.createThread(owner)
	name := strings.Repeat("é", 256) // 256 characters, 512 bytes
	f.chat("POST", addPath(thread, stable), owner.token, fmt.Sprintf(
		`{"participants":[{"communicationIdentifier":{"rawId":%q},"displayName":%q}]}`, a.id, name)).wantStatus(t, 201)
	if ms := f.members(owner, thread); ms[1].DisplayName != name {
		t.Errorf("displayName not kept")
	}
}

// META-01/02: metadata round-trips on preview, is capped at 1 KB, and does
// not exist on stable.
func TestParticipantMetadata(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	addWith := func(apiVersion, id, metadata string) result {
		return f.chat("POST", addPath(thread, apiVersion), owner.token, fmt.Sprintf(
			`{"participants":[{"communicationIdentifier":{"rawId":%q},"metadata":%s}]}`, id, metadata))
	}
	last := func() wire.Participant { ms := f.members(owner, thread); return ms[len(ms)-1] }

	id := f.newUserID()
	addWith(preview, id, `{"ParticipantMetaKey1":"ParticipantMetaValue1","k2":""}`).wantStatus(t, 201)
	if md := last().Metadata; len(md) != 2 || md["ParticipantMetaKey1"] != "ParticipantMetaValue1" {
		t.Errorf("metadata %v", md)
	}
	var page wire.ParticipantsCollection
	f.chat("GET", threadPath(thread, "/participants", stable), owner.token, "").wantStatus(t, 200).decode(t, &page)
	if md := page.Value[len(page.Value)-1].Metadata; md != nil {
		t.Errorf("stable listing shows metadata %v", md)
	}

	exactly := fmt.Sprintf(`{"k":%q,"key2":%q}`, strings.Repeat("v", 511), strings.Repeat("w", 508)) // 1+511+4+508 = 1024
	addWith(preview, f.newUserID(), exactly).wantStatus(t, 201)

	before := len(f.members(owner, thread))
	for name, md := range map[string]string{
		"1025 bytes":       fmt.Sprintf(`{"k":%q,"key2":%q}`, strings.Repeat("v", 512), strings.Repeat("w", 508)),
		"many small pairs": `{` + manyPairs(70) + `}`, // 70 * 15 = 1050 bytes
		"non-string value": `{"k":1}`,
		"null value":       `{"k":null}`, // must not be stored as ""
		"array":            `["k"]`,
	} {
		t.Run(name, func(t *testing.T) {
			addWith(preview, f.newUserID(), md).wantError(t, 400)
		})
	}
	if after := len(f.members(owner, thread)); after != before {
		t.Errorf("rejected metadata added members: %d -> %d", before, after)
	}

	// Stable ignores metadata entirely: not validated, not stored.
	id = f.newUserID()
	addWith(stable, id, `{"k":1}`).wantStatus(t, 201)
	addWith(stable, f.newUserID(), `{"k":"`+strings.Repeat("v", 2000)+`"}`).wantStatus(t, 201)
	id = f.newUserID()
	addWith(stable, id, `{"k":"v"}`).wantStatus(t, 201)
	if md := last().Metadata; md != nil {
		t.Errorf("metadata sent on stable was stored: %v", md)
	}
}

func manyPairs(n int) string {
	pairs := make([]string, n)
	for i := range pairs {
		pairs[i] = fmt.Sprintf(`"key%03d":"value-%03d"`, i, i) // 6 + 9 = 15 bytes each
	}
	return strings.Join(pairs, ",")
}

func TestParticipantLimits(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	ids := f.seedUsers(251)

	f.add(owner, thread, stable, ids[:200]...).wantStatus(t, 201)
	f.add(owner, thread, stable, ids[200:251]...).wantError(t, 400) // 201+51 = 252 > 250
	if n := len(f.members(owner, thread)); n != 201 {
		t.Fatalf("a rejected add changed the thread: %d members", n)
	}
	// Existing and unknown ids do not count against the capacity.
	unknown := "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000000-0000-4000-8000-000000000002"
	f.add(owner, thread, stable, append(slices.Clone(ids[150:249]), unknown)...).wantStatus(t, 201)
	if n := len(f.members(owner, thread)); n != 250 {
		t.Fatalf("members %d, want 250", n)
	}
	f.add(owner, thread, stable, ids[250]).wantError(t, 400)
	f.add(owner, thread, stable, ids[0]).wantStatus(t, 201) // already a member: fine when full

	// A create with more than 200 participants fails; one with 200 plus the creator works.
	body := func(n int) string { return `{"topic":"t","participants":` + participantsJSON(ids[:n]...) + `}` }
	f.chat("POST", "/chat/threads?api-version="+stable, owner.token, body(201)).wantError(t, 400)
	f.chat("POST", "/chat/threads?api-version="+stable, owner.token, body(200)).wantStatus(t, 201)
}

func TestBodySizeLimit(t *testing.T) {
	f := newFixture(t, Options{MaxBodyBytes: 1024})
	owner, a := f.newUser(), f.newUser()
	thread := f.createThread(owner)
	body := fmt.Sprintf(`{"participants":[{"communicationIdentifier":{"rawId":%q},"displayName":%q}]}`, a.id, strings.Repeat("x", 1100))
	f.chat("POST", addPath(thread, stable), owner.token, body).wantError(t, 413)
	f.identity("POST", "/identities"+identityQuery, `{"createTokenWithScopes":["chat"],"pad":"`+strings.Repeat("x", 1100)+`"}`).wantError(t, 413)
	if n := len(f.members(owner, thread)); n != 1 {
		t.Errorf("members %d after a 413", n)
	}
}

func TestRemoveParticipant(t *testing.T) {
	f := newFixture(t, Options{})
	owner, a, b := f.newUser(), f.newUser(), f.newUser()
	thread := f.createThread(owner, a.id, b.id)
	remove := func(who account, body string) result {
		return f.chat("POST", threadPath(thread, "/participants/:remove", stable), who.token, body)
	}
	r := remove(owner, fmt.Sprintf(`{"rawId":%q,"communicationUser":{"id":%q}}`, a.id, a.id)).wantStatus(t, 204)
	if len(r.body) != 0 || r.header.Get("Content-Type") != "" {
		t.Errorf("204 carried a body %q or Content-Type %q", r.body, r.header.Get("Content-Type"))
	}
	if got := memberIDs(f.members(owner, thread)); fmt.Sprint(got) != fmt.Sprint([]string{owner.id, b.id}) {
		t.Errorf("members %v", got)
	}
	remove(owner, fmt.Sprintf(`{"communicationUser":{"id":%q}}`, a.id)).wantStatus(t, 204) // not a member: no-op
	f.chat("GET", threadPath(thread, "/participants", stable), a.token, "").wantError(t, 403)

	for _, body := range []string{``, `{}`, `{"rawId":"8:acs:fakeid==="}`, `{"rawId":5}`, `[]`, `{"rawId":"` + b.id + `","communicationUser":{"id":"8:acs:r_x"}}`} {
		remove(owner, body).wantError(t, 400)
	}
	f.chat("POST", threadPath("19:acsV1_missing@thread.v2", "/participants/:remove", stable), owner.token,
		fmt.Sprintf(`{"rawId":%q}`, b.id)).wantError(t, 404)

	// Removing oneself is allowed; afterwards the thread is forbidden (CLI recording).
	remove(b, fmt.Sprintf(`{"rawId":%q}`, b.id)).wantStatus(t, 204)
	remove(b, fmt.Sprintf(`{"rawId":%q}`, owner.id)).wantError(t, 403)
}

// ADD-05/07 under concurrency: racing adds of the same users leave exactly
// one member each.
func TestConcurrentAddsOfTheSameParticipant(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	ids := f.seedUsers(5)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			// Each request carries an overlapping, rotated subset.
			set := append(slices.Clone(ids[i%5:]), ids[:i%5]...)[:3]
			if r := f.add(owner, thread, stable, set...); r.status != 201 {
				t.Errorf("concurrent add: %s", r)
			}
		})
	}
	wg.Wait()
	got := memberIDs(f.members(owner, thread))
	if len(got) != 6 {
		t.Fatalf("members %d, want 6: %v", len(got), got)
	}
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", id, n)
		}
	}
}

// CONC-01…03 under -race: adds of the same participant and of distinct
// ones, released together with listings, leave each member listed once,
// and no listing read meanwhile shows anyone twice.
func TestConcurrentAddsAndListings(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	ids := f.seedUsers(6)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			<-release
			switch i % 3 {
			case 0: // the same participant each time
				if r := f.add(owner, thread, stable, ids[0]); r.status != 201 {
					t.Errorf("concurrent add of one participant: %s", r)
				}
			case 1: // a distinct one each time
				if r := f.add(owner, thread, stable, ids[1+i/3]); r.status != 201 {
					t.Errorf("concurrent add: %s", r)
				}
			default:
				r := f.chat("GET", threadPath(thread, "/participants", stable), owner.token, "")
				var page wire.ParticipantsCollection
				if r.status != 200 || json.Unmarshal(r.body, &page) != nil {
					t.Errorf("listing during adds: %s", r)
					return
				}
				if got := memberIDs(page.Value); len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
					t.Errorf("a listing during adds shows a member twice: %v", got)
				}
			}
		})
	}
	close(release)
	wg.Wait()
	got := slices.Sorted(slices.Values(memberIDs(f.members(owner, thread))))
	want := slices.Sorted(slices.Values([]string{owner.id, ids[0], ids[1], ids[2], ids[3], ids[4]}))
	if !slices.Equal(got, want) {
		t.Errorf("members after concurrent adds %v, want %v", got, want)
	}
}
