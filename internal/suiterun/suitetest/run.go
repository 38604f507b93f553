package suitetest

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/suiterun"
)

// Refused runs the suite binary bin with env and args in a fresh
// directory, which it returns, and fails the test unless the run fails
// saying want: a certification run refusing what it cannot certify.
func Refused(t testing.TB, bin string, env map[string]string, want string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = suiterun.Env(env)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("err=%v, want a refusal saying %q:\n%s", err, want, out)
	}
	return cmd.Dir
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
