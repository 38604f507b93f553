package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/wire"
)

func resultsOf(t *testing.T, dir string) Results {
	t.Helper()
	var r Results
	if err := json.Unmarshal([]byte(read(t, dir, FileResults)), &r); err != nil {
		t.Fatal(err)
	}
	if err := r.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	return r
}

// Two api-versions, ADD-01 failing on 2025-03-15 only: that version is NOT
// CONFORMANT, 2024-03-07 CONFORMANT, and the run NOT CONFORMANT; every
// report says which version failed.
func TestTwoVersionsOneFails(t *testing.T) {
	dir := write(t, twoVersions(), twoVersionMeta())
	r := resultsOf(t, dir)
	if r.Verdict != NotConformant || r.VerdictLine != NotConformant || r.APIVersion != "" ||
		strings.Join(r.APIVersions, ",") != noMetaVersion+","+metaVersion || len(r.Versions) != 2 {
		t.Fatalf("verdict %s (%s), apiVersion %q, apiVersions %v, %d versions", r.Verdict, r.VerdictLine, r.APIVersion, r.APIVersions, len(r.Versions))
	}
	if v := r.Versions[0]; v.APIVersion != noMetaVersion || v.Verdict != Conformant || v.Assertions["ADD-01"].Outcome != "passed" ||
		!strings.Contains(v.Reason, "META-01, META-02 are not in api-version 2024-03-07 and do not count") {
		t.Errorf("2024-03-07: %s, ADD-01 %s, reason %q", v.Verdict, v.Assertions["ADD-01"].Outcome, v.Reason)
	}
	if v := r.Versions[1]; v.APIVersion != metaVersion || v.Verdict != NotConformant || v.Assertions["ADD-01"].Outcome != "failed" ||
		v.Totals.Failed != 1 || v.Totals.Requests != 3+len(catalogue.All())-2 {
		t.Errorf("2025-03-15: %s, ADD-01 %s, totals %+v", v.Verdict, v.Assertions["ADD-01"].Outcome, v.Totals)
	}
	if m := r.Matrix["ADD-01"]; len(m) != 2 || m[noMetaVersion] != "passed" || m[metaVersion] != "failed" {
		t.Errorf("matrix ADD-01 = %v", m)
	}
	if len(r.Matrix) != len(catalogue.All()) {
		t.Errorf("the matrix has %d rows, want one per catalogue row", len(r.Matrix))
	}
	// The top-level rows are the worst over the versions.
	if a := r.Assertions["ADD-01"]; a.Outcome != "failed" || len(a.Specs) != 2 || len(a.Messages) != 1 || !strings.HasPrefix(a.Messages[0], metaVersion+": Expected status 201") {
		t.Errorf("top-level ADD-01 = %+v", a)
	}
	if r.Totals.Failed != 1 || r.Totals.Passed != len(catalogue.All())-1 || r.Totals.Specs != 2*len(catalogue.All()) {
		t.Errorf("top-level totals %+v", r.Totals)
	}

	n := len(catalogue.All())
	md := read(t, dir, FileSummary)
	for _, want := range []string{
		"# Chat participants API conformance: NOT CONFORMANT\n\n**Verdict: NOT CONFORMANT.** NOT CONFORMANT on 2025-03-15; the verdict of the run is the worst of its 2 api-versions (2024-03-07, 2025-03-15).\n\n" +
			"| API version | Verdict | Outcomes |\n|---|---|---|\n" +
			fmt.Sprintf("| 2024-03-07 | **CONFORMANT** | %d passed · 0 failed · 0 warned · 0 waived · 2 skipped · 0 errors (%d assertions, %d specs) |\n", n-2, n, n) +
			fmt.Sprintf("| 2025-03-15 | **NOT CONFORMANT** | %d passed · 1 failed · 0 warned · 0 waived · 1 skipped · 0 errors (%d assertions, %d specs) |\n", n-2, n, n),
		"| API versions | 2024-03-07, 2025-03-15 |",
		"## Assertions × api-versions",
		"| ID | Tier | 2024-03-07 | 2025-03-15 | Message |\n|---|---|---|---|---|\n| ADD-01 | MUST | ✅ | ❌ | 2025-03-15: Expected status 201 Created, got 500 Internal Server Error |\n| ADD-02 | MUST | ✅ | ✅ |  |\n",
		"| META-01 | MUST | n/a | ✅ |  |",
		"| META-03 | SHOULD | ✅ | n/a |  |",
		"## Failures\n\n### ADD-01 (MUST) on 2025-03-15: " + catalogue.Get("ADD-01").Behavior + "\n\nSpec: `[ADD-01] 2025-03-15 Add Chat Participants",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks\n%s", want)
		}
	}
	if strings.Contains(md, "\n## Add participants") {
		t.Error("summary.md has the single-version area tables besides the matrix")
	}

	var b strings.Builder
	PrintSummary(&b, twoVersions(), twoVersionMeta(), false)
	want := "\nchatconform: NOT CONFORMANT\n" +
		"  https://contoso.communication.azure.com, api-versions 2024-03-07, 2025-03-15, standard profile, chatconform v1.2.3\n" +
		"  2024-03-07 CONFORMANT\n" +
		fmt.Sprintf("             %d assertions: %d passed, 0 failed, 0 warned, 2 skipped, 0 error\n", n, n-2) +
		"  2025-03-15 NOT CONFORMANT\n" +
		fmt.Sprintf("             %d assertions: %d passed, 1 failed, 0 warned, 1 skipped, 0 error\n", n, n-2) +
		fmt.Sprintf("  %d requests, 0 retried\n", (n-2)+(3+n-2)) +
		"  FAILED  2025-03-15 ADD-01   MUST   Expected status 201 Created, got 500 Internal Server Error\n"
	if b.String() != want {
		t.Errorf("console summary:\n%s\nwant:\n%s", b.String(), want)
	}

	page := read(t, dir, FileHTML)
	for _, want := range []string{
		`<section class="card" id="matrix">`,
		`<th scope="col" class="v">2025-03-15<br><span class="vverdict bad">NOT CONFORMANT</span></th>`,
		`<a class="pill failed" href="#ADD-01%402025-03-15" title="ADD-01 on 2025-03-15: failed">failed</a>`,
		`<a class="pill na" href="#META-01%402024-03-07" title="META-01 is not in api-version 2024-03-07">n/a</a>`,
		`id="ADD-01@2025-03-15" data-outcome="failed" data-version="2025-03-15"`,
		`<span class="version" title="api-version">2025-03-15</span><span class="name">[ADD-01] 2025-03-15 Add Chat Participants`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %s", want)
		}
	}
	if strings.Index(page, `id="matrix"`) > strings.Index(page, `<section class="group"`) {
		t.Error("the matrix is not at the top of report.html")
	}
	if got, want := strings.Count(page, `<details class="assertion `), 2*len(catalogue.All()); got != want {
		t.Errorf("%d assertion sections, want %d (one per version and row)", got, want)
	}
}

