package framework

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"golang.org/x/sync/errgroup"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
)

// In a parallel run every spec report travels from its process to the
// Ginkgo CLI, and all of them from the CLI to process 1 for the reports,
// each time encoded and decoded with every report entry: the transcripts,
// nearly all the bytes, were a third of such a run's CPU. So every process
// but the first spools its exchanges to a file of its own in a directory
// process 1 made for the run, and the spec's entry holds only a reference;
// process 1, whose own reports reach its report node in memory, puts the
// exchanges back into the report before anything reads it (unspool), so
// every report is as a serial run's.

// spooled is a transcript entry's value in a parallel run.
type spooled struct {
	Spooled string `json:"spooled"` // "process:sequence"
}

// spoolLine is one line of a spool file.
type spoolLine struct {
	Ref      string               `json:"ref"`
	Exchange *transcript.Exchange `json:"exchange"`
}

// spool is this process's spool file; nil when exchanges stay in the
// entries.
var spool *spoolFile

type spoolFile struct {
	mu   sync.Mutex
	f    *os.File
	proc int
	n    int
	err  error // the first write that failed: later exchanges stay in their entries
}

// newSpoolDir makes the run's spool directory (process 1, parallel runs
// only); its path goes to every process in the bootstrap. A run that asks
// Ginkgo for reports of its own (--json-report, --junit-report, …) does not
// spool: Ginkgo writes those from the report as the CLI gathered it, with
// the references, after the suite's report node has run.
func newSpoolDir() (string, error) {
	if _, rc := GinkgoConfiguration(); ginkgoProcesses() == 1 || rc.WillGenerateReport() {
		return "", nil
	}
	return os.MkdirTemp("", "chatconform-transcripts-")
}

// openSpool opens this process's spool file in dir ("", and process 1,
// leave exchanges in their entries).
func openSpool(dir string, proc int) error {
	if dir == "" || proc == 1 || spool != nil {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(proc)+".jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening the transcript spool: %w", err)
	}
	spool = &spoolFile{f: f, proc: proc}
	return nil
}

// write appends ex, one line written at once (a process that dies keeps
// what it wrote), and returns its reference; ok is false when the spool
// cannot be written, and the exchange then stays in its entry.
func (s *spoolFile) write(ex *transcript.Exchange) (ref string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return "", false
	}
	s.n++
	ref = strconv.Itoa(s.proc) + ":" + strconv.Itoa(s.n)
	line, err := json.Marshal(spoolLine{Ref: ref, Exchange: ex})
	if err == nil {
		_, err = s.f.Write(append(line, '\n'))
	}
	if err != nil {
		s.err = err
		return "", false
	}
	return ref, true
}

// recordExchange attaches every exchange to the running node's report, so
// JUnit, JSON and HTML reports all come from one source: by reference when
// this process spools.
func recordExchange(ex *transcript.Exchange) {
	if spool != nil {
		if ref, ok := spool.write(ex); ok {
			AddReportEntry(outcome.EntryTranscript, spooled{ref}, ReportEntryVisibilityNever)
			return
		}
	}
	AddReportEntry(outcome.EntryTranscript, ex, ReportEntryVisibilityNever)
}

// unspool puts every spooled exchange of r back into its entry and removes
// the spool directory. An exchange no spool holds (its process died before
// writing it) is shown as lost, so that its spec still counts the request.
func unspool(r types.Report, dir string) types.Report {
	if dir == "" {
		return r
	}
	defer os.RemoveAll(dir)
	exchanges, err := readSpools(dir)
	for i := range r.SpecReports {
		entries := r.SpecReports[i].ReportEntries
		for j := range entries {
			e := &entries[j]
			if e.Name != outcome.EntryTranscript {
				continue
			}
			ref, ok := e.GetRawValue().(spooled)
			if !ok {
				if !strings.HasPrefix(e.Value.AsJSON, `{"spooled":`) {
					continue // the exchange itself
				}
				_ = json.Unmarshal([]byte(e.Value.AsJSON), &ref)
			}
			ex := exchanges[ref.Spooled]
			if ex == nil {
				why := "its process ended before writing it"
				if err != nil {
					why = err.Error()
				}
				ex = &transcript.Exchange{Err: "transcript lost: " + why, Start: e.Time}
			}
			e.Value = types.WrapEntryValue(ex)
		}
	}
	return r
}

// readSpools reads every process's spool in dir, each file on its own
// goroutine, by reference.
func readSpools(dir string) (map[string]*transcript.Exchange, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	parts := make([]map[string]*transcript.Exchange, len(files))
	var g errgroup.Group
	for i, name := range files {
		g.Go(func() error {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			m := map[string]*transcript.Exchange{}
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 0, 1<<20), 64<<20) // an exchange holds bodies of up to transcript.MaxRecordedBody, escaped
			for sc.Scan() {
				var l spoolLine
				if json.Unmarshal(sc.Bytes(), &l) == nil && l.Exchange != nil {
					m[l.Ref] = l.Exchange
				}
			}
			parts[i] = m
			return sc.Err()
		})
	}
	err = g.Wait()
	all := map[string]*transcript.Exchange{}
	for _, m := range parts {
		for k, v := range m {
			all[k] = v
		}
	}
	return all, err
}
