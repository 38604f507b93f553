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
	versions := "api-version " + x.Versions[0].APIVersion
	if x.multi() {
		versions = "api-versions " + strings.Join(x.versionNames(), ", ")
	}
	fmt.Fprintf(&b, "  %s, %s, %s, chatconform %s\n", target, versions, profile, x.Meta.version())
	if d := x.Discovery; d != nil {
		for _, l := range discoveryLines(d) {
			fmt.Fprintf(&b, "  %s\n", cut(l, 160))
		}
	}
	counts := func(as []assertion, c map[outcome.Outcome]int) string {
		var out []string
		for _, o := range []outcome.Outcome{outcome.Passed, outcome.Failed, outcome.Warned, outcome.Waived, outcome.Skipped, outcome.Error} {
			if o == outcome.Waived && c[o] == 0 {
				continue // only runs with CHAT_WAIVERS have the column
			}
			s := fmt.Sprintf("%d %s", c[o], o)
			if c[o] > 0 {
				s = paint(outcomeColours[o], s)
			}
			out = append(out, s)
		}
		return fmt.Sprintf("%d assertions: %s", len(as), strings.Join(out, ", "))
	}
	if !x.multi() {
		fmt.Fprintf(&b, "  %s; %d requests, %d retried\n", counts(x.Assertions, x.Counts), x.Requests, x.Retries)
	} else {
		width := 0
		for _, v := range x.Versions {
			width = max(width, len(v.name()))
		}
		for _, v := range x.Versions {
			vc := map[string]string{Conformant: ansiGreen, NotConformant: ansiRed, Incomplete: ansiYellow}[v.Verdict]
			fmt.Fprintf(&b, "  %-*s %s\n  %-*s %s\n", width, v.name(), paint(ansiBold+vc, v.VerdictLine), width, "", counts(v.Assertions, v.Counts))
		}
		fmt.Fprintf(&b, "  %d requests, %d retried\n", x.Requests, x.Retries)
	}
	listed := 0
list:
	for _, v := range x.Versions {
		for _, a := range ordered(v.Assertions) {
			if a.Outcome != outcome.Failed && a.Outcome != outcome.Error && a.Outcome != outcome.Warned {
				continue
			}
			if listed++; listed > consoleMaxListed {
				fmt.Fprintf(&b, "  … and more in summary.md\n")
				break list
			}
			where := ""
			if x.multi() {
				where = v.name() + " "
			}
			fmt.Fprintf(&b, "  %s %s%-8s %-6s %s\n", paint(outcomeColours[a.Outcome], fmt.Sprintf("%-7s", strings.ToUpper(string(a.Outcome)))),
				where, a.ID, tierWord(a.Tier), shortMessage(a.Messages, 100))
		}
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
