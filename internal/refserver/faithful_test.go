package refserver

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/wire"
)

// What the ADD-04, TIME-03, META-02 and REM specs exercise, answered as the
// contract and the recordings say.

// An identifier given as rawId only, communicationUser only (the Java
// SDK's shape) or both is accepted and listed with rawId ==
// communicationUser.id.
func TestIdentifierShapesOnAdd(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	shapes := map[string]string{
		"rawId only":             `{"rawId":%q}`,
		"communicationUser only": `{"communicationUser":{"id":%[1]q}}`,
		"both":                   `{"rawId":%[1]q,"communicationUser":{"id":%[1]q}}`,
		"both with kind":         `{"kind":"communicationUser","rawId":%[1]q,"communicationUser":{"id":%[1]q}}`,
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			id := f.newUserID()
			f.chat("POST", addPath(thread, stable), owner.token,
				`{"participants":[{"communicationIdentifier":`+fmt.Sprintf(shape, id)+`}]}`).wantStatus(t, 201)
			ms := f.members(owner, thread)
			got := ms[len(ms)-1].CommunicationIdentifier
			if got.RawID != id || got.CommunicationUser == nil || got.CommunicationUser.ID != id {
				t.Errorf("listed as %s, want rawId and communicationUser.id %s", asJSON(got), id)
			}
		})
	}
}

// Display names up to 256 characters, in any script, come back exactly as
// sent; 257 characters are refused.
func TestDisplayNamesRoundTrip(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	names := map[string]string{
		"256 ASCII":         strings.Repeat("a", 256),
		"256 CJK":           strings.Repeat("名", 256),
		"256 emoji":         strings.Repeat("😀", 256), // 1024 bytes, 512 UTF-16 units
		"emoji sequences":   "👩🏽‍💻 🏳️‍🌈 🇯🇵",
		"RTL":               "مرحبا بالعالم שלום",
		"combining marks":   "e\u0301 a\u0308 Z\u0335\u0336", // not NFC-normalised
		"precomposed":       "é ä",
		"JSON escapes":      "quote \" backslash \\ newline \n tab \t nul \x00 <b>&amp;</b> \u2028\u2029",
		"leading spaces":    "  padded  ",
		"ASCII punctuation": "O'Brien, Jr. (QA) #1 @home",
	}
	for name, display := range names {
		t.Run(name, func(t *testing.T) {
			id := f.newUserID()
			body, _ := json.Marshal(map[string]any{"participants": []any{map[string]any{
				"communicationIdentifier": map[string]any{"rawId": id}, "displayName": display}}})
			f.chat("POST", addPath(thread, stable), owner.token, string(body)).wantStatus(t, 201)
			ms := f.members(owner, thread)
			if got := ms[len(ms)-1].DisplayName; got != display {
				t.Errorf("displayName %q, want %q", got, display)
			}
		})
	}
	body, _ := json.Marshal(map[string]any{"participants": []any{map[string]any{
		"communicationIdentifier": map[string]any{"rawId": f.newUserID()}, "displayName": strings.Repeat("名", 257)}}})
	f.chat("POST", addPath(thread, stable), owner.token, string(body)).wantError(t, 400)
}

// Every RFC 3339 form of a shareHistoryTime comes back as the same instant,
// to the second.
func TestShareHistoryTimeForms(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	for _, sent := range []string{
		"2020-06-06T05:55:41Z",
		"2020-06-06t05:55:41z", // RFC 3339 §5.6 NOTE
		"2020-06-06T11:25:41+05:30",
		"2020-06-05T21:55:41-08:00",
		"2020-06-06T05:55:41+00:00",
		"2020-06-06T05:55:41-00:00",
		"2020-06-06T05:55:41.999999999Z",
		"2020-06-06T05:55:41.5+01:00",
		"1970-01-01T00:00:00Z",
		"9999-12-31T23:59:59Z",
		"2100-02-28T23:59:59.123-12:00",
	} {
		t.Run(sent, func(t *testing.T) {
			want, err := time.Parse(time.RFC3339, strings.ToUpper(sent))
			if err != nil {
				t.Fatal(err)
			}
			id := f.newUserID()
			f.chat("POST", addPath(thread, stable), owner.token, fmt.Sprintf(
				`{"participants":[{"communicationIdentifier":{"rawId":%q},"shareHistoryTime":%q}]}`, id, sent)).wantStatus(t, 201)
			ms := f.members(owner, thread)
			got, err := time.Parse(time.RFC3339, ms[len(ms)-1].ShareHistoryTime)
			if err != nil || !got.Equal(want.Truncate(time.Second)) {
				t.Errorf("returned %q (%v), want the instant %s", ms[len(ms)-1].ShareHistoryTime, err, want.UTC().Truncate(time.Second))
			}
		})
	}
}

