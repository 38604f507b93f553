package report

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/sanitize"
	"github.com/chatconform/chatconform/internal/transcript"
)

// run is one report judged through the catalogue: everything every file
// renders, computed once so that the files cannot disagree. A run certifies
// one or more api-versions; each has its own verdict over its own specs,
// and the run's verdict is the worst of them.
type run struct {
	Meta   Meta
	Report types.Report
	// Verdict is the worst of the versions' verdicts: NOT CONFORMANT if any
	// version is, else INCOMPLETE if any is, else CONFORMANT.
	Verdict string
	// VerdictLine is Verdict with what was chosen (see VerdictLine).
	VerdictLine string
	// Versions are the certified api-versions, in Meta.APIVersions' order.
	Versions []*version
	// Assertions are the catalogue rows over every version: each the worst
	// outcome of the versions it binds (see aggregate).
	Assertions []assertion
	Counts     map[outcome.Outcome]int
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
	// Discovery is Meta.Discovery with the server's bytes made safe to
	// show (nil unless CHAT_API_VERSION=supported).
	Discovery *Discovery
}

// version is one certified api-version: the catalogue judged over the
// specs of that version only.
type version struct {
	APIVersion  string
	Verdict     string
	VerdictLine string
	Assertions  []assertion
	Counts      map[outcome.Outcome]int
	NotRun      []NotRun
	// Requests and Retries count the transcripts of the version's specs.
	Requests, Retries int
	Specs             int
}

// name is the version as the reports write it.
func (v *version) name() string {
	if v.APIVersion == "" {
		return "(no api-version)"
	}
	return v.APIVersion
}

// multi says whether the run certifies more than one api-version: the
// reports then show a verdict per version and the version × assertion
// matrix; with one they read as they always have.
func (x *run) multi() bool { return len(x.Versions) > 1 }

// versionNames are the certified versions as the reports write them.
func (x *run) versionNames() []string {
	var out []string
	for _, v := range x.Versions {
		out = append(out, v.name())
	}
	return out
}

// assertion is one catalogue row with the specs that certified it.
type assertion struct {
	outcome.Assertion
	Specs             []spec
	Requests, Retries int
	// NotApplicable marks an assertion that is not part of the
	// api-version (catalogue.AppliesTo: the META rows where the version has
	// no metadata, META-03 where it has): it is reported, but the verdict
	// does not wait for it.
	NotApplicable bool
	// NotChosen is the setting that would run an assertion skipped because
	// the user did not opt in to its capability ("" otherwise); like
	// NotApplicable, the verdict does not wait for it.
	NotChosen string
}

// binds says whether the assertion counts for its version's verdict.
func (a assertion) binds() bool { return !a.NotApplicable && a.NotChosen == "" }

// spec is one spec of an assertion with its decoded transcripts.
type spec struct {
	outcome.Spec
	// Version is the api-version the spec certified.
	Version   string
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
	"metadata":    "Participant metadata",
	"remove":      "Remove participants",
	"stateful":    "Sequences (model-based)",
	"concurrency": "Concurrency",
	"versions":    "api-versions (api-supported-versions)",
}

func areaTitle(a string) string {
	if t, ok := areaTitles[a]; ok {
		return t
	}
	return a
}

