package framework

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/format"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/harness"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/sanitize"
)

// Env is this process's connection to the server under test, set up before
// the first spec.
var Env *harness.Env

// embedded is the reference server process 1 started, if any; rates the
// shared CHAT_MAX_RPS limiter it serves.
var (
	embedded *harness.Embedded
	rates    *harness.RateServer
)

// bootstrap is what process 1 hands every process: the embedded server's
// connection string, the users of the run (minted once for all processes)
// and the URL of the shared limiter.
type bootstrap struct {
	ConnectionString string
	Pool             *harness.Pool
	RateURL          string
	// Discovery is what CHAT_API_VERSION=supported learnt (nil otherwise).
	Discovery *harness.Discovery
	// Spool is the directory the other processes spool their transcripts
	// to (spool.go; "" in a serial run).
	Spool string
}

// discovery is the bootstrap's, for the reports; spoolDir is process 1's
// spool directory, which its report node reads and removes.
var (
	discovery *harness.Discovery
	spoolDir  string
)

// RunSuite runs the specs of a conformance suite: call it from the suite's
// only Test function. Bad configuration stops the run before any spec, with
// one message naming each variable at fault.
func RunSuite(t *testing.T, description string) {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		t.FailNow()
	}
	if err := certifiable(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		t.FailNow()
	}
	if cfg.Baseline != "" {
		// A baseline that cannot be read would make every failure a regression.
		if _, err := report.LoadBaseline(cfg.Baseline); err != nil {
			fmt.Fprintln(os.Stderr, "configuration:", err)
			t.FailNow()
		}
	}
	// Every process loads the documents while the first mints the users.
	harness.Preload(cfg)
	format.MaxLength = 20000
	// Every Gomega failure, in specs and setup nodes alike, can quote what
	// the server sent: escape it before Ginkgo prints or records it.
	RegisterFailHandler(func(message string, callerSkip ...int) {
		skip := 1
		if len(callerSkip) > 0 {
			skip += callerSkip[0]
		}
		Fail(sanitize.Text(message), skip)
	})
	RunSpecs(t, description)
}

// The suite-level nodes: set-up (embedded server, limiter, user pool),
// the capability check before every spec, teardown and the reports. They are
// declared once, when the suite package imports the framework.
var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	cfg, err := config.Load(os.Getenv)
	Expect(err).NotTo(HaveOccurred())
	var b bootstrap
	if spoolDir, err = newSpoolDir(); err != nil {
		// Slower, not wrong: the transcripts travel in the spec reports.
		fmt.Fprintf(os.Stderr, "chatconform: no transcript spool (%v); the transcripts travel with the spec reports\n", err)
	}
	b.Spool = spoolDir
	if cfg.Embedded() {
		embedded, err = harness.StartEmbedded()
		Expect(err).NotTo(HaveOccurred(), "starting the embedded reference server")
		b.ConnectionString = embedded.ConnectionString
		Expect(cfg.AttachEmbedded(b.ConnectionString)).To(Succeed())
	}
	if cfg.MaxRPS > 0 {
		rates, err = harness.StartRateServer(cfg.MaxRPS)
		Expect(err).NotTo(HaveOccurred())
		b.RateURL = rates.URL
	}
	c, err := harness.NewClient(cfg, recordExchange)
	Expect(err).NotTo(HaveOccurred())
	if b.Pool, err = harness.NewPool(ctx, cfg, c); err != nil {
		HarnessFailure(fmt.Errorf("setting up users and tokens (%s): %w", cfg.Mode(), err))
	}
	if cfg.DiscoverVersions {
		if b.Discovery, err = harness.DiscoverVersions(ctx, c, b.Pool.Hosts[0].Token); err != nil {
			HarnessFailure(err)
		}
		if err := b.Discovery.Apply(cfg); err != nil {
			HarnessFailure(err)
		}
	}
	data, err := json.Marshal(b)
	Expect(err).NotTo(HaveOccurred())
	return data
}, func(data []byte) {
	cfg, err := config.Load(os.Getenv)
	Expect(err).NotTo(HaveOccurred())
	var b bootstrap
	Expect(json.Unmarshal(data, &b)).To(Succeed())
	if b.ConnectionString != "" {
		Expect(cfg.AttachEmbedded(b.ConnectionString)).To(Succeed())
	}
	if discovery = b.Discovery; discovery != nil {
		Expect(discovery.Apply(cfg)).To(Succeed())
	}
	if err := openSpool(b.Spool, GinkgoParallelProcess()); err != nil {
		fmt.Fprintf(os.Stderr, "chatconform: process %d: %v; its transcripts travel with its spec reports\n", GinkgoParallelProcess(), err)
	}
	if cfg.InsecureSkipVerify {
		fmt.Fprintln(os.Stderr, "WARNING: CHAT_INSECURE_SKIP_VERIFY=1: TLS certificates are NOT verified; the token may go to an impostor")
	}
	var limiter client.Waiter
	if b.RateURL != "" {
		limiter = &harness.RateClient{URL: b.RateURL}
	}
	Env, err = harness.Setup(cfg, b.Pool, GinkgoParallelProcess(), limiter, recordExchange)
	if err != nil {
		HarnessFailure(fmt.Errorf("setting up (%s): %w", cfg.Mode(), err))
	}
	Env.SpreadHosts(GinkgoParallelProcess(), ginkgoProcesses())
	// Threads are created ahead of the specs and deleted after them, off
	// their chains (Teardown waits for both).
	Env.Prepare(harness.PrepareAhead)
})

