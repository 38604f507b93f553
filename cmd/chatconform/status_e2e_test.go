package main

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/faults"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// fault is the named middleware of the fault catalogue.
func fault(t *testing.T, name string) faults.Fault {
	t.Helper()
	for _, f := range faults.Catalogue() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fault %q", name)
	return faults.Fault{}
}

// suiteRun runs the whole suite against the reference server wrapped in
// the named faults and returns its report directory.
func suiteRun(t *testing.T, env map[string]string, faultNames ...string) string {
	t.Helper()
	bin := suitetest.Build(t, "runs the suite")
	var fs []faults.Fault
	for _, n := range faultNames {
		fs = append(fs, fault(t, n))
	}
	srv := suitetest.Server(t, func(h http.Handler) http.Handler {
		for _, f := range fs {
			h = f.Wrap(faults.Deps{}, h)
		}
		return h
	})
	dir := t.TempDir()
	// One api-version unless the test chooses: these tests are about
	// waivers, opt-ins and baselines, which a version multiplies.
	if _, ok := env["CHAT_API_VERSION"]; !ok {
		env = maps.Clone(env)
		if env == nil {
			env = map[string]string{}
		}
		env["CHAT_API_VERSION"] = wire.APIVersionLatest
	}
	suitetest.Run(t, 3*time.Minute, bin, dir, srv.ConnectionString(), env)
	return dir
}

func writeWaivers(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "waivers.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	return string(suitetest.ReadFile(t, dir, name))
}

const legacyReason = "staging still sends the legacy CommunicationError envelope (ticket CHAT-123)"