// META has no metadata to check on 2024-03-07: skipped there it is not in
// that version and leaves it CONFORMANT; skipped on 2025-03-15, which has
// metadata, it makes that version (and the run) INCOMPLETE. META-03 (no
// metadata where the version has none) is the other way round.
func TestMetadataPerVersion(t *testing.T) {
	if wire.HasMetadata(noMetaVersion) || !wire.HasMetadata(metaVersion) {
		t.Fatal("the fixture's versions no longer differ in metadata")
	}
	m := twoVersionMeta()
	r := resultsOf(t, write(t, allPassingOn(noMetaVersion, metaVersion), m))
	if r.Verdict != Conformant || r.Versions[0].Verdict != Conformant || r.Versions[1].Verdict != Conformant {
		t.Errorf("META passing where it applies: %s (%s, %s)", r.Verdict, r.Versions[0].Verdict, r.Versions[1].Verdict)
	}
	if a := r.Versions[0].Assertions["META-01"]; !a.NotApplicable || a.Outcome != "skipped" {
		t.Errorf("META-01 on 2024-03-07 = %+v", a)
	}
	if !strings.Contains(r.Versions[1].Reason, "META-03 is not in api-version 2025-03-15 and does not count.") {
		t.Errorf("2025-03-15 reason %q", r.Versions[1].Reason)
	}
	if a := r.Versions[1].Assertions["META-01"]; a.NotApplicable || a.Outcome != "passed" {
		t.Errorf("META-01 on 2025-03-15 = %+v", a)
	}
	// Over both versions META-01 is what the version that has it says.
	if a := r.Assertions["META-01"]; a.NotApplicable || a.Outcome != "passed" {
		t.Errorf("top-level META-01 = %+v", a)
	}
	if m := r.Matrix["META-01"]; m[noMetaVersion] != CellNotApplicable || m[metaVersion] != "passed" {
		t.Errorf("matrix META-01 = %v", m)
	}
	if m := r.Matrix["META-03"]; m[noMetaVersion] != "passed" || m[metaVersion] != CellNotApplicable {
		t.Errorf("matrix META-03 = %v", m)
	}

	rep := allPassingOn(noMetaVersion, metaVersion)
	rep = replace(rep, newSpecOn(metaVersion, "META-01", "Participant metadata", "[META-01] x").skip("[META-01] skipped for the test").build())
	dir := write(t, rep, m)
	r = resultsOf(t, dir)
	if r.Verdict != Incomplete || r.Versions[0].Verdict != Conformant || r.Versions[1].Verdict != Incomplete {
		t.Errorf("META skipped on 2025-03-15: %s (%s, %s)", r.Verdict, r.Versions[0].Verdict, r.Versions[1].Verdict)
	}
	if a := r.Assertions["META-01"]; a.Outcome != "skipped" || a.NotApplicable {
		t.Errorf("top-level META-01 = %+v", a)
	}
	md := read(t, dir, FileSummary)
	for _, want := range []string{
		"**Verdict: INCOMPLETE.** Nothing binding failed, but 2025-03-15 is INCOMPLETE; the verdict of the run is the worst of its 2 api-versions (2024-03-07, 2025-03-15).",
		"| META-01 | MUST | n/a | skipped | 2025-03-15: [META-01] skipped for the test |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
}

// junit.xml has one testsuite per api-version, named with it, each holding
// that version's testcases and findings.
func TestJUnitOneSuitePerVersion(t *testing.T) {
	r := twoVersions()
	r.SpecReports = append(r.SpecReports, newSpecOn(noMetaVersion, "PAGE-01", "Paging", "[PAGE-01] never puts more than maxPageSize participants on a page").
		entry(outcome.EntryFinding, `{"id":"ADD-04","by":"PAGE-01","outcome":"failed","message":"[ADD-04] MUST: 8:acs:x was added but is not listed"}`).build())
	var doc junitSuites
	if err := xml.Unmarshal([]byte(read(t, write(t, r, twoVersionMeta()), FileJUnit)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 2 {
		t.Fatalf("%d testsuites, want 2", len(doc.Suites))
	}
	n := len(catalogue.All())
	for i, want := range []struct {
		name                               string
		tests, failures, skipped           int
		verdict, classname, findingVersion string
	}{
		{"Chat Participants Conformance 2024-03-07", n + 2, 1, 2, NotConformant, "2024-03-07.add", noMetaVersion},
		{"Chat Participants Conformance 2025-03-15", n, 1, 1, NotConformant, "2025-03-15.add", ""},
	} {
		s := doc.Suites[i]
		if s.Name != want.name || s.Tests != want.tests || s.Failures != want.failures || s.Skipped != want.skipped {
			t.Errorf("testsuite %d: %q tests=%d failures=%d skipped=%d, want %+v", i, s.Name, s.Tests, s.Failures, s.Skipped, want)
		}
		props := map[string]string{}
		for _, p := range s.Properties {
			props[p.Name] = p.Value
		}
		if props["api-version"] != strings.TrimPrefix(want.name, "Chat Participants Conformance ") || props["run-verdict"] != NotConformant {
			t.Errorf("testsuite %d properties %v", i, props)
		}
		findings := 0
		for _, c := range s.Cases {
			if !strings.Contains(c.Name, " "+props["api-version"]+" ") {
				t.Errorf("testcase %q of %s does not name its version", c.Name, s.Name)
			}
			if strings.HasPrefix(c.Name, "[ADD-") && c.Classname != want.classname {
				t.Errorf("testcase %q has classname %q", c.Name, c.Classname)
			}
			if strings.Contains(c.Name, "finding, observed by") {
				findings++
			}
		}
		if (findings > 0) != (want.findingVersion != "") {
			t.Errorf("testsuite %s has %d findings", s.Name, findings)
		}
		if !strings.Contains(s.SystemOut.Text, "Verdict on api-version "+props["api-version"]+": ") || !strings.Contains(s.SystemOut.Text, "Verdict of the run (2024-03-07, 2025-03-15): NOT CONFORMANT") {
			t.Errorf("testsuite %s system-out:\n%s", s.Name, s.SystemOut.Text)
		}
	}
	if doc.Tests != 2*n+2 || doc.Failures != 2 || doc.Name != "Chat Participants Conformance" {
		t.Errorf("testsuites %q tests=%d failures=%d", doc.Name, doc.Tests, doc.Failures)
	}
	// 2024-03-07 fails only through the finding.
	if rs := resultsOf(t, write(t, r, twoVersionMeta())); rs.Versions[0].Verdict != NotConformant || rs.Matrix["ADD-04"][noMetaVersion] != "failed" || rs.Matrix["ADD-04"][metaVersion] != "passed" {
		t.Errorf("the finding: %s, matrix %v", rs.Versions[0].Verdict, rs.Matrix["ADD-04"])
	}

	// Failed suite setup belongs to no version: a suite of its own.
	r.SpecReports = append(r.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "minting users: 401"}})
	b, err := renderJUnit(newRun(r, twoVersionMeta()))
	if err != nil {
		t.Fatal(err)
	}
	doc = junitSuites{}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 3 || doc.Suites[2].Name != "Chat Participants Conformance, suite setup and teardown" || doc.Suites[2].Errors != 1 ||
		doc.Suites[2].Cases[0].Classname != "suite" || !strings.Contains(doc.Suites[2].Cases[0].Error.Message, "minting users: 401") {
		t.Errorf("the setup failure's suite: %+v", doc.Suites[len(doc.Suites)-1])
	}
}

// Under CHAT_API_VERSION=supported every report says what the server
// listed, what it listed that the suite does not know and what the suite
// knows that it did not list: neither is certified, and the specs of a
// version not listed (skipped) are in no verdict.
func TestDiscoveryIsReported(t *testing.T) {
	// As harness.NewDiscovery sorts "2024-03-07, 2025-03-15, 2099-01-01-preview, <ESC>[31mred"
	// for a suite that knows 2023-11-07 and 2024-03-15-preview too.
	certified := []string{noMetaVersion, metaVersion}
	d := &Discovery{Listed: []string{noMetaVersion, metaVersion, "2099-01-01-preview", "\x1b[31mred"},
		Unknown: []string{"2099-01-01-preview", "\x1b[31mred"}, NotListed: []string{"2023-11-07", "2024-03-15-preview"}}
	m := twoVersionMeta()
	m.APIVersions, m.Discovery = certified, d
	r := allPassingOn(noMetaVersion, metaVersion)
	for _, v := range []string{"2023-11-07", "2024-03-15-preview"} {
		for _, a := range catalogue.All() {
			r.SpecReports = append(r.SpecReports, newSpecOn(v, a.ID, "Area", "["+a.ID+"] x").skip("api-version "+v+" is not listed by the server's api-supported-versions").build())
		}
	}
	dir := write(t, r, m)
	res := resultsOf(t, dir)
	if res.Verdict != Conformant || len(res.Versions) != 2 || len(res.Problems) != 0 {
		t.Errorf("verdict %s, %d versions, problems %q", res.Verdict, len(res.Versions), res.Problems)
	}
	if dd := res.Discovery; dd == nil || strings.Join(dd.Listed, ",") != `2024-03-07,2025-03-15,2099-01-01-preview,\x1b[31mred` ||
		strings.Join(dd.Unknown, ",") != `2099-01-01-preview,\x1b[31mred` || strings.Join(dd.NotListed, ",") != "2023-11-07,2024-03-15-preview" {
		t.Errorf("results.json discovery %+v", res.Discovery)
	}
	for file, wants := range map[string][]string{
		FileSummary: {
			`- The server's api-supported-versions: 2024-03-07, 2025-03-15, 2099-01-01-preview, \\x1b[31mred`,
			`- Listed but unknown to the suite (not certified): 2099-01-01-preview, \\x1b[31mred`,
			"- Known to the suite but not listed (not certified, their specs skipped): 2023-11-07, 2024-03-15-preview",
		},
		FileHTML: {
			`<b>Discovery:</b> Listed but unknown to the suite (not certified): 2099-01-01-preview, \x1b[31mred`,
			"<b>Discovery:</b> Known to the suite but not listed (not certified, their specs skipped): 2023-11-07, 2024-03-15-preview",
		},
		FileJUnit: {"Known to the suite but not listed (not certified, their specs skipped): 2023-11-07, 2024-03-15-preview"},
	} {
		out := read(t, dir, file)
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q", file, want)
			}
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s holds the server's raw escape byte", file)
		}
	}
	var b strings.Builder
	PrintSummary(&b, r, m, false)
	if !strings.Contains(b.String(), "  Known to the suite but not listed (not certified, their specs skipped): 2023-11-07, 2024-03-15-preview\n") || strings.Contains(b.String(), "\x1b") {
		t.Errorf("console:\n%s", b.String())
	}

	// A server that lists none of the versions certifies nothing (and the
	// framework skips every spec).
	m.APIVersions, m.Discovery = nil, &Discovery{Listed: []string{"2099-01-01"}, Unknown: []string{"2099-01-01"}, NotListed: []string{noMetaVersion, metaVersion}}
	for i := range r.SpecReports {
		r.SpecReports[i].State = types.SpecStateSkipped
	}
	res = resultsOf(t, write(t, r, m))
	if res.Verdict != Incomplete || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "lists none of the api-versions") {
		t.Errorf("nothing listed: %s, %q", res.Verdict, res.Problems)
	}
}

