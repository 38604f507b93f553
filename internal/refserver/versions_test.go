package refserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/wire"
)

// allChatVersions is the default api-supported-versions of chat responses,
// spelled like the live service's (comma and space, oldest first).
const allChatVersions = "2021-03-07, 2021-09-07, 2023-11-07, 2024-03-07, 2024-03-15-preview, 2025-03-15"

// Every chat answer, success or error, at every version, lists the
// versions; so do answers to paths under /chat that are no operation.
func TestAPISupportedVersionsOnEveryChatResponse(t *testing.T) {
	f := newFixture(t, Options{})
	owner, outsider := f.newUser(), f.newUser()
	for _, v := range wire.SupportedChatVersions {
		t.Run(v, func(t *testing.T) {
			var created wire.CreateThreadResult
			r := f.chat("POST", "/chat/threads?api-version="+v, owner.token, `{"topic":"t"}`).wantStatus(t, 201)
			r.decode(t, &created)
			thread := created.ChatThread.ID
			other := f.newUserID()
			unknownThread := "19:acsV1_unknown@thread.v2"
			steps := []struct {
				name   string
				status int
				send   func() result
			}{
				{"create", 201, func() result { return r }},
				{"get", 200, func() result { return f.chat("GET", threadPath(thread, "", v), owner.token, "") }},
				{"add", 201, func() result { return f.add(owner, thread, v, other) }},
				{"list", 200, func() result { return f.chat("GET", threadPath(thread, "/participants", v), owner.token, "") }},
				{"remove", 204, func() result {
					return f.chat("POST", threadPath(thread, "/participants/:remove", v), owner.token, asJSON(wire.UserIdentifier(other)))
				}},
				{"malformed id 400", 400, func() result { return f.add(owner, thread, v, "8:acs:fakeid===") }},
				{"no token 401", 401, func() result { return f.chat("GET", threadPath(thread, "/participants", v), "", "") }},
				{"outsider 403", 403, func() result { return f.chat("GET", threadPath(thread, "/participants", v), outsider.token, "") }},
				{"unknown thread 404", 404, func() result { return f.chat("GET", threadPath(unknownThread, "/participants", v), owner.token, "") }},
				{"no such operation 404", 404, func() result { return f.chat("GET", threadPath(thread, "/nothing", v), owner.token, "") }},
				{"method not allowed 405", 405, func() result { return f.chat("PUT", threadPath(thread, "/participants", v), owner.token, "") }},
				{"body too large 413", 413, func() result {
					return f.chat("POST", threadPath(thread, "/participants/:add", v), owner.token, strings.Repeat(" ", DefaultMaxBodyBytes+1))
				}},
				{"delete", 204, func() result { return f.chat("DELETE", threadPath(thread, "", v), owner.token, "") }},
			}
			for _, s := range steps {
				got := s.send()
				if s.status >= 400 {
					got.wantError(t, s.status)
				} else {
					got.wantStatus(t, s.status)
				}
				if h := got.header.Get("api-supported-versions"); h != allChatVersions {
					t.Errorf("%s: api-supported-versions %q, want %q", s.name, h, allChatVersions)
				}
			}
		})
	}
}

// An unknown or missing api-version is a 400 with the documented envelope
// {"error":{"code":"BadRequest","message":…}} on every chat operation.
func TestUnknownChatAPIVersionIsBadRequest(t *testing.T) {
	f := newFixture(t, Options{})
	u := f.newUser()
	thread := f.createThread(u)
	ops := []struct{ method, path, body string }{
		{"POST", "/chat/threads", `{"topic":"t"}`},
		{"GET", "/chat/threads/" + thread, ""},
		{"DELETE", "/chat/threads/" + thread, ""},
		{"GET", "/chat/threads/" + thread + "/participants", ""},
		{"POST", "/chat/threads/" + thread + "/participants/:add", `{"participants":[]}`},
		{"POST", "/chat/threads/" + thread + "/participants/:remove", asJSON(wire.UserIdentifier(u.id))},
	}
	for _, op := range ops {
		for _, q := range []string{"", "?api-version=", "?api-version=2024-06-05-preview", "?api-version=2023-10-01", "?api-version=2025-03-15-preview"} {
			t.Run(op.method+" "+op.path+q, func(t *testing.T) {
				r := f.chat(op.method, op.path+q, u.token, op.body)
				e := r.wantError(t, 400)
				if e.Code != "BadRequest" {
					t.Errorf("error.code %q, want BadRequest", e.Code)
				}
				if !strings.Contains(e.Message, "api-version") {
					t.Errorf("error.message %q does not name the api-version", e.Message)
				}
				if h := r.header.Get("api-supported-versions"); h != allChatVersions {
					t.Errorf("api-supported-versions %q", h)
				}
			})
		}
	}
	if f.srv.Threads() != 1 {
		t.Errorf("%d threads after refused creates, want 1", f.srv.Threads())
	}
}

