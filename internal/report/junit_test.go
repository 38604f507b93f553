package report

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/outcome"
)

func TestJUnit(t *testing.T) {
	dir := write(t, fixtureReport(), fixtureMeta())
	var doc junitSuites
	if err := xml.Unmarshal([]byte(read(t, dir, FileJUnit)), &doc); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuites", len(doc.Suites))
	}
	s := doc.Suites[0]
	if doc.Tests != 5 || s.Tests != 5 || doc.Failures != 1 || doc.Errors != 1 || doc.Skipped != 1 {
		t.Errorf("counts tests=%d/%d failures=%d errors=%d skipped=%d, want 5/5, 1, 1, 1", doc.Tests, s.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	cases := map[string]junitCase{}
	for _, c := range s.Cases {
		id := c.Name[1:strings.Index(c.Name, "]")]
		cases[id] = c
		if !strings.HasPrefix(c.Name, "["+id+"] ") {
			t.Errorf("testcase name %q does not begin with its ID", c.Name)
		}
	}
	add := cases["ADD-01"]
	if add.Name != "[ADD-01] 2024-03-07 Add Chat Participants every participant is new and valid returns 201 Created" || add.Classname != "add" {
		t.Errorf("ADD-01 testcase is %q / %q", add.Name, add.Classname)
	}
	if add.Failure == nil || !strings.Contains(add.Failure.Message, "got 500") || add.Error != nil {
		t.Fatalf("ADD-01 has no <failure> with the message: %+v", add)
	}
	for _, want := range []string{"> POST " + endpoint + addPath, "< 500 Internal Server Error", "exchange 3", "curl -sS -i -X POST"} {
		if !strings.Contains(add.SystemOut.Text, want) {
			t.Errorf("ADD-01 system-out lacks %q:\n%s", want, add.SystemOut.Text)
		}
	}
	if c := cases["ERR-03"]; c.Skipped == nil || !strings.Contains(c.Skipped.Message, "set ACS_CONNECTION_STRING") {
		t.Errorf("ERR-03 has no <skipped> with the reason: %+v", c)
	}
	if c := cases["PAGE-01"]; c.Error == nil || c.Failure != nil || !strings.Contains(c.Error.Message, "connection reset") {
		t.Errorf("PAGE-01's harness error is not an <error>: %+v", c)
	}
	if c := cases["LIST-03"]; c.Failure != nil || c.SystemOut == nil || !strings.Contains(c.SystemOut.Text, "WARNING") || !strings.Contains(c.SystemOut.Text, "kind is missing") {
		t.Errorf("LIST-03's SHOULD warning is not visible: %+v", c)
	}
	if c := cases["ADD-02"]; c.Failure != nil || c.Error != nil || c.Skipped != nil {
		t.Errorf("ADD-02 passed but carries %+v", c)
	}
}

// A failed suite node (BeforeSuite) fails no assertion's spec, but must
// still turn a CI job red.
func TestJUnitReportsSetupFailure(t *testing.T) {
	r := fixtureReport()
	r.SpecReports[0].State = types.SpecStateFailed
	r.SpecReports[0].Failure.Message = "minting users: 401"
	x := newRun(r, fixtureMeta())
	b, err := renderJUnit(x)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `classname="suite"`) || !strings.Contains(string(b), "minting users: 401") {
		t.Errorf("setup failure missing from junit.xml:\n%s", b)
	}
	if len(x.Problems) != 1 {
		t.Errorf("problems = %v", x.Problems)
	}
}

// The negative corpus sends control bytes, invalid UTF-8 and anything
// else; junit.xml must stay well-formed whatever a transcript holds.
func TestJUnitSurvivesHostileTranscripts(t *testing.T) {
	hostile := "nul\x00 esc\x1b[31m bad\xff\xfe cdata-end ]]> <tag> & done"
	b := newSpec("ERR-09", "Errors", "[ERR-09] survives the negative corpus")
	b.exchange(exch("POST", addPath, 500, hostile, hostile))
	b.fail("server error for body " + hostile)
	dir := write(t, replace(allPassing(), b.build()), fixtureMeta())
	var doc junitSuites
	if err := xml.Unmarshal([]byte(read(t, dir, FileJUnit)), &doc); err != nil {
		t.Fatalf("junit.xml is not well-formed: %v", err)
	}
	for _, c := range doc.Suites[0].Cases {
		if strings.HasPrefix(c.Name, "[ERR-09]") {
			if c.Failure == nil || c.SystemOut == nil || !strings.Contains(c.SystemOut.Text, "cdata-end ]]> <tag> & done") {
				t.Errorf("ERR-09 lost its transcript: %+v", c)
			}
			return
		}
	}
	t.Error("no ERR-09 testcase")
}

// A finding against another row gets its own failed testcase under that
// row, so CI names the row it fails.
func TestJUnitReportsFindings(t *testing.T) {
	r := fixtureReport()
	r.SpecReports = append(r.SpecReports, newSpec("PAGE-01", "Paging", "[PAGE-01] never puts more than maxPageSize participants on a page").
		entry(outcome.EntryFinding, `{"id":"ADD-04","by":"PAGE-01","outcome":"failed","message":"[ADD-04] MUST: 8:acs:x was added but is not listed"}`).build())
	b, err := renderJUnit(newRun(r, fixtureMeta()))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name="[ADD-04] finding, observed by`, `type="must finding"`, `8:acs:x was added but is not listed`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("junit.xml lacks %q:\n%s", want, b)
		}
	}
}
