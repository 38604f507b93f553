package faults

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
)

// Interrupting a run (Ctrl-C, or SIGTERM from CI) still deletes every
// thread it created: Ginkgo runs the interrupted spec's DeferCleanup and
// the suite's teardown before it exits.
func TestInterruptDeletesThreads(t *testing.T) {
	bin := suitetest.Build(t, "runs the suite")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			var created atomic.Int32
			slow := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPost && r.URL.Path == "/chat/threads" {
						created.Add(1)
					}
					time.Sleep(15 * time.Millisecond) // long enough to interrupt mid-run
					next.ServeHTTP(w, r)
				})
			}
			srv := suitetest.Server(t, slow)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "-ginkgo.no-color")
			cmd.Dir = t.TempDir()
			cmd.Env = suiterun.Env(map[string]string{"ACS_CONNECTION_STRING": srv.ConnectionString(), "CHAT_REPORT_DIR": cmd.Dir})
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for created.Load() < 5 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			_ = cmd.Process.Signal(sig)
			_ = cmd.Wait()
			if created.Load() < 5 {
				t.Fatalf("the suite created only %d threads before the deadline:\n%s", created.Load(), out.String())
			}
			if !strings.Contains(out.String(), "Interrupted") {
				t.Errorf("the run does not say it was interrupted:\n%s", out.String())
			}
			if n := srv.Ref.Threads(); n != 0 {
				t.Errorf("after %s the server still holds %d of the %d threads the run created:\n%s", sig, n, created.Load(), out.String())
			}
		})
	}
}

// A thread the suite cannot delete is reported by the run, not forgotten.
func TestUndeletedThreadsAreReported(t *testing.T) {
	bin := suitetest.Build(t, "runs the suite")
	undeletable := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/chat/threads/") {
				errorBody(w, http.StatusInternalServerError, "application/json", envelope("InternalServerError", "storage unavailable"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := suitetest.Server(t, undeletable)
	res := suitetest.Run(t, 2*time.Minute, bin, t.TempDir(), srv.ConnectionString(), map[string]string{"CHAT_TIMEOUT": "2s"}, "-ginkgo.label-filter=ADD-01 || LIST-01")
	for _, want := range []string{"chatconform left", "was NOT deleted"} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("the run's output does not report the undeleted threads (%q missing):\n%s", want, res.Output)
		}
	}
}