// Options.ChatAPIVersions sets what chat responses list and what requests
// may use: fewer versions are neither listed nor served, an unknown extra
// one is listed but refused.
func TestChatAPIVersionsOption(t *testing.T) {
	cases := []struct {
		name     string
		versions []string
		header   string
		served   []string
		refused  []string
	}{
		{"default", nil, allChatVersions, wire.SupportedChatVersions, []string{"2024-06-05-preview"}},
		{"empty is the default", []string{}, allChatVersions, wire.SupportedChatVersions, nil},
		{"fewer", []string{wire.APIVersion20240307, wire.APIVersion20250315}, "2024-03-07, 2025-03-15",
			[]string{wire.APIVersion20240307, wire.APIVersion20250315},
			[]string{wire.APIVersion20210307, wire.APIVersion20210907, wire.APIVersion20231107, wire.APIVersionPreview}},
		{"one", []string{wire.APIVersion20210307}, "2021-03-07", []string{wire.APIVersion20210307}, []string{wire.APIVersion20250315}},
		{"more, in the order given", []string{wire.APIVersion20250315, "2024-06-05-preview", wire.APIVersion20210307},
			"2025-03-15, 2024-06-05-preview, 2021-03-07",
			[]string{wire.APIVersion20250315, wire.APIVersion20210307}, []string{"2024-06-05-preview", wire.APIVersion20240307}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{ChatAPIVersions: c.versions})
			u := f.newUser()
			check := func(r result) {
				t.Helper()
				if h := r.header.Get("api-supported-versions"); h != c.header {
					t.Errorf("api-supported-versions %q, want %q", h, c.header)
				}
			}
			for _, v := range c.served {
				check(f.chat("POST", "/chat/threads?api-version="+v, u.token, `{"topic":"t"}`).wantStatus(t, 201))
			}
			for _, v := range c.refused {
				r := f.chat("POST", "/chat/threads?api-version="+v, u.token, `{"topic":"t"}`)
				r.wantError(t, 400)
				check(r)
			}
			check(f.chat("GET", "/chat/nothing", u.token, ""))
			// Identity keeps its own list whatever the chat one is.
			if h := f.identity("POST", "/identities"+identityQuery, `{}`).header.Get("api-supported-versions"); h != strings.Join(identityAPIVersions, ", ") {
				t.Errorf("identity api-supported-versions %q", h)
			}
		})
	}
	// The caller's slice is copied, not kept.
	vs := []string{wire.APIVersion20240307}
	f := newFixture(t, Options{ChatAPIVersions: vs})
	vs[0] = wire.APIVersion20250315
	if h := f.chat("GET", "/chat/nothing", "", "").header.Get("api-supported-versions"); h != wire.APIVersion20240307 {
		t.Errorf("api-supported-versions %q after the caller changed its slice", h)
	}
}

func TestChatAPIVersionsOptionValidated(t *testing.T) {
	for _, c := range []struct {
		name     string
		versions []string
	}{
		{"empty entry", []string{wire.APIVersion20240307, ""}},
		{"comma", []string{"2024-03-07,2025-03-15"}},
		{"space", []string{"2024-03-07 "}},
		{"twice", []string{wire.APIVersion20240307, wire.APIVersion20240307}},
	} {
		if _, err := New(Options{AccessKey: testKey, ChatAPIVersions: c.versions}); err == nil {
			t.Errorf("%s: New accepted ChatAPIVersions %q", c.name, c.versions)
		}
	}
}

