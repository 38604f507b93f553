package suiterun_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/perf"
	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// In a parallel run without reports of Ginkgo's own, the processes spool
// their transcripts (internal/framework/spool.go): the suite's report.json
// still holds every exchange whole, as many as results.json counts, and
// the spool directory is gone.
func TestParallelRunSpoolsTranscripts(t *testing.T) {
	bin := suitetest.Build(t, "runs the paging specs in three processes")
	srv := suitetest.Server(t, nil)
	root, err := suiterun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir, tmp := t.TempDir(), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "tool", "ginkgo", "--procs=3", "--randomize-all", "--no-color", "--label-filter=paging", bin)
	cmd.Dir = root
	cmd.Env = append(suiterun.Env(map[string]string{"ACS_CONNECTION_STRING": srv.ConnectionString(), "CHAT_REPORT_DIR": dir,
		"CHAT_API_VERSION": wire.APIVersionLatest, "CHAT_TIMEOUT": "10s"}), "TMPDIR="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the run failed: %v\n%s", err, out)
	}
	rep, err := perf.LoadReport(filepath.Join(dir, report.FileGinkgo))
	if err != nil {
		t.Fatal(err)
	}
	exchanges, procs := 0, map[int]bool{}
	for _, sr := range rep.SpecReports {
		for _, e := range sr.ReportEntries {
			if e.Name != outcome.EntryTranscript {
				continue
			}
			exchanges++
			var ex struct {
				Method string `json:"method"`
				URL    string `json:"url"`
				Err    string `json:"error"`
			}
			if err := json.Unmarshal([]byte(e.Value.AsJSON), &ex); err != nil || ex.Method == "" || ex.URL == "" || strings.Contains(ex.Err, "transcript lost") {
				t.Fatalf("process %d, %s: a transcript entry that is no whole exchange: %.200s (%v)", sr.ParallelProcess, sr.LeafNodeText, e.Value.AsJSON, err)
			}
			procs[sr.ParallelProcess] = true
		}
	}
	if len(procs) < 2 {
		t.Errorf("transcripts from %d processes, want the other processes' too", len(procs))
	}
	if res := suitetest.ReadResults(t, dir); res.Totals.Requests != exchanges || exchanges == 0 {
		t.Errorf("report.json holds %d exchanges, results.json counts %d requests", exchanges, res.Totals.Requests)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "chatconform-transcripts-*")); len(left) > 0 {
		t.Errorf("the spool directory is left behind: %v", left)
	}
	_ = os.RemoveAll(tmp)
}