// META-02: the limit counts the UTF-8 bytes of every key and value.
func TestMetadataLimitCountsUTF8Bytes(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	add := func(md map[string]string) result {
		body, _ := json.Marshal(map[string]any{"participants": []any{map[string]any{
			"communicationIdentifier": map[string]any{"rawId": f.newUserID()}, "metadata": md}}})
		return f.chat("POST", addPath(thread, preview), owner.token, string(body))
	}
	// "é" is 2 bytes, "名" 3: 2 + 3*340 + 2 = 1024.
	add(map[string]string{"é": strings.Repeat("名", 340) + "ab"}).wantStatus(t, 201)
	add(map[string]string{"é": strings.Repeat("名", 340) + "abc"}).wantError(t, 400)
	ms := f.members(owner, thread)
	if len(ms) != 2 || len(ms[1].Metadata["é"]) != 1022 {
		t.Errorf("members after the 1024- and 1025-byte adds: %s", asJSON(ms))
	}
}

// REM-04: a caller who removed itself gets 403 with the envelope on list
// and on add; the thread is still there for the others.
func TestSelfRemovedCallerIsForbidden(t *testing.T) {
	f := newFixture(t, Options{})
	owner, me := f.newUser(), f.newUser()
	thread := f.createThread(owner, me.id)
	f.chat("POST", threadPath(thread, "/participants/:remove", stable), me.token,
		fmt.Sprintf(`{"rawId":%q,"communicationUser":{"id":%q}}`, me.id, me.id)).wantStatus(t, 204)
	f.chat("GET", threadPath(thread, "/participants", stable), me.token, "").wantError(t, 403)
	f.add(me, thread, stable, f.newUserID()).wantError(t, 403)
	f.add(me, thread, stable, me.id).wantError(t, 403) // not even itself
	if got := memberIDs(f.members(owner, thread)); len(got) != 1 || got[0] != owner.id {
		t.Errorf("members %v", got)
	}
}

// REM-01/02/05: a remove from the middle keeps the others in order, a
// re-add lists the participant again once, and paging counts the current
// membership.
func TestRemoveThenReaddAndPage(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	ids := f.seedUsers(6)
	thread := f.createThread(owner, ids...)
	remove := func(id string) {
		f.chat("POST", threadPath(thread, "/participants/:remove", stable), owner.token, fmt.Sprintf(`{"rawId":%q}`, id)).wantStatus(t, 204)
	}
	remove(ids[2])
	remove(ids[5])
	want := []string{owner.id, ids[0], ids[1], ids[3], ids[4]}
	if got := memberIDs(f.members(owner, thread)); asJSON(got) != asJSON(want) {
		t.Fatalf("after the removes %v, want %v", got, want)
	}
	for n := 1; n <= 4; n++ {
		var walked []string
		next := threadPath(thread, "/participants", stable) + fmt.Sprintf("&maxPageSize=%d", n)
		for next != "" {
			var page wire.ParticipantsCollection
			f.chat("GET", strings.TrimPrefix(next, f.ts.URL), owner.token, "").wantStatus(t, 200).decode(t, &page)
			if len(page.Value) > n {
				t.Errorf("a page of %d at maxPageSize=%d", len(page.Value), n)
			}
			walked = append(walked, memberIDs(page.Value)...)
			next = page.NextLink
		}
		if asJSON(walked) != asJSON(want) {
			t.Errorf("walk at maxPageSize=%d: %v, want %v", n, walked, want)
		}
	}
	f.add(owner, thread, stable, ids[2]).wantStatus(t, 201)
	if got := memberIDs(f.members(owner, thread)); asJSON(got) != asJSON(append(want, ids[2])) {
		t.Errorf("after the re-add %v", got)
	}
}
