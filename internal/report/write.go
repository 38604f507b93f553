package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2/types"
	"golang.org/x/sync/errgroup"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/sanitize"
)

// Write renders the report into dir (created if missing): report.html,
// summary.md, results.json, junit.xml and report.json.
//
// Transcripts are redacted when recorded, so no file should hold a secret.
// Write does not rely on that: it replaces every value of m.Secrets (raw,
// and as JSON, HTML, XML and URL encoding would spell it) in every file,
// writes the scrubbed files, and then returns an error naming each file it
// had to scrub, because a leak means a redaction bug to fix.
func Write(dir string, r types.Report, m Meta) error {
	return writeReports(dir, r, m, renderJUnit)
}

// writeReports renders every file of the prepared report r, junit.xml with
// junit, and writes them into dir. The files are independent of one
// another, so each is rendered, scrubbed and written on its own goroutine.
func writeReports(dir string, r types.Report, m Meta, junit func(*run) ([]byte, error)) error {
	r = Prepare(r)
	x := newRun(r, m)
	var dirErr error
	if err := os.MkdirAll(dir, 0o755); err != nil {
		dirErr = fmt.Errorf("report directory: %w", err)
	}
	renderers := map[string]func() ([]byte, error){
		FileHTML:    func() ([]byte, error) { return renderHTML(x) },
		FileSummary: func() ([]byte, error) { return renderSummary(x), nil },
		FileResults: func() ([]byte, error) { return renderResults(x) },
		FileJUnit:   func() ([]byte, error) { return junit(x) },
		FileGinkgo:  func() ([]byte, error) { return renderGinkgoJSON(r) },
	}
	sc := newScrubber(m.Secrets)
	renderErrs := make([]error, len(Files))
	writeErrs := make([]error, len(Files))
	leaks := make([]int, len(Files))
	var g errgroup.Group
	for i, name := range Files {
		g.Go(func() error {
			b, err := renderers[name]()
			if err != nil {
				renderErrs[i] = fmt.Errorf("rendering %s: %w", name, err)
				return nil
			}
			if dirErr != nil {
				return nil
			}
			b, leaks[i] = sc.scrub(b)
			writeErrs[i] = writeFile(dir, name, b)
			return nil
		})
	}
	_ = g.Wait()
	if dirErr != nil {
		return errors.Join(append(renderErrs, dirErr)...)
	}
	var leaked []string
	for i, name := range Files {
		if leaks[i] > 0 {
			leaked = append(leaked, fmt.Sprintf("%s (%d occurrence(s))", name, leaks[i]))
		}
	}
	errs := append(renderErrs, writeErrs...)
	if len(leaked) > 0 {
		errs = append(errs, fmt.Errorf("a secret reached %s; it was replaced with REDACTED before writing, but a transcript or message was not redacted when recorded (a bug)", strings.Join(leaked, ", ")))
	}
	return errors.Join(errs...)
}

// writeFile writes one rendered file, scrubbed of secrets already, into
// dir.
func writeFile(dir, name string, b []byte) error {
	// The last line of defence against the server's bytes: whatever
	// path escaped the transcript's and the framework's escaping, no
	// file holds a control character or invalid UTF-8. The renderers'
	// own escapes (JSON \u001b, XML) leave nothing here to find, so
	// this is a no-op for a well-formed file, which displayable tells
	// without copying tens of MB into a string to walk it rune by rune.
	if !displayable(b) {
		b, _ = sanitize.Bytes(b)
	}
	return os.WriteFile(filepath.Join(dir, name), b, 0o644)
}

// displayable reports whether sanitize.Bytes would leave b as it is: valid
// UTF-8 without a C0 control but tab and newline, DEL, or a C1 control
// (U+0080 to U+009F, which UTF-8 spells 0xC2 0x80 to 0xC2 0x9F).
func displayable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for i, c := range b {
		switch {
		case c < 0x20 && c != '\t' && c != '\n', c == 0x7f:
			return false
		case c == 0xc2 && i+1 < len(b) && b[i+1] <= 0x9f:
			return false
		}
	}
	return true
}