// In a run of several versions a spec without a v: label belongs to none:
// a suite problem, not a silent guess.
func TestUnlabelledSpecInSeveralVersions(t *testing.T) {
	r := twoVersions()
	r.SpecReports = append(r.SpecReports, newSpec("ADD-02", "Add", "[ADD-02] x").unversioned().fail("boom").build())
	x := newRun(r, twoVersionMeta())
	if len(x.Problems) != 1 || x.Problems[0] != "1 spec carries no v:<api-version> label in a run of several api-versions (2024-03-07, 2025-03-15): it is in no version's verdict" {
		t.Errorf("problems %q", x.Problems)
	}
	if x.Versions[0].Assertions[1].Outcome != outcome.Passed {
		t.Error("the unlabelled failure counted for a version")
	}
	// In a run of one version it is that version's (an older report).
	m := fixtureMeta()
	r = allPassing()
	r.SpecReports = append(r.SpecReports, newSpec("ADD-02", "Add", "[ADD-02] x").unversioned().fail("boom").build())
	x = newRun(r, m)
	if x.Verdict != NotConformant || len(x.Problems) != 0 {
		t.Errorf("single version: %s, %q", x.Verdict, x.Problems)
	}
	// A spec of a version the run does not certify that ran anyway.
	r = allPassingOn(noMetaVersion)
	r.SpecReports = append(r.SpecReports, newSpecOn(metaVersion, "ADD-01", "Add", "[ADD-01] x").build())
	if x := newRun(r, fixtureMeta()); x.Verdict != Conformant || len(x.Problems) != 1 || !strings.Contains(x.Problems[0], "1 spec of api-version 2025-03-15 ran, but the run does not certify 2025-03-15") {
		t.Errorf("uncertified: %s %q", x.Verdict, x.Problems)
	}
}

