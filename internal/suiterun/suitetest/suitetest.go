// Package suitetest is what the Go tests that run the suite share: a
// TestMain that removes the suite binary, the build of that binary
// (skipped in -short mode), the reference server, a run, and the report
// files a run wrote.
package suitetest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/suiterun"
)

// Main runs the tests and then removes the suite binary they built; call
// it as the whole of a package's TestMain.
func Main(m *testing.M) {
	code := m.Run()
	suiterun.Cleanup()
	os.Exit(code)
}

// Build skips the test in -short mode, saying why (what the test runs),
// and otherwise returns the suite binary, built once per process.
func Build(t testing.TB, why string) string {
	t.Helper()
	if testing.Short() {
		t.Skip(why)
	}
	bin, err := suiterun.Build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Server serves the reference server wrapped in wrap (nil for none) until
// the test and its subtests end.
func Server(t testing.TB, wrap func(http.Handler) http.Handler) *suiterun.Server {
	t.Helper()
	srv, err := suiterun.NewServer(wrap)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// Run runs the suite binary bin as suiterun.Run does, within timeout; a run
// that cannot start or be read fails the test.
func Run(t testing.TB, timeout time.Duration, bin, dir, connectionString string, env map[string]string, args ...string) *suiterun.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res, err := suiterun.Run(ctx, bin, dir, connectionString, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

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