// The identity paths that are no operation list the Identity versions.
func TestIdentityFallbackListsIdentityVersions(t *testing.T) {
	f := newFixture(t, Options{})
	r := f.do("GET", "/identities/x/y", nil, http.Header{})
	r.wantError(t, 404)
	if h := r.header.Get("api-supported-versions"); h != strings.Join(identityAPIVersions, ", ") {
		t.Errorf("api-supported-versions %q", h)
	}
	if h := f.do("GET", "/elsewhere", nil, nil).header.Get("api-supported-versions"); h != "" {
		t.Errorf("a path of neither API lists %q", h)
	}
}

// since reports whether version v is first or later than first in
// wire.SupportedChatVersions (oldest first).
func since(v, first string) bool {
	for _, k := range wire.SupportedChatVersions {
		switch k {
		case first:
			return true
		case v:
			return false
		}
	}
	return false
}

// An identifier sub-object a version does not define (microsoftTeamsApp
// before 2024-03-07, teamsExtensionUser before 2025-03-15) is an unknown
// property there and ignored: the identifier is judged on what remains. The
// versions that define it reject it as a non-ACS identity, as they reject
// phone numbers and Teams users.
func TestIdentifierKindsPerVersion(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	const app = `"microsoftTeamsApp":{"appId":"45ab2481-1c1c-4005-be24-0ffb879b1130","cloud":"public"}`
	const ext = `"teamsExtensionUser":{"userId":"u","tenantId":"t","resourceId":"r"}`
	type want struct {
		ok  bool   // accepted: the ACS user is added (or removed)
		why string // else part of the 400's message
	}
	cases := []struct {
		name string
		id   func(user string) string // the identifier JSON
		want func(v string) want
	}{
		{"ACS user plus microsoftTeamsApp",
			func(u string) string {
				return `{"rawId":"` + u + `","communicationUser":{"id":"` + u + `"},` + app + `}`
			},
			func(v string) want {
				if since(v, wire.APIVersion20240307) {
					return want{why: "microsoftTeamsApp"}
				}
				return want{ok: true}
			}},
		{"ACS user plus teamsExtensionUser",
			func(u string) string {
				return `{"rawId":"` + u + `","communicationUser":{"id":"` + u + `"},` + ext + `}`
			},
			func(v string) want {
				if v == wire.APIVersion20250315 {
					return want{why: "teamsExtensionUser"}
				}
				return want{ok: true}
			}},
		{"Teams app alone",
			func(string) string { return `{"rawId":"28:orgid:45ab2481-1c1c-4005-be24-0ffb879b1130",` + app + `}` },
			func(v string) want {
				if since(v, wire.APIVersion20240307) {
					return want{why: "microsoftTeamsApp"}
				}
				return want{why: "Identifier format is invalid"}
			}},
		{"Teams extension user alone",
			func(string) string { return `{` + ext + `}` },
			func(v string) want {
				if v == wire.APIVersion20250315 {
					return want{why: "teamsExtensionUser"}
				}
				return want{why: "has no id"}
			}},
		{"ACS user plus phoneNumber",
			func(u string) string {
				return `{"rawId":"` + u + `","communicationUser":{"id":"` + u + `"},"phoneNumber":{"value":"+14255550123"}}`
			},
			func(string) want { return want{why: "phoneNumber"} }},
		{"ACS user plus microsoftTeamsUser",
			func(u string) string {
				return `{"rawId":"` + u + `","communicationUser":{"id":"` + u + `"},"microsoftTeamsUser":{"userId":"x"}}`
			},
			func(string) want { return want{why: "microsoftTeamsUser"} }},
		{"kind teamsExtensionUser",
			func(u string) string { return `{"kind":"teamsExtensionUser","rawId":"` + u + `"}` },
			func(v string) want {
				if v == wire.APIVersion20250315 {
					return want{why: "not supported"}
				}
				return want{why: "not an identifier kind of api-version " + v}
			}},
		{"kind microsoftTeamsApp",
			func(u string) string { return `{"kind":"microsoftTeamsApp","rawId":"` + u + `"}` },
			func(v string) want {
				if since(v, wire.APIVersion20240307) {
					return want{why: "not supported"}
				}
				return want{why: "not an identifier kind of api-version " + v}
			}},
		{"kind communicationUser", func(u string) string { return `{"kind":"communicationUser","rawId":"` + u + `"}` },
			func(string) want { return want{ok: true} }},
	}
	for _, v := range wire.SupportedChatVersions {
		for _, c := range cases {
			t.Run(v+"/"+c.name, func(t *testing.T) {
				thread := f.createThread(owner)
				u := f.newUserID()
				w := c.want(v)
				add := f.chat("POST", addPath(thread, v), owner.token, `{"participants":[{"communicationIdentifier":`+c.id(u)+`}]}`)
				if !w.ok {
					if e := add.wantError(t, 400); !strings.Contains(e.Message, w.why) {
						t.Errorf(":add message %q does not say %q", e.Message, w.why)
					}
					if n := len(f.members(owner, thread)); n != 1 {
						t.Errorf("a refused :add left %d members", n)
					}
				} else {
					add.wantStatus(t, 201)
					if ids := memberIDs(f.members(owner, thread)); len(ids) != 2 || ids[1] != u {
						t.Fatalf("members %v, want the owner and %s", ids, u)
					}
				}
				// :remove takes the same identifier, judged the same way.
				f.add(owner, thread, v, u).wantStatus(t, 201)
				rm := f.chat("POST", threadPath(thread, "/participants/:remove", v), owner.token, c.id(u))
				if !w.ok {
					if e := rm.wantError(t, 400); !strings.Contains(e.Message, w.why) {
						t.Errorf(":remove message %q does not say %q", e.Message, w.why)
					}
					return
				}
				rm.wantStatus(t, 204)
				if ids := memberIDs(f.members(owner, thread)); len(ids) != 1 {
					t.Errorf("members %v after :remove, want the owner only", ids)
				}
			})
		}
	}
}

