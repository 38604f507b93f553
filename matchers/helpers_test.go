package matchers_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"

	"github.com/chatconform/chatconform/fixtures/sharedref"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// TestMain gives Gomega a fail handler: every assertion in these tests runs
// inside InterceptGomegaFailures, so one outside it is a bug in the test.
func TestMain(m *testing.M) {
	gomega.RegisterFailHandler(func(message string, _ ...int) {
		panic("assertion outside InterceptGomegaFailures: " + message)
	})
	os.Exit(m.Run())
}

// failures runs assertions and returns the failure messages Gomega would
// have reported, so tests can compare them exactly.
func failures(f func()) []string { return gomega.InterceptGomegaFailures(f) }

// expectOneFailure asserts that f fails exactly once with want.
func expectOneFailure(t *testing.T, want string, f func()) {
	t.Helper()
	got := failures(f)
	if len(got) != 1 {
		t.Fatalf("want 1 failure, got %d: %q", len(got), got)
	}
	if got[0] != want {
		t.Errorf("failure message\n--- got:\n%s\n--- want:\n%s", got[0], want)
	}
}

// expectNoFailure asserts that f does not fail.
func expectNoFailure(t *testing.T, f func()) {
	t.Helper()
	if got := failures(f); len(got) > 0 {
		t.Errorf("unexpected failure:\n%s", strings.Join(got, "\n---\n"))
	}
}

func mustSpec(t testing.TB, version, path string) *openapi.Spec {
	t.Helper()
	s, err := openapi.Load(version, path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// response builds a recorded response the way the client records one.
func response(method, url string, status int, header http.Header, body string) *transcript.Response {
	return &transcript.Response{
		Status: status,
		Header: header,
		Body:   []byte(body),
		Exchange: &transcript.Exchange{
			Method:         method,
			URL:            url,
			RequestHeader:  http.Header{"Authorization": {"Bearer " + transcript.Redacted}},
			Status:         status,
			ResponseHeader: header,
			ResponseBody:   body,
			Duration:       12 * time.Millisecond,
		},
	}
}

const (
	threadURL = "https://contoso.communication.azure.com/chat/threads/19%3Aabc%40thread.v2"
	addURL    = threadURL + "/participants/:add?api-version=2024-03-07"
	listURL   = threadURL + "/participants?maxPageSize=2&api-version=2024-03-07"
)

var (
	jsonHeader     = http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	jsonBareHeader = http.Header{"Content-Type": {"application/json"}}
)

// Bodies copied from the live recordings in ../shared/reference/recordings.
const (
	recordedListPage   = `{"value": [{"communicationIdentifier": {"rawId": "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b3cc-a381-094822006994", "communicationUser": {"id": "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b3cc-a381-094822006994"}}, "displayName": "user5", "shareHistoryTime": "1970-01-01T00:00:00Z"}]}`
	recordedAddPartial = `{"invalidParticipants": [{"code": "403", "message": "Permissions check failed", "target": "8:acs:00000000-1111-2222-3333-444444444444_55555555-6666-7777-8888-999999999999"}]}`
	recordedLegacy400  = `{"CommunicationError": {"Code": "BadRequest", "Message": "Identifier format is invalid (8:acs:fakeid===).", "Details": []}}`
	recordedLegacy403  = `{"CommunicationError": {"Code": "Forbidden", "Message": "The initiator doesn't have the permission to perform the requested operation.", "Details": []}}`
	recordedLegacy404  = `{"CommunicationError": {"Code": "NotFound", "Details": []}}`
)

// officialExample is one example file of the published documents.
type officialExample struct {
	Version    string
	File       string
	Parameters map[string]json.RawMessage `json:"parameters"`
	Responses  map[string]struct {
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"responses"`
}

// officialExamples loads every example of both api-versions, or skips.
func officialExamples(t *testing.T) []officialExample {
	t.Helper()
	specs := sharedref.Dir(t, "reference", "specs", "Chat")
	var out []officialExample
	for _, v := range wire.SupportedChatVersions {
		track := "stable"
		if strings.HasSuffix(v, "-preview") {
			track = "preview"
		}
		files, _ := filepath.Glob(filepath.Join(specs, track, v, "examples", "*.json"))
		if len(files) == 0 {
			t.Fatalf("no examples for %s", v)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ex := officialExample{Version: v, File: filepath.Base(f)}
			if err := json.Unmarshal(data, &ex); err != nil {
				t.Fatal(err)
			}
			out = append(out, ex)
		}
	}
	return out
}

// publishedSpec loads the published document of version, or skips (the
// 2021 ones with Common/stable/2022-07-13 standing in for their missing
// Common document, see sharedref.PublishedChatSpec).
func publishedSpec(t *testing.T, version string) *openapi.Spec {
	t.Helper()
	return mustSpec(t, version, sharedref.PublishedChatSpec(t, version))
}
