package perf

import (
	"os"
	"testing"

	"github.com/chatconform/chatconform/internal/suiterun"
)

// TestMain removes the suite binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	suiterun.Cleanup()
	os.Exit(code)
}
