package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// write runs Write into a fresh directory and returns it.
func write(t *testing.T, r types.Report, m Meta) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "reports")
	if err := Write(dir, r, m); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return dir
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteProducesEveryFile(t *testing.T) {
	dir := write(t, fixtureReport(), fixtureMeta())
	for _, f := range Files {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v (empty or missing)", f, err)
		}
	}
}

// report.json is Ginkgo's own format: Ginkgo's types decode it, and the
// decoded report renders the same results as the in-process one (the shape
// ReportAfterSuite gets in a parallel run).
func TestGinkgoJSONRoundTrip(t *testing.T) {
	dir := write(t, fixtureReport(), fixtureMeta())
	var reports []types.Report
	if err := json.Unmarshal([]byte(read(t, dir, FileGinkgo)), &reports); err != nil {
		t.Fatalf("report.json does not decode as []types.Report: %v", err)
	}
	if len(reports) != 1 || len(reports[0].SpecReports) != len(fixtureReport().SpecReports) {
		t.Fatalf("report.json holds %d reports", len(reports))
	}
	again := write(t, reports[0], fixtureMeta())
	if a, b := read(t, dir, FileResults), read(t, again, FileResults); a != b {
		t.Errorf("results.json differs between the in-process report and its JSON round trip:\n%s\n---\n%s", a, b)
	}
	if a, b := read(t, dir, FileJUnit), read(t, again, FileJUnit); a != b {
		t.Errorf("junit.xml differs between the in-process report and its JSON round trip")
	}
}
