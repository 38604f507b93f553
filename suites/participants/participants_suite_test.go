// Package participants is the conformance suite for the ACS Chat
// participants API (Add Chat Participants, List Chat Participants). Every
// spec begins with the ID of the assertion it certifies and carries that ID,
// its area and its tier as Labels (see ../../internal/catalogue).
package participants

import (
	"fmt"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/format"

	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/harness"
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

var _ = SynchronizedBeforeSuite(func() []byte {
	cfg, err := config.Load(os.Getenv)
	Expect(err).NotTo(HaveOccurred())
	if !cfg.Embedded() {
		return nil
	}
	// One embedded server for all parallel processes.
	embedded, err = harness.StartEmbedded()
	Expect(err).NotTo(HaveOccurred(), "starting the embedded reference server")
	return []byte(embedded.ConnectionString)
}, func(ctx SpecContext, connectionString []byte) {
	cfg, err := config.Load(os.Getenv)
	Expect(err).NotTo(HaveOccurred())
	if len(connectionString) > 0 {
		Expect(cfg.AttachEmbedded(string(connectionString))).To(Succeed())
	}
	if cfg.InsecureSkipVerify {
		fmt.Fprintln(os.Stderr, "WARNING: CHAT_INSECURE_SKIP_VERIFY=1: TLS certificates are NOT verified; the token may go to an impostor")
	}
	env, err = harness.Setup(ctx, cfg, recordExchange)
	if err != nil {
		harnessFailure(fmt.Errorf("setting up users and tokens (%s): %w", cfg.Mode(), err))
	}
})

var _ = SynchronizedAfterSuite(func() {
	if env == nil {
		return
	}
	// Threads whose DeferCleanup could not delete them, and minted users.
	if errs := env.Teardown(); len(errs) > 0 {
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		AddReportEntry("cleanup-error", strings.Join(msgs, "\n"), ReportEntryVisibilityAlways)
		fmt.Fprintf(os.Stderr, "chatconform left %d resources behind:\n  %s\n", len(errs), strings.Join(msgs, "\n  "))
	}
}, func() {
	if embedded != nil {
		Expect(embedded.Stop()).To(Succeed())
	}
})

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
	case sc.LabelFilter != "" || len(sc.FocusStrings) > 0 || len(sc.SkipStrings) > 0 || len(sc.FocusFiles) > 0 || len(sc.SkipFiles) > 0:
		return fmt.Errorf("make certify runs every assertion: remove the label filter, focus or skip (GINKGO_ARGS)")
	case cfg.Strict:
		return fmt.Errorf("make certify uses the standard profile: unset CHAT_STRICT (in the environment or .env)")
	}
	return nil
}
