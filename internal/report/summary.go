package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
)

// Limits that keep summary.md one page: the full text is in report.html.
const (
	summaryMessageLines = 25
	displayBodyMax      = 4096
)

var outcomeMarks = map[outcome.Outcome]string{
	outcome.Passed:  "✅ passed",
	outcome.Failed:  "❌ **failed**",
	outcome.Warned:  "⚠️ warned",
	outcome.Waived:  "🏷️ waived",
	outcome.Skipped: "⏭️ skipped",
	outcome.Error:   "⛔ error",
}

func renderSummary(x *run) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w("# Chat participants API conformance: %s\n\n", x.VerdictLine)
	if c := x.Baseline; c != nil {
		w("**%s** (`%s`, %s).\n\n", c.Headline(), c.File, c.Verdict)
		for _, l := range baselineLines(c) {
			w("- %s\n", mdCell(l))
		}
		if len(baselineLines(c)) > 0 {
			w("\n")
		}
	}
	w("**Verdict: %s.** %s\n\n", x.VerdictLine, verdictReason(x))
	if x.multi() {
		w("| API version | Verdict | Outcomes |\n|---|---|---|\n")
		for _, v := range x.Versions {
			w("| %s | **%s** | %s |\n", mdCell(v.name()), v.VerdictLine, outcomeCounts(v.Counts, len(v.Assertions), v.Specs))
		}
		w("\n")
	}
	if d := x.Discovery; d != nil {
		for _, l := range discoveryLines(d) {
			w("- %s\n", mdCell(l))
		}
		w("\n")
	}
	w("| | |\n|---|---|\n")
	for _, kv := range runFacts(x) {
		w("| %s | %s |\n", kv.Key, mdCell(kv.Value))
	}
	w("\nEvery transcript is in `report.html`; `results.json` is the machine-readable result and `junit.xml` the CI report.\n")

	for _, p := range x.Problems {
		w("\n> **Suite problem:** %s\n", mdCell(p))
	}
	for _, c := range x.Cleanup {
		w("\n> **Not cleaned up:** %s\n", mdCell(c))
	}
	if len(x.NotRun) > 0 {
		w("\n> **%s**: %s.\n", "Opt-in", mdCell(notRunText(x.NotRun)))
	}
	for _, st := range x.staleWaivers() {
		w("\n> **Stale waiver** %s for %s: the assertion passed without it; remove it (%s).\n", mdCode(st.Waiver), st.ID, mdCell(st.Reason))
	}

	if x.multi() {
		writeMatrix(&b, x)
	} else {
		for _, g := range byArea(x.Versions[0].Assertions) {
			w("\n## %s\n\n| ID | Tier | Outcome | Message |\n|---|---|---|---|\n", g.Title)
			for _, a := range g.Assertions {
				msg := ""
				if a.Outcome != outcome.Passed {
					msg = shortMessage(a.Messages, 140)
				}
				mark := outcomeMarks[a.Outcome]
				if a.NotApplicable {
					mark += " (not in this api-version)"
				}
				if a.NotChosen != "" {
					mark += " (not run by choice: set " + a.NotChosen + ")"
				}
				w("| %s | %s | %s | %s |\n", a.ID, tierWord(a.Tier), mark, mdCell(msg))
			}
		}
	}

	writeFindings(&b, x, outcome.Failed, "Failures")
	writeFindings(&b, x, outcome.Error, "Errors (the harness could not judge: not a conformance finding)")
	writeWaived(&b, x)
	writeTimings(&b, x)
	return []byte(b.String())
}

// matrixMarks are the cells of the version × assertion matrix.
var matrixMarks = map[outcome.Outcome]string{
	outcome.Passed:  "✅",
	outcome.Failed:  "❌",
	outcome.Warned:  "⚠️",
	outcome.Waived:  "🏷️",
	outcome.Skipped: "skipped",
	outcome.Error:   "⛔ error",
}

