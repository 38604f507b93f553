package recordings

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// newReplay starts a replay server on 127.0.0.1 for entries.
func newReplay(t *testing.T, entries []Entry) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(ReplayHandler(entries))
	t.Cleanup(srv.Close)
	if u, _ := url.Parse(srv.URL); u.Hostname() != "127.0.0.1" {
		t.Fatalf("replay server on %s, want 127.0.0.1", srv.URL)
	}
	return srv
}

// onServer points a recorded absolute URL at the replay server, keeping
// path and query bytes exactly as recorded.
func onServer(t *testing.T, srv *httptest.Server, recorded string) string {
	t.Helper()
	i := strings.Index(recorded, "://")
	j := strings.IndexAny(recorded[i+3:], "/?")
	if i < 0 || j < 0 {
		t.Fatalf("cannot retarget %q", recorded)
	}
	return srv.URL + recorded[i+3+j:]
}

func do(t *testing.T, method, u, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

type participantsPage struct {
	Value []struct {
		DisplayName string `json:"displayName"`
	} `json:"value"`
	NextLink *string `json:"nextLink"`
}

// walkNetListing follows the .NET three-page listing from its first
// recorded request URL through the rewritten nextLinks.
func walkNetListing(t *testing.T, srv *httptest.Server, first string) {
	t.Helper()
	srvURL, _ := url.Parse(srv.URL)
	next := onServer(t, srv, first)
	var names []string
	var skips []string
	for page := 1; next != ""; page++ {
		if page > 5 {
			t.Fatal("listing does not end")
		}
		resp, body := do(t, http.MethodGet, next, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d %s: %d %s", page, next, resp.StatusCode, body)
		}
		if got, want := resp.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
			t.Errorf("page %d Content-Type %q, want %q", page, got, want)
		}
		var p participantsPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("page %d: %v in %s", page, err, body)
		}
		for _, v := range p.Value {
			names = append(names, v.DisplayName)
		}
		next = ""
		if p.NextLink != nil {
			nl, err := url.Parse(*p.NextLink)
			if err != nil {
				t.Fatalf("page %d nextLink %q: %v", page, *p.NextLink, err)
			}
			if nl.Host != srvURL.Host || nl.Scheme != "http" {
				t.Fatalf("page %d nextLink %q not rewritten to %s", page, *p.NextLink, srvURL.Host)
			}
			if !strings.Contains(*p.NextLink, "/chat/threads/19:acsV1_") || nl.Query().Get("api-version") != "2025-03-15" {
				t.Errorf("page %d nextLink %q: path or query not kept as recorded", page, *p.NextLink)
			}
			skips = append(skips, nl.Query().Get("skip"))
			next = *p.NextLink
		}
	}
	if want := []string{"user1", "user2", "user3", "user4", "user5"}; !reflect.DeepEqual(names, want) {
		t.Errorf("walked participants %v, want %v", names, want)
	}
	if want := []string{"2", "4"}; !reflect.DeepEqual(skips, want) {
		t.Errorf("nextLink skips %v, want %v", skips, want)
	}
}

func TestReplayWalksNetListing(t *testing.T) {
	es := inFile(loadShared(t), netExcerpt)
	srv := newReplay(t, es)
	first := es[4]
	if first.Operation() != OpListParticipants || !strings.Contains(first.URL, "maxPageSize=2") {
		t.Fatalf("entry 4 is %s %s, want the first page", first.Operation(), first.URL)
	}
	// Pages are told apart by query, not served in arrival order: the last
	// page asked for first is still the last page.
	resp, body := do(t, http.MethodGet, onServer(t, srv, es[6].URL), "")
	var last participantsPage
	if err := json.Unmarshal(body, &last); resp.StatusCode != http.StatusOK || err != nil ||
		len(last.Value) != 1 || last.Value[0].DisplayName != "user5" || last.NextLink != nil {
		t.Fatalf("direct page 3: %d %s", resp.StatusCode, body)
	}
	walkNetListing(t, srv, first.URL)
	// A second walk sees the same pages: paging is matched by query, not
	// by consuming entries.
	walkNetListing(t, srv, first.URL)
	// The first page also answers with the raw thread id in the path.
	walkNetListing(t, srv, strings.NewReplacer("%3A", ":", "%40", "@").Replace(first.URL))
}

