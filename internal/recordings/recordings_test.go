package recordings

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// File names of the shared recordings the tests single out.
const (
	netExcerpt   = "net/Thread_CGUD__Participant_AUR__Message_GSU__Notification_T.EXCERPT.json"
	javaSync     = "java/ChatThreadClientTest.canAddListAndRemoveParticipants[1].json"
	javaAsync    = "java/ChatThreadAsyncClientTest.canAddSingleParticipantWithMetadataAsync[1].json"
	cliBadUser   = "azure-cli/test_chat_add_participant_bad_user.yaml"
	cliBadThread = "azure-cli/test_chat_list_participants_bad_thread_id.yaml"
	cliRemove    = "azure-cli/test_chat_remove_participants.yaml"
	pyPrefix     = "python/test_chat_thread_client_e2e.pyTestChatThreadClienttest_"
)

// loadShared loads the shared recordings or skips the test when the folder
// is not beside the module (e.g. a checkout without the reference data).
func loadShared(t *testing.T) []Entry {
	t.Helper()
	dir, ok := Dir()
	if !ok {
		t.Skip("shared recordings folder ../shared/reference/recordings not found beside the module root; skipping")
	}
	entries, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	return entries
}

func inFile(entries []Entry, file string) []Entry {
	var out []Entry
	for _, e := range entries {
		if e.File == file {
			out = append(out, e)
		}
	}
	return out
}

func TestDirPointsAtSharedRecordings(t *testing.T) {
	dir, ok := Dir()
	if !ok {
		t.Skip("shared recordings folder not found beside the module root; skipping")
	}
	if want := filepath.Join("shared", "reference", "recordings"); !strings.HasSuffix(dir, want) {
		t.Fatalf("Dir() = %s, want a path ending in %s", dir, want)
	}
}

// Every file, every entry, in file order, classified.
func TestLoadEveryFile(t *testing.T) {
	entries := loadShared(t)
	const (
		ci, it, ct, dt = OpCreateIdentity, OpIssueToken, OpCreateThread, OpDeleteThread
		ad, ls, rm     = OpAddParticipants, OpListParticipants, OpRemoveParticipant
	)
	want := map[string][]string{
		cliBadUser:   {ci, ct, ad, ad},
		cliBadThread: {ci, ls},
		cliRemove:    {ci, ci, ct, ad, rm, rm, rm, rm},
		javaAsync:    {ci, ci, it, ct, ci, ad, ls},
		javaSync:     {ci, ci, ci, ci, it, ct, ci, ci, ad, ls, rm, rm},
		"js/recording_successfully_adds_participants.json":  {ci, ad},
		"js/recording_successfully_deletes_a_thread.json":   {dt},
		"js/recording_successfully_lists_participants.json": {ls},
		netExcerpt:                           {ci, it, ct, ad, ls, ls, ls, rm, dt},
		pyPrefix + "add_participants.json":   {ct, ad},
		pyPrefix + "list_participants.json":  {ct, ad, ls},
		pyPrefix + "remove_participant.json": {ct, ad, rm},
	}
	got := map[string][]string{}
	var order []string
	for i, e := range entries {
		if _, seen := got[e.File]; !seen {
			order = append(order, e.File)
		}
		if e.Index != len(got[e.File]) {
			t.Errorf("entry %d: %s index %d, want %d (file order)", i, e.File, e.Index, len(got[e.File]))
		}
		got[e.File] = append(got[e.File], e.Operation())
	}
	if !reflect.DeepEqual(got, want) {
		for f, w := range want {
			if !reflect.DeepEqual(got[f], w) {
				t.Errorf("%s: %d entries %v, want %d %v", f, len(got[f]), got[f], len(w), w)
			}
		}
		for f := range got {
			if _, ok := want[f]; !ok {
				t.Errorf("unexpected file %s with %d entries", f, len(got[f]))
			}
		}
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] > order[i] {
			t.Errorf("files out of lexical order: %s before %s", order[i-1], order[i])
		}
	}
	if len(entries) != 54 {
		t.Errorf("loaded %d entries, want 54", len(entries))
	}
}

// Every recorded Content-Length must equal the recovered body length: that
// is the check that object bodies were re-encoded as the wire carried them
// (compact, "+" not \u002B) and that cassette strings survived YAML folding.
func TestBodiesMatchRecordedContentLength(t *testing.T) {
	checked := 0
	for _, e := range loadShared(t) {
		for _, side := range []struct {
			name string
			h    http.Header
			body []byte
		}{{"request", e.RequestHeader, e.RequestBody}, {"response", e.ResponseHeader, e.ResponseBody}} {
			cl := side.h.Get("Content-Length")
			if cl == "" {
				continue
			}
			n, err := strconv.Atoi(cl)
			if err != nil {
				t.Errorf("%s#%d %s Content-Length %q: %v", e.File, e.Index, side.name, cl, err)
				continue
			}
			if n != len(side.body) {
				t.Errorf("%s#%d %s body is %d bytes, recorded Content-Length %d: %q", e.File, e.Index, side.name, len(side.body), n, side.body)
			}
			checked++
		}
	}
	if checked < 60 {
		t.Errorf("only %d bodies had a Content-Length to check", checked)
	}
}

