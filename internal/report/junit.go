package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
)

// The JUnit shape GitHub, GitLab, Jenkins and Azure Pipelines all read:
// testsuites > testsuite > testcase, with tests/failures/errors/skipped/time
// on both containers and failure, error or skipped inside a testcase.
type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	junitCounts
	Suites []junitSuite `xml:"testsuite"`
}

// junitCounts are the attributes both containers carry.
type junitCounts struct {
	Name     string  `xml:"name,attr"`
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Errors   int     `xml:"errors,attr"`
	Skipped  int     `xml:"skipped,attr"`
	Time     float64 `xml:"time,attr"`
}

type junitSuite struct {
	junitCounts
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  *junitText      `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       float64         `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Skipped    *junitMessage   `xml:"skipped,omitempty"`
	Failure    *junitMessage   `xml:"failure,omitempty"`
	Error      *junitMessage   `xml:"error,omitempty"`
	SystemOut  *junitText      `xml:"system-out,omitempty"`
	SystemErr  *junitText      `xml:"system-err,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",cdata"`
}

// junitText is element text kept readable: CDATA keeps the transcripts'
// line breaks and quotes as they are, where escaped text would turn every
// newline into &#xA; for anyone who opens the file.
type junitText struct {
	Text string `xml:",cdata"`
}

// text wraps s for a CDATA element, nil when empty. CDATA is not escaped,
// so characters XML forbids (control bytes, invalid UTF-8 from the negative
// corpus) are replaced here; encoding/xml splits any "]]>" itself.
func text(s string) *junitText {
	if s == "" {
		return nil
	}
	return &junitText{Text: xmlChars(s)}
}

