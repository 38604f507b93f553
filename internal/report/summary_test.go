package report

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
)

func TestSummaryVerdicts(t *testing.T) {
	skippedMust := newSpec("ERR-03", "Errors", "[ERR-03] answers a revoked token with 401").
		skip("[ERR-03] needs the Identity API to mint and revoke a token: set ACS_CONNECTION_STRING").build()
	failedShould := newSpec("LIST-03", "List", "[LIST-03] kind").fail("[LIST-03] SHOULD: kind missing\n(CHAT_STRICT=1 makes SHOULD-tier findings failures)").build()
	cases := []struct {
		name   string
		report func() string
		want   string
	}{
		{"all passed", func() string { return summaryOf(t, allPassing(), false) }, Conformant},
		{"a MUST failed", func() string { return summaryOf(t, replace(allPassing(), failingAdd()), false) }, NotConformant},
		{"a MUST skipped", func() string { return summaryOf(t, replace(allPassing(), skippedMust), false) }, Incomplete},
		{"a SHOULD failed under strict", func() string { return summaryOf(t, replace(allPassing(), failedShould), true) }, NotConformant},
	}
	for _, c := range cases {
		md := c.report()
		if !strings.HasPrefix(md, "# Chat participants API conformance: "+c.want+"\n") || !strings.Contains(md, "**Verdict: "+c.want+".**") {
			t.Errorf("%s: summary does not say %s:\n%s", c.name, c.want, firstLines(md, 4))
		}
		if c.want != NotConformant && strings.Contains(md, "## Failures") {
			t.Errorf("%s: a Failures section without failures", c.name)
		}
	}
}

func summaryOf(t *testing.T, r types.Report, strict bool) string {
	t.Helper()
	m := fixtureMeta()
	m.Strict = strict
	return read(t, write(t, r, m), FileSummary)
}