// One ERR-05 waiver covers the legacy envelope wherever it shows up: every
// spec that met it is waived, not failed, and every report says so.
func TestWaiverCoversLegacyEnvelope(t *testing.T) {
	t.Parallel()
	w := writeWaivers(t, "waivers:\n  - id: ERR-05\n    reason: "+legacyReason+"\n    expires: 2099-03-31\n")
	dir := suiteRun(t, map[string]string{"CHAT_WAIVERS": w}, "legacy-error-envelope")
	code, out, errs := runCmd("status", filepath.Join(dir, report.FileResults))
	if code != 0 {
		t.Fatalf("status exited %d, want 0:\n%s%s\n%s", code, out, errs, readFile(t, dir, report.FileSummary))
	}
	if !strings.Contains(out, "verdict: CONFORMANT (") || !strings.Contains(out, "waived") {
		t.Errorf("status does not say what was waived:\n%s", out)
	}
	r := suitetest.ReadResults(t, dir)
	if o := r.Assertions["ERR-05"].Outcome; o != "waived" {
		t.Errorf("ERR-05 is %s, want waived", o)
	}
	if r.Totals.Waived < 2 {
		t.Errorf("only %d waived assertions: the legacy envelope shows up in many specs", r.Totals.Waived)
	}
	if len(r.Waivers) != 1 || r.Waivers[0].Findings == 0 || r.Waivers[0].Stale || r.Waivers[0].Waiver != w+":2" {
		t.Errorf("results.json waivers: %+v", r.Waivers)
	}
	summary := readFile(t, dir, report.FileSummary)
	for _, want := range []string{"## Waived", legacyReason, w + ":2", "CommunicationError", "🏷️ waived"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	html := readFile(t, dir, report.FileHTML)
	if !strings.Contains(html, "Waived — known deviations") || !strings.Contains(html, "CHAT-123") {
		t.Errorf("report.html does not show the waived findings with their reason")
	}
}

// An expired waiver makes its findings failures that name the entry.
func TestExpiredWaiverFails(t *testing.T) {
	t.Parallel()
	w := writeWaivers(t, "waivers:\n  - id: ERR-05\n    reason: "+legacyReason+"\n    expires: 2020-01-31\n")
	dir := suiteRun(t, map[string]string{"CHAT_WAIVERS": w}, "legacy-error-envelope")
	code, out, _ := runCmd("status", filepath.Join(dir, report.FileResults))
	if code != 1 || !strings.Contains(out, "verdict: NOT CONFORMANT") {
		t.Fatalf("status exited %d, want 1:\n%s", code, out)
	}
	r := suitetest.ReadResults(t, dir)
	msg := strings.Join(r.Assertions["ERR-05"].Messages, "\n")
	if r.Assertions["ERR-05"].Outcome != "failed" || !strings.Contains(msg, w+":2 expired on 2020-01-31") {
		t.Errorf("ERR-05 is %s, messages do not name the expired waiver:\n%s", r.Assertions["ERR-05"].Outcome, msg)
	}
}

// Without CHAT_RATE_LIMIT_TESTS ERR-07 is not run by choice, which leaves
// the run CONFORMANT; a waiver of an assertion that passed is stale.
func TestOptInNotRunAndStaleWaiver(t *testing.T) {
	t.Parallel()
	w := writeWaivers(t, "waivers:\n  - id: ADD-01\n    reason: once sent 200\n    expires: 2099-01-01\n")
	dir := suiteRun(t, map[string]string{"CHAT_WAIVERS": w, "CHAT_RATE_LIMIT_TESTS": "0"})
	code, out, _ := runCmd("status", filepath.Join(dir, report.FileResults))
	if code != 0 || !strings.Contains(out, "verdict: CONFORMANT (1 opt-in check not run)\n") {
		t.Fatalf("status exited %d:\n%s", code, out)
	}
	r := suitetest.ReadResults(t, dir)
	if r.Verdict != report.Conformant || len(r.NotRunByChoice) != 1 || r.NotRunByChoice[0].ID != "ERR-07" {
		t.Errorf("results.json: verdict %s, not run by choice %+v", r.Verdict, r.NotRunByChoice)
	}
	if len(r.Waivers) != 1 || !r.Waivers[0].Stale {
		t.Errorf("the ADD-01 waiver is not stale: %+v", r.Waivers)
	}
	summary := readFile(t, dir, report.FileSummary)
	for _, want := range []string{"not run by choice: ERR-07 (set CHAT_RATE_LIMIT_TESTS=1)", "Stale waiver", "remove it"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
	if html := readFile(t, dir, report.FileHTML); !strings.Contains(html, "Stale waiver") {
		t.Errorf("report.html does not list the stale waiver")
	}
}

// The legacy envelope fails ERR-05 on every api-version: status names each
// version's verdict and fails; against that run as a baseline, the same
// run has only known failures, each naming its version.
func TestStatusAndBaselineOfTwoVersions(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CHAT_API_VERSION": wire.APIVersionStable + "," + wire.APIVersionLatest}
	a := suiteRun(t, env, "legacy-error-envelope")
	if !declaresVersions(t, a) {
		t.Fatal("the specs carry no v:<version> labels: the framework does not declare them per api-version")
	}
	code, out, _ := runCmd("status", filepath.Join(a, report.FileResults))
	if code != 1 || !strings.Contains(out, "api-version "+wire.APIVersionStable+": NOT CONFORMANT\n") || !strings.Contains(out, "api-version "+wire.APIVersionLatest+": NOT CONFORMANT\n") {
		t.Fatalf("run A: status %d, want 1 with both versions NOT CONFORMANT:\n%s", code, out)
	}
	env["CHAT_BASELINE"] = filepath.Join(a, report.FileResults)
	b := suiteRun(t, env, "legacy-error-envelope")
	code, out, _ = runCmd("status", filepath.Join(b, report.FileResults))
	if code != 0 || !strings.Contains(out, "0 regressions, 0 fixed since the baseline") {
		t.Errorf("run B: status %d, want 0 with 0 regressions:\n%s", code, out)
	}
	c := suitetest.ReadResults(t, b).Baseline
	for _, v := range []string{wire.APIVersionStable, wire.APIVersionLatest} {
		if c == nil || !slices.Contains(c.Known, "ERR-05 ("+v+")") {
			t.Errorf("run B: ERR-05 on %s is not a known failure: %+v", v, c)
		}
	}
}

// declaresVersions says whether the specs of the run in dir carry the
// v:<api-version> labels of a framework that declares them per version.
func declaresVersions(t *testing.T, dir string) bool {
	t.Helper()
	var rs []types.Report
	if err := json.Unmarshal([]byte(readFile(t, dir, report.FileGinkgo)), &rs); err != nil || len(rs) != 1 {
		t.Fatalf("report.json: %v", err)
	}
	for _, sr := range rs[0].SpecReports {
		for _, l := range sr.Labels() {
			if strings.HasPrefix(l, outcome.VersionLabelPrefix) {
				return true
			}
		}
	}
	return false
}

// A certification run refuses waivers, a baseline and a run without the
// opt-in checks.
func TestCertificationRefusesChoices(t *testing.T) {
	t.Parallel()
	bin := suitetest.Build(t, "runs the suite")
	w := writeWaivers(t, "waivers:\n  - id: ERR-05\n    reason: r\n    expires: 2099-01-01\n")
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"waivers":  {map[string]string{"CHAT_WAIVERS": w}, "unset CHAT_WAIVERS"},
		"baseline": {map[string]string{"CHAT_BASELINE": w}, "unset CHAT_BASELINE"},
		"opt-in":   {map[string]string{"CHAT_RATE_LIMIT_TESTS": "0"}, "set CHAT_RATE_LIMIT_TESTS=1"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.env["CHATCONFORM_CERTIFY"] = "1"
			dir := suitetest.Refused(t, bin, tc.env, tc.want)
			if _, err := os.Stat(filepath.Join(dir, "reports", report.FileResults)); err == nil {
				t.Errorf("a refused run wrote results.json")
			}
		})
	}
}

