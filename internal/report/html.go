package report

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
)

//go:embed html.tmpl
var htmlFS embed.FS

var htmlTemplate = template.Must(template.New("html.tmpl").ParseFS(htmlFS, "html.tmpl"))

// Limits that keep report.html fast on a phone: a negative-corpus spec
// makes hundreds of requests, some with megabyte bodies. report.json keeps
// everything.
const (
	htmlMaxExchanges = 60
	htmlMaxBody      = 16 << 10
)

type htmlPage struct {
	Verdict, VerdictClass, VerdictReason string
	VerdictLine, NotRun                  string
	Baseline                             *Comparison
	BaselineLines                        []string
	Stale                                []WaiverResult
	Facts                                []keyValue
	Config                               []keyValue
	Meter                                []htmlCount
	Total                                int
	// TotalLabel is what Total counts: assertions, or (several
	// api-versions) assertion results, one per version and assertion.
	TotalLabel        string
	Problems, Cleanup []string
	// Discovery are what CHAT_API_VERSION=supported learnt.
	Discovery []string
	// Versions and Matrix are shown for a run of several api-versions.
	Versions   []htmlVersion
	Matrix     []htmlMatrixGroup
	MatrixCols int
	Groups     []htmlGroup
	Generated  string
}

type htmlVersion struct {
	Name, VerdictLine, Class string
}

type htmlMatrixGroup struct {
	Title string
	Rows  []htmlMatrixRow
}

type htmlMatrixRow struct {
	ID, Tier, TierClass, Behavior string
	Cells                         []htmlCell
}

type htmlCell struct {
	// Class is the outcome (the pill's colour), Label what the cell says,
	// Anchor the id of the assertion's section of that version.
	Class, Label, Anchor, Title string
}

type htmlCount struct {
	Outcome, Label string
	N              int
	Percent        string
}

type htmlGroup struct {
	Title, Class string
	Assertions   []htmlAssertion
}

type htmlAssertion struct {
	ID, Tier, TierClass, Area, Behavior, Outcome string
	// Anchor is the section's id: the ID, or in a run of several
	// api-versions the ID and its version (anchor). Version is the
	// api-version, shown when the run has several.
	Anchor, Version string
	// Short is the first line of the first message, shown under the
	// behaviour while the assertion is collapsed.
	Short             string
	Messages          []string
	Duration          string
	Requests, Retries int
	Specs             []htmlSpec
	NotApplicable     bool
}

type htmlSpec struct {
	Name, Outcome, Message, Duration string
	// Version is the api-version the spec certified.
	Version           string
	Warnings, Timings []string
	Curl              string
	Exchanges         []htmlExchange
	Omitted           int
	OpenExchanges     bool
}

type htmlExchange struct {
	N                   int
	Method, URL         string
	Status, StatusClass string
	Duration            string
	Request, Response   string
	Retried, Err        string
	Attempt             int
	Repro               bool
}

var groupTitles = map[outcome.Outcome]string{
	outcome.Failed:  "Failures",
	outcome.Error:   "Errors — the harness could not judge",
	outcome.Warned:  "Warnings — SHOULD-tier findings",
	outcome.Waived:  "Waived — known deviations (CHAT_WAIVERS), with their reasons",
	outcome.Passed:  "Passed",
	outcome.Skipped: "Skipped",
}

var outcomeLabels = map[outcome.Outcome]string{
	outcome.Failed: "failed", outcome.Error: "error", outcome.Warned: "warned", outcome.Waived: "waived", outcome.Passed: "passed", outcome.Skipped: "skipped",
}

var verdictClasses = map[string]string{Conformant: "ok", NotConformant: "bad", Incomplete: "incomplete"}