// Prepare is the report every output is rendered from (Write applies it;
// call it before PrintSummary too): the server's bytes that Ginkgo holds
// as they were (failure messages, captured output) escaped, and the
// problems of a parallel run reported once. When process 1's half of
// SynchronizedBeforeSuite fails, every other process fails its own with
// Ginkgo's "failed on Ginkgo parallel process #1", and a per-process setup
// that fails does so identically on every process: one problem, N copies.
func Prepare(r types.Report) types.Report {
	out := r
	out.SpecReports = nil
	seen := map[string]bool{}
	primary := false // process 1's SynchronizedBeforeSuite failed
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType == types.NodeTypeSynchronizedBeforeSuite && sr.State.Is(types.SpecStateFailureStates) && !isEcho(sr) {
			primary = true
		}
	}
	for _, sr := range r.SpecReports {
		sr.Failure.Message = sanitize.Text(sr.Failure.Message)
		sr.Failure.ForwardedPanic = sanitize.Text(sr.Failure.ForwardedPanic)
		sr.LeafNodeText = sanitize.Text(sr.LeafNodeText)
		sr.CapturedGinkgoWriterOutput = sanitize.Text(sr.CapturedGinkgoWriterOutput)
		sr.CapturedStdOutErr = sanitize.Text(sr.CapturedStdOutErr)
		if _, ok := outcome.OfSpec(sr); !ok && sr.State.Is(types.SpecStateFailureStates) {
			if primary && isEcho(sr) {
				continue
			}
			key := sr.LeafNodeType.String() + "\x00" + sr.FullText() + "\x00" + sr.Failure.Message
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		out.SpecReports = append(out.SpecReports, sr)
	}
	out.SpecialSuiteFailureReasons = nil
	reasons := map[string]bool{}
	for _, reason := range r.SpecialSuiteFailureReasons {
		reason = sanitize.Text(reason)
		if !reasons[reason] {
			reasons[reason] = true
			out.SpecialSuiteFailureReasons = append(out.SpecialSuiteFailureReasons, reason)
		}
	}
	return out
}

// isEcho is another process's report that process 1's half of
// SynchronizedBeforeSuite failed, which says nothing of its own.
func isEcho(sr types.SpecReport) bool {
	return sr.LeafNodeType == types.NodeTypeSynchronizedBeforeSuite &&
		strings.Contains(sr.Failure.Message, "SynchronizedBeforeSuite failed on Ginkgo parallel process #1")
}

// renderGinkgoJSON is Ginkgo's own JSON report (what --json-report writes),
// encoded here so it passes the same secret scrub as the other files.
//
// It is json.MarshalIndent([]types.Report{r}, "", "  ") byte for byte, but
// the spec reports, which are nearly all of it (every transcript, each
// encoded twice by Ginkgo's ReportEntryValue), are encoded on every core:
// indentation depends only on the nesting depth, so a spec report indented
// at the depth of its place in the array reads exactly as it would there.
func renderGinkgoJSON(r types.Report) ([]byte, error) {
	if len(r.SpecReports) == 0 {
		return marshalGinkgoJSON(r)
	}
	// The report without its specs ends in the empty array they go in
	// (SpecReports is the last field of types.Report).
	const (
		empty     = "\n    \"SpecReports\": []\n  }\n]"
		elemDepth = "      " // "[", "{" and "SpecReports": [ deep
	)
	head := r
	head.SpecReports = types.SpecReports{}
	hb, err := json.MarshalIndent([]types.Report{head}, "", "  ")
	if err != nil || !bytes.HasSuffix(hb, []byte(empty)) {
		return marshalGinkgoJSON(r)
	}
	specs := make([][]byte, len(r.SpecReports))
	err = onEveryCore(len(specs), func(i int) error {
		// json.MarshalIndent(sr, ...) without its compacting pass: what
		// SpecReport.MarshalJSON returns comes from json.Marshal, compact
		// and HTML-escaped already.
		b, err := r.SpecReports[i].MarshalJSON()
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		buf.Grow(len(b) + len(b)/4)
		if err := json.Indent(&buf, b, elemDepth, "  "); err != nil {
			return err
		}
		specs[i] = buf.Bytes()
		return nil
	})
	if err != nil {
		return marshalGinkgoJSON(r) // its error, as MarshalIndent words it
	}
	size := len(hb) + 64
	for _, b := range specs {
		size += len(elemDepth) + len(b) + 2
	}
	out := make([]byte, 0, size)
	out = append(out, hb[:len(hb)-len(empty)]...)
	out = append(out, "\n    \"SpecReports\": [\n"...)
	for i, b := range specs {
		out = append(out, elemDepth...)
		out = append(out, b...)
		if i < len(specs)-1 {
			out = append(out, ',')
		}
		out = append(out, '\n')
	}
	out = append(out, "    ]\n  }\n]\n"...)
	return out, nil
}