// A row is the worst over the versions it binds; for a binding tier a skip
// outranks a pass or a warning (it leaves its version incomplete), for a
// SHOULD outside strict it does not.
func TestAggregateCells(t *testing.T) {
	p, f, w, s := cell{Outcome: outcome.Passed}, cell{Outcome: outcome.Failed}, cell{Outcome: outcome.Warned}, cell{Outcome: outcome.Skipped}
	na := cell{Outcome: outcome.Skipped, NotApplicable: true}
	nc := cell{Outcome: outcome.Skipped, NotChosen: "CHAT_RATE_LIMIT_TESTS=1"}
	for _, tc := range []struct {
		tier   catalogue.Tier
		strict bool
		cells  []cell
		want   string
	}{
		{catalogue.Must, false, []cell{p, f}, "failed"},
		{catalogue.Must, false, []cell{p, s}, "skipped"},
		{catalogue.Must, false, []cell{na, p}, "passed"},
		{catalogue.Must, false, []cell{na, s}, "skipped"},
		{catalogue.Must, false, []cell{na, na}, CellNotApplicable},
		{catalogue.Must, false, []cell{nc, nc}, CellNotChosen},
		{catalogue.Must, false, []cell{na, nc}, CellNotChosen},
		{catalogue.Must, false, []cell{nc, f}, "failed"},
		{catalogue.Should, false, []cell{w, s}, "warned"},
		{catalogue.Should, true, []cell{w, s}, "skipped"},
		{catalogue.Should, false, []cell{p, w}, "warned"},
	} {
		o, isNA, notChosen, _ := aggregateCells(tc.tier, tc.strict, tc.cells)
		if got := MatrixCell(AssertionResult{Outcome: string(o), NotApplicable: isNA, NotRunByChoice: notChosen}); got != tc.want {
			t.Errorf("%s strict=%v %v: %s, want %s", tc.tier, tc.strict, tc.cells, got, tc.want)
		}
	}
}