func TestBasicFieldsPresent(t *testing.T) {
	for _, e := range loadShared(t) {
		if e.Method == "" || e.Status == 0 || !strings.HasPrefix(e.URL, "https://") {
			t.Errorf("%s#%d: method %q status %d url %q", e.File, e.Index, e.Method, e.Status, e.URL)
		}
		if len(e.RequestHeader) == 0 || len(e.ResponseHeader) == 0 {
			t.Errorf("%s#%d: missing headers", e.File, e.Index)
		}
		if e.Status == http.StatusNoContent && e.ResponseBody != nil {
			t.Errorf("%s#%d: 204 with body %q", e.File, e.Index, e.ResponseBody)
		}
	}
}

func TestCLIAddBadUserHasPartialFailure(t *testing.T) {
	es := inFile(loadShared(t), cliBadUser)
	if len(es) != 4 {
		t.Fatalf("%s: %d entries, want 4", cliBadUser, len(es))
	}
	add := es[2]
	if add.Operation() != OpAddParticipants || add.Status != http.StatusCreated {
		t.Fatalf("entry 2: %s %d, want AddParticipants 201", add.Operation(), add.Status)
	}
	var body struct {
		InvalidParticipants []struct {
			Code    any    `json:"code"`
			Message string `json:"message"`
			Target  string `json:"target"`
		} `json:"invalidParticipants"`
	}
	if err := json.Unmarshal(add.ResponseBody, &body); err != nil {
		t.Fatalf("201 body %q: %v", add.ResponseBody, err)
	}
	if len(body.InvalidParticipants) != 1 || body.InvalidParticipants[0].Code != "403" {
		t.Fatalf("invalidParticipants = %+v, want one with the string code \"403\"", body.InvalidParticipants)
	}
	// The folded YAML line must rejoin with a single space.
	if got := body.InvalidParticipants[0].Message; got != "Permissions check failed" {
		t.Errorf("message %q", got)
	}

	bad := es[3]
	if bad.Status != http.StatusBadRequest || !strings.Contains(string(bad.ResponseBody), `"CommunicationError"`) {
		t.Errorf("entry 3: %d %s, want 400 with a CommunicationError envelope", bad.Status, bad.ResponseBody)
	}
	if got := bad.ResponseHeader.Get("Transfer-Encoding"); got != "chunked" {
		t.Errorf("400 Transfer-Encoding %q, want chunked", got)
	}
	if got := bad.ResponseHeader.Get("Content-Type"); got != "application/json" {
		t.Errorf("400 Content-Type %q, want application/json", got)
	}
}

func TestCLIRemoveOutcomesInOrder(t *testing.T) {
	var statuses []int
	for _, e := range inFile(loadShared(t), cliRemove) {
		if e.Operation() == OpRemoveParticipant {
			statuses = append(statuses, e.Status)
		}
	}
	if want := []int{204, 400, 204, 403}; !reflect.DeepEqual(statuses, want) {
		t.Fatalf(":remove statuses %v, want %v", statuses, want)
	}
}

func TestNetExcerptHasThreeListPages(t *testing.T) {
	var pages []Entry
	for _, e := range inFile(loadShared(t), netExcerpt) {
		if e.Operation() == OpListParticipants {
			pages = append(pages, e)
		}
	}
	if len(pages) != 3 {
		t.Fatalf("%d list-participants entries, want 3", len(pages))
	}
	for i, p := range pages {
		var body map[string]json.RawMessage
		if err := json.Unmarshal(p.ResponseBody, &body); err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		_, has := body["nextLink"]
		if wantLink := i < 2; has != wantLink {
			t.Errorf("page %d: nextLink present = %v, want %v", i+1, has, wantLink)
		}
		if has {
			var link string
			_ = json.Unmarshal(body["nextLink"], &link)
			if !strings.HasPrefix(link, "https://acs-chat-ppe.unitedstates.ppe.communication.azure.net/chat/threads/19:") {
				t.Errorf("page %d nextLink %q: want the absolute regional host with a raw thread id", i+1, link)
			}
		}
	}
	// The first page was requested with an encoded id, later ones raw.
	if !strings.Contains(pages[0].URL, "19%3A") || !strings.Contains(pages[1].URL, "/threads/19:") {
		t.Errorf("request URLs %q / %q: expected encoded then raw thread id", pages[0].URL, pages[1].URL)
	}
}

