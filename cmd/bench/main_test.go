package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/limits"
	"github.com/chatconform/chatconform/internal/perf"
	"github.com/chatconform/chatconform/internal/procs"
	"github.com/chatconform/chatconform/internal/report"
)

func TestParseGoBench(t *testing.T) {
	out := []byte(`goos: linux
goarch: amd64
pkg: github.com/chatconform/chatconform/internal/contract
cpu: Intel(R) Xeon(R) Processor
BenchmarkValidateListPage250-2       	    1436	    893375 ns/op	  82.64 MB/s	  388704 B/op	    6049 allocs/op
BenchmarkValidateSchemaAddResult-2   	  169003	      7096 ns/op	    1897 B/op	      32 allocs/op
PASS
ok  	github.com/chatconform/chatconform/internal/contract	3.1s
BenchmarkPagingOracle 5000 228012.5 ns/op 142469 B/op 1018 allocs/op
BenchmarkBroken-2 notanumber 1 ns/op
`)
	got := parseGoBench(out)
	want := []benchResult{
		{"BenchmarkValidateListPage250", 1436, 893375, 82.64, 388704, 6049},
		{"BenchmarkValidateSchemaAddResult", 169003, 7096, 0, 1897, 32},
		{"BenchmarkPagingOracle", 5000, 228012.5, 0, 142469, 1018},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseFlags(t *testing.T) {
	c, err := parseFlags([]string{"-latency-procs", "2, 6", "-only", "latency,gobench"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.latencyProcs) != 2 || c.latencyProcs[1] != 6 || !c.want("latency") || c.want("embedded") || c.latency != 50*time.Millisecond {
		t.Errorf("config %+v", c)
	}
	if c, err := parseFlags([]string{"-all-procs", "16,32"}, io.Discard); err != nil || len(c.allProcs) != 2 || c.allProcs[1] != 32 || !c.want("all-versions") {
		t.Errorf("-all-procs: %+v, %v", c, err)
	}
	for _, bad := range [][]string{{"-latency-procs", "0"}, {"-all-procs", "x"}, {"-only", "nope"}, {"-manual-scale", "0.5"}, {"extra"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// A bench with made-up results renders one aligned table, judges the
// targets, and documents the machine and the command.
func TestTableAndDocument(t *testing.T) {
	cfg, err := parseFlags([]string{"-write", "docs/performance.md"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	l := limits.ACS(10)
	run := func(name string, procs int, wall time.Duration, latency time.Duration, path perf.CriticalPath) *suiteRun {
		r := &suiteRun{Name: name, Procs: procs, Wall: wall, Latency: latency, Path: path, MaxRSS: 50 << 20}
		r.Results.Totals = report.Totals{Requests: 500, Retries: 3}
		return r
	}
	path := perf.CriticalPath{Setup: 5, SpecChain: 19, Teardown: 5, Spec: "[ERR-09] x", Specs: 53, Work: 263}
	one := run("ACS limits ÷10, one user", 0, 14560*time.Millisecond, 0, perf.CriticalPath{SpecChain: 13})
	one.Limited = []perf.Resource{{Key: "threads/8:acs:u", Rules: []limits.Rule{l.ThreadsPerUser}, Requests: 142}}
	one.Results.Totals.Failed = 1
	serial := run("embedded, serial", 0, 600*time.Millisecond, 0, path)
	serialAll := run("all versions, embedded, serial", 0, 4*time.Second, 0, path)
	allPath := perf.CriticalPath{Setup: 0, SpecChain: 11, Teardown: 1, Spec: "[PAGE-01] x", Specs: 624, Work: 1900}
	b := &bench{
		cfg: cfg, cpus: 2, total: 40 * time.Second, build: 2 * time.Second,
		machine:  machine{CPU: "Test CPU", Cores: 2, GoVersion: "go1.26.8", OS: "linux/amd64", Date: "2025-01-02", Load: "0.10 0.20 0.30"},
		embedded: &embeddedSet{serial: serial, parallel: run("embedded, -p", -1, 2900*time.Millisecond, 0, path), def: serial, chosen: procs.Choice{Procs: 1}},
		chosen:   procs.Choice{Procs: 8, Why: "round trip 50ms"},
		latency: []*suiteRun{
			run("latency 50ms, procs 4", 4, 4*time.Second, 50*time.Millisecond, path),
			run("latency 50ms, procs 8", 8, 2*time.Second, 50*time.Millisecond, path),
		},
		remoteChosen: procs.Choice{Procs: 8},
		remote:       run("latency 50ms + CHAT_MAX_RPS 20, procs 8", 8, 11*time.Second, 50*time.Millisecond, path),
		limits:       run("ACS limits + 50ms, procs 8", 8, 3*time.Second, 50*time.Millisecond, path),
		manual:       one,
		embeddedAll: &embeddedSet{serial: serialAll, parallel: run("all versions, embedded, -p", -1, 9*time.Second, 0, path),
			def: run("all versions, embedded, default (procs 3)", 3, 5*time.Second, 0, path), chosen: procs.Choice{Procs: 3}},
		chosenAll:  procs.Choice{Procs: 16, Why: "6 api-version(s)"},
		latencyAll: []*suiteRun{run("all versions, latency 50ms, procs 16", 16, 7*time.Second, 50*time.Millisecond, allPath)},
		goBench:    []benchResult{{Name: "BenchmarkValidateListPage250", NsPerOp: 1.2e6, AllocsPerOp: 6049, BytesPerOp: 388704, MBPerSec: 80}},
	}
	b.stateful = run("STATE-01, embedded, serial", 0, 400*time.Millisecond, 0, perf.CriticalPath{SpecChain: 250})
	b.statefulLatency = run("STATE-01, latency 50ms, serial", 0, 1500*time.Millisecond, 50*time.Millisecond, perf.CriticalPath{SpecChain: 25})
	b.statefulLimits = run("STATE-01, ACS limits ÷10, one user", 0, 5400*time.Millisecond, 0, perf.CriticalPath{SpecChain: 250})
	b.statefulLimits.Limited = []perf.Resource{{Key: "threads/8:acs:u", Rules: []limits.Rule{l.ThreadsPerUser}, Requests: 52}}
	b.statefulLimits.Server = &perf.Server{Counter: perf.NewCounter(l)}
	b.latencyAll[0].Phases = perf.Phases{Setup: time.Second, Specs: 5 * time.Second, Teardown: 500 * time.Millisecond}
	b.latencyAll[0].CPU, b.latencyAll[0].ServerCPU = 3*time.Second, time.Second
	b.remote.Nodes = []perf.Node{{Type: types.NodeTypeIt, Text: "[ERR-09] corpus", Exchanges: make([]perf.Exchange, 216)}}
	b.manual.Server = &perf.Server{Counter: perf.NewCounter(l)}
	b.limits.Server = &perf.Server{Counter: perf.NewCounter(l)}

	table := b.table()
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	if len(lines) != 2+16 {
		t.Fatalf("%d lines:\n%s", len(lines), table)
	}
	width := len([]rune(lines[0]))
	for _, line := range lines {
		if len([]rune(line)) != width {
			t.Errorf("not aligned:\n%s", table)
			break
		}
	}
	for _, want := range []string{
		"| embedded, -p ", "-p (2)", "2.90 s",
		"| embedded, default = serial ", "≤ serial (same run), < 3.00 s", // the default is the serial run
		"latency 50ms, procs 8 (default, best)", "1.45 s (29 × 50ms)", "1.38×", "≤ 2.0×", // 2 s over 29 × 50 ms
		"all versions, embedded, default (procs 3)", "≤ serial, < 10.00 s", // 5 s is slower than serial's 4 s
		"all versions, latency 50ms, procs 16 (default)", "0.60 s (12 × 50ms)", "11.67×", "≤ 2.5×",
		"0 (limits never bind)",
		"8.80 s (216 req at 20/s)", "1.25×",
		"14.00 s (142 req on create/delete per user)", "1.04×", "| NO ", // one false failure
		"1.20 ms/op", "6049 allocs/op",
		"| STATE-01, embedded, serial ", "0, < 30 s",
		"| STATE-01, latency 50ms, serial ", "1.25 s (25 × 50ms)", "1.20×",
		"5.00 s (52 req on create/delete per user)", "1.08×", // 5.4 s over 5 windows of 1 s
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	doc := b.document()
	for _, want := range []string{"# Performance", "Test CPU, 2 cores, go1.26.8", "2025-01-02", "0.10 0.20 0.30",
		"`go run ./cmd/bench -write docs/performance.md`", table, "Critical path of", "## The lower bounds", goBenchCommand(),
		"All versions (supported): critical path", "= 12 requests (× 50ms = 0.60 s); one version's: 29.", "1900 chained requests in all (7.2× one version's 263)", "work bound", "Several api-versions",
		"wall 7.00 s = 0.50 s outside the suite's nodes (process start-up, the reports) + 1.00 s setup + 5.00 s specs (work bound 6.00 s) + 0.50 s teardown",
		"CPU: 3.00 s in the suite's processes + 1.00 s in the server = 4.00 s, so on 2 cores the run needs at least 2.00 s (CPU bound);",
		"2.5× the critical path is 1.50 s, less than the time outside the specs alone (2.00 s), and less than the work bound at 16 processes (6.00 s), and less than the CPU bound (2.00 s)."} {
		if !strings.Contains(doc, want) {
			t.Errorf("the document lacks %q:\n%s", want, doc)
		}
	}
}
