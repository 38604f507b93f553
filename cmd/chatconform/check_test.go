package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/suiterun"
)

// checkReports asserts the reports of a run stopped by CHAT_TIMEOUT=abc.
func checkReports(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, report.FileJUnit))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			Name  string `xml:"name,attr"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	if len(doc.Cases) != 1 || doc.Cases[0].Name != report.ConfigurationCase || doc.Cases[0].Error == nil ||
		!strings.Contains(doc.Cases[0].Error.Message, "CHAT_TIMEOUT") {
		t.Errorf("junit.xml should hold one testcase %q in error naming CHAT_TIMEOUT:\n%s", report.ConfigurationCase, b)
	}
	summary, _ := os.ReadFile(filepath.Join(dir, report.FileSummary))
	if !strings.Contains(string(summary), "INCOMPLETE") || !strings.Contains(string(summary), `CHAT_TIMEOUT is "abc"`) {
		t.Errorf("summary.md should say INCOMPLETE and why:\n%s", summary)
	}
	var res report.Results
	raw, _ := os.ReadFile(filepath.Join(dir, report.FileResults))
	if err := json.Unmarshal(raw, &res); err != nil || res.Verdict != report.Incomplete ||
		len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "CHAT_TIMEOUT") {
		t.Errorf("results.json should have verdict INCOMPLETE and the problem (err %v):\n%s", err, raw)
	}
}

func TestCheckValid(t *testing.T) {
	t.Setenv("CHAT_ENV_FILE", os.DevNull)
	for _, k := range []string{"CHAT_TIMEOUT", "CHAT_ENDPOINT", "ACS_CONNECTION_STRING", "CHAT_TOKEN"} {
		t.Setenv(k, "")
	}
	t.Setenv("CHAT_REPORT_DIR", t.TempDir())
	code, out, errOut := runCmd("check")
	if code != 0 || !strings.Contains(out, "configuration is valid") {
		t.Errorf("check = %d, %q, %q", code, out, errOut)
	}
}

func TestCheckInvalid(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CHAT_ENV_FILE", os.DevNull)
	t.Setenv("CHAT_TIMEOUT", "abc")
	t.Setenv("CHAT_REPORT_DIR", dir)
	code, out, errOut := runCmd("check")
	if code != 1 || out != "" || strings.Count(errOut, `CHAT_TIMEOUT is "abc"`) != 1 {
		t.Errorf("check = %d, stdout %q, stderr %q; want 1 and the problem once", code, out, errOut)
	}
	checkReports(t, dir)
}

// TestConformanceStopsAtConfiguration runs `make conformance` with a bad
// variable: the problem is printed once, in plain words, Ginkgo never
// starts (no text about parallel processes), the reports say why, and make
// fails.
func TestConformanceStopsAtConfiguration(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	root, err := suiterun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("make", "--no-print-directory", "-C", root, "conformance")
	cmd.Env = suiterun.Env(map[string]string{"CHAT_TIMEOUT": "abc", "CHAT_REPORT_DIR": dir})
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("make conformance succeeded with CHAT_TIMEOUT=abc:\n%s", out)
	}
	text := string(out)
	if n := strings.Count(text, `CHAT_TIMEOUT is "abc"`); n != 1 {
		t.Errorf("the problem is printed %d times, want once:\n%s", n, text)
	}
	for _, ginkgo := range []string{"parallel process", "Ginkgo", "FAIL!", "Ran 0 of"} {
		if strings.Contains(text, ginkgo) {
			t.Errorf("the output has Ginkgo's text %q:\n%s", ginkgo, text)
		}
	}
	checkReports(t, dir)
}
