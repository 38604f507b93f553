// Command bench measures the conformance suite's speed against the
// physical lower bounds of each setting and prints one table (see
// docs/performance.md, which `-write` rewrites):
//
//  1. the whole suite against its embedded reference server, serially, with
//     -p and with the default process count (chatconform procs): wall time,
//     requests, requests/s, peak RSS;
//  2. against the reference server with a round-trip latency (50 ms) at
//     several process counts: wall time over the critical-path bound;
//  3. against the reference server enforcing the ACS rate limits: wall time
//     over the bound the limits imply for the requests made, and the false
//     failures (every assertion that failed or errored: the server is clean);
//  4. the Go benchmarks of schema validation and of the paging oracle.
//
// Those rows certify one api-version (2025-03-15); the all-versions rows
// certify every version the server lists (CHAT_API_VERSION=supported, six
// against the reference server): embedded serial against the default, and
// the latency run at the default count.
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
	"github.com/chatconform/chatconform/internal/procs"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/wire"
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
	allProcs     []int // latency runs of all versions, besides the default count
	parts        map[string]bool
	keep         bool
}

// allParts are the measurements, in the order they run.
var allParts = []string{"embedded", "latency", "remote-rps", "limits", "one-user", "all-versions", "stateful", "gobench"}

// defaultLatencyProcs are the latency runs' process counts: around the
// default count on two cores (16), to show it is about the best.
const defaultLatencyProcs = "4,8,16,24"

// defaultAllProcs are the all-versions latency runs' counts besides the
// default one (32 on two cores): half as many, the one-version default.
const defaultAllProcs = "16"

// pinned is the api-version the one-version rows certify; allVersions is
// what the all-versions rows set CHAT_API_VERSION to.
const (
	pinned      = wire.APIVersion20250315
	allVersions = "supported"
)

