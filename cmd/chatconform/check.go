package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/sanitize"
)

// checkCmd validates the configuration as the suite will load it
// (config.Load over the environment and .env), once, before Ginkgo starts
// its processes: each of them would otherwise print the same problems
// wrapped in Ginkgo's text. On a problem it prints each once, writes the
// reports of a run that did not start (verdict INCOMPLETE) into
// CHAT_REPORT_DIR and fails.
func checkCmd(stdout io.Writer) error {
	cfg, err := config.Load(os.Getenv)
	if err == nil {
		fmt.Fprintf(stdout, "configuration is valid: %s, %s, reports in %s\n", cfg.Mode(), versionsText(cfg), cfg.ReportDir)
		return nil
	}
	var ce *config.Error
	problems := []string{err.Error()}
	if errors.As(err, &ce) {
		problems = ce.Problems
	}
	for i, p := range problems {
		problems[i] = sanitize.Text(p) // the environment is untrusted too
	}
	dir := os.Getenv("CHAT_REPORT_DIR")
	if dir == "" {
		dir = "./reports" // config's default
	}
	m := report.Meta{Mode: "not run: invalid configuration", ReportDir: dir, Secrets: envSecrets()}
	if werr := report.WriteConfigError(dir, m, problems); werr != nil {
		problems = append(problems, "and the reports could not be written: "+werr.Error())
	}
	return configError{problems: problems, dir: dir}
}

// envSecrets are the raw values that must not reach a report should a
// problem quote one.
func envSecrets() []string {
	var out []string
	for _, k := range []string{"ACS_CONNECTION_STRING", "CHAT_TOKEN", "CHAT_OUTSIDER_TOKEN"} {
		if v := os.Getenv(k); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// configError prints as the plain list of problems, one a line.
type configError struct {
	problems []string
	dir      string
}

func (e configError) Error() string {
	s := "the configuration is invalid, so the suite did not run:\n"
	for _, p := range e.problems {
		s += "  - " + p + "\n"
	}
	return s + "reports (verdict INCOMPLETE) are in " + e.dir
}

// versionsText says which api-versions the run will certify.
func versionsText(cfg *config.Config) string {
	vs := strings.Join(cfg.APIVersions, ", ")
	switch {
	case cfg.DiscoverVersions:
		return "the api-versions the server lists of " + vs
	case len(cfg.APIVersions) == 1:
		return "api-version " + vs
	}
	return "api-versions " + vs
}