// The Java recording kept the HMAC material unsanitized: the content hash
// must be the SHA-256 of the recovered body, and the decoded string-to-sign
// must end with that hash.
func TestJavaHMACHeadersPresent(t *testing.T) {
	es := inFile(loadShared(t), javaSync)
	signed := 0
	for _, e := range es {
		if e.Operation() != OpCreateIdentity && e.Operation() != OpIssueToken {
			continue
		}
		signed++
		hash := e.RequestHeader.Get("x-ms-content-sha256")
		sts64 := e.RequestHeader.Get("x-ms-hmac-string-to-sign-base64")
		if hash == "" || sts64 == "" || e.RequestHeader.Get("x-ms-date") == "" {
			t.Errorf("#%d: HMAC headers missing: %v", e.Index, e.RequestHeader)
			continue
		}
		sum := sha256.Sum256(e.RequestBody)
		if got := base64.StdEncoding.EncodeToString(sum[:]); got != hash {
			t.Errorf("#%d: sha256(body %q) = %s, recorded %s", e.Index, e.RequestBody, got, hash)
		}
		sts, err := base64.StdEncoding.DecodeString(sts64)
		if err != nil {
			t.Errorf("#%d: string-to-sign: %v", e.Index, err)
			continue
		}
		lines := strings.Split(string(sts), "\n")
		if len(lines) != 3 || lines[0] != "POST" || !strings.HasSuffix(lines[2], ";"+hash) ||
			!strings.HasPrefix(lines[2], e.RequestHeader.Get("x-ms-date")+";") {
			t.Errorf("#%d: string-to-sign %q does not fit VERB\\npath?query\\ndate;host;hash", e.Index, sts)
		}
	}
	if signed != 7 {
		t.Errorf("%d signed identity requests, want 7", signed)
	}
	for _, e := range es {
		if e.Operation() == OpCreateThread {
			if loc := e.ResponseHeader.Get("Location"); !strings.HasPrefix(loc, "https://") || !strings.Contains(loc, "/chat/threads/19%3A") {
				t.Errorf("create-thread Location %q", loc)
			}
		}
	}
}

func TestOperation(t *testing.T) {
	const th = "https://h.example/chat/threads/19%3Aabc%40thread.v2"
	const raw = "https://other.example/chat/threads/19:abc@thread.v2"
	for _, c := range []struct{ method, url, want string }{
		{"POST", "https://h.example/chat/threads?api-version=2024-03-07", OpCreateThread},
		{"post", "https://h.example/chat/threads/", OpCreateThread},
		{"DELETE", th + "?api-version=2024-03-07", OpDeleteThread},
		{"DELETE", raw, OpDeleteThread},
		{"POST", th + "/participants/:add?api-version=x", OpAddParticipants},
		{"POST", raw + "/participants/:add", OpAddParticipants},
		{"POST", th + "/participants/%3Aadd", OpAddParticipants},
		{"GET", th + "/participants?maxPageSize=2", OpListParticipants},
		{"GET", raw + "/participants?skip=2&maxPageSize=2", OpListParticipants},
		{"POST", th + "/participants/:remove", OpRemoveParticipant},
		{"POST", "https://h.example/identities?api-version=2023-10-01", OpCreateIdentity},
		{"POST", "https://h.example/identities/8:acs:r_1/:issueAccessToken?api-version=2023-10-01", OpIssueToken},
		{"POST", "https://h.example/identities/8%3Aacs%3Ar_1/%3AissueAccessToken", OpIssueToken},
		{"GET", "https://h.example/chat/threads", ""},
		{"GET", th, ""},
		{"PATCH", th, ""},
		{"GET", th + "/messages", ""},
		{"POST", th + "/typing", ""},
		{"POST", th + "/participants", ""},
		{"DELETE", th + "/participants/:remove", ""},
		{"DELETE", "https://h.example/identities/8:acs:r_1", ""},
		{"POST", "https://h.example/identities/8:acs:r_1/:revokeAccessTokens", ""},
		{"GET", "://bad", ""},
	} {
		if got := (Entry{Method: c.method, URL: c.url}).Operation(); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.method, c.url, got, c.want)
		}
	}
}