// want reports whether the part is to run.
func (c *config) want(part string) bool { return c.parts[part] }

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	fs.StringVar(&c.write, "write", "", "rewrite this Markdown file (docs/performance.md) with the results")
	fs.DurationVar(&c.latency, "latency", 50*time.Millisecond, "round-trip latency of the latency and limits runs")
	procs := fs.String("latency-procs", defaultLatencyProcs, "process counts to try against the latency server (the best is reported; the default count is added)")
	fs.IntVar(&c.limitsProcs, "limits-procs", 0, "processes of the ACS-limits run with minted users (0: the best latency count)")
	fs.Float64Var(&c.manualScale, "manual-scale", 10, "RateLimitScale of the one-user ACS-limits run (1: the documented windows)")
	fs.IntVar(&c.manualProcs, "manual-procs", 1, "processes of the one-user ACS-limits run")
	fs.Float64Var(&c.remoteRPS, "remote-rps", chatconfig.RemoteDefaultMaxRPS, "CHAT_MAX_RPS of the remote-rps run (the suite's default against a non-loopback endpoint)")
	all := fs.String("all-procs", defaultAllProcs, "process counts to try in the all-versions latency runs (the count chatconform procs chooses is added)")
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
	for _, f := range strings.FieldsFunc(*all, func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-all-procs: %q is not a process count", f)
		}
		c.allProcs = append(c.allProcs, n)
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
		// 1. The embedded server: serial, -p and the default.
		if b.embedded, err = x.embeddedRuns(ctx, pinned); err != nil {
			return err
		}
	}
	if cfg.want("latency") {
		// 2. Latency, limits off (ERR-07 needs limits, so it is not run),
		// at the counts asked for and the one chatconform procs chooses.
		counts := cfg.latencyProcs
		if err := x.withServer(refserver.Options{Latency: cfg.latency}, func(s *perf.Server) error {
			b.chosen = chooseProcs(ctx, s, pinned, 0)
			return nil
		}); err != nil {
			return err
		}
		if !slices.Contains(counts, b.chosen.Procs) {
			counts = append(slices.Clone(counts), b.chosen.Procs)
			slices.Sort(counts)
		}
		for _, p := range counts {
			r := &suiteRun{Name: fmt.Sprintf("latency %s, procs %d", cfg.latency, p), Procs: p, Latency: cfg.latency,
				Env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "0", "CHAT_API_VERSION": pinned}}
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
		// by default to any endpoint that is not on loopback, at the count
		// chatconform procs chooses for it: what a run with the defaults
		// sees.
		if err := x.withServer(refserver.Options{Latency: cfg.latency}, func(s *perf.Server) error {
			b.remoteChosen = chooseProcs(ctx, s, pinned, cfg.remoteRPS)
			p := b.remoteChosen.Procs
			b.remote = &suiteRun{Name: fmt.Sprintf("latency %s + CHAT_MAX_RPS %g, procs %d", cfg.latency, cfg.remoteRPS, p), Procs: p, Latency: cfg.latency,
				Env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "0", "CHAT_API_VERSION": pinned, "CHAT_MAX_RPS": strconv.FormatFloat(cfg.remoteRPS, 'g', -1, 64)}}
			if p <= 1 {
				b.remote.Procs = 0
			}
			b.remote.Server = s
			return x.run(ctx, b.remote)
		}); err != nil {
			return err
		}
	}
	if cfg.want("limits") {
		// 3a. The ACS limits and the same latency, users minted as usual.
		n := bestProcs(cfg.limitsProcs)
		b.limits = &suiteRun{Name: fmt.Sprintf("ACS limits + %s, procs %d", cfg.latency, n), Procs: n, Latency: cfg.latency,
			Env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "1", "CHAT_API_VERSION": pinned}}
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
			b.manual.Env["CHAT_API_VERSION"] = pinned
			return x.run(ctx, b.manual)
		}); err != nil {
			return err
		}
	}
	if cfg.want("all-versions") {
		// 5. Every version the server lists, in one run: the embedded
		// server, then the latency at the default count (and any asked for).
		if b.embeddedAll, err = x.embeddedRuns(ctx, allVersions); err != nil {
			return err
		}
		if err := x.withServer(refserver.Options{Latency: cfg.latency}, func(s *perf.Server) error {
			b.chosenAll = chooseProcs(ctx, s, allVersions, 0)
			return nil
		}); err != nil {
			return err
		}
		counts := cfg.allProcs
		if !slices.Contains(counts, b.chosenAll.Procs) {
			counts = append(slices.Clone(counts), b.chosenAll.Procs)
			slices.Sort(counts)
		}
		for _, p := range counts {
			r := &suiteRun{Name: fmt.Sprintf("all versions, latency %s, procs %d", cfg.latency, p), Procs: p, Latency: cfg.latency,
				Env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "0", "CHAT_API_VERSION": allVersions}}
			if err := x.withServer(refserver.Options{Latency: cfg.latency}, func(s *perf.Server) error {
				r.Server = s
				return x.run(ctx, r)
			}); err != nil {
				return err
			}
			b.latencyAll = append(b.latencyAll, r)
		}
	}
	if cfg.want("stateful") {
		// 6. STATE-01 alone (CHAT_API_VERSION pinned): against the embedded
		// server, then under the ACS limits with one acting user, where
		// its thread creations and deletions bind.
		only := []string{"--label-filter=stateful"}
		b.stateful = &suiteRun{Name: "STATE-01, embedded, serial", Args: only, Env: map[string]string{"CHAT_API_VERSION": pinned}}
		if err := x.run(ctx, b.stateful); err != nil {
			return err
		}
		// Then with a round trip, users minted: the sequences run
		// together, so the run costs about the longest one's round trips.
		b.statefulLatency = &suiteRun{Name: fmt.Sprintf("STATE-01, latency %s, serial", cfg.latency), Args: only, Latency: cfg.latency,
			Env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "0", "CHAT_API_VERSION": pinned}}
		if err := x.withServer(refserver.Options{Latency: cfg.latency}, func(s *perf.Server) error {
			b.statefulLatency.Server = s
			return x.run(ctx, b.statefulLatency)
		}); err != nil {
			return err
		}
		b.statefulLimits = &suiteRun{Name: fmt.Sprintf("STATE-01, ACS limits ÷%g, one user", cfg.manualScale), Args: only}
		opts := refserver.Options{RateLimits: refserver.RateLimitsACS, RateLimitScale: cfg.manualScale}
		if err := x.withServer(opts, func(s *perf.Server) error {
			m, err := s.MintManual(ctx)
			if err != nil {
				return err
			}
			b.statefulLimits.Server, b.statefulLimits.Env = s, m.Env()
			b.statefulLimits.Env["CHAT_API_VERSION"] = pinned
			return x.run(ctx, b.statefulLimits)
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

// embeddedRuns runs the suite against its embedded server at apiVersion
// (CHAT_API_VERSION): serially, with -p, and with the count chatconform
// procs chooses for it, which is the serial run itself when that is 1.
func (x *runner) embeddedRuns(ctx context.Context, apiVersion string) (*embeddedSet, error) {
	label := "embedded"
	if apiVersion == allVersions {
		label = "all versions, embedded"
	}
	env := func() map[string]string { return map[string]string{"CHAT_API_VERSION": apiVersion} }
	e := &embeddedSet{chosen: procs.Choose(procs.Input{Embedded: true})}
	e.serial = &suiteRun{Name: label + ", serial", Env: env()}
	e.parallel = &suiteRun{Name: label + ", -p", Procs: -1, Env: env()}
	runs := []*suiteRun{e.serial, e.parallel}
	if e.chosen.Procs > 1 {
		e.def = &suiteRun{Name: fmt.Sprintf("%s, default (procs %d)", label, e.chosen.Procs), Procs: e.chosen.Procs, Env: env()}
		runs = append(runs, e.def)
	}
	for _, r := range runs {
		if err := x.run(ctx, r); err != nil {
			return nil, err
		}
	}
	if e.def == nil {
		e.def = e.serial // the default is one process: the serial run
	}
	return e, nil
}

// chooseProcs is what chatconform procs prints for a run against s at
// apiVersion with CHAT_MAX_RPS rps (it measures the round trip as a user
// it mints).
func chooseProcs(ctx context.Context, s *perf.Server, apiVersion string, rps float64) procs.Choice {
	vars := map[string]string{"ACS_CONNECTION_STRING": s.ConnectionString(), "CHAT_API_VERSION": apiVersion,
		"CHAT_MAX_RPS": strconv.FormatFloat(rps, 'g', -1, 64), "CHAT_ENV_FILE": os.DevNull}
	cfg, err := chatconfig.Load(func(k string) string { return vars[k] })
	if err != nil {
		return procs.Choice{Procs: procs.Fallback, Why: err.Error()}
	}
	return procs.For(ctx, cfg)
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