// Against a baseline only what got worse fails: the same legacy envelope
// is known (exit 0); a new fault's assertions are regressions (exit 1).
func TestBaseline(t *testing.T) {
	t.Parallel()
	a := suiteRun(t, nil, "legacy-error-envelope")
	if code, out, _ := runCmd("status", filepath.Join(a, report.FileResults)); code != 1 {
		t.Fatalf("run A: status %d, want 1 (NOT CONFORMANT):\n%s", code, out)
	}
	base := map[string]string{"CHAT_BASELINE": filepath.Join(a, report.FileResults)}

	b := suiteRun(t, base, "legacy-error-envelope")
	code, out, _ := runCmd("status", filepath.Join(b, report.FileResults))
	if code != 0 || !strings.Contains(out, "0 regressions, 0 fixed since the baseline") {
		t.Errorf("run B: status %d, want 0 with 0 regressions:\n%s", code, out)
	}
	if s := readFile(t, b, report.FileSummary); !strings.Contains(s, "**0 regressions, 0 fixed since the baseline**") {
		t.Errorf("run B: summary.md does not start with the comparison:\n%.600s", s)
	}
	if c := suitetest.ReadResults(t, b).Baseline; c == nil || len(c.Known) == 0 || len(c.Regressions) != 0 {
		t.Errorf("run B: results.json baseline %+v", c)
	}

	add200 := fault(t, "add-200-not-201")
	c := suiteRun(t, base, "legacy-error-envelope", add200.Name)
	code, out, _ = runCmd("status", filepath.Join(c, report.FileResults))
	if code != 1 {
		t.Errorf("run C: status %d, want 1:\n%s", code, out)
	}
	for _, id := range add200.Trips {
		if !strings.Contains(out, "regression: "+id+"\n") {
			t.Errorf("run C: status does not name %s a regression:\n%s", id, out)
		}
	}
	summary, html := readFile(t, c, report.FileSummary), readFile(t, c, report.FileHTML)
	for _, id := range add200.Trips {
		if !strings.Contains(summary, "Regressions (fail now, did not fail in the baseline): ") || !strings.Contains(summary, id) {
			t.Errorf("run C: summary.md does not list %s as a regression", id)
		}
	}
	if !strings.Contains(html, "regression") || !strings.Contains(html, "since the baseline") {
		t.Errorf("run C: report.html lacks the comparison")
	}
}