// With every recording loaded together, the .NET listing still walks: no
// other file shares its thread path.
func TestReplayWalksNetListingAmongAllEntries(t *testing.T) {
	all := loadShared(t)
	srv := newReplay(t, all)
	walkNetListing(t, srv, inFile(all, netExcerpt)[4].URL)
}

func TestReplayNetLocationRewritten(t *testing.T) {
	es := inFile(loadShared(t), netExcerpt)
	srv := newReplay(t, es)
	create := es[2]
	resp, body := do(t, http.MethodPost, onServer(t, srv, create.URL), string(create.RequestBody))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	want := srv.URL + "/chat/threads/19%3AacsV1_foL-mUK9P66jE9T-ZxMBTfvWBH3ae7HOxCS__D4TtrA1@thread.v2"
	if got := resp.Header.Get("Location"); got != want {
		t.Errorf("Location %q, want %q (global gateway host replaced, path bytes kept)", got, want)
	}
	if string(body) != string(create.ResponseBody) {
		t.Errorf("body changed: %s", body)
	}
	if resp.Header.Get("Ms-Cv") != "Sanitized" || resp.Header.Get("X-Processing-Time") != "744ms" {
		t.Errorf("recorded headers not replayed: %v", resp.Header)
	}
}

func TestReplayJavaRecording(t *testing.T) {
	es := inFile(loadShared(t), javaSync)
	srv := newReplay(t, es)

	// Six identity creations share method, path and body: served in
	// recorded order, so the ids come back as recorded.
	var ids []string
	for _, e := range es {
		if e.Operation() != OpCreateIdentity {
			continue
		}
		resp, body := do(t, http.MethodPost, srv.URL+"/identities?api-version=2022-10-01", "{}")
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create identity: %d %s", resp.StatusCode, body)
		}
		if string(body) != string(e.ResponseBody) {
			t.Errorf("identity #%d: %s, want %s", e.Index, body, e.ResponseBody)
		}
		ids = append(ids, string(body))
	}
	if len(ids) != 6 {
		t.Fatalf("%d identities", len(ids))
	}

	thread := srv.URL + "/chat/threads/19%3ARqJXVIAPK8_nd9yuEA4rKsUzpiG5JSaSzf4Ak2TmcWk1%40thread.v2"
	resp, body := do(t, http.MethodPost, srv.URL+"/chat/threads?api-version=2023-11-07", string(es[5].RequestBody))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create thread: %d %s", resp.StatusCode, body)
	}
	if loc := resp.Header.Get("Location"); loc != srv.URL+"/chat/threads/19%3ARqJXVIAPK8_nd9yuEA4rKsUzpiG5JSaSzf4Ak2TmcWk1@thread.v2" {
		t.Errorf("Location %q", loc)
	}

	resp, body = do(t, http.MethodPost, thread+"/participants/:add?api-version=2023-11-07", string(es[8].RequestBody))
	if resp.StatusCode != http.StatusCreated || string(body) != "{}" || resp.ContentLength != 2 {
		t.Errorf("add: %d %q length %d, want 201 {} length 2", resp.StatusCode, body, resp.ContentLength)
	}

	// The SDK sent no paging parameters; a client that does still gets the
	// only recorded listing.
	resp, body = do(t, http.MethodGet, thread+"/participants?maxPageSize=50&api-version=2023-11-07", "")
	var p participantsPage
	if err := json.Unmarshal(body, &p); resp.StatusCode != http.StatusOK || err != nil || len(p.Value) != 4 || p.NextLink != nil {
		t.Errorf("list: %d %v %+v", resp.StatusCode, err, p)
	}

	// Two removes differ only in body; each finds its own entry, whatever
	// the order they are sent in.
	for _, i := range []int{11, 10} {
		resp, body = do(t, http.MethodPost, thread+"/participants/:remove?api-version=2023-11-07", string(es[i].RequestBody))
		if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
			t.Errorf("remove #%d: %d %q", i, resp.StatusCode, body)
		}
		if ct, ok := resp.Header["Content-Type"]; ok {
			t.Errorf("remove #%d: Content-Type %v, recorded none", i, ct)
		}
		if got := resp.Header.Get("Ms-Cv"); got != es[i].ResponseHeader.Get("MS-CV") {
			t.Errorf("remove #%d served MS-CV %q, want %q", i, got, es[i].ResponseHeader.Get("MS-CV"))
		}
	}
}