// marshalGinkgoJSON is renderGinkgoJSON in one piece.
func marshalGinkgoJSON(r types.Report) ([]byte, error) {
	b, err := json.MarshalIndent([]types.Report{r}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// minSecretLen matches transcript.Redactor: shorter values would match
// ordinary text.
const minSecretLen = 8

// secretVariants spells each secret as the files could: raw, and through
// up to two of the encodings they nest (a token in a response body is
// JSON-escaped in the transcript, JSON-escaped again in report.json's
// AsJSON, and HTML-escaped in report.html). Longest first, so a variant is
// never half-replaced by a shorter one it contains.
func secretVariants(secrets []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		level := []string{s}
		for round := 0; round < 3; round++ {
			var next []string
			for _, v := range level {
				if seen[v] {
					continue
				}
				seen[v] = true
				out = append(out, v)
				if round < 2 {
					for _, enc := range encodings {
						next = append(next, enc(v))
					}
				}
			}
			level = next
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// encodings are the ways a report file can spell a string.
var encodings = []func(string) string{
	func(s string) string { b, _ := json.Marshal(s); return strings.Trim(string(b), `"`) },
	func(s string) string {
		var sb strings.Builder
		enc := json.NewEncoder(&sb)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return strings.Trim(strings.TrimSpace(sb.String()), `"`)
	},
	html.EscapeString,
	template.HTMLEscapeString,
	htmlTemplateEscape,
	xmlEscape,
	mdCell,
	url.QueryEscape,
	url.PathEscape,
}

// textEscaper is html/template's escaping of text and quoted attributes,
// which also escapes '+' (and so spells a base64 key differently).
var textEscaper = template.Must(template.New("").Parse(`{{.}}`))

func htmlTemplateEscape(s string) string {
	var b strings.Builder
	_ = textEscaper.Execute(&b, s)
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "\n", "&#xA;", "\r", "&#xD;", "\t", "&#x9;").Replace(s)
}

// scrubber replaces the secrets of a run, in every spelling, in a file.
type scrubber struct {
	variants []string // longest first
	// anchors are substrings of the variants, at least one of each, short
	// enough for the fast substring search: a file that holds none of them
	// holds no variant.
	anchors [][]byte
}

func newScrubber(secrets []string) *scrubber {
	s := &scrubber{variants: secretVariants(secrets)}
	seen := map[string]bool{}
	for _, v := range s.variants {
		if a := anchorOf(v); !seen[a] {
			seen[a] = true
			s.anchors = append(s.anchors, []byte(a))
		}
	}
	return s
}

// maxAnchor keeps an anchor within the length the standard library
// searches for with vector instructions (longer needles are several times
// slower, and there are dozens of variants to look for in tens of MB).
const maxAnchor = 32

// anchorOf is a substring of the variant v to look for first: its longest
// run of letters and digits (no encoding changes those, so it is the part
// of a key or token that the variant keeps as it was; the text around a
// key, such as "endpoint=", is in the reports redacted), else its end.
func anchorOf(v string) string {
	best, start := "", -1
	for i := 0; i <= len(v); i++ {
		if i < len(v) && isAlnum(v[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = v[start:i]
		}
		start = -1
	}
	if len(best) >= minSecretLen {
		return best[:min(len(best), maxAnchor)]
	}
	return v[len(v)-min(len(v), maxAnchor):]
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// scrub replaces every variant in b with REDACTED and counts the
// replacements.
func (s *scrubber) scrub(b []byte) ([]byte, int) {
	for _, a := range s.anchors {
		if bytes.Contains(b, a) {
			return scrub(b, s.variants)
		}
	}
	return b, 0 // no anchor, so no variant
}

// scrub replaces every variant with REDACTED and counts the replacements.
func scrub(b []byte, variants []string) ([]byte, int) {
	s := string(b)
	n := 0
	for _, v := range variants {
		if c := strings.Count(s, v); c > 0 {
			n += c
			s = strings.ReplaceAll(s, v, "REDACTED")
		}
	}
	if n == 0 {
		return b, 0
	}
	return []byte(s), n
}

// ConfigurationCase names the one JUnit test case of a run that stopped at
// its configuration.
const ConfigurationCase = "configuration"

// WriteConfigError writes the reports of a run that never started because
// its configuration is invalid (chatconform check): the verdict is
// INCOMPLETE, every file says why, and junit.xml holds one test case,
// "configuration", in error, so a CI job shows the reason instead of an
// empty or stale report. problems are the messages, each naming its
// variable.
func WriteConfigError(dir string, m Meta, problems []string) error {
	now := time.Now()
	msg := "configuration: " + strings.Join(problems, "; ")
	r := types.Report{
		SuiteDescription: "Chat Participants Conformance",
		StartTime:        now, EndTime: now,
		SpecialSuiteFailureReasons: []string{msg},
	}
	// Every assertion is skipped: INCOMPLETE.
	return writeReports(dir, r, m, func(x *run) ([]byte, error) { return configJUnit(x, problems) })
}

// configJUnit is junit.xml with the one error case: the skipped
// assertions would only bury it.
func configJUnit(x *run, problems []string) ([]byte, error) {
	body := "The suite did not run: its configuration is invalid.\n\n- " + strings.Join(problems, "\n- ") +
		"\n\nFix the variables above (environment or .env) and run again; `chatconform check` validates them without running."
	c := junitCase{
		Name: ConfigurationCase, Classname: "suite",
		Error: &junitMessage{Message: headline("configuration: " + strings.Join(problems, "; ")), Type: "configuration", Body: xmlChars(body)},
	}
	suite := junitSuite{junitCounts: junitCounts{Name: suiteName(x.Report), Tests: 1, Errors: 1}, Timestamp: x.Report.StartTime.UTC().Format(time.RFC3339),
		Cases: []junitCase{c}, SystemOut: text("Verdict: " + x.Verdict + "\n")}
	return encodeJUnit(suite.Name, 0, suite)
}
