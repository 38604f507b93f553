package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/catalogue"
)

// These checks need no browser; browser_test.go loads the page for real.
func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	page := read(t, write(t, fixtureReport(), fixtureMeta()), FileHTML)
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d <script> tags: a response body was not escaped", n)
	}
	if !strings.Contains(page, "boom &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the response body is missing or not HTML-escaped")
	}
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?(https?:)?//`)
	if m := external.FindString(page); m != "" {
		t.Errorf("report.html fetches something: %s", m)
	}
	if !strings.Contains(page, `Content-Security-Policy" content="default-src 'none'`) {
		t.Error("no Content-Security-Policy forbidding fetches")
	}
	if strings.Contains(page, "ZgotmplZ") {
		t.Error("html/template rejected a value (ZgotmplZ)")
	}
	if got, want := strings.Count(page, `<details class="assertion `), len(catalogue.All()); got != want {
		t.Errorf("%d assertion sections, want %d (one per catalogue row)", got, want)
	}
	// Failures first, then errors, warnings, passed, skipped.
	order := []string{`id="ADD-01"`, `id="PAGE-01"`, `id="LIST-03"`, `id="ADD-02"`, `id="ERR-03"`}
	last := -1
	for _, id := range order {
		i := strings.Index(page, id)
		if i < last {
			t.Errorf("%s is out of order", id)
		}
		last = i
	}
	for _, want := range []string{
		"curl -sS -i -X POST &#39;" + endpoint, // the curl line of the failure
		"Seán O&#39;\\&#39;&#39;Brien",         // its quoted body
		"↑ the request the failure is about",
		"&#34;displayName&#34;: &#34;Seán O&#39;Brien&#34;", // pretty-printed request body
		"ACS_CONNECTION_STRING", "accesskey=REDACTED",       // the redacted configuration
		"read: connection reset by peer", // the transport error of the harness error
		"retried: 429 Too Many Requests",
		"@media print",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestPrintSummary(t *testing.T) {
	var b strings.Builder
	m := fixtureMeta()
	m.ReportDir = "/tmp/reports"
	PrintSummary(&b, fixtureReport(), m, false)
	out := b.String()
	for _, want := range []string{
		"chatconform: NOT CONFORMANT",
		"https://contoso.communication.azure.com, api-version 2024-03-07, standard profile, chatconform v1.2.3",
		// The fixture runs four assertions; every other row is skipped.
		fmt.Sprintf("1 passed, 1 failed, 1 warned, %d skipped, 1 error; 8 requests, 1 retried", len(catalogue.All())-4),
		"FAILED  ADD-01   MUST   Expected status 201 Created, got 500 Internal Server Error",
		"ERROR   PAGE-01  MUST   listing participants: read: connection reset by peer",
		"WARNED  LIST-03  SHOULD",
		"reports: /tmp/reports/report.html",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes without colour")
	}
	b.Reset()
	PrintSummary(&b, fixtureReport(), m, true)
	if !strings.Contains(b.String(), "\x1b[1m\x1b[31mNOT CONFORMANT\x1b[0m") {
		t.Errorf("no red verdict with colour:\n%q", b.String())
	}
}

func TestDeeplyNestedBodiesAreNotIndented(t *testing.T) {
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	if got := bodyForDisplay(deep, false); len(got) > len(deep)+200 {
		t.Errorf("a 10 kB nested body became %d bytes", len(got))
	}
	if got := prettyBody(`{"a":[1,{"b":"]]]"}]}`); !strings.Contains(got, "\n") {
		t.Errorf("a shallow body was not indented: %s", got)
	}
	if d := jsonDepth(`{"x":"{[{[","y":[[1]]}`); d != 3 {
		t.Errorf("jsonDepth = %d, want 3", d)
	}
}
