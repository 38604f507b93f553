package refserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/wire"
)

var threadIDPattern = regexp.MustCompile(`^19:acsV1_[A-Za-z0-9_-]{44}@thread\.v2$`)

func TestCreateThread(t *testing.T) {
	f := newFixture(t, Options{})
	creator, alice := f.newUser(), f.newUser()
	unknown := "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000000-0000-4000-8000-00000000dead"
	body := fmt.Sprintf(`{"topic":"Lunch","participants":[
		{"communicationIdentifier":{"rawId":%q,"communicationUser":{"id":%q}},"displayName":"Alice"},
		{"communicationIdentifier":{"rawId":%q}}]}`, alice.id, alice.id, unknown)
	r := f.chat("POST", "/chat/threads?api-version="+stable, creator.token, body).wantStatus(t, 201)

	var res wire.CreateThreadResult
	r.decode(t, &res)
	th := res.ChatThread
	if th == nil || !threadIDPattern.MatchString(th.ID) {
		t.Fatalf("chatThread %+v: id not shaped like 19:acsV1_…@thread.v2", th)
	}
	if th.Topic != "Lunch" || th.CreatedOn != f.clock.Now().Format(shareHistoryLayout) {
		t.Errorf("topic %q createdOn %q", th.Topic, th.CreatedOn)
	}
	if got := th.CreatedByCommunicationIdentifier; got.RawID != creator.id || got.CommunicationUser == nil || got.CommunicationUser.ID != creator.id || got.Kind != "communicationUser" {
		t.Errorf("createdByCommunicationIdentifier %+v", got)
	}
	wantInvalid := []wire.Error{{Code: "404", Message: "Not found", Target: unknown}}
	if fmt.Sprint(res.InvalidParticipants) != fmt.Sprint(wantInvalid) {
		t.Errorf("invalidParticipants %+v, want %+v", res.InvalidParticipants, wantInvalid)
	}
	wantLoc := f.ts.URL + "/chat/threads/" + strings.Replace(th.ID, ":", "%3A", 1)
	if loc := r.header.Get("Location"); loc != wantLoc {
		t.Errorf("Location %q, want %q", loc, wantLoc)
	}

	members := f.members(creator, th.ID)
	if got := memberIDs(members); fmt.Sprint(got) != fmt.Sprint([]string{creator.id, alice.id}) {
		t.Fatalf("members %v, want creator then alice", got)
	}
	if members[0].ShareHistoryTime != "1970-01-01T00:00:00Z" || members[0].DisplayName != "" {
		t.Errorf("creator entry %+v, want epoch shareHistoryTime and no displayName", members[0])
	}
	if members[1].DisplayName != "Alice" {
		t.Errorf("alice entry %+v", members[1])
	}
}

// The CLI test's observation: participants [] leaves exactly the creator.
func TestCreateThreadWithoutParticipants(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	for _, body := range []string{`{"topic":"t"}`, `{"topic":"t","participants":[]}`, `{"topic":"t","participants":null}`} {
		var res wire.CreateThreadResult
		f.chat("POST", "/chat/threads?api-version="+stable, u.token, body).wantStatus(t, 201).decode(t, &res)
		if got := memberIDs(f.members(u, res.ChatThread.ID)); len(got) != 1 || got[0] != u.id {
			t.Errorf("%s: members %v, want only the creator", body, got)
		}
	}
}

func TestCreatorListedWithItsOwnAttributes(t *testing.T) {
	f := newFixture(t, Options{})
	u, other := f.newUser(), f.newUser()
	body := fmt.Sprintf(`{"topic":"t","participants":[
		{"communicationIdentifier":{"rawId":%q}},
		{"communicationIdentifier":{"rawId":%q},"displayName":"me","metadata":{"k":"v"}}]}`, other.id, u.id)
	var res wire.CreateThreadResult
	f.chat("POST", "/chat/threads?api-version="+preview, u.token, body).wantStatus(t, 201).decode(t, &res)
	ms := f.members(u, res.ChatThread.ID)
	if len(ms) != 2 || ms[0].CommunicationIdentifier.RawID != u.id || ms[0].DisplayName != "me" || ms[0].Metadata["k"] != "v" {
		t.Errorf("members %+v, want the creator first with displayName me and its metadata", ms)
	}
}

