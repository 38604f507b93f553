package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/report"
)

// Exit statuses of `chatconform status` (the README's verdict table).
const (
	exitConformant    = 0
	exitNotConformant = 1
	exitNoVerdict     = 2 // no readable results.json (and usage errors)
	exitIncomplete    = 3
)

// statusCmd prints the verdict line of a results.json, the verdict of each
// api-version it certified, and returns the exit status make conformance
// ends with. The run's verdict is the worst of its versions' (Check makes
// sure of it), so one NOT CONFORMANT version exits 1 and one INCOMPLETE
// version 3; against a baseline only what got worse (in any version) fails.
func statusCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "chatconform status: want one results.json\n%s", usage)
		return exitNoVerdict
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "chatconform status: %v: the suite wrote no results (see its output above)\n", err)
		return exitNoVerdict
	}
	var r report.Results
	if err := json.Unmarshal(b, &r); err != nil {
		fmt.Fprintf(stderr, "chatconform status: %s: %v\n", args[0], err)
		return exitNoVerdict
	}
	if err := r.Check(); err != nil {
		fmt.Fprintf(stderr, "chatconform status: %v\n", err)
		return exitNoVerdict
	}
	line := r.VerdictLine
	if line == "" {
		line = r.Verdict
	}
	fmt.Fprintf(stdout, "verdict: %s\n", line)
	for _, l := range versionLines(&r) {
		fmt.Fprintf(stdout, "%s\n", l)
	}
	for _, n := range r.NotRunByChoice {
		fmt.Fprintf(stdout, "not run by choice: %s (set %s)\n", n.ID, n.Setting)
	}
	for _, w := range r.Waivers {
		if w.Stale {
			fmt.Fprintf(stdout, "stale waiver: %s (%s) waived nothing and its assertion passed: remove it\n", w.Waiver, w.ID)
		}
	}
	if c := r.Baseline; c != nil {
		fmt.Fprintf(stdout, "%s (%s)\n", c.Headline(), c.File)
		for _, w := range c.Warnings {
			fmt.Fprintf(stdout, "warning: %s\n", w)
		}
		for _, id := range c.Regressions {
			fmt.Fprintf(stdout, "regression: %s\n", id)
		}
		for _, id := range c.NewErrors {
			fmt.Fprintf(stdout, "new harness error: %s\n", id)
		}
		for _, p := range c.NewProblems {
			fmt.Fprintf(stdout, "new suite problem: %s\n", p)
		}
		// Against a baseline only what got worse fails the step.
		if c.Gate() {
			return exitNotConformant
		}
		return exitConformant
	}
	switch r.Verdict {
	case report.Conformant:
		return exitConformant
	case report.NotConformant:
		return exitNotConformant
	}
	if incompleteOK() {
		fmt.Fprintln(stdout, "CHAT_INCOMPLETE_OK=1: INCOMPLETE exits 0")
		return exitConformant
	}
	return exitIncomplete
}

// incompleteOK reads CHAT_INCOMPLETE_OK from the environment or .env, as
// the suite would; a certification run ignores it.
func incompleteOK() bool {
	if os.Getenv("CHATCONFORM_CERTIFY") == "1" {
		return false
	}
	c, err := config.Load(os.Getenv)
	if err != nil {
		return os.Getenv("CHAT_INCOMPLETE_OK") == "1"
	}
	return c.IncompleteOK
}

// versionLines are the verdict of each api-version a results.json
// certifies, and what CHAT_API_VERSION=supported left out. A file from
// before api-versions were listed has none.
func versionLines(r *report.Results) []string {
	var out []string
	for _, v := range r.Versions {
		line := v.VerdictLine
		if line == "" {
			line = v.Verdict
		}
		out = append(out, fmt.Sprintf("api-version %s: %s", v.APIVersion, line))
	}
	if d := r.Discovery; d != nil {
		out = append(out, "api-supported-versions: "+orNone(d.Listed))
		if len(d.Unknown) > 0 {
			out = append(out, "not certified, unknown to the suite: "+strings.Join(d.Unknown, ", "))
		}
		if len(d.NotListed) > 0 {
			out = append(out, "not certified, not listed by the server: "+strings.Join(d.NotListed, ", "))
		}
	}
	return out
}

func orNone(vs []string) string {
	if len(vs) == 0 {
		return "(none)"
	}
	return strings.Join(vs, ", ")
}