// Check judges each version, the run as their worst, and the top-level rows
// and the matrix as the versions give them.
func TestCheckSeveralVersions(t *testing.T) {
	good := resultsOf(t, write(t, twoVersions(), twoVersionMeta()))
	for name, tc := range map[string]struct {
		edit func(r *Results)
		want string
	}{
		"a version's verdict": {func(r *Results) { r.Versions[1].Verdict, r.Versions[1].VerdictLine = Conformant, Conformant },
			"results.json (api-version 2025-03-15) says CONFORMANT but its assertions give NOT CONFORMANT"},
		"a version's assertion and verdict": {func(r *Results) {
			a := r.Versions[1].Assertions["ADD-01"]
			a.Outcome = "passed"
			r.Versions[1].Assertions["ADD-01"] = a
			r.Versions[1].Verdict, r.Versions[1].VerdictLine = Conformant, Conformant
		}, "results.json says NOT CONFORMANT but its api-versions give CONFORMANT"},
		"the matrix": {func(r *Results) { r.Matrix["ADD-01"][metaVersion] = "passed" }, `the matrix says ADD-01 is "passed" on 2025-03-15`},
		"a top-level row": {func(r *Results) {
			a := r.Assertions["ADD-02"]
			a.Outcome = "warned"
			r.Assertions["ADD-02"] = a
		}, "results.json says ADD-02 is warned over every api-version, but its api-versions give passed"},
		"the versions listed":     {func(r *Results) { r.APIVersions = []string{noMetaVersion} }, "certifies api-versions 2024-03-07 but has verdicts of 2024-03-07, 2025-03-15"},
		"a version missing a row": {func(r *Results) { delete(r.Versions[0].Assertions, "ADD-05") }, "api-version 2024-03-07 does not list ADD-05"},
	} {
		b, _ := json.Marshal(good)
		var r Results
		_ = json.Unmarshal(b, &r)
		tc.edit(&r)
		if err := r.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check = %v, want %q", name, err, tc.want)
		}
	}
	// The run's verdict edited along with every version's: the versions'
	// own rows contradict them.
	b, _ := json.Marshal(good)
	forged := strings.ReplaceAll(string(b), `"verdict":"NOT CONFORMANT"`, `"verdict":"CONFORMANT"`)
	forged = strings.ReplaceAll(forged, `"verdictLine":"NOT CONFORMANT"`, `"verdictLine":"CONFORMANT"`)
	var r Results
	_ = json.Unmarshal([]byte(forged), &r)
	if err := r.Check(); err == nil {
		t.Error("Check accepted forged verdicts")
	}
}

