package suiterun

import (
	"os"
	"testing"
)

// TestMain removes the suite binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}
