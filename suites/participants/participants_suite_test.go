// Package participants is the conformance suite for the ACS Chat
// participants API (Add Chat Participants, List Chat Participants). Every
// spec begins with the ID of the assertion it certifies and carries that ID,
// its area and its tier as Labels (see ../../internal/catalogue).
package participants

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/format"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/harness"
	"github.com/chatconform/chatconform/internal/outcome"
)

func TestParticipants(t *testing.T) {
	// Bad configuration stops the run before any spec, with one message
	// naming each variable at fault.
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		t.FailNow()
	}
	if err := certifiable(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		t.FailNow()
	}
	format.MaxLength = 20000
	RegisterFailHandler(Fail)
	RunSpecs(t, "Chat Participants Conformance")
}

// env is this process's connection to the server under test.
var env *harness.Env

// embedded is the reference server process 1 started, if any.
var embedded *harness.Embedded

// bootstrap is what process 1 hands every process: the embedded server's
// connection string, if it started one, and the users of the run, minted
// once for all processes.
type bootstrap struct {
	ConnectionString string
	Pool             *harness.Pool
	// RateURL is the shared CHAT_MAX_RPS limiter process 1 serves.
	RateURL string
}

// rates is the shared limiter process 1 serves, if any.
var rates *harness.RateServer

var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	cfg, err := config.Load(os.Getenv)
	Expect(err).NotTo(HaveOccurred())
	var b bootstrap
	if cfg.Embedded() {
		// One embedded server for all parallel processes.
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
		harnessFailure(fmt.Errorf("setting up users and tokens (%s): %w", cfg.Mode(), err))
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
	if cfg.InsecureSkipVerify {
		fmt.Fprintln(os.Stderr, "WARNING: CHAT_INSECURE_SKIP_VERIFY=1: TLS certificates are NOT verified; the token may go to an impostor")
	}
	var limiter client.Waiter
	if b.RateURL != "" {
		limiter = &harness.RateClient{URL: b.RateURL}
	}
	env, err = harness.Setup(cfg, b.Pool, GinkgoParallelProcess(), limiter, recordExchange)
	if err != nil {
		harnessFailure(fmt.Errorf("setting up (%s): %w", cfg.Mode(), err))
	}
})

var _ = SynchronizedAfterSuite(func() {
	// Threads whose DeferCleanup could not delete them, users this process minted.
	if env != nil {
		reportLeftovers(env.Teardown())
	}
}, func() {
	// Once every process is done: the shared users, then the server.
	if env != nil {
		reportLeftovers(env.DeletePool())
	}
	if embedded != nil {
		Expect(embedded.Stop()).To(Succeed())
	}
	if rates != nil {
		rates.Stop()
	}
})

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

// Every spec whose assertion needs a capability the run lacks is skipped
// with the reason and the setting that would enable it.
var _ = BeforeEach(func() {
	if a, ok := assertionOf(CurrentSpecReport().Labels()); ok && a.Capability != "" {
		if why := env.Lacks(a.Capability); why != "" {
			Skip(fmt.Sprintf("[%s] %s", a.ID, why))
		}
	}
})

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
	}
	return nil
}
