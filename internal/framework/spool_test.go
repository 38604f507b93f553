package framework

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
)

// What another process spooled comes back into its entries whole, what
// process 1 kept in memory stays, and a reference no spool holds becomes a
// lost exchange, still one request of its spec; the directory goes.
func TestUnspool(t *testing.T) {
	dir := t.TempDir()
	s := &spoolFile{proc: 2}
	f, err := os.OpenFile(filepath.Join(dir, "2.jsonl"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s.f = f
	ex := &transcript.Exchange{Method: "GET", URL: "http://h/chat/threads/t/participants?api-version=2025-03-15", Status: 200,
		ResponseBody: `{"value":[]}`, Retried: "429", Start: time.Unix(1, 0).UTC(), Duration: time.Millisecond}
	ref, ok := s.write(ex)
	if !ok || ref != "2:1" {
		t.Fatalf("write: %q %v", ref, ok)
	}
	f.Close()
	asRead := func(ref string) types.ReportEntry { // as it arrives from the CLI
		b, _ := json.Marshal(spooled{ref})
		var v types.ReportEntryValue
		wrapped, _ := json.Marshal(map[string]string{"AsJSON": string(b), "Representation": ""})
		if err := json.Unmarshal(wrapped, &v); err != nil {
			t.Fatal(err)
		}
		return types.ReportEntry{Name: outcome.EntryTranscript, Value: v}
	}
	own := &transcript.Exchange{Method: "POST", URL: "http://h/identities"}
	r := types.Report{SpecReports: types.SpecReports{{ReportEntries: types.ReportEntries{
		asRead("2:1"), asRead("3:7"),
		{Name: outcome.EntryTranscript, Value: types.WrapEntryValue(own)},
		{Name: outcome.EntrySeed, Value: types.WrapEntryValue("42")},
	}}}}
	r = unspool(r, dir)
	es := r.SpecReports[0].ReportEntries
	if got, ok := es[0].GetRawValue().(*transcript.Exchange); !ok || got.URL != ex.URL || got.ResponseBody != ex.ResponseBody || got.Retried != "429" || !got.Start.Equal(ex.Start) {
		t.Errorf("spooled exchange back as %#v", es[0].GetRawValue())
	}
	if got, ok := es[1].GetRawValue().(*transcript.Exchange); !ok || got.Err == "" {
		t.Errorf("a reference no spool holds: %#v", es[1].GetRawValue())
	}
	if es[2].GetRawValue() != own || es[3].GetRawValue() != "42" {
		t.Errorf("entries in memory changed: %#v %#v", es[2].GetRawValue(), es[3].GetRawValue())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the spool directory is still there: %v", err)
	}
}