func newRun(r types.Report, m Meta) *run {
	m.Endpoint = Origin(m.Endpoint)
	x := &run{Meta: m, Report: r, Counts: map[outcome.Outcome]int{}, Discovery: safeDiscovery(m.Discovery)}
	names := certifiedVersions(r, m)
	exchanges := decodeTranscripts(r.SpecReports)
	byVersion := map[string][]types.SpecReport{}
	unlabelled := 0
	uncertified := map[string]int{}
	for _, sr := range r.SpecReports {
		if _, ok := outcome.OfSpec(sr); !ok {
			continue
		}
		v := outcome.VersionOf(sr)
		switch {
		case v == "" && len(names) == 1:
			v = names[0]
		case v == "":
			unlabelled++
			continue
		case !slices.Contains(names, v):
			// A version the run does not certify (one the server did not
			// list): its specs were skipped and are in no verdict, but one
			// that ran is a harness mistake worth seeing.
			if !sr.State.Is(types.SpecStateSkipped | types.SpecStatePending) {
				uncertified[v]++
			}
			continue
		}
		byVersion[v] = append(byVersion[v], sr)
	}
	for _, name := range names {
		sub := r
		sub.SpecReports = byVersion[name]
		x.Versions = append(x.Versions, newVersion(name, sub, m, exchanges))
	}
	x.Assertions = aggregate(x.Versions, m.Strict)
	for _, a := range x.Assertions {
		x.Counts[a.Outcome]++
	}
	x.Verdict = Conformant
	for _, v := range x.Versions {
		x.Verdict = worseVerdict(x.Verdict, v.Verdict)
	}
	x.NotRun = notRunByChoice(x.Assertions)
	x.VerdictLine = VerdictLine(x.Verdict, x.Counts[outcome.Waived], len(x.NotRun))
	for _, sr := range r.SpecReports {
		for _, e := range exchanges.of(sr) {
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
	if unlabelled > 0 {
		verb, they := "carry", "they are"
		if unlabelled == 1 {
			verb, they = "carries", "it is"
		}
		x.Problems = append(x.Problems, fmt.Sprintf("%s %s no %s<api-version> label in a run of several api-versions (%s): %s in no version's verdict",
			plural(unlabelled, "spec"), verb, outcome.VersionLabelPrefix, strings.Join(names, ", "), they))
	}
	for _, v := range slices.Sorted(maps.Keys(uncertified)) {
		x.Problems = append(x.Problems, fmt.Sprintf("%s of api-version %s ran, but the run does not certify %s: they are in no verdict",
			plural(uncertified[v], "spec"), sanitize.Text(v), sanitize.Text(v)))
	}
	if d := x.Discovery; d != nil && len(m.APIVersions) == 0 {
		x.Problems = append(x.Problems, "the server's api-supported-versions lists none of the api-versions the run selected: nothing was certified")
	}
	x.Waivers = waiverResults(x)
	if m.Baseline != "" {
		x.Baseline = compare(x, m.Baseline)
	}
	return x
}

// certifiedVersions are Meta.APIVersions; without them (a Meta from before
// api-versions were listed, or a run that never started) the versions the
// specs' labels name, and without those one unnamed version.
func certifiedVersions(r types.Report, m Meta) []string {
	if len(m.APIVersions) > 0 {
		var out []string
		for _, v := range m.APIVersions {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	var out []string
	for _, sr := range r.SpecReports {
		if v := outcome.VersionOf(sr); v != "" && !slices.Contains(out, v) && (m.Discovery == nil || !slices.Contains(m.Discovery.NotListed, v)) {
			if _, ok := outcome.OfSpec(sr); ok {
				out = append(out, v)
			}
		}
	}
	sort.Strings(out) // api-versions are dates: oldest first
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// newVersion judges the specs of one api-version (r holds only them);
// exchanges has their transcripts.
func newVersion(name string, r types.Report, m Meta, exchanges transcripts) *version {
	v := &version{APIVersion: name, Counts: map[outcome.Outcome]int{}}
	var binding []outcome.Assertion
	for _, a := range outcome.Judge(r) {
		av := assertion{Assertion: a, NotApplicable: !catalogue.AppliesTo(a.Assertion, name)}
		if a.Outcome == outcome.Skipped && a.Capability != "" {
			av.NotChosen = m.NotChosen[a.Capability]
		}
		if av.binds() {
			binding = append(binding, a)
		}
		for _, s := range a.Specs {
			sv := spec{Spec: s, Version: name, Name: specName(s), Exchanges: exchanges.of(s.Report)}
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
		v.Requests += av.Requests
		v.Retries += av.Retries
		v.Specs += len(av.Specs)
		v.Counts[a.Outcome]++
		v.Assertions = append(v.Assertions, av)
	}
	v.Verdict = Verdict(binding, m.Strict)
	v.NotRun = notRunByChoice(v.Assertions)
	v.VerdictLine = VerdictLine(v.Verdict, v.Counts[outcome.Waived], len(v.NotRun))
	return v
}

// cell is one (version, assertion) of the matrix, as aggregate and
// Results.Check judge it.
type cell struct {
	Outcome       outcome.Outcome
	NotApplicable bool
	NotChosen     string
}

// aggregateCells is one assertion over several versions. Only the versions
// it binds count (not "not in this api-version", not "not run by
// choice"); of those the worst outcome wins, where for a binding tier (MUST,
// or SHOULD under strict) a skip outranks a warning or a pass, because it
// leaves that version incomplete. So the verdict of the aggregated rows is
// always the worst of the versions' verdicts. An assertion no version binds
// is not applicable if no version has it, else not run by choice.
func aggregateCells(tier catalogue.Tier, strict bool, cells []cell) (o outcome.Outcome, notApplicable bool, notChosen string, pool []int) {
	if len(cells) == 0 {
		return outcome.Skipped, false, "", nil
	}
	for i, c := range cells {
		if !c.NotApplicable && c.NotChosen == "" {
			pool = append(pool, i)
		}
	}
	if len(pool) == 0 {
		for i, c := range cells {
			if !c.NotApplicable {
				pool = append(pool, i)
				if notChosen == "" {
					notChosen = c.NotChosen
				}
			}
		}
	}
	if len(pool) == 0 {
		notApplicable = true
		notChosen = cells[0].NotChosen
		for i, c := range cells {
			pool = append(pool, i)
			if c.NotChosen == "" {
				notChosen = "" // not run by choice only if in every version
			}
		}
	}
	binding := tier == catalogue.Must || strict
	for k, i := range pool {
		if c := cells[i].Outcome; k == 0 || aggregateRank(c, binding) < aggregateRank(o, binding) {
			o = c
		}
	}
	return o, notApplicable, notChosen, pool
}

func aggregateRank(o outcome.Outcome, binding bool) int {
	order := []outcome.Outcome{outcome.Failed, outcome.Error, outcome.Warned, outcome.Waived, outcome.Passed, outcome.Skipped}
	if binding {
		order = []outcome.Outcome{outcome.Failed, outcome.Error, outcome.Skipped, outcome.Warned, outcome.Waived, outcome.Passed}
	}
	if i := slices.Index(order, o); i >= 0 {
		return i
	}
	return len(order)
}

// aggregate is every catalogue row over the versions (see aggregateCells):
// what results.json's top-level assertions, the console counts and the
// waivers judge by. With one version it is that version's rows.
func aggregate(vs []*version, strict bool) []assertion {
	if len(vs) == 1 {
		return vs[0].Assertions
	}
	var out []assertion
	for i, row := range vs[0].Assertions {
		cells := make([]cell, len(vs))
		for k, v := range vs {
			a := v.Assertions[i]
			cells[k] = cell{a.Outcome, a.NotApplicable, a.NotChosen}
		}
		o, na, nc, pool := aggregateCells(row.Tier, strict, cells)
		a := assertion{Assertion: outcome.Assertion{Assertion: row.Assertion.Assertion, Outcome: o}, NotApplicable: na, NotChosen: nc}
		for _, k := range pool {
			for _, msg := range vs[k].Assertions[i].Messages {
				a.Messages = append(a.Messages, vs[k].name()+": "+msg)
			}
		}
		for _, v := range vs {
			va := v.Assertions[i]
			a.Specs = append(a.Specs, va.Specs...)
			a.Assertion.Specs = append(a.Assertion.Specs, va.Assertion.Specs...)
			a.Waived = append(a.Waived, va.Waived...)
			a.Duration += va.Duration
			a.Requests += va.Requests
			a.Retries += va.Retries
		}
		out = append(out, a)
	}
	return out
}

// worseVerdict is the worse of two verdicts.
func worseVerdict(a, b string) string {
	rank := map[string]int{NotConformant: 2, Incomplete: 1, Conformant: 0}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Bounds on what a server's api-supported-versions header can put in a
// report.
const (
	discoveryMaxEntries = 64
	discoveryMaxRunes   = 80
)

// safeDiscovery copies d with the server's bytes escaped and bounded.
func safeDiscovery(d *Discovery) *Discovery {
	if d == nil {
		return nil
	}
	clean := func(in []string) []string {
		out := []string{}
		for i, s := range in {
			if i == discoveryMaxEntries {
				out = append(out, fmt.Sprintf("… and %d more", len(in)-i))
				break
			}
			out = append(out, cut(sanitize.Text(s), discoveryMaxRunes))
		}
		return out
	}
	return &Discovery{Listed: clean(d.Listed), Unknown: clean(d.Unknown), NotListed: clean(d.NotListed)}
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
func byArea(as []assertion) []areaGroup {
	var out []areaGroup
	for _, area := range areaOrder {
		g := areaGroup{Area: area, Title: areaTitle(area)}
		for _, a := range as {
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
func ordered(as []assertion) []assertion {
	rank := map[outcome.Outcome]int{}
	for i, o := range outcomeOrder {
		rank[o] = i
	}
	out := append([]assertion(nil), as...)
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