// matrixMark is one cell: the outcome, "n/a" (not in this api-version) or
// "opt-in" (not run by choice).
func matrixMark(a assertion) string {
	switch {
	case a.NotApplicable:
		return "n/a"
	case a.NotChosen != "":
		return "opt-in"
	}
	return matrixMarks[a.Outcome]
}

// writeMatrix is the version × assertion matrix of a run of several
// api-versions: per area a table, a row per assertion, a column per
// version, and the first message of a row that did not pass everywhere
// (naming its version).
func writeMatrix(b *strings.Builder, x *run) {
	fmt.Fprintf(b, "\n## Assertions × api-versions\n\n%s\n", "✅ passed · ❌ failed · ⚠️ warned (SHOULD) · 🏷️ waived · ⛔ error (the harness could not judge) · skipped · opt-in: not run by choice · n/a: not in this api-version")
	head := "| ID | Tier |"
	rule := "|---|---|"
	for _, v := range x.Versions {
		head += " " + mdCell(v.name()) + " |"
		rule += "---|"
	}
	head += " Message |"
	rule += "---|"
	groups := make([][]areaGroup, len(x.Versions))
	for k, v := range x.Versions {
		groups[k] = byArea(v.Assertions)
	}
	for gi, g := range groups[0] {
		fmt.Fprintf(b, "\n### %s\n\n%s\n%s\n", g.Title, head, rule)
		for i, a := range g.Assertions {
			row := "| " + a.ID + " | " + tierWord(a.Tier) + " |"
			msg := ""
			for k, v := range x.Versions {
				va := groups[k][gi].Assertions[i]
				row += " " + matrixMark(va) + " |"
				if msg == "" && va.binds() && va.Outcome != outcome.Passed && len(va.Messages) > 0 {
					msg = v.name() + ": " + shortMessage(va.Messages, 120)
				}
			}
			fmt.Fprintf(b, "%s %s |\n", row, mdCell(msg))
		}
	}
}

// discoveryLines say what CHAT_API_VERSION=supported learnt: what the
// server listed, and what the run therefore did not certify.
func discoveryLines(d *Discovery) []string {
	out := []string{"The server's api-supported-versions: " + listOrNone(d.Listed)}
	if len(d.Unknown) > 0 {
		out = append(out, "Listed but unknown to the suite (not certified): "+strings.Join(d.Unknown, ", "))
	}
	if len(d.NotListed) > 0 {
		out = append(out, "Known to the suite but not listed (not certified, their specs skipped): "+strings.Join(d.NotListed, ", "))
	}
	return out
}

func listOrNone(vs []string) string {
	if len(vs) == 0 {
		return "(none)"
	}
	return strings.Join(vs, ", ")
}

// outcomeCounts is "40 passed · 1 failed · …" of one set of assertions.
func outcomeCounts(c map[outcome.Outcome]int, assertions, specs int) string {
	return fmt.Sprintf("%d passed · %d failed · %d warned · %d waived · %d skipped · %s (%s, %s)",
		c[outcome.Passed], c[outcome.Failed], c[outcome.Warned], c[outcome.Waived], c[outcome.Skipped],
		plural(c[outcome.Error], "error"), plural(assertions, "assertion"), plural(specs, "spec"))
}

// baselineLines are the comparison's details under its headline.
func baselineLines(c *Comparison) []string {
	var out []string
	for _, w := range c.Warnings {
		out = append(out, "Warning: "+w)
	}
	if len(c.Regressions) > 0 {
		out = append(out, "Regressions (fail now, did not fail in the baseline): "+strings.Join(c.Regressions, ", "))
	}
	if len(c.Fixed) > 0 {
		out = append(out, "Fixed (failed in the baseline): "+strings.Join(c.Fixed, ", "))
	}
	if len(c.Known) > 0 {
		out = append(out, "Known (fail in both): "+strings.Join(c.Known, ", "))
	}
	if len(c.NewErrors) > 0 {
		out = append(out, "New harness errors: "+strings.Join(c.NewErrors, ", "))
	}
	for _, p := range c.NewProblems {
		out = append(out, "New suite problem: "+p)
	}
	return out
}

