package realworld

import (
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/recordings"
	"github.com/chatconform/chatconform/internal/wire"
)

// Recording files the tests single out (paths relative to the recordings dir).
const (
	netExcerpt   = "net/Thread_CGUD__Participant_AUR__Message_GSU__Notification_T.EXCERPT.json"
	javaSync     = "java/ChatThreadClientTest.canAddListAndRemoveParticipants[1].json"
	javaAsync    = "java/ChatThreadAsyncClientTest.canAddSingleParticipantWithMetadataAsync[1].json"
	cliBadUser   = "azure-cli/test_chat_add_participant_bad_user.yaml"
	cliBadThread = "azure-cli/test_chat_list_participants_bad_thread_id.yaml"
	cliRemove    = "azure-cli/test_chat_remove_participants.yaml"
	jsAdd        = "js/recording_successfully_adds_participants.json"
	jsDelete     = "js/recording_successfully_deletes_a_thread.json"
	jsList       = "js/recording_successfully_lists_participants.json"
	pyPrefix     = "python/test_chat_thread_client_e2e.pyTestChatThreadClienttest_"
	pyAdd        = pyPrefix + "add_participants.json"
	pyList       = pyPrefix + "list_participants.json"
	pyRemove     = pyPrefix + "remove_participant.json"
)

// loadRecordings loads every shared recording, or skips when the reference
// data is not beside the module.
func loadRecordings(t *testing.T) []recordings.Entry {
	t.Helper()
	dir, ok := recordings.Dir()
	if !ok {
		t.Skip("reference data not available: ../shared/reference/recordings is not beside the module root; these tests judge the oracles against the live service's recorded traffic")
	}
	entries, err := recordings.Load(dir)
	if err != nil {
		t.Fatalf("loading the recordings: %v", err)
	}
	return entries
}

func inFile(entries []recordings.Entry, file string) []recordings.Entry {
	var out []recordings.Entry
	for _, e := range entries {
		if e.File == file {
			out = append(out, e)
		}
	}
	return out
}

// embeddedSpecs loads the embedded document of each certified api-version.
func embeddedSpecs(t *testing.T) map[string]*openapi.Spec {
	t.Helper()
	out := map[string]*openapi.Spec{}
	for _, v := range wire.SupportedChatVersions {
		s, err := openapi.Load(v, "")
		if err != nil {
			t.Fatalf("embedded document for %s: %v", v, err)
		}
		out[v] = s
	}
	return out
}

// requestPath is the escaped path of an entry's URL.
func requestPath(t *testing.T, e recordings.Entry) string {
	t.Helper()
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatalf("%s#%d: URL %q: %v", e.File, e.Index, e.URL, err)
	}
	return u.EscapedPath()
}

// newLoopbackServer starts an httptest server on 127.0.0.1 only (never on
// all interfaces, never on IPv6 by fallback).
func newLoopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on 127.0.0.1: %v", err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// stringsAt collects every string value of member name anywhere in a JSON
// document (members visited in sorted order, arrays in order).
func stringsAt(body []byte, name string) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				if s, ok := t[k].(string); ok && k == name {
					out = append(out, s)
					continue
				}
				walk(t[k])
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// hasKey reports whether member name occurs anywhere in a JSON document.
func hasKey(body []byte, name string) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if k == name || walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range t {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
