package participants

import (
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/report"
)

// Every report of the run comes from this one node, which Ginkgo runs on
// process 1 with every process's specs once the suite is over.
var _ = ReportAfterSuite("chatconform reports", func(r Report) {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return // TestParticipants has already stopped the run with the message
	}
	if env != nil {
		cfg = env.Config // knows the embedded server and its access key (a secret)
	}
	m := report.MetaFrom(cfg)
	if env != nil && env.Spec != nil {
		m.SpecSource, m.SpecDigest = env.Spec.Source, env.Spec.Digest
	} else if spec, err := openapi.Load(cfg.APIVersion, cfg.SpecPath); err == nil {
		m.SpecSource, m.SpecDigest = spec.Source, spec.Digest
	}
	err = report.Write(cfg.ReportDir, r, m)
	_, rc := GinkgoConfiguration()
	report.PrintSummary(os.Stdout, r, m, !rc.NoColor)
	Expect(err).NotTo(HaveOccurred(), "writing the reports to CHAT_REPORT_DIR=%s", cfg.ReportDir)
})
