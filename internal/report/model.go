package report

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// run is one report judged through the catalogue: everything every file
// renders, computed once so that the files cannot disagree.
type run struct {
	Meta    Meta
	Report  types.Report
	Verdict string
	// VerdictLine is Verdict with what was chosen (see VerdictLine).
	VerdictLine string
	Assertions  []assertion
	Counts      map[outcome.Outcome]int
	// Requests and Retries count every transcript of the run, suite setup
	// (minting users) included.
	Requests, Retries int
	// Problems are failures outside any assertion: suite setup, teardown,
	// Ginkgo's own reasons for failing the suite.
	Problems []string
	// Cleanup lists resources the run could not delete.
	Cleanup []string
	// Waivers are CHAT_WAIVERS' entries and what each did.
	Waivers []WaiverResult
	// NotRun are the opt-in checks the user did not choose.
	NotRun []NotRun
	// Baseline is the comparison with CHAT_BASELINE (nil without one).
	Baseline *Comparison
}

// assertion is one catalogue row with the specs that certified it.
type assertion struct {
	outcome.Assertion
	Specs             []spec
	Requests, Retries int
	// NotApplicable marks an assertion that is not part of the run's
	// api-version (metadata exists only in the preview): it is reported,
	// but the verdict does not wait for it.
	NotApplicable bool
	// NotChosen is the setting that would run an assertion skipped because
	// the user did not opt in to its capability ("" otherwise); like
	// NotApplicable, the verdict does not wait for it.
	NotChosen string
}

// applies says whether an assertion belongs to the contract of the
// api-version: a stable-version server cannot be asked for preview-only
// behaviour, so it must be able to certify without it.
func applies(a catalogue.Assertion, apiVersion string) bool {
	return a.Capability != catalogue.CapMetadata || wire.HasMetadata(apiVersion)
}

// spec is one spec of an assertion with its decoded transcripts.
type spec struct {
	outcome.Spec
	Name      string
	Exchanges []recorded
	// Repro is the request a failure or error is about (nil otherwise).
	Repro    *transcript.Exchange
	Warnings []string
	// Timings are when the requests of a concurrent batch ran (CONC).
	Timings           []string
	Requests, Retries int
}

// areaOrder is the areas in the catalogue's order, so that a row in a new
// area is never left out of a report.
var areaOrder = func() []string {
	var out []string
	for _, a := range catalogue.All() {
		if !slices.Contains(out, a.Area) {
			out = append(out, a.Area)
		}
	}
	return out
}()

// areaTitles are the headings the reports use.

var areaTitles = map[string]string{
	"add":         "Add participants",
	"list":        "List participants",
	"paging":      "Paging",
	"time":        "shareHistoryTime",
	"errors":      "Authentication, authorisation and errors",
	"metadata":    "Participant metadata (preview)",
	"remove":      "Remove participants",
	"concurrency": "Concurrency",
}

func areaTitle(a string) string {
	if t, ok := areaTitles[a]; ok {
		return t
	}
	return a
}