// Responses name every identifier with kind, rawId and communicationUser
// at every version (communicationUser is a kind in all of them).
func TestResponseIdentifiersPerVersion(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	for _, v := range wire.SupportedChatVersions {
		t.Run(v, func(t *testing.T) {
			var created wire.CreateThreadResult
			f.chat("POST", "/chat/threads?api-version="+v, owner.token, `{"topic":"t"}`).wantStatus(t, 201).decode(t, &created)
			if got, want := created.ChatThread.CreatedByCommunicationIdentifier, wire.ResponseIdentifier(owner.id); asJSON(got) != asJSON(want) {
				t.Errorf("createdBy %s, want %s", asJSON(got), asJSON(want))
			}
			var page wire.ParticipantsCollection
			f.chat("GET", threadPath(created.ChatThread.ID, "/participants", v), owner.token, "").wantStatus(t, 200).decode(t, &page)
			for _, p := range page.Value {
				id := p.CommunicationIdentifier
				if !slices.Contains(wire.IdentifierKinds(v), id.Kind) || id.Kind != id.PopulatedKind() || id.RawID != id.Key() {
					t.Errorf("identifier %s at %s", asJSON(id), v)
				}
			}
		})
	}
}

// retentionJSON is the chatThread.retentionPolicy of a create or get
// response as raw JSON text ("" when absent), so field order counts.
func retentionJSON(t *testing.T, r result, inChatThread bool) string {
	t.Helper()
	var thread struct {
		RetentionPolicy json.RawMessage `json:"retentionPolicy"`
	}
	if inChatThread {
		var res struct {
			ChatThread json.RawMessage `json:"chatThread"`
		}
		r.decode(t, &res)
		if err := json.Unmarshal(res.ChatThread, &thread); err != nil {
			t.Fatalf("chatThread of %s: %v", r, err)
		}
	} else {
		r.decode(t, &thread)
	}
	return string(thread.RetentionPolicy)
}