func TestCreateThreadRejects(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	for _, c := range []struct{ name, body string }{
		{"no topic", `{"participants":[]}`},
		{"empty topic", `{"topic":""}`},
		{"topic not a string", `{"topic":5}`},
		{"not JSON", `topic=t`},
		{"malformed participant", `{"topic":"t","participants":[{"communicationIdentifier":{"rawId":"8:acs:not===valid"}}]}`},
		{"participants not an array", `{"topic":"t","participants":{}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.chat("POST", "/chat/threads?api-version="+stable, u.token, c.body).wantError(t, 400)
		})
	}
}

func TestCreateThreadMetadataOnPreviewOnly(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	body := `{"topic":"t","metadata":{"MetaKey1":"MetaValue1"}}`
	var res wire.CreateThreadResult
	f.chat("POST", "/chat/threads?api-version="+preview, u.token, body).wantStatus(t, 201).decode(t, &res)
	if res.ChatThread.Metadata["MetaKey1"] != "MetaValue1" {
		t.Errorf("preview: metadata %v", res.ChatThread.Metadata)
	}
	var onStable wire.CreateThreadResult
	f.chat("POST", "/chat/threads?api-version="+stable, u.token, body).wantStatus(t, 201).decode(t, &onStable)
	if onStable.ChatThread.Metadata != nil {
		t.Errorf("stable: metadata %v, want none", onStable.ChatThread.Metadata)
	}
	big := `{"topic":"t","metadata":{"k":"` + strings.Repeat("v", 1024) + `"}}`
	f.chat("POST", "/chat/threads?api-version="+preview, u.token, big).wantError(t, 400)
}

func TestRepeatabilityRequestID(t *testing.T) {
	f := newFixture(t, Options{})
	u, v := f.newUser(), f.newUser()
	create := func(who account, id string) result {
		h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + who.token}}
		if id != "" {
			h.Set("repeatability-request-id", id)
		}
		return f.do("POST", "/chat/threads?api-version="+stable, []byte(`{"topic":"t"}`), h).wantStatus(t, 201)
	}
	first := create(u, "9abbe01d-fbd9-4522-a475-adef176a6ced")
	f.clock.Advance(5e9)
	again := create(u, "9abbe01d-fbd9-4522-a475-adef176a6ced")
	if string(first.body) != string(again.body) || first.header.Get("Location") != again.header.Get("Location") {
		t.Errorf("replay differs:\n%s %s\n%s %s", first.body, first.header.Get("Location"), again.body, again.header.Get("Location"))
	}
	other := create(u, "another-id")
	noID1, noID2 := create(u, ""), create(u, "")
	otherUser := create(v, "9abbe01d-fbd9-4522-a475-adef176a6ced")
	ids := map[string]bool{}
	for _, r := range []result{first, other, noID1, noID2, otherUser} {
		var res wire.CreateThreadResult
		r.decode(t, &res)
		ids[res.ChatThread.ID] = true
	}
	if len(ids) != 5 {
		t.Errorf("want 5 distinct threads (one per distinct request), got %d", len(ids))
	}
}

func TestDeleteThread(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	thread := f.createThread(u)
	f.chat("DELETE", threadPath(thread, "", stable), u.token, "").wantStatus(t, 204)
	f.chat("GET", threadPath(thread, "/participants", stable), u.token, "").wantError(t, 404)
	f.chat("DELETE", threadPath(thread, "", stable), u.token, "").wantError(t, 404)
	f.add(u, thread, stable, u.id).wantError(t, 404)
}

func TestGetThread(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	thread := f.createThread(u)
	var p wire.ThreadProperties
	f.chat("GET", threadPath(thread, "", stable), u.token, "").wantStatus(t, 200).decode(t, &p)
	if p.ID != thread || p.Topic != "test" {
		t.Errorf("properties %+v", p)
	}
}

// Thread ids arrive raw (nextLink) or percent-encoded (SDKs); both must route.
func TestThreadIDInPathRawAndEncoded(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	thread := f.createThread(u)
	encoded := strings.NewReplacer(":", "%3A", "@", "%40").Replace(thread)
	for _, p := range []string{thread, encoded, strings.Replace(thread, ":", "%3A", 1)} {
		t.Run(p, func(t *testing.T) {
			f.chat("GET", "/chat/threads/"+p+"/participants?api-version="+stable, u.token, "").wantStatus(t, 200)
			f.chat("POST", "/chat/threads/"+p+"/participants/:add?api-version="+stable, u.token, `{"participants":[]}`).wantStatus(t, 201)
			f.chat("GET", "/chat/threads/"+p+"?api-version="+stable, u.token, "").wantStatus(t, 200)
		})
	}
	f.chat("GET", "/chat/threads/19:acsV1_nope@thread.v2/participants?api-version="+stable, u.token, "").wantError(t, 404)
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	thread := f.createThread(u)
	f.chat("GET", "/chat/nothing?api-version="+stable, u.token, "").wantError(t, 404)
	f.chat("GET", "/", "", "").wantError(t, 404)
	f.chat("GET", "/chat/threads//participants?api-version="+stable, u.token, "").wantError(t, 404) // empty id: no redirect
	f.chat("POST", "/chat/threads/?api-version="+stable, u.token, `{"topic":"t"}`).wantError(t, 404)
	r := f.chat("PUT", threadPath(thread, "/participants", stable), u.token, "")
	r.wantError(t, 405)
	if allow := r.header.Get("Allow"); allow != "GET" {
		t.Errorf("Allow %q, want GET", allow)
	}
	f.chat("GET", threadPath(thread, "/participants/:add", stable), u.token, "").wantError(t, 405)
}

func TestCommonHeaders(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	h := http.Header{
		"Authorization":                 {"Bearer " + u.token},
		"X-Ms-Client-Request-Id":        {"req-1"},
		"X-Ms-Return-Client-Request-Id": {"true"},
	}
	r := f.do("GET", "/chat/threads/nope/participants?api-version="+stable, nil, h)
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{22}\.0$`).MatchString(r.header.Get("MS-CV")) {
		t.Errorf("MS-CV %q not like q4yfxjMGXU67kSlzJ9jnJA.0", r.header.Get("MS-CV"))
	}
	if r.header.Get("x-ms-client-request-id") != "req-1" {
		t.Errorf("client request id not echoed")
	}
	h.Del("X-Ms-Return-Client-Request-Id")
	if r := f.do("GET", "/chat/threads/nope/participants?api-version="+stable, nil, h); r.header.Get("x-ms-client-request-id") != "" {
		t.Errorf("chat echoed the client request id without being asked")
	}
}

func TestCORSPreflight(t *testing.T) {
	f := newFixture(t, Options{})
	r := f.do("OPTIONS", "/chat/threads?api-version="+stable, nil, http.Header{
		"Origin":                         {"http://localhost:3000"},
		"Access-Control-Request-Method":  {"POST"},
		"Access-Control-Request-Headers": {"authorization,content-type"},
	}).wantStatus(t, 204)
	if r.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		r.header.Get("Access-Control-Allow-Headers") != "authorization,content-type" {
		t.Errorf("preflight headers %v", r.header)
	}
	// Without the preflight headers OPTIONS is just an unsupported method.
	f.do("OPTIONS", "/chat/threads?api-version="+stable, nil, nil).wantError(t, 405)
}

func TestSuccessBodiesAreCompactJSON(t *testing.T) {
	f := newFixture(t, Options{})
	u, v := f.newUser(), f.newUser()
	thread := f.createThread(u)
	r := f.add(u, thread, stable, v.id).wantStatus(t, 201)
	if string(r.body) != "{}" || r.header.Get("Content-Length") != "2" || r.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("add: body %q, Content-Length %q, Content-Type %q; want {} / 2 / application/json; charset=utf-8",
			r.body, r.header.Get("Content-Length"), r.header.Get("Content-Type"))
	}
	if !json.Valid(r.body) {
		t.Error("invalid JSON")
	}
}