// Identical requests recorded with different outcomes replay in order, and
// error bodies go out chunked like the service sent them.
func TestReplayCLIRemoveSequence(t *testing.T) {
	es := inFile(loadShared(t), cliRemove)
	srv := newReplay(t, es)
	u := srv.URL + "/chat/threads/sanitized/participants/:remove?api-version=2021-09-07"
	req := string(es[4].RequestBody)
	var got []int
	for range 5 {
		resp, body := do(t, http.MethodPost, u, req)
		got = append(got, resp.StatusCode)
		if resp.StatusCode >= 400 {
			if !reflect.DeepEqual(resp.TransferEncoding, []string{"chunked"}) {
				t.Errorf("%d sent with Transfer-Encoding %v, want chunked", resp.StatusCode, resp.TransferEncoding)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%d Content-Type %q", resp.StatusCode, ct)
			}
			if !strings.HasPrefix(string(body), `{"CommunicationError": {"Code": `) {
				t.Errorf("%d body %s", resp.StatusCode, body)
			}
		}
	}
	if want := []int{204, 400, 204, 403, 204}; !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %v, want %v (recorded order, then cycling)", got, want)
	}
}

func TestReplayUnknownRequestIs404JSON(t *testing.T) {
	srv := newReplay(t, inFile(loadShared(t), netExcerpt))
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/chat/threads/19:nope@thread.v2/participants?api-version=2025-03-15"},
		{http.MethodPut, "/chat/threads?api-version=2025-03-15"},
		{http.MethodGet, "/"},
	} {
		resp, body := do(t, c.method, srv.URL+c.path, "")
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if resp.StatusCode != http.StatusNotFound || json.Unmarshal(body, &e) != nil || e.Error.Code != "RecordingNotFound" {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, body)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, resp.Header.Get("Content-Type"))
		}
	}
}

func TestQueryScorePrefersClosestPage(t *testing.T) {
	pages := []url.Values{
		{"maxPageSize": {"2"}, "api-version": {"v"}},
		{"skip": {"2"}, "maxPageSize": {"2"}, "api-version": {"v"}},
		{"skip": {"4"}, "maxPageSize": {"2"}, "api-version": {"v"}},
	}
	for _, c := range []struct {
		q    string
		want int
	}{
		{"maxPageSize=2&api-version=v", 0},
		{"skip=2&maxPageSize=2&api-version=v", 1},
		{"api-version=v&maxPageSize=2&skip=4", 2},
		{"skip=4&maxPageSize=2&api-version=other", 2},
		{"api-version=v", 0},
	} {
		q, _ := url.ParseQuery(c.q)
		best, bi := 0, -1
		for i, p := range pages {
			if s := queryScore(q, p); bi < 0 || s > best {
				best, bi = s, i
			}
		}
		if bi != c.want {
			t.Errorf("%s picked page %d, want %d", c.q, bi, c.want)
		}
	}
}

func TestRehost(t *testing.T) {
	for in, want := range map[string]string{
		"https://global.chat.ppe.communication.microsoft.com/chat/threads/19%3Aa@thread.v2": "http://127.0.0.1:9/chat/threads/19%3Aa@thread.v2",
		"https://REDACTED.com": "http://127.0.0.1:9",
		"HTTPS://x/p?q=1":      "http://127.0.0.1:9/p?q=1",
		"http://x?q":           "http://127.0.0.1:9?q",
		"/relative/path":       "/relative/path",
		"urn:not-a-link":       "urn:not-a-link",
	} {
		if got := rehost(in, "http", "127.0.0.1:9"); got != want {
			t.Errorf("rehost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRewriteStringValuesKeepsOtherBytes(t *testing.T) {
	in := `{ "value" : [ {"nextLink":"https://a/x"} ], "nextLink" :  "https://a/y?s=1&m=2", "n": 1.50 }`
	got := string(rewriteStringValues([]byte(in), isNextLinkKey, func(s string) string { return rehost(s, "http", "h:1") }))
	want := `{ "value" : [ {"nextLink":"http://h:1/x"} ], "nextLink" :  "http://h:1/y?s=1&m=2", "n": 1.50 }`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := string(rewriteStringValues([]byte("not json"), isNextLinkKey, strings.ToUpper)); got != "not json" {
		t.Errorf("non-JSON changed: %s", got)
	}
}