// Create thread's retentionPolicy as each version documents it: none before
// the preview (ignored, whatever it holds), threadCreationDate on the
// preview, threadCreationDate or none on 2025-03-15, which also answers
// {"kind":"none"} when none was asked for (Java recording, 2025-03-15).
// deleteThreadAfterDays is 30..90 (the chat concepts document).
func TestRetentionPolicyPerVersion(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	const (
		none = `{"kind":"none"}`
		d30  = `{"kind":"threadCreationDate","deleteThreadAfterDays":30}`
		d60  = `{"kind":"threadCreationDate","deleteThreadAfterDays":60}`
		d90  = `{"kind":"threadCreationDate","deleteThreadAfterDays":90}`
		bad  = "400"
	)
	// want: the retentionPolicy answered at the preview and at 2025-03-15
	// ("" none at all, bad a 400); the other versions always answer 201
	// without one.
	cases := []struct {
		name, policy string // the request's retentionPolicy member; "" leaves it out
		preview, ga  string
	}{
		{"absent", "", "", none},
		{"null", `null`, "", none},
		{"30 days", d30, d30, d30},
		{"60 days, days first", `{"deleteThreadAfterDays":60,"kind":"threadCreationDate"}`, d60, d60},
		{"90 days", d90, d90, d90},
		{"none", none, bad, none},
		{"none with days", `{"kind":"none","deleteThreadAfterDays":30}`, bad, none},
		{"unknown member", `{"kind":"threadCreationDate","deleteThreadAfterDays":30,"x":1}`, d30, d30},
		{"29 days", `{"kind":"threadCreationDate","deleteThreadAfterDays":29}`, bad, bad},
		{"91 days", `{"kind":"threadCreationDate","deleteThreadAfterDays":91}`, bad, bad},
		{"0 days", `{"kind":"threadCreationDate","deleteThreadAfterDays":0}`, bad, bad},
		{"negative days", `{"kind":"threadCreationDate","deleteThreadAfterDays":-30}`, bad, bad},
		{"beyond int32", `{"kind":"threadCreationDate","deleteThreadAfterDays":4294967326}`, bad, bad},
		{"fractional days", `{"kind":"threadCreationDate","deleteThreadAfterDays":30.5}`, bad, bad},
		{"days as string", `{"kind":"threadCreationDate","deleteThreadAfterDays":"30"}`, bad, bad},
		{"no days", `{"kind":"threadCreationDate"}`, bad, bad},
		{"null days", `{"kind":"threadCreationDate","deleteThreadAfterDays":null}`, bad, bad},
		{"no kind", `{"deleteThreadAfterDays":30}`, bad, bad},
		{"unknown kind", `{"kind":"lastMessageDate","deleteThreadAfterDays":30}`, bad, bad},
		{"kind in another case", `{"kind":"ThreadCreationDate","deleteThreadAfterDays":30}`, bad, bad},
		{"kind not a string", `{"kind":1}`, bad, bad},
		{"not an object", `"threadCreationDate"`, bad, bad},
		{"an array", `[]`, bad, bad},
	}
	for _, v := range wire.SupportedChatVersions {
		for _, c := range cases {
			t.Run(v+"/"+c.name, func(t *testing.T) {
				body := `{"topic":"t"}`
				if c.policy != "" {
					body = `{"topic":"t","retentionPolicy":` + c.policy + `}`
				}
				want := ""
				switch v {
				case wire.APIVersionPreview:
					want = c.preview
				case wire.APIVersion20250315:
					want = c.ga
				}
				before := f.srv.Threads()
				r := f.chat("POST", "/chat/threads?api-version="+v, owner.token, body)
				if want == bad {
					if e := r.wantError(t, 400); !strings.Contains(e.Message, "retentionPolicy") {
						t.Errorf("message %q does not name retentionPolicy", e.Message)
					}
					if f.srv.Threads() != before {
						t.Error("a refused create made a thread")
					}
					return
				}
				r.wantStatus(t, 201)
				if got := retentionJSON(t, r, true); got != want {
					t.Errorf("create: retentionPolicy %s, want %q", got, want)
				}
				var res wire.CreateThreadResult
				r.decode(t, &res)
				get := f.chat("GET", threadPath(res.ChatThread.ID, "", v), owner.token, "").wantStatus(t, 200)
				if got := retentionJSON(t, get, false); got != want {
					t.Errorf("get: retentionPolicy %s, want %q", got, want)
				}
			})
		}
	}
}