// A results.json from before api-versions were listed (apiVersion, no
// versions, no matrix) still checks, and reads as its one version.
func TestResultsOfOneVersionFromBefore(t *testing.T) {
	old := `{"schema":"chatconform/results/v1","suiteVersion":"v1.0.0","apiVersion":"2024-03-07","verdict":"CONFORMANT","verdictLine":"CONFORMANT (1 opt-in check not run)",
		"assertions":{"ADD-01":{"tier":"must","outcome":"passed"},"META-01":{"tier":"must","outcome":"skipped","notApplicable":true},
		"ERR-07":{"tier":"must","outcome":"skipped","notRunByChoice":"CHAT_RATE_LIMIT_TESTS=1"}}}`
	var r Results
	if err := json.Unmarshal([]byte(old), &r); err != nil {
		t.Fatal(err)
	}
	if err := r.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	if cv := r.CertifiedVersions(); fmt.Sprint(cv) != "[2024-03-07]" || r.VersionAssertions("2024-03-07")["ADD-01"].Outcome != "passed" || r.VersionAssertions("2025-03-15") != nil {
		t.Errorf("versions %v", cv)
	}
	// A single-version file of today writes apiVersion too, for its readers.
	if r := resultsOf(t, write(t, allPassing(), fixtureMeta())); r.APIVersion != noMetaVersion || fmt.Sprint(r.APIVersions) != "[2024-03-07]" || len(r.Versions) != 1 {
		t.Errorf("single version: apiVersion %q, apiVersions %v, %d versions", r.APIVersion, r.APIVersions, len(r.Versions))
	}
}