func renderHTML(x *run) ([]byte, error) {
	p := htmlPage{
		Verdict:       x.Verdict,
		VerdictLine:   x.VerdictLine,
		Baseline:      x.Baseline,
		Stale:         x.staleWaivers(),
		VerdictClass:  verdictClasses[x.Verdict],
		VerdictReason: verdictReason(x),
		Facts:         runFacts(x),
		Problems:      x.Problems,
		Cleanup:       x.Cleanup,
		TotalLabel:    "assertions",
		Generated:     time.Now().UTC().Format(time.RFC3339),
	}
	if x.Baseline != nil {
		p.BaselineLines = baselineLines(x.Baseline)
	}
	if x.Discovery != nil {
		p.Discovery = discoveryLines(x.Discovery)
	}
	if len(x.NotRun) > 0 {
		p.NotRun = notRunText(x.NotRun)
	}
	keys := make([]string, 0, len(x.Meta.Config))
	for k := range x.Meta.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.Config = append(p.Config, keyValue{k, x.Meta.Config[k]})
	}
	// The meter counts one result per version and assertion.
	counts := map[outcome.Outcome]int{}
	for _, v := range x.Versions {
		p.Total += len(v.Assertions)
		for o, n := range v.Counts {
			counts[o] += n
		}
	}
	if x.multi() {
		p.TotalLabel = fmt.Sprintf("assertion results (%s × %d api-versions)", plural(len(x.Assertions), "assertion"), len(x.Versions))
		p.Versions, p.Matrix = htmlMatrix(x)
		p.MatrixCols = len(p.Versions) + 1
	}
	for _, o := range []outcome.Outcome{outcome.Passed, outcome.Waived, outcome.Warned, outcome.Failed, outcome.Error, outcome.Skipped} {
		n := counts[o]
		pc := 0.0
		if p.Total > 0 {
			pc = 100 * float64(n) / float64(p.Total)
		}
		p.Meter = append(p.Meter, htmlCount{Outcome: string(o), Label: outcomeLabels[o], N: n, Percent: fmt.Sprintf("%.3f%%", pc)})
	}
	// Failures first, then errors, warnings, …; within each the versions
	// in order, and the catalogue's order within a version.
	byOutcome := map[outcome.Outcome][]htmlAssertion{}
	for _, v := range x.Versions {
		for _, a := range ordered(v.Assertions) {
			h := htmlAssertionOf(a)
			h.Anchor = anchor(x, v, a.ID)
			if x.multi() {
				h.Version = v.name()
			}
			byOutcome[a.Outcome] = append(byOutcome[a.Outcome], h)
		}
	}
	for _, o := range outcomeOrder {
		if as := byOutcome[o]; len(as) > 0 {
			p.Groups = append(p.Groups, htmlGroup{Title: groupTitles[o], Class: string(o), Assertions: as})
		}
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// anchor is the id of an assertion's section in report.html (and the
// fragment that opens it): the ID, and in a run of several api-versions
// "ADD-01@2025-03-15".
func anchor(x *run, v *version, id string) string {
	if !x.multi() {
		return id
	}
	return id + "@" + v.name()
}

// htmlMatrix is the versions' verdicts and the version × assertion matrix.
func htmlMatrix(x *run) ([]htmlVersion, []htmlMatrixGroup) {
	var vs []htmlVersion
	for _, v := range x.Versions {
		vs = append(vs, htmlVersion{Name: v.name(), VerdictLine: v.VerdictLine, Class: verdictClasses[v.Verdict]})
	}
	groups := make([][]areaGroup, len(x.Versions))
	for k, v := range x.Versions {
		groups[k] = byArea(v.Assertions)
	}
	var out []htmlMatrixGroup
	for gi, g := range groups[0] {
		mg := htmlMatrixGroup{Title: g.Title}
		for i, a := range g.Assertions {
			row := htmlMatrixRow{ID: a.ID, Tier: tierWord(a.Tier), TierClass: string(a.Tier), Behavior: a.Behavior}
			for k, v := range x.Versions {
				va := groups[k][gi].Assertions[i]
				c := htmlCell{Class: string(va.Outcome), Label: outcomeLabels[va.Outcome], Anchor: anchor(x, v, a.ID),
					Title: a.ID + " on " + v.name() + ": " + string(va.Outcome)}
				switch {
				case va.NotApplicable:
					c.Class, c.Label, c.Title = "na", "n/a", a.ID+" is not in api-version "+v.name()
				case va.NotChosen != "":
					c.Label, c.Title = "opt-in", a.ID+" on "+v.name()+": not run by choice (set "+va.NotChosen+")"
				}
				row.Cells = append(row.Cells, c)
			}
			mg.Rows = append(mg.Rows, row)
		}
		out = append(out, mg)
	}
	return vs, out
}

func htmlAssertionOf(a assertion) htmlAssertion {
	h := htmlAssertion{
		ID: a.ID, Tier: tierWord(a.Tier), TierClass: string(a.Tier), Area: a.Area, Behavior: a.Behavior,
		Outcome: string(a.Outcome), Messages: a.Messages, Duration: a.Duration.Round(time.Millisecond).String(),
		Requests: a.Requests, Retries: a.Retries, NotApplicable: a.NotApplicable,
	}
	if a.Outcome != outcome.Passed {
		h.Short = shortMessage(a.Messages, 160)
	}
	for _, s := range a.Specs {
		hs := htmlSpec{
			Name: s.Name, Outcome: string(s.Outcome), Duration: s.Duration.Round(time.Millisecond).String(), Version: s.Version,
			Warnings:      s.Warnings,
			Timings:       s.Timings,
			OpenExchanges: s.Outcome == outcome.Failed || s.Outcome == outcome.Error,
		}
		if s.Outcome != outcome.Passed && s.Outcome != outcome.Warned {
			hs.Message = s.Message
		}
		if s.Repro != nil {
			hs.Curl = displayCurl(s.Repro)
		}
		exs := s.Exchanges
		start := 0
		if len(exs) > htmlMaxExchanges {
			start = len(exs) - htmlMaxExchanges
			hs.Omitted = start
		}
		for i, r := range exs {
			repro := s.Repro != nil && sameExchange(r.Ex, s.Repro)
			if i < start && !repro {
				continue
			}
			hs.Exchanges = append(hs.Exchanges, htmlExchangeOf(i+1, r.Ex, repro))
		}
		h.Specs = append(h.Specs, hs)
	}
	return h
}

func sameExchange(a, b *transcript.Exchange) bool {
	return a.Method == b.Method && a.URL == b.URL && a.Start.Equal(b.Start) && a.Attempt == b.Attempt && a.RequestBody == b.RequestBody
}

func htmlExchangeOf(n int, ex *transcript.Exchange, repro bool) htmlExchange {
	h := htmlExchange{
		N: n, Method: ex.Method, URL: ex.URL, Duration: ex.Duration.Round(time.Millisecond).String(),
		Retried: ex.Retried, Err: ex.Err, Attempt: ex.Attempt, Repro: repro,
	}
	// The method, URL and status are in the exchange's heading; the
	// blocks hold the headers and the bodies.
	var req strings.Builder
	transcript.WriteHeaders(&req, "", ex.RequestHeader)
	if ex.RequestBody != "" {
		req.WriteString("\n" + bodyForDisplay(ex.RequestBody, false))
	}
	h.Request = strings.Trim(req.String(), "\n")
	switch {
	case ex.Err != "":
		h.Status, h.StatusClass = "no response", "serr"
		h.Response = ex.Err
	default:
		h.Status = fmt.Sprintf("%d %s", ex.Status, http.StatusText(ex.Status))
		h.StatusClass = fmt.Sprintf("s%dxx", ex.Status/100)
		var resp strings.Builder
		transcript.WriteHeaders(&resp, "", ex.ResponseHeader)
		if ex.ResponseBody != "" {
			resp.WriteString("\n" + bodyForDisplay(ex.ResponseBody, ex.BodyTruncated))
		}
		h.Response = strings.Trim(resp.String(), "\n")
	}
	return h
}

// bodyForDisplay pretty-prints a JSON body and cuts a long one.
func bodyForDisplay(body string, truncated bool) string {
	body = prettyBody(body)
	note := ""
	if len(body) > htmlMaxBody {
		note = fmt.Sprintf("\n… (%d more bytes: report.json has the whole body)", len(body)-htmlMaxBody)
		body = strings.ToValidUTF8(body[:htmlMaxBody], "")
	}
	if truncated {
		note += fmt.Sprintf("\n… (the suite kept only the first %d bytes of this body)", transcript.MaxRecordedBody)
	}
	return body + note
}

// Indenting JSON costs depth × lines: the negative corpus's deeply nested
// bodies would blow up to megabytes. Only small, shallow bodies are
// pretty-printed; the rest are shown as sent.
const (
	prettyMaxBody  = 64 << 10
	prettyMaxDepth = 32
)

func prettyBody(s string) string {
	if len(s) > prettyMaxBody || jsonDepth(s) > prettyMaxDepth {
		return s
	}
	var out bytes.Buffer
	if json.Indent(&out, []byte(s), "", "  ") != nil {
		return s
	}
	return out.String()
}

// jsonDepth is the deepest nesting of objects and arrays in s, outside
// strings; it does not validate.
func jsonDepth(s string) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > deepest {
				deepest = depth
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
