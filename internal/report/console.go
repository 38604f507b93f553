package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/outcome"
)

// ANSI colours for the console summary.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiPurple = "\x1b[35m"
	ansiBlue   = "\x1b[34m"
	ansiGrey   = "\x1b[90m"
)

var outcomeColours = map[outcome.Outcome]string{
	outcome.Passed: ansiGreen, outcome.Failed: ansiRed, outcome.Warned: ansiYellow, outcome.Error: ansiPurple, outcome.Skipped: ansiGrey, outcome.Waived: ansiBlue,
}

// ConsoleColor decides whether PrintSummary may colour: only for a
// terminal, and never when NO_COLOR is set (https://no-color.org) or Ginkgo
// runs with --no-color. A parallel process writes to a pipe the Ginkgo CLI
// reads, so viaCLI trusts the flag, which the CLI (and `make conformance`,
// which checks its own stdout) passes on.
func ConsoleColor(stdout *os.File, noColorFlag, viaCLI bool) bool {
	if noColorFlag || os.Getenv("NO_COLOR") != "" {
		return false
	}
	if viaCLI {
		return true
	}
	fi, err := stdout.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// consoleMaxListed bounds the failing IDs printed: the rest are in the files.
const consoleMaxListed = 20

// PrintSummary writes a few lines for the console: the verdict, the counts
// per outcome, each failed, errored or warned assertion with a one-line
// message, and where the reports are.
func PrintSummary(w io.Writer, r types.Report, m Meta, color bool) {
	x := newRun(r, m)
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	vc := map[string]string{Conformant: ansiGreen, NotConformant: ansiRed, Incomplete: ansiYellow}[x.Verdict]
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s %s\n", paint(ansiBold, "chatconform:"), paint(ansiBold+vc, x.VerdictLine))
	if c := x.Baseline; c != nil {
		fmt.Fprintf(&b, "  %s (%s)\n", c.Headline(), c.File)
		for _, l := range baselineLines(c) {
			fmt.Fprintf(&b, "    %s\n", cut(l, 140))
		}
	}
	if len(x.NotRun) > 0 {
		fmt.Fprintf(&b, "  %s\n", notRunText(x.NotRun))
	}
	for _, st := range x.staleWaivers() {
		fmt.Fprintf(&b, "  %s %s for %s passed without it: remove it\n", paint(ansiYellow, "STALE WAIVER"), st.Waiver, st.ID)
	}
	target := x.Meta.Endpoint
	if target == "" {
		target = x.Meta.Mode
	}
	profile := "standard profile"
	if x.Meta.Strict {
		profile = "strict profile"
	}
	fmt.Fprintf(&b, "  %s, api-version %s, %s, chatconform %s\n", target, x.Meta.APIVersion, profile, x.Meta.version())
	var counts []string
	for _, o := range []outcome.Outcome{outcome.Passed, outcome.Failed, outcome.Warned, outcome.Waived, outcome.Skipped, outcome.Error} {
		if o == outcome.Waived && x.Counts[o] == 0 {
			continue // only runs with CHAT_WAIVERS have the column
		}
		s := fmt.Sprintf("%d %s", x.Counts[o], o)
		if x.Counts[o] > 0 {
			s = paint(outcomeColours[o], s)
		}
		counts = append(counts, s)
	}
	fmt.Fprintf(&b, "  %d assertions: %s; %d requests, %d retried\n", len(x.Assertions), strings.Join(counts, ", "), x.Requests, x.Retries)
	listed := 0
	for _, a := range x.ordered() {
		if a.Outcome != outcome.Failed && a.Outcome != outcome.Error && a.Outcome != outcome.Warned {
			continue
		}
		if listed++; listed > consoleMaxListed {
			fmt.Fprintf(&b, "  … and more in summary.md\n")
			break
		}
		fmt.Fprintf(&b, "  %s %-8s %-6s %s\n", paint(outcomeColours[a.Outcome], fmt.Sprintf("%-7s", strings.ToUpper(string(a.Outcome)))),
			a.ID, tierWord(a.Tier), shortMessage(a.Messages, 100))
	}
	for _, p := range x.Problems {
		fmt.Fprintf(&b, "  %s %s\n", paint(ansiRed, "PROBLEM"), cut(p, 120))
	}
	if n := len(x.Cleanup); n > 0 {
		fmt.Fprintf(&b, "  %s %d resource(s) were not deleted (see summary.md)\n", paint(ansiYellow, "CLEANUP"), n)
	}
	dir := m.ReportDir
	if dir == "" {
		dir = m.Config["CHAT_REPORT_DIR"]
	}
	if dir != "" {
		fmt.Fprintf(&b, "  reports: %s (%s)\n", filepath.Join(dir, FileHTML), strings.Join(Files[1:], ", "))
	}
	_, _ = io.WriteString(w, b.String())
}
