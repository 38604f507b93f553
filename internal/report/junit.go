package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

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

func renderJUnit(x *run) ([]byte, error) {
	suite := junitSuite{
		junitCounts: junitCounts{Name: suiteName(x.Report), Time: seconds(x.Report.RunTime)},
		Timestamp:   x.Report.StartTime.UTC().Format("2006-01-02T15:04:05Z"),
		Properties: []junitProperty{
			{"verdict", x.Verdict},
			{"suite-version", x.Meta.version()},
			{"api-version", x.Meta.APIVersion},
			{"endpoint", x.Meta.Endpoint},
			{"mode", x.Meta.Mode},
			{"strict", fmt.Sprint(x.Meta.Strict)},
			{"spec-source", x.Meta.SpecSource},
			{"spec-digest", x.Meta.SpecDigest},
		},
	}
	for _, a := range x.Assertions {
		for _, s := range a.Specs {
			c := junitCase{
				Name:      s.Name,
				Classname: a.Area,
				Time:      seconds(s.Duration),
				Properties: []junitProperty{
					{"id", a.ID}, {"tier", string(a.Tier)}, {"area", a.Area}, {"outcome", string(s.Outcome)},
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
			suite.Cases = append(suite.Cases, c)
			suite.Tests++
		}
	}
	// A finding is evidence against a row seen by another row's spec: it
	// gets its own testcase under that row, so CI names the row it fails.
	for _, a := range x.Assertions {
		for _, s := range a.Specs {
			for _, f := range s.Findings {
				t, _ := catalogue.Lookup(f.ID)
				c := junitCase{
					Name:      fmt.Sprintf("[%s] finding, observed by %s", f.ID, s.Name),
					Classname: t.Area,
					Properties: []junitProperty{
						{"id", f.ID}, {"tier", string(t.Tier)}, {"area", t.Area}, {"outcome", string(f.Outcome)}, {"observed-by", a.ID},
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
	// A failed setup or teardown node fails the run without failing any
	// assertion's spec: it must still turn the CI job red.
	for _, sr := range x.Report.SpecReports {
		if _, ok := outcome.OfSpec(sr); ok || !sr.State.Is(types.SpecStateFailureStates) {
			continue
		}
		name := strings.TrimSpace(sr.LeafNodeType.String() + " " + sr.FullText())
		suite.Cases = append(suite.Cases, junitCase{
			Name: name, Classname: "suite", Time: seconds(sr.RunTime),
			Error: &junitMessage{Message: headline(sr.Failure.Message), Type: sr.State.String(), Body: xmlChars(sr.Failure.Message + "\n\nat " + sr.Failure.Location.String())},
		})
		suite.Tests++
		suite.Errors++
	}
	var out strings.Builder
	fmt.Fprintf(&out, "Verdict: %s\n", x.VerdictLine)
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
	suite.SystemOut = text(out.String())
	return encodeJUnit(suite)
}

// encodeJUnit is junit.xml of the one suite, the document counting what
// the suite counts.
func encodeJUnit(suite junitSuite) ([]byte, error) {
	doc := junitSuites{junitCounts: suite.junitCounts, Suites: []junitSuite{suite}}
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