func TestSummaryContent(t *testing.T) {
	md := read(t, write(t, fixtureReport(), fixtureMeta()), FileSummary)
	for _, want := range []string{
		"| Endpoint | " + endpoint + " |",
		"| API version | 2024-03-07 |",
		"| Suite | chatconform v1.2.3 |",
		"embedded:chat-2024-03-07.yaml (sha256:0123456789abcdef)",
		"## Add participants",
		"## Authentication, authorisation and errors",
		"| ADD-01 | MUST | ❌ **failed** | Expected status 201 Created, got 500 Internal Server Error |",
		"| LIST-03 | SHOULD | ⚠️ warned | [LIST-03] SHOULD: communicationIdentifier.kind is missing on 1 participant |",
		"| ERR-03 | MUST | ⏭️ skipped | [ERR-03] needs the Identity API",
		"| PAGE-01 | MUST | ⛔ error |",
		"## Failures",
		"### ADD-01 (MUST): " + catalogue.Get("ADD-01").Behavior,
		"Spec: `[ADD-01] 2024-03-07 Add Chat Participants every participant is new and valid returns 201 Created`",
		"curl -sS -i -X POST '" + endpoint + addPath + "'",
		`-H "Authorization: Bearer $CHAT_TOKEN"`,
		`"displayName":"Seán O'\''Brien"`,
		"## Errors (the harness could not judge",
		"### PAGE-01 (MUST)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	// The failure is about the POST :add, not the thread's creation before
	// it nor its deletion (cleanup) after it.
	failures := md[strings.Index(md, "## Failures"):strings.Index(md, "## Errors")]
	if strings.Contains(failures, "DELETE") || strings.Contains(failures, `"topic"`) {
		t.Errorf("the curl line repeats the wrong request:\n%s", failures)
	}
	// The harness error's curl repeats the request that got no answer.
	errs := md[strings.Index(md, "## Errors"):]
	if !strings.Contains(errs, "maxPageSize=2") {
		t.Errorf("the error's curl line is not the failed listing:\n%s", errs)
	}
}

func TestSummaryStaysShortForLongMessages(t *testing.T) {
	long := strings.Repeat("a line of a very long failure message\n", 200)
	b := newSpec("ADD-01", "Add", "[ADD-01] returns 201 Created")
	b.exchange(exch("POST", addPath, 500, strings.Repeat("x", 10000), ""))
	b.fail(long)
	md := summaryOf(t, replace(allPassing(), b.build()), false)
	if strings.Count(md, "a line of a very long") > summaryMessageLines+1 { // +1: the table row
		t.Error("the failure message is not cut")
	}
	if !strings.Contains(md, "--data-binary @request-body.json") || strings.Contains(md, strings.Repeat("x", 5000)) {
		t.Error("a 10 kB body is not left out of the curl line")
	}
}

func TestMarkdownEscaping(t *testing.T) {
	if got := mdCell("a | b\nc <x>"); got != `a \| b c &lt;x>` {
		t.Errorf("mdCell = %q", got)
	}
	if got := mdBlock("sh", "x\n```\ny"); !strings.HasPrefix(got, "````sh\n") || !strings.HasSuffix(got, "\n````\n") {
		t.Errorf("mdBlock = %q", got)
	}
	if got := mdCode("a`b"); got != "``a`b``" {
		t.Errorf("mdCode = %q", got)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// Metadata exists only in some api-versions: a run of a version without it
// certifies without META, a run of one with it does not.
func TestPreviewOnlyAssertions(t *testing.T) {
	r := allPassing() // 2024-03-07: META skipped
	m := fixtureMeta()
	dir := write(t, r, m)
	md := read(t, dir, FileSummary)
	if !strings.Contains(md, "**Verdict: "+Conformant+".**") || !strings.Contains(md, "META-01, META-02 are not in api-version 2024-03-07 and do not count.") ||
		!strings.Contains(md, "| META-01 | MUST | ⏭️ skipped (not in this api-version) |") {
		t.Errorf("stable run with META skipped:\n%s", firstLines(md, 4))
	}
	var res Results
	if err := json.Unmarshal([]byte(read(t, dir, FileResults)), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Assertions["META-01"].NotApplicable || res.Check() != nil {
		t.Errorf("results: %+v, Check: %v", res.Assertions["META-01"], res.Check())
	}
	if got := res.Matrix["META-01"]["2024-03-07"]; got != CellNotApplicable {
		t.Errorf("matrix META-01 on 2024-03-07 = %q", got)
	}
	for _, v := range []string{"2024-03-15-preview", "2025-03-15"} {
		r := allPassingOn(v)
		for _, id := range []string{"META-01", "META-02"} {
			r = replace(r, newSpecOn(v, id, "Participant metadata", "["+id+"] x").skip("["+id+"] skipped for the test").build())
		}
		m.APIVersions = []string{v}
		if md := read(t, write(t, r, m), FileSummary); !strings.Contains(md, "**Verdict: "+Incomplete+".**") {
			t.Errorf("%s run with META skipped is not incomplete:\n%s", v, firstLines(md, 4))
		}
	}
}

// Every catalogue area has a section: a row in a new area must never be
// left out of the reports.
func TestEveryAreaIsReported(t *testing.T) {
	for _, a := range catalogue.All() {
		if !slices.Contains(areaOrder, a.Area) {
			t.Errorf("%s's area %q is in no report section", a.ID, a.Area)
		}
		if _, ok := areaTitles[a.Area]; !ok {
			t.Errorf("area %q has no heading", a.Area)
		}
	}
}

// A row that failed only through a finding is listed under Failures with
// the finding and the spec that saw it.
func TestSummaryListsFindings(t *testing.T) {
	r := fixtureReport()
	r.SpecReports = append(r.SpecReports, newSpec("PAGE-01", "Paging", "[PAGE-01] never puts more than maxPageSize participants on a page").
		entry(outcome.EntryFinding, `{"id":"ADD-04","by":"PAGE-01","outcome":"failed","message":"[ADD-04] MUST: 8:acs:x was added but is not listed"}`).build())
	md := string(renderSummary(newRun(r, fixtureMeta())))
	for _, want := range []string{"### ADD-04 (MUST)", "Observed by: `", "8:acs:x was added but is not listed"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
}

// The timing of a concurrency check's requests is shown in summary.md and
// report.html, so a reader sees that they really overlapped.
func TestTimingIsReported(t *testing.T) {
	r := fixtureReport()
	timing := "5 requests released together (times relative to the first start):\n  add #1   +0.0 ms … +3.1 ms (3.1 ms)\noverlapped: all 5 were in flight at once"
	r.SpecReports = append(r.SpecReports, newSpec("CONC-01", "Concurrent requests", "[CONC-01] answers each 201").
		entry(outcome.EntryTiming, timing).build())
	x := newRun(r, fixtureMeta())
	md := string(renderSummary(x))
	page, err := renderHTML(x)
	if err != nil {
		t.Fatal(err)
	}
	// html/template writes + as &#43;, which a browser shows as +.
	for out, wants := range map[string][]string{
		md:           {"add #1   +0.0 ms … +3.1 ms (3.1 ms)", "overlapped: all 5 were in flight at once"},
		string(page): {`<pre class="msg timing">`, "add #1   &#43;0.0 ms … &#43;3.1 ms (3.1 ms)", "overlapped: all 5 were in flight at once"},
	} {
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("the report lacks %q", want)
			}
		}
	}
	if !strings.Contains(md, "## Timing of concurrent requests") {
		t.Errorf("summary.md has no timing section:\n%s", md)
	}
}