var _ = SynchronizedAfterSuite(func() {
	// Threads whose DeferCleanup could not delete them, users this process minted.
	if Env != nil {
		errs := Env.Teardown()
		// The work done for the specs off their goroutines (background
		// deletions, threads no spec took), each exchange naming its spec.
		for _, ex := range Env.Background() {
			recordExchange(ex)
		}
		reportLeftovers(errs)
	}
}, func() {
	// Once every process is done: the shared users, then the server.
	if Env != nil {
		reportLeftovers(Env.DeletePool())
	}
	if embedded != nil {
		Expect(embedded.Stop()).To(Succeed())
	}
	if rates != nil {
		rates.Stop()
	}
})

// Every spec whose assertion needs a capability the run lacks is skipped
// with the reason and the setting that would enable it.
var _ = BeforeEach(func() {
	a := Current()
	if why := versionSkip(a); why != "" {
		Skip(fmt.Sprintf("[%s] %s", a.ID, why))
	}
	if a.Capability != "" && a.Capability != catalogue.CapMetadata && a.Capability != catalogue.CapNoMetadata {
		if why := Env.Lacks(a.Capability); why != "" {
			Skip(fmt.Sprintf("[%s] %s", a.ID, why))
		}
	}
})

// Every report of the run comes from this one node, which Ginkgo runs on
// process 1 with every process's specs once the suite is over.
var _ = ReportAfterSuite("chatconform reports", func(r Report) {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return // RunSuite has already stopped the run with the message
	}
	if Env != nil {
		cfg = Env.Config // knows the embedded server and its access key (a secret)
	}
	m := report.MetaFrom(cfg)
	if discovery != nil {
		m.APIVersions = append([]string(nil), discovery.Selected...)
		m.Discovery = &report.Discovery{Listed: discovery.Listed, Unknown: discovery.Unknown, NotListed: discovery.NotListed}
	}
	if Env != nil && Env.Spec != nil {
		m.SpecSource, m.SpecDigest = Env.Spec.Source, Env.Spec.Digest
		m.Specs = map[string]report.SpecDocument{}
		for v, s := range Env.Specs {
			m.Specs[v] = report.SpecDocument{Source: s.Source, Digest: s.Digest}
		}
	} else if spec, err := openapi.Load(cfg.APIVersion, cfg.SpecPath); err == nil {
		m.SpecSource, m.SpecDigest = spec.Source, spec.Digest
	}
	r = unspool(r, spoolDir) // the other processes' transcripts, back in their entries
	r = report.Prepare(r)    // the server's bytes escaped, parallel problems once
	err = report.Write(cfg.ReportDir, r, m)
	sc, rc := GinkgoConfiguration()
	report.PrintSummary(os.Stdout, r, m, report.ConsoleColor(os.Stdout, rc.NoColor, sc.ParallelTotal > 1))
	Expect(err).NotTo(HaveOccurred(), "writing the reports to CHAT_REPORT_DIR=%s", cfg.ReportDir)
})

// ginkgoProcesses is how many processes the run has (1 when serial).
func ginkgoProcesses() int {
	sc, _ := GinkgoConfiguration()
	return max(sc.ParallelTotal, 1)
}

// reportLeftovers records what a run could not delete, in every report and
// on the console.
func reportLeftovers(errs []error) {
	if len(errs) == 0 {
		return
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	AddReportEntry(outcome.EntryCleanupError, strings.Join(msgs, "\n"), ReportEntryVisibilityAlways)
	fmt.Fprintf(os.Stderr, "chatconform left %d resources behind:\n  %s\n", len(errs), strings.Join(msgs, "\n  "))
}

// certifiable refuses, in a certification run (make certify sets
// CHATCONFORM_CERTIFY=1), anything that would certify less than the whole
// catalogue under the standard profile.
func certifiable(cfg *config.Config) error {
	if os.Getenv("CHATCONFORM_CERTIFY") != "1" {
		return nil
	}
	sc, _ := GinkgoConfiguration()
	switch {
	case sc.DryRun:
		return fmt.Errorf("make certify sends every request: remove --dry-run (GINKGO_ARGS)")
	case sc.LabelFilter != "" || len(sc.FocusStrings) > 0 || len(sc.SkipStrings) > 0 || len(sc.FocusFiles) > 0 || len(sc.SkipFiles) > 0:
		return fmt.Errorf("make certify runs every assertion: remove the label filter, focus or skip (GINKGO_ARGS)")
	case cfg.Strict:
		return fmt.Errorf("make certify uses the standard profile: unset CHAT_STRICT (in the environment or .env)")
	case cfg.WaiversFile != "":
		return fmt.Errorf("make certify certifies the documented contract, deviations included: unset CHAT_WAIVERS=%s (in the environment or .env)", cfg.WaiversFile)
	case cfg.Baseline != "":
		return fmt.Errorf("make certify judges the run on its own: unset CHAT_BASELINE=%s (in the environment or .env)", cfg.Baseline)
	case !cfg.RateLimitTests:
		return fmt.Errorf("make certify runs every check, the opt-in ones too: set CHAT_RATE_LIMIT_TESTS=1 (make certify sets it; CHAT_RATE_LIMIT_TESTS=0 is refused)")
	}
	return nil
}
