package suiterun_test

import (
	"testing"

	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
)

// TestMain removes the suite binary the tests built.
func TestMain(m *testing.M) { suitetest.Main(m) }
