package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/catalogue"
)

func TestResults(t *testing.T) {
	dir := write(t, fixtureReport(), fixtureMeta())
	var r Results
	if err := json.Unmarshal([]byte(read(t, dir, FileResults)), &r); err != nil {
		t.Fatal(err)
	}
	if err := r.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	if r.Schema != ResultsSchema || r.SuiteVersion != "v1.2.3" || r.APIVersion != "2024-03-07" || r.Mode != "connection string" || r.Strict {
		t.Errorf("header fields: %+v", r)
	}
	if r.Endpoint != endpoint {
		t.Errorf("endpoint = %q, want the origin %q (no path, no query)", r.Endpoint, endpoint)
	}
	if r.Spec.Source != "embedded:chat-2024-03-07.yaml" || r.Spec.Digest != "sha256:0123456789abcdef" {
		t.Errorf("spec = %+v", r.Spec)
	}
	if r.Config["CHAT_API_VERSION"] != "2024-03-07" {
		t.Errorf("config = %v", r.Config)
	}
	if !r.StartTime.Equal(t0) || !r.EndTime.Equal(t0.Add(3*time.Second)) {
		t.Errorf("times %v → %v", r.StartTime, r.EndTime)
	}
	if r.Verdict != NotConformant {
		t.Errorf("verdict = %s", r.Verdict)
	}
	// 3 (ADD-01) + 2 (ADD-02) + 1 (LIST-03) + 2 (PAGE-01); one retried.
	if r.Totals.Requests != 8 || r.Totals.Retries != 1 {
		t.Errorf("totals requests=%d retries=%d, want 8 and 1", r.Totals.Requests, r.Totals.Retries)
	}
	n := len(catalogue.All())
	if r.Totals.Assertions != n || len(r.Assertions) != n || r.Totals.Specs != 5 {
		t.Errorf("totals %+v, %d assertions", r.Totals, len(r.Assertions))
	}
	if r.Totals.Failed != 1 || r.Totals.Error != 1 || r.Totals.Warned != 1 || r.Totals.Passed != 1 || r.Totals.Skipped != n-4 {
		t.Errorf("outcome totals %+v", r.Totals)
	}
	want := map[string]string{"ADD-01": "failed", "ADD-02": "passed", "LIST-03": "warned", "ERR-03": "skipped", "PAGE-01": "error", "ADD-12": "skipped"}
	for id, o := range want {
		if r.Assertions[id].Outcome != o {
			t.Errorf("%s outcome %s, want %s", id, r.Assertions[id].Outcome, o)
		}
	}
	add := r.Assertions["ADD-01"]
	if add.Tier != "must" || add.Area != "add" || add.Requests != 3 || add.DurationSeconds != 0.12 ||
		len(add.Specs) != 1 || !strings.HasPrefix(add.Specs[0], "[ADD-01] ") || len(add.Messages) != 1 {
		t.Errorf("ADD-01 = %+v", add)
	}
	if a := r.Assertions["ADD-02"]; a.Retries != 1 || a.Requests != 2 {
		t.Errorf("ADD-02 = %+v", a)
	}
	if a := r.Assertions["ERR-03"]; len(a.Messages) != 1 || !strings.Contains(a.Messages[0], "ACS_CONNECTION_STRING") {
		t.Errorf("ERR-03 skip reason: %+v", a)
	}
	if a := r.Assertions["ADD-12"]; len(a.Messages) != 1 || !strings.Contains(a.Messages[0], "no spec") || a.Specs == nil {
		t.Errorf("ADD-12 (not run) = %+v", a)
	}

	r.Verdict = Conformant
	if err := r.Check(); err == nil {
		t.Error("Check accepted a verdict its assertions contradict")
	}
}