func newRun(r types.Report, m Meta) *run {
	m.Endpoint = Origin(m.Endpoint)
	x := &run{Meta: m, Report: r, Counts: map[outcome.Outcome]int{}}
	judged := outcome.Judge(r)
	var binding []outcome.Assertion
	for _, a := range judged {
		av := assertion{Assertion: a, NotApplicable: !applies(a.Assertion, m.APIVersion)}
		if a.Outcome == outcome.Skipped && a.Capability != "" {
			av.NotChosen = m.NotChosen[a.Capability]
		}
		if !av.NotApplicable && av.NotChosen == "" {
			binding = append(binding, a)
		}
		for _, s := range a.Specs {
			sv := spec{Spec: s, Name: specName(s), Exchanges: exchangesOf(s.Report)}
			for _, e := range sv.Exchanges {
				sv.Requests++
				if e.Ex.Retried != "" {
					sv.Retries++
				}
			}
			sv.Warnings = entriesNamed(s.Report, outcome.EntryWarning)
			sv.Timings = entriesNamed(s.Report, outcome.EntryTiming)
			if s.Outcome == outcome.Failed || s.Outcome == outcome.Error {
				sv.Repro = reproducible(s.Report, sv.Exchanges)
			}
			av.Requests += sv.Requests
			av.Retries += sv.Retries
			av.Specs = append(av.Specs, sv)
		}
		x.Counts[a.Outcome]++
		x.Assertions = append(x.Assertions, av)
	}
	x.Verdict = Verdict(binding, m.Strict)
	x.NotRun = notRunByChoice(x.Assertions)
	x.VerdictLine = VerdictLine(x.Verdict, x.Counts[outcome.Waived], len(x.NotRun))
	for _, sr := range r.SpecReports {
		for _, e := range exchangesOf(sr) {
			x.Requests++
			if e.Ex.Retried != "" {
				x.Retries++
			}
		}
		x.Cleanup = append(x.Cleanup, entriesNamed(sr, outcome.EntryCleanupError)...)
		if _, ok := outcome.OfSpec(sr); ok || !sr.State.Is(types.SpecStateFailureStates) {
			continue
		}
		where := sr.LeafNodeType.String()
		if t := sr.FullText(); t != "" {
			where += " " + t
		}
		x.Problems = append(x.Problems, fmt.Sprintf("%s %s: %s", where, sr.State, firstLine(sr.Failure.Message)))
	}
	x.Problems = append(x.Problems, r.SpecialSuiteFailureReasons...)
	x.Waivers = waiverResults(x)
	if m.Baseline != "" {
		x.Baseline = compare(x, m.Baseline)
	}
	return x
}

// specName is the spec's full text with its assertion ID first, so every
// list of specs sorts and reads by ID: "[ADD-01] Add Chat Participants …".
func specName(s outcome.Spec) string {
	tag := "[" + s.ID + "]"
	text := s.Text
	if strings.HasPrefix(text, tag) {
		return text
	}
	text = strings.Join(strings.Fields(strings.Replace(text, tag, "", 1)), " ")
	return tag + " " + text
}

// byArea groups the assertions by area, in catalogue order.
func (x *run) byArea() []areaGroup {
	var out []areaGroup
	for _, area := range areaOrder {
		g := areaGroup{Area: area, Title: areaTitle(area)}
		for _, a := range x.Assertions {
			if a.Area == area {
				g.Assertions = append(g.Assertions, a)
			}
		}
		if len(g.Assertions) > 0 {
			out = append(out, g)
		}
	}
	return out
}

type areaGroup struct {
	Area, Title string
	Assertions  []assertion
}

// outcomeOrder is how the reports list assertions: what needs attention first.
var outcomeOrder = []outcome.Outcome{outcome.Failed, outcome.Error, outcome.Warned, outcome.Waived, outcome.Passed, outcome.Skipped}

// ordered returns the assertions failures first, then errors, warnings,
// passed and skipped; catalogue order within each.
func (x *run) ordered() []assertion {
	rank := map[outcome.Outcome]int{}
	for i, o := range outcomeOrder {
		rank[o] = i
	}
	out := append([]assertion(nil), x.Assertions...)
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Outcome] < rank[out[j].Outcome] })
	return out
}

// tierWord is MUST or SHOULD, as the catalogue writes it.
func tierWord(t catalogue.Tier) string { return strings.ToUpper(string(t)) }

// shortMessage is the first line of the first message, cut to n runes, for
// tables and the console.
func shortMessage(msgs []string, n int) string {
	if len(msgs) == 0 {
		return ""
	}
	line := firstTelling(msgs[0])
	// The outcome already says "error"; the harness's preamble would
	// crowd out what went wrong.
	if strings.HasPrefix(line, "HARNESS ERROR (") {
		if _, rest, ok := strings.Cut(line, "): "); ok {
			line = rest
		}
	}
	return cut(line, n)
}

// clauseLine matches the lines a framework failure starts with (the
// catalogue clause, and who observed a finding): the table row already
// says which clause, so the short message is the first line after them.
var clauseLine = regexp.MustCompile(`^(\[[A-Z]+-\d+\] (MUST|SHOULD): |\(observed by the spec of )`)

func firstTelling(s string) string {
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line = strings.TrimSpace(line); line != "" && !clauseLine.MatchString(line) {
			return line
		}
	}
	return firstLine(s)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func seconds(d time.Duration) float64 {
	return float64(d.Round(time.Millisecond)) / float64(time.Second)
}