func writeTemp(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The body and header forms the test proxy can write, beyond the ones the
// shared files happen to use.
func TestLoadTestProxyForms(t *testing.T) {
	dir := t.TempDir()
	writeTemp(t, dir, "x/forms.json", `{"Entries":[
	 {"RequestUri":"https://h/a","RequestMethod":"post",
	  "RequestHeaders":{"Content-Type":"text/plain","X-Multi":["a","b"]},
	  "RequestBody":"plain \u002B text","StatusCode":200,
	  "ResponseHeaders":{"Content-Type":"application/octet-stream"},
	  "ResponseBody":"AAEC"},
	 {"RequestUri":"https://h/b","RequestMethod":"GET","RequestHeaders":{},
	  "RequestBody":[],"StatusCode":200,
	  "ResponseHeaders":{"Content-Type":"text/plain; charset=utf-8"},
	  "ResponseBody":["line1\n","line2"]},
	 {"RequestUri":"https://h/c","RequestMethod":"PUT",
	  "RequestHeaders":{"Content-Type":"application/json"},
	  "RequestBody":{ "b" : [1, 2.50, true, null], "a" : "x\u002By\"\u00e9" },"StatusCode":201,
	  "ResponseHeaders":{},"ResponseBody":null}
	],"Variables":{}}`)
	es, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 3 || es[0].File != "x/forms.json" || es[2].Index != 2 {
		t.Fatalf("entries %+v", es)
	}
	if es[0].Method != "POST" || string(es[0].RequestBody) != "plain + text" {
		t.Errorf("text body %q (method %s)", es[0].RequestBody, es[0].Method)
	}
	if got := es[0].RequestHeader.Values("X-Multi"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("array header %v", got)
	}
	if string(es[0].ResponseBody) != "\x00\x01\x02" {
		t.Errorf("base64 body %q", es[0].ResponseBody)
	}
	if es[1].RequestBody != nil || string(es[1].ResponseBody) != "line1\nline2" {
		t.Errorf("empty/line bodies %q %q", es[1].RequestBody, es[1].ResponseBody)
	}
	if got := string(es[2].RequestBody); got != `{"b":[1,2.50,true,null],"a":"x+y\"é"}` {
		t.Errorf("object body %s: want key order, number text and minimal escaping kept", got)
	}
	if es[2].ResponseBody != nil {
		t.Errorf("null body %q", es[2].ResponseBody)
	}
}

func TestLoadCassetteForms(t *testing.T) {
	dir := t.TempDir()
	cassette := strings.ReplaceAll(`interactions:
- request:
    body: null
    headers:
      Accept:
      - application/json
      X-Single: 'true'
    method: get
    uri: https://h/chat/threads/19%3Aa%40thread.v2/participants?api-version=1
  response:
    body:
      string: '{"value": [{"displayName": "a
        b"}]}'
    headers:
      content-type:
      - application/json; charset=utf-8
    status:
      code: 200
      message: OK
- request:
    body: !!binary |
      AAEC
    headers: {}
    method: POST
    uri: https://h/x
  response:
    body:
      string: ''
    headers: {}
    status:
      code: 204
      message: No Content
version: 1
`, "\n", "\r\n")
	writeTemp(t, dir, "c.yaml", cassette)
	es, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("%d entries", len(es))
	}
	if es[0].Method != "GET" || es[0].Operation() != OpListParticipants || es[0].RequestBody != nil {
		t.Errorf("entry 0: %s %s body %q", es[0].Method, es[0].Operation(), es[0].RequestBody)
	}
	if got := string(es[0].ResponseBody); got != `{"value": [{"displayName": "a b"}]}` {
		t.Errorf("folded body %q", got)
	}
	if es[0].RequestHeader.Get("X-Single") != "true" || es[0].ResponseHeader.Get("Content-Type") == "" {
		t.Errorf("headers %v / %v", es[0].RequestHeader, es[0].ResponseHeader)
	}
	if string(es[1].RequestBody) != "\x00\x01\x02" || es[1].ResponseBody != nil || es[1].Status != 204 {
		t.Errorf("entry 1: body %q resp %q status %d", es[1].RequestBody, es[1].ResponseBody, es[1].Status)
	}
}

func TestLoadErrorNamesFile(t *testing.T) {
	for name, content := range map[string]string{
		"bad/broken.json":    `{"Entries": [`,
		"bad/other.json":     `{"foo": 1}`,
		"bad/broken.yaml":    "interactions:\n- request: [\n",
		"bad/notvcr.yml":     "foo: bar\n",
		"bad/badbody.json":   `{"Entries":[{"RequestUri":"https://h/","RequestMethod":"GET","RequestHeaders":{"Content-Type":"application/json"},"RequestBody":["x", 1],"StatusCode":200,"ResponseHeaders":{},"ResponseBody":"!!notbase64"}]}`,
		"bad/badheader.json": `{"Entries":[{"RequestUri":"https://h/","RequestMethod":"GET","RequestHeaders":{"A":[1]},"StatusCode":200}]}`,
	} {
		dir := t.TempDir()
		writeTemp(t, dir, "ok/README.md", "ignored")
		writeTemp(t, dir, name, content)
		_, err := Load(dir)
		if name == "bad/badbody.json" {
			// Odd but readable: the array falls back to compact JSON and a
			// non-base64 string to its text.
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing dir: no error")
	}
}
