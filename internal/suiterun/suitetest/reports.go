package suitetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatconform/chatconform/internal/report"
)

// ReadFile is the report file name of report directory dir; one that
// cannot be read fails the test.
func ReadFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ReadResults is results.json of report directory dir.
func ReadResults(t testing.TB, dir string) report.Results {
	t.Helper()
	var r report.Results
	if err := json.Unmarshal(ReadFile(t, dir, report.FileResults), &r); err != nil {
		t.Fatal(err)
	}
	return r
}