// xmlChars replaces what XML 1.0 cannot hold with U+FFFD.
func xmlChars(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// junitMaxExchanges bounds the transcripts one testcase carries: a
// negative-corpus spec makes hundreds of requests, and CI viewers choke on
// megabytes of system-out. The last ones are the ones the failure is about.
const junitMaxExchanges = 50

// renderJUnit is junit.xml: one testsuite per certified api-version, each
// with that version's testcases and findings. A run of one version has the
// one suite as always; a run of several puts the failed setup and teardown
// nodes (which belong to no version) in a suite of their own.
func renderJUnit(x *run) ([]byte, error) {
	var suites []junitSuite
	for _, v := range x.Versions {
		suites = append(suites, versionSuite(x, v))
	}
	if setup := setupCases(x); len(setup) > 0 {
		if x.multi() {
			s := junitSuite{junitCounts: junitCounts{Name: suiteName(x.Report) + ", suite setup and teardown"},
				Timestamp: x.Report.StartTime.UTC().Format("2006-01-02T15:04:05Z"), SystemOut: text(runText(x, nil))}
			suites = append(suites, s)
		}
		s := &suites[len(suites)-1]
		for _, c := range setup {
			s.Cases = append(s.Cases, c)
			s.Tests++
			s.Errors++
		}
	}
	return encodeJUnit(suiteName(x.Report), seconds(x.Report.RunTime), suites...)
}

// versionSuite is the testsuite of one api-version.
func versionSuite(x *run, v *version) junitSuite {
	name := suiteName(x.Report)
	classPrefix := ""
	if v.APIVersion != "" {
		name += " " + v.APIVersion
	}
	if x.multi() {
		// Jenkins and others group by classname, not by suite: the
		// version keeps two versions' cases of one area apart.
		classPrefix = v.name() + "."
	}
	suite := junitSuite{
		junitCounts: junitCounts{Name: strings.TrimSpace(name)},
		Timestamp:   x.Report.StartTime.UTC().Format("2006-01-02T15:04:05Z"),
		Properties: []junitProperty{
			{"verdict", v.Verdict},
			{"run-verdict", x.Verdict},
			{"suite-version", x.Meta.version()},
			{"api-version", v.APIVersion},
			{"endpoint", x.Meta.Endpoint},
			{"mode", x.Meta.Mode},
			{"strict", fmt.Sprint(x.Meta.Strict)},
			{"spec-source", x.Meta.SpecSource},
			{"spec-digest", x.Meta.SpecDigest},
		},
	}
	// One version's suite takes the run's wall time, as always; of
	// several versions, each the time of its specs.
	var specTime time.Duration
	for _, a := range v.Assertions {
		for _, s := range a.Specs {
			c := junitCase{
				Name:      s.Name,
				Classname: classPrefix + a.Area,
				Time:      seconds(s.Duration),
				Properties: []junitProperty{
					{"id", a.ID}, {"tier", string(a.Tier)}, {"area", a.Area}, {"outcome", string(s.Outcome)}, {"api-version", v.APIVersion},
				},
			}
			switch s.Outcome {
			case outcome.Failed:
				c.Failure = &junitMessage{Message: headline(s.Message), Type: string(a.Tier) + " " + s.Report.State.String(), Body: xmlChars(failureBody(s))}
				c.SystemOut = text(transcriptsText(s))
				suite.Failures++
			case outcome.Error:
				c.Error = &junitMessage{Message: headline(s.Message), Type: "harness-error", Body: xmlChars(failureBody(s))}
				c.SystemOut = text(transcriptsText(s))
				suite.Errors++
			case outcome.Skipped:
				c.Skipped = &junitMessage{Message: s.Message}
				suite.Skipped++
			case outcome.Warned:
				var b strings.Builder
				for _, w := range s.Warnings {
					fmt.Fprintf(&b, "WARNING (SHOULD, not a failure without CHAT_STRICT=1): %s\n", w)
				}
				c.SystemOut = text(b.String())
			case outcome.Waived:
				c.SystemOut = text("WAIVED (a known deviation, not a failure):\n" + s.Message + "\n\n" + transcriptsText(s))
			}
			if w := s.Report.CapturedGinkgoWriterOutput; w != "" && s.Outcome != outcome.Passed {
				c.SystemErr = text(w)
			}
			specTime += s.Duration
			suite.Cases = append(suite.Cases, c)
			suite.Tests++
		}
	}
	// A finding is evidence against a row seen by another row's spec: it
	// gets its own testcase under that row, so CI names the row it fails.
	for _, a := range v.Assertions {
		for _, s := range a.Specs {
			for _, f := range s.Findings {
				t, _ := catalogue.Lookup(f.ID)
				c := junitCase{
					Name:      fmt.Sprintf("[%s] finding, observed by %s", f.ID, s.Name),
					Classname: classPrefix + t.Area,
					Properties: []junitProperty{
						{"id", f.ID}, {"tier", string(t.Tier)}, {"area", t.Area}, {"outcome", string(f.Outcome)}, {"observed-by", a.ID}, {"api-version", v.APIVersion},
					},
				}
				if f.Outcome == outcome.Failed {
					c.Failure = &junitMessage{Message: headline(f.Message), Type: string(t.Tier) + " finding", Body: xmlChars(f.Message)}
					c.SystemOut = text(transcriptsText(s))
					suite.Failures++
				} else {
					c.SystemOut = text("WARNING (SHOULD, not a failure without CHAT_STRICT=1): " + f.Message)
				}
				suite.Cases = append(suite.Cases, c)
				suite.Tests++
			}
		}
	}
	suite.Time = seconds(specTime)
	if !x.multi() {
		suite.Time = seconds(x.Report.RunTime)
	}
	suite.SystemOut = text(runText(x, v))
	return suite
}

// setupCases are the failed setup and teardown nodes: they fail the run
// without failing any assertion's spec, and must still turn the CI job red.
func setupCases(x *run) []junitCase {
	var out []junitCase
	for _, sr := range x.Report.SpecReports {
		if _, ok := outcome.OfSpec(sr); ok || !sr.State.Is(types.SpecStateFailureStates) {
			continue
		}
		name := strings.TrimSpace(sr.LeafNodeType.String() + " " + sr.FullText())
		out = append(out, junitCase{
			Name: name, Classname: "suite", Time: seconds(sr.RunTime),
			Error: &junitMessage{Message: headline(sr.Failure.Message), Type: sr.State.String(), Body: xmlChars(sr.Failure.Message + "\n\nat " + sr.Failure.Location.String())},
		})
	}
	return out
}

// runText is a suite's system-out: the version's verdict (and the run's,
// when it has several versions), then what concerns the whole run.
func runText(x *run, v *version) string {
	var out strings.Builder
	switch {
	case v != nil && x.multi():
		fmt.Fprintf(&out, "Verdict on api-version %s: %s\nVerdict of the run (%s): %s\n", v.name(), v.VerdictLine, strings.Join(x.versionNames(), ", "), x.VerdictLine)
	default:
		fmt.Fprintf(&out, "Verdict: %s\n", x.VerdictLine)
	}
	if d := x.Discovery; d != nil {
		for _, l := range discoveryLines(d) {
			fmt.Fprintf(&out, "%s\n", l)
		}
	}
	if c := x.Baseline; c != nil {
		fmt.Fprintf(&out, "%s\n", c.Headline())
		for _, l := range baselineLines(c) {
			fmt.Fprintf(&out, "  %s\n", l)
		}
	}
	for _, st := range x.staleWaivers() {
		fmt.Fprintf(&out, "Stale waiver %s for %s: remove it\n", st.Waiver, st.ID)
	}
	for _, p := range x.Problems {
		fmt.Fprintf(&out, "Suite problem: %s\n", p)
	}
	for _, c := range x.Cleanup {
		fmt.Fprintf(&out, "Not cleaned up: %s\n", c)
	}
	return out.String()
}

// encodeJUnit is junit.xml of the suites, the document named name, taking
// the run's wall time and counting what they count.
func encodeJUnit(name string, wall float64, suites ...junitSuite) ([]byte, error) {
	doc := junitSuites{junitCounts: junitCounts{Name: name, Time: wall}, Suites: suites}
	for _, s := range suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func suiteName(r types.Report) string {
	if r.SuiteDescription != "" {
		return r.SuiteDescription
	}
	return "Chat Participants Conformance"
}

// failureBody is the failure message and where in the suite it happened.
func failureBody(s spec) string {
	body := s.Message
	if loc := s.Report.Failure.Location; loc.FileName != "" {
		body += "\n\nat " + loc.String()
	}
	return body
}

// transcriptsText renders a spec's exchanges (redacted when recorded) for
// system-out, the last junitMaxExchanges of them.
func transcriptsText(s spec) string {
	exs := s.Exchanges
	var b strings.Builder
	fmt.Fprintf(&b, "Transcripts of %d HTTP exchange(s), secrets redacted:\n", len(exs))
	if len(exs) > junitMaxExchanges {
		fmt.Fprintf(&b, "(the first %d are left out here; report.json and report.html have every one)\n", len(exs)-junitMaxExchanges)
		exs = exs[len(exs)-junitMaxExchanges:]
	}
	for i, e := range exs {
		fmt.Fprintf(&b, "\n--- exchange %d ---\n%s", len(s.Exchanges)-len(exs)+i+1, e.Ex.String())
	}
	if s.Repro != nil {
		fmt.Fprintf(&b, "\n--- to repeat the request the failure is about ---\n%s\n", Curl(s.Repro))
	}
	return b.String()
}

// headline is the message attribute of a failure or error: CI pages show
// it as the one-line title, with the element's text (the whole message)
// beneath.
func headline(msg string) string { return cut(firstLine(msg), 300) }