// A thread's policy is read through the version of the reading request.
func TestRetentionPolicyAcrossVersions(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	create := func(policy string) string {
		var res wire.CreateThreadResult
		f.chat("POST", "/chat/threads?api-version="+wire.APIVersion20250315, owner.token,
			`{"topic":"t","retentionPolicy":`+policy+`}`).wantStatus(t, 201).decode(t, &res)
		return res.ChatThread.ID
	}
	var old wire.CreateThreadResult
	f.chat("POST", "/chat/threads?api-version="+wire.APIVersion20240307, owner.token,
		`{"topic":"t","retentionPolicy":{"kind":"threadCreationDate","deleteThreadAfterDays":45}}`).wantStatus(t, 201).decode(t, &old)
	threads := map[string]string{
		"60 days at 2025-03-15": create(`{"kind":"threadCreationDate","deleteThreadAfterDays":60}`),
		"none at 2025-03-15":    create(`{"kind":"none"}`),
		"45 days at 2024-03-07": old.ChatThread.ID, // ignored there: no policy
	}
	const d60 = `{"kind":"threadCreationDate","deleteThreadAfterDays":60}`
	want := map[string]map[string]string{
		"60 days at 2025-03-15": {wire.APIVersionPreview: d60, wire.APIVersion20250315: d60},
		"none at 2025-03-15":    {wire.APIVersion20250315: `{"kind":"none"}`},
		"45 days at 2024-03-07": {wire.APIVersion20250315: `{"kind":"none"}`},
	}
	for name, id := range threads {
		for _, v := range wire.SupportedChatVersions {
			r := f.chat("GET", threadPath(id, "", v), owner.token, "").wantStatus(t, 200)
			if got := retentionJSON(t, r, false); got != want[name][v] {
				t.Errorf("%s read at %s: retentionPolicy %s, want %q", name, v, got, want[name][v])
			}
		}
	}
}

// Participant metadata exists on the preview and 2025-03-15 only: added at
// a version, it is listed at another only if both have it (added at
// 2025-03-15, listed at 2024-03-07: no metadata key at all). Elsewhere
// metadata in a request is ignored: not stored, not validated.
func TestParticipantMetadataPerVersion(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	md := map[string]string{"ParticipantMetaKey1": "ParticipantMetaValue1", "k2": ""}
	for _, added := range wire.SupportedChatVersions {
		t.Run("added at "+added, func(t *testing.T) {
			thread := f.createThread(owner)
			id := f.newUserID()
			body, _ := json.Marshal(map[string]any{"participants": []any{map[string]any{
				"communicationIdentifier": wire.UserIdentifier(id), "metadata": md}}})
			f.chat("POST", addPath(thread, added), owner.token, string(body)).wantStatus(t, 201)
			for _, listed := range wire.SupportedChatVersions {
				r := f.chat("GET", threadPath(thread, "/participants", listed), owner.token, "").wantStatus(t, 200)
				var page wire.ParticipantsCollection
				r.decode(t, &page)
				got := page.Value[len(page.Value)-1].Metadata
				if wire.HasMetadata(added) && wire.HasMetadata(listed) {
					if asJSON(got) != asJSON(md) {
						t.Errorf("listed at %s: metadata %v, want %v", listed, got, md)
					}
					continue
				}
				if strings.Contains(string(r.body), `"metadata"`) {
					t.Errorf("listed at %s: %s carries metadata", listed, r.body)
				}
			}
		})
	}
}