// heading is an assertion's heading in a findings section: its ID, tier,
// the api-version in a run of several, and its behaviour.
func heading(x *run, v *version, a assertion) string {
	on := ""
	if x.multi() {
		on = " on " + v.name()
	}
	return fmt.Sprintf("%s (%s)%s: %s", a.ID, tierWord(a.Tier), on, a.Behavior)
}

// writeWaived lists every waived finding with its waiver and reason: a
// waiver hides nothing. The transcripts are in report.html.
func writeWaived(b *strings.Builder, x *run) {
	first := true
	for _, v := range x.Versions {
		for _, a := range v.Assertions {
			if len(a.Waived) == 0 {
				continue
			}
			if first {
				fmt.Fprintf(b, "\n## Waived (known deviations, CHAT_WAIVERS)\n")
				first = false
			}
			fmt.Fprintf(b, "\n### %s\n", heading(x, v, a))
			for i, f := range a.Waived {
				if i == summarySpecsPerAssertion {
					fmt.Fprintf(b, "\n… and %d more waived finding(s) of %s: see report.html#%s.\n", len(a.Waived)-i, a.ID, anchor(x, v, a.ID))
					break
				}
				fmt.Fprintf(b, "\nWaived by %s (%s, until %s): %s\n\n", mdCode(f.Waiver), f.WaiverID, f.Expires, mdCell(f.Reason))
				fmt.Fprint(b, mdBlock("text", limitLines(f.Message, summaryMessageLines)))
			}
		}
	}
}

// summarySpecsPerAssertion bounds the failing specs shown per assertion: a
// table of six page sizes failing alike says nothing new after the third.
const summarySpecsPerAssertion = 3

// writeFindings lists, per failed (or errored) assertion and api-version,
// its clause, then each such spec's message and the curl line that repeats
// its request.
func writeFindings(b *strings.Builder, x *run, o outcome.Outcome, title string) {
	first := true
	for _, v := range x.Versions {
		for _, a := range v.Assertions {
			var specs []spec
			for _, s := range a.Specs {
				if s.Outcome == o {
					specs = append(specs, s)
				}
			}
			found := findingsAgainst(v, a.ID, o)
			if len(specs) == 0 && len(found) == 0 {
				continue
			}
			if first {
				fmt.Fprintf(b, "\n## %s\n", title)
				first = false
			}
			fmt.Fprintf(b, "\n### %s\n", heading(x, v, a))
			for i, f := range found {
				if i == summarySpecsPerAssertion {
					fmt.Fprintf(b, "\n… and %d more finding(s) against %s: see report.html.\n", len(found)-i, a.ID)
					break
				}
				fmt.Fprintf(b, "\nObserved by: %s\n\n", mdCode(f.by))
				fmt.Fprint(b, mdBlock("text", limitLines(f.Message, summaryMessageLines)))
			}
			for i, s := range specs {
				if i == summarySpecsPerAssertion {
					fmt.Fprintf(b, "\n… and %d more %s spec(s) of %s: see report.html#%s.\n", len(specs)-i, o, a.ID, anchor(x, v, a.ID))
					break
				}
				fmt.Fprintf(b, "\nSpec: %s\n\n", mdCode(s.Name))
				fmt.Fprint(b, mdBlock("text", limitLines(s.Message, summaryMessageLines)))
				if s.Repro != nil {
					fmt.Fprintf(b, "\nRepeat the request (`export CHAT_TOKEN=…` first):\n\n")
					fmt.Fprint(b, mdBlock("sh", displayCurl(s.Repro)))
				}
			}
		}
	}
}

// foundBy is a finding with the name of the spec that saw it.
type foundBy struct {
	outcome.Finding
	by string
}

// findingsAgainst collects what other rows' specs of the version saw
// against id.
func findingsAgainst(v *version, id string, o outcome.Outcome) []foundBy {
	var out []foundBy
	for _, a := range v.Assertions {
		for _, s := range a.Specs {
			for _, f := range s.Findings {
				if f.ID == id && f.Outcome == o {
					out = append(out, foundBy{f, s.Name})
				}
			}
		}
	}
	return out
}

