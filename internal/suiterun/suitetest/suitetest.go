// Package suitetest is what the Go tests that run the suite share: a
// TestMain that removes the suite binary, the build of that binary
// (skipped in -short mode), the reference server, a run, and the report
// files a run wrote.
package suitetest

import (
	"os"
	"testing"

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