// Metadata the metadata versions refuse is ignored by the others, and
// nothing of it is stored.
func TestInvalidMetadataPerVersion(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	bad := map[string]string{
		"1025 bytes":       fmt.Sprintf(`{"k":%q,"key2":%q}`, strings.Repeat("v", 512), strings.Repeat("w", 508)),
		"2000 bytes":       `{"k":"` + strings.Repeat("v", 2000) + `"}`,
		"non-string value": `{"k":1}`,
		"null value":       `{"k":null}`,
		"array":            `["k"]`,
		"string":           `"k"`,
	}
	for _, v := range wire.SupportedChatVersions {
		for name, md := range bad {
			t.Run(v+"/"+name, func(t *testing.T) {
				id := f.newUserID()
				add := f.chat("POST", addPath(thread, v), owner.token, fmt.Sprintf(
					`{"participants":[{"communicationIdentifier":{"rawId":%q},"metadata":%s}]}`, id, md))
				create := f.chat("POST", "/chat/threads?api-version="+v, owner.token, `{"topic":"t","metadata":`+md+`}`)
				if wire.HasMetadata(v) {
					add.wantError(t, 400)
					create.wantError(t, 400)
					return
				}
				add.wantStatus(t, 201)
				create.wantStatus(t, 201)
				ms := f.members(owner, thread) // listed at the preview, which has metadata
				if got := ms[len(ms)-1]; got.CommunicationIdentifier.RawID != id || got.Metadata != nil {
					t.Errorf("added at %s: listed as %s, want %s without metadata", v, asJSON(got), id)
				}
				var res wire.CreateThreadResult
				create.decode(t, &res)
				get := f.chat("GET", threadPath(res.ChatThread.ID, "", wire.APIVersion20250315), owner.token, "").wantStatus(t, 200)
				if strings.Contains(string(get.body), `"metadata"`) {
					t.Errorf("created at %s, got at 2025-03-15: %s carries metadata", v, get.body)
				}
			})
		}
	}
}

// Thread metadata, and the metadata of participants listed in create
// thread, follow the same rule as participant metadata.
func TestThreadMetadataPerVersion(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	tmd := map[string]string{"MetaKey1": "MetaValue1", "MetaKey2": "MetaValue2"}
	pmd := map[string]string{"key1": "val1"}
	for _, created := range wire.SupportedChatVersions {
		t.Run("created at "+created, func(t *testing.T) {
			other := f.newUserID()
			body, _ := json.Marshal(map[string]any{"topic": "t", "metadata": tmd, "participants": []any{
				map[string]any{"communicationIdentifier": wire.UserIdentifier(other), "metadata": pmd}}})
			r := f.chat("POST", "/chat/threads?api-version="+created, owner.token, string(body)).wantStatus(t, 201)
			var res wire.CreateThreadResult
			r.decode(t, &res)
			if wire.HasMetadata(created) != (asJSON(res.ChatThread.Metadata) == asJSON(tmd)) ||
				!wire.HasMetadata(created) && strings.Contains(string(r.body), `"metadata"`) {
				t.Errorf("create at %s: %s", created, r.body)
			}
			for _, read := range wire.SupportedChatVersions {
				both := wire.HasMetadata(created) && wire.HasMetadata(read)
				get := f.chat("GET", threadPath(res.ChatThread.ID, "", read), owner.token, "").wantStatus(t, 200)
				var p wire.ThreadProperties
				get.decode(t, &p)
				if both != (asJSON(p.Metadata) == asJSON(tmd)) || !both && strings.Contains(string(get.body), `"metadata"`) {
					t.Errorf("get at %s: %s", read, get.body)
				}
				var page wire.ParticipantsCollection
				f.chat("GET", threadPath(res.ChatThread.ID, "/participants", read), owner.token, "").wantStatus(t, 200).decode(t, &page)
				if got := page.Value[1]; both != (asJSON(got.Metadata) == asJSON(pmd)) || !both && got.Metadata != nil {
					t.Errorf("participants at %s: %s", read, asJSON(page.Value))
				}
			}
		})
	}
}

// A listing's nextLink carries the api-version of the request it answers.
func TestNextLinkKeepsTheAPIVersion(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner, f.newUserID(), f.newUserID())
	for _, v := range wire.SupportedChatVersions {
		var walked []string
		next := threadPath(thread, "/participants", v) + "&maxPageSize=1"
		for next != "" {
			var page wire.ParticipantsCollection
			f.chat("GET", strings.TrimPrefix(next, f.ts.URL), owner.token, "").wantStatus(t, 200).decode(t, &page)
			walked = append(walked, memberIDs(page.Value)...)
			if next = page.NextLink; next != "" && !strings.HasSuffix(next, "&maxPageSize=1&api-version="+v) {
				t.Errorf("at %s: nextLink %q", v, next)
			}
		}
		if len(walked) != 3 {
			t.Errorf("at %s: walked %v", v, walked)
		}
	}
}