type keyValue struct{ Key, Value string }

// runFacts are the lines every report heads with.
func runFacts(x *run) []keyValue {
	m := x.Meta
	profile := "standard (SHOULD findings are warnings)"
	if m.Strict {
		profile = "strict (SHOULD findings are failures)"
	}
	doc := m.SpecSource
	if m.SpecDigest != "" {
		doc += " (" + m.SpecDigest + ")"
	}
	if x.multi() && len(m.Specs) > 1 {
		var docs []string
		for _, v := range m.APIVersions {
			if d, ok := m.Specs[v]; ok {
				docs = append(docs, d.Source+" ("+d.Digest+")")
			}
		}
		doc = strings.Join(docs, ", ")
	}
	when := ""
	if !x.Report.StartTime.IsZero() {
		when = x.Report.StartTime.UTC().Format(time.RFC3339) + " → " + x.Report.EndTime.UTC().Format(time.RFC3339) +
			" (" + x.Report.RunTime.Round(time.Second/10).String() + ")"
	}
	specs := 0
	for _, v := range x.Versions {
		specs += v.Specs
	}
	versions := kvVersions(x)
	return []keyValue{
		{"Endpoint", m.Endpoint},
		versions,
		{"Suite", "chatconform " + m.version()},
		{"OpenAPI document", doc},
		{"Mode", m.Mode},
		{"Profile", profile},
		{"Run", when},
		{"Outcomes", fmt.Sprintf("%d passed · %d failed · %d warned · %d waived · %d skipped · %s (%s, %s, %s, %d retried)",
			x.Counts[outcome.Passed], x.Counts[outcome.Failed], x.Counts[outcome.Warned], x.Counts[outcome.Waived], x.Counts[outcome.Skipped],
			plural(x.Counts[outcome.Error], "error"), plural(len(x.Assertions), "assertion"), plural(specs, "spec"),
			plural(x.Requests, "request"), x.Retries)},
	}
}

// kvVersions is the facts' row of the certified api-versions.
func kvVersions(x *run) keyValue {
	if !x.multi() {
		return keyValue{"API version", x.Versions[0].APIVersion}
	}
	return keyValue{"API versions", strings.Join(x.versionNames(), ", ")}
}

// displayCurl is Curl for a page a person reads: a body too long to read is
// left out, with where to find it.
func displayCurl(ex *transcript.Exchange) string {
	if len(ex.RequestBody) <= displayBodyMax {
		return Curl(ex)
	}
	c := *ex
	c.RequestBody = ""
	return fmt.Sprintf("# The request body (%d bytes) is too long to show: save it from the transcript in report.json as request-body.json.\n%s \\\n  --data-binary @request-body.json",
		len(ex.RequestBody), Curl(&c))
}

// mdCell makes text safe inside a Markdown table cell: one line, no pipes.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "<", "&lt;")
	return s
}

// mdCode is inline code that survives backticks inside s.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdBlock fences s with more backticks than any run inside it, so a body
// holding ``` cannot end the block early.
func mdBlock(lang, s string) string {
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	return fence + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

// plural spells a count with its noun: "1 error", "2 errors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func limitLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines in report.html)", len(lines)-n)
}

// writeTimings shows when the requests of each concurrent batch ran, so a
// reader sees that a concurrency check's requests really overlapped.
func writeTimings(b *strings.Builder, x *run) {
	first := true
	for _, v := range x.Versions {
		for _, a := range v.Assertions {
			for _, s := range a.Specs {
				for _, t := range s.Timings {
					if first {
						fmt.Fprintf(b, "\n## Timing of concurrent requests\n")
						first = false
					}
					on := ""
					if x.multi() {
						on = " on " + v.name()
					}
					fmt.Fprintf(b, "\nSpec%s: %s\n\n", on, mdCode(s.Name))
					fmt.Fprint(b, mdBlock("text", limitLines(t, summaryMessageLines)))
				}
			}
		}
	}
}
