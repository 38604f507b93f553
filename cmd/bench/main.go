// Command bench measures the conformance suite's speed against the
// physical lower bounds of each setting and prints one table (see
// docs/performance.md, which `-write` rewrites):
//
//  1. the whole suite against its embedded reference server, serially and
//     with -p: wall time, requests, requests/s, peak RSS;
//  2. against the reference server with a round-trip latency (50 ms) at
//     several process counts: wall time over the critical-path bound;
//  3. against the reference server enforcing the ACS rate limits: wall time
//     over the bound the limits imply for the requests made, and the false
//     failures (every assertion that failed or errored: the server is clean);
//  4. the Go benchmarks of schema validation and of the paging oracle.
//
// Run it from the module root: go run ./cmd/bench [-write docs/performance.md].
// These are measurements, not tests: nothing fails because a machine is slow.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	chatconfig "github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/perf"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	write        string
	latency      time.Duration
	latencyProcs []int
	limitsProcs  int
	manualScale  float64
	manualProcs  int
	remoteRPS    float64
	parts        map[string]bool
	keep         bool
}

// allParts are the measurements, in the order they run.
var allParts = []string{"embedded", "latency", "remote-rps", "limits", "one-user", "gobench"}

// want reports whether the part is to run.
func (c *config) want(part string) bool { return c.parts[part] }

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	fs.StringVar(&c.write, "write", "", "rewrite this Markdown file (docs/performance.md) with the results")
	fs.DurationVar(&c.latency, "latency", 50*time.Millisecond, "round-trip latency of the latency and limits runs")
	procs := fs.String("latency-procs", "4,8,16", "process counts to try against the latency server (the best is reported)")
	fs.IntVar(&c.limitsProcs, "limits-procs", 0, "processes of the ACS-limits run with minted users (0: the best latency count)")
	fs.Float64Var(&c.manualScale, "manual-scale", 10, "RateLimitScale of the one-user ACS-limits run (1: the documented windows)")
	fs.IntVar(&c.manualProcs, "manual-procs", 1, "processes of the one-user ACS-limits run")
	fs.Float64Var(&c.remoteRPS, "remote-rps", chatconfig.RemoteDefaultMaxRPS, "CHAT_MAX_RPS of the remote-rps run (the suite's default against a non-loopback endpoint)")
	only := fs.String("only", strings.Join(allParts, ","), "the measurements to make: "+strings.Join(allParts, ", "))
	fs.BoolVar(&c.keep, "keep", false, "keep the runs' report directories")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	for _, s := range strings.Split(*procs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-latency-procs: %q is not a process count", s)
		}
		c.latencyProcs = append(c.latencyProcs, n)
	}
	c.parts = map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(allParts, p) {
			return nil, fmt.Errorf("-only: unknown measurement %q (want some of %s)", p, strings.Join(allParts, ", "))
		}
		c.parts[p] = true
	}
	if c.latency <= 0 {
		return nil, fmt.Errorf("-latency must be positive")
	}
	if c.manualScale < 1 {
		return nil, fmt.Errorf("-manual-scale must be at least 1")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	root, err := suiterun.ModuleRoot()
	if err != nil {
		return err
	}
	began := time.Now()
	b := &bench{cfg: cfg, cpus: runtime.NumCPU(), started: began}
	b.machine = describeMachine(ctx, root) // before the runs: the load average is the machine's own

	logf("building the suite and the Ginkgo CLI …")
	t := time.Now()
	suite, err := suiterun.Build()
	if err != nil {
		return err
	}
	defer suiterun.Cleanup()
	b.build = time.Since(t)
	gk, err := ginkgoPath(ctx, root)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "chatconform-bench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		logf("report directories kept in %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	x := &runner{ginkgo: gk, suite: suite, work: work, log: logf}

	if cfg.want("embedded") {
		// 1. The embedded server: serial, then -p.
		b.serial = &suiteRun{Name: "embedded, serial"}
		b.parallel = &suiteRun{Name: "embedded, -p", Procs: -1}
		for _, r := range []*suiteRun{b.serial, b.parallel} {
			if err := x.run(ctx, r); err != nil {
				return err
			}
		}
	}
	if cfg.want("latency") {
		// 2. Latency, limits off (ERR-07 needs limits, so it is not run).
		for _, p := range cfg.latencyProcs {
			r := &suiteRun{Name: fmt.Sprintf("latency %s, procs %d", cfg.latency, p), Procs: p, Latency: cfg.latency,
				Env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "0"}}
			if err := x.withServer(refserver.Options{Latency: cfg.latency}, func(s *perf.Server) error {
				r.Server = s
				return x.run(ctx, r)
			}); err != nil {
				return err
			}
			b.latency = append(b.latency, r)
		}
	}
	bestProcs := func(def int) int {
		if def > 0 {
			return def
		}
		if best := b.bestLatency(); best != nil {
			return best.Procs
		}
		return cfg.latencyProcs[len(cfg.latencyProcs)-1]
	}
	if cfg.want("remote-rps") && cfg.remoteRPS > 0 {
		// 2b. The same latency with the request-rate cap the suite applies
		// by default to any endpoint that is not on loopback.
		p := bestProcs(0)
		b.remote = &suiteRun{Name: fmt.Sprintf("latency %s + CHAT_MAX_RPS %g, procs %d", cfg.latency, cfg.remoteRPS, p), Procs: p, Latency: cfg.latency,
			Env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "0", "CHAT_MAX_RPS": strconv.FormatFloat(cfg.remoteRPS, 'g', -1, 64)}}
		if err := x.withServer(refserver.Options{Latency: cfg.latency}, func(s *perf.Server) error {
			b.remote.Server = s
			return x.run(ctx, b.remote)
		}); err != nil {
			return err
		}
	}
	if cfg.want("limits") {
		// 3a. The ACS limits and the same latency, users minted as usual.
		procs := bestProcs(cfg.limitsProcs)
		b.limits = &suiteRun{Name: fmt.Sprintf("ACS limits + %s, procs %d", cfg.latency, procs), Procs: procs, Latency: cfg.latency,
			Env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "1"}}
		if err := x.withServer(refserver.Options{RateLimits: refserver.RateLimitsACS, Latency: cfg.latency}, func(s *perf.Server) error {
			b.limits.Server = s
			return x.run(ctx, b.limits)
		}); err != nil {
			return err
		}
	}
	if cfg.want("one-user") {
		// 3b. The ACS limits with one acting user (manual-token mode): the
		// limits bite, so the limit bound dominates.
		b.manual = &suiteRun{Name: fmt.Sprintf("ACS limits ÷%g, one user", cfg.manualScale), Procs: cfg.manualProcs}
		if cfg.manualProcs <= 1 {
			b.manual.Procs = 0
		}
		opts := refserver.Options{RateLimits: refserver.RateLimitsACS, RateLimitScale: cfg.manualScale}
		if err := x.withServer(opts, func(s *perf.Server) error {
			m, err := s.MintManual(ctx)
			if err != nil {
				return err
			}
			b.manual.Server = s
			b.manual.Env = m.Env()
			b.manual.Env["CHAT_RATE_LIMIT_TESTS"] = "1"
			return x.run(ctx, b.manual)
		}); err != nil {
			return err
		}
	}
	if cfg.want("gobench") {
		// 4. Go benchmarks.
		logf("go benchmarks …")
		if b.goBench, _, err = runGoBench(ctx, root); err != nil {
			return err
		}
	}
	b.total = time.Since(began)

	fmt.Fprint(stdout, b.table())
	fmt.Fprint(stdout, b.details())
	if cfg.write != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.write), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(cfg.write, []byte(b.document()), 0o644); err != nil {
			return err
		}
		logf("wrote %s", cfg.write)
	}
	return nil
}

// withServer serves the reference server with opts for the duration of f.
func (x *runner) withServer(opts refserver.Options, f func(*perf.Server) error) error {
	s, err := perf.Serve(opts)
	if err != nil {
		return err
	}
	defer s.Close()
	return f(s)
}
