package realworld

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/faults"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
)

// interopRunTimeout bounds one `node interop/run.mjs`; run.mjs's own
// watchdog (INTEROP_TIMEOUT_MS) fires first, this is the last resort.
const (
	interopRunTimeout = 90 * time.Second
	interopWatchdogMS = "60000"
)

// interopCase is one server the official SDKs are run against.
type interopCase struct {
	name  string
	fault string // "" for the clean reference server
	// failing names tests (substrings of their titles) the fault must make
	// fail, so that the exit status 1 is shown to come from the fault.
	failing []string
}

var interopCases = []interopCase{
	{name: "clean"},
	{name: "legacy-error-envelope", fault: "legacy-error-envelope", failing: []string{
		"addParticipants with a malformed id: RestError 400 BadRequest",
		"a user who is not a participant: RestError 403 Forbidden",
		"a revoked token (revokeTokens) and a tampered token: RestError 401 Unauthorized",
		"deleteChatThread: the thread is gone (RestError 404 NotFound)",
	}},
	{name: "add-200-not-201", fault: "add-200-not-201", failing: []string{
		"addParticipants with displayName and shareHistoryTime: no invalidParticipants",
	}},
}

// TestInteropCanFail runs the official ACS JavaScript SDKs (interop/run.mjs)
// against the reference server served over TLS in this process: clean, the
// run must pass (exit 0); wrapped in a fault of the catalogue, it must fail
// (exit 1: a test failed, not 2: the harness failed), and fail in the tests
// the fault is about.
func TestInteropCanFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Node three times")
	}
	root, err := suiterun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	node, why := interopPrerequisites(root)
	if why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s; CI installs Node 20+ and runs `(cd interop && npm ci)` before the tests", why)
		}
		t.Skipf("SDK interop skipped: %s (install Node 20+ and run `(cd interop && npm ci)`; with CI=true this is a failure)", why)
	}

	catalogue := map[string]faults.Fault{}
	for _, f := range faults.Catalogue() {
		catalogue[f.Name] = f
	}
	for _, c := range interopCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var wrap func(http.Handler) http.Handler
			if c.fault != "" {
				f, ok := catalogue[c.fault]
				if !ok {
					t.Fatalf("fault %q is not in the catalogue", c.fault)
				}
				wrap = func(h http.Handler) http.Handler { return f.Wrap(faults.Deps{}, h) }
			}
			connStr, caFile := startTLSRefserver(t, wrap)

			code, out := runInterop(t, node, root, connStr, caFile)
			switch {
			case c.fault == "" && code != 0:
				t.Fatalf("the SDKs failed against the clean reference server (exit %d):\n%s", code, out)
			case c.fault != "" && code == 0:
				t.Fatalf("the SDKs passed against fault %s: the interop check cannot see it:\n%s", c.fault, out)
			case c.fault != "" && code != 1:
				t.Fatalf("exit %d against fault %s, want 1 (a test failed); 2 is a harness error:\n%s", code, c.fault, out)
			}
			failed := failedTests(out)
			if c.fault == "" && len(failed) > 0 {
				t.Errorf("exit 0 but failing tests were reported: %q", failed)
			}
			for _, want := range c.failing {
				if !containsAny(failed, want) {
					t.Errorf("fault %s: the test %q should fail; failed: %q\n%s", c.fault, want, failed, out)
				}
			}
			// The harness and the server's Identity API worked in every run:
			// the failures are the fault's, not a broken setup.
			if !slices.Contains(passedTests(out), identityTest) {
				t.Errorf("%s: the Identity test %q did not pass; the run is not a fair test of the fault:\n%s", c.name, identityTest, out)
			}
			t.Logf("%s: exit %d, failing tests: %q", c.name, code, failed)
		})
	}
}

// interopPrerequisites returns the node binary, or why the check cannot run.
func interopPrerequisites(root string) (string, string) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", "node is not on PATH"
	}
	sdk := filepath.Join(root, "interop", "node_modules", "@azure", "communication-chat")
	if _, err := os.Stat(sdk); err != nil {
		return "", "interop/node_modules is not installed (" + sdk + " is missing)"
	}
	return node, ""
}

// startTLSRefserver serves a fresh reference server, wrapped by wrap (may
// be nil), over TLS on 127.0.0.1 with a self-signed certificate, and
// returns its connection string and the PEM file of its certificate.
func startTLSRefserver(t *testing.T, wrap func(http.Handler) http.Handler) (string, string) {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	rs, err := refserver.New(refserver.Options{AccessKey: key})
	if err != nil {
		t.Fatal(err)
	}
	cert, pemBytes, err := refserver.SelfSignedCert()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "refserver-ca.pem")
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	var h http.Handler = rs.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return fmt.Sprintf("endpoint=%s/;accesskey=%s", srv.URL, base64.StdEncoding.EncodeToString(key)), caFile
}

// runInterop runs `node interop/run.mjs` against the server and returns
// its exit status and combined output. The run is bounded by run.mjs's
// watchdog and, as a last resort, by interopRunTimeout, which kills the
// whole process group.
func runInterop(t *testing.T, node, root, connStr, caFile string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), interopRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("interop", "run.mjs"))
	cmd.Dir = root
	cmd.Env = interopEnv(map[string]string{
		"REFSERVER_CONNECTION_STRING": connStr,
		"NODE_EXTRA_CA_CERTS":         caFile,
		"INTEROP_TIMEOUT_MS":          interopWatchdogMS,
	})
	killGroupOnCancel(cmd)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("node interop/run.mjs did not finish within %s; killed:\n%s", interopRunTimeout, out.String())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		t.Logf("node interop/run.mjs: exit %d after %s", exit.ExitCode(), time.Since(began).Round(time.Millisecond))
		return exit.ExitCode(), out.String()
	}
	t.Fatalf("node interop/run.mjs: %v\n%s", err, out.String())
	return -1, ""
}

// interopEnv is this process's environment without anything that would
// point run.mjs elsewhere or weaken TLS, plus vars.
func interopEnv(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "REFSERVER_"), strings.HasPrefix(name, "INTEROP_"),
			name == "NODE_EXTRA_CA_CERTS", name == "NODE_TLS_REJECT_UNAUTHORIZED", name == "NODE_OPTIONS":
			continue
		}
		env = append(env, kv)
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// identityTest is the title of the interop test that only needs the
// Identity API; no fault here touches it.
const identityTest = "Identity: users and chat tokens via HMAC (createUserAndToken, createUser, getToken)"

// failedTests are the distinct titles node:test's spec reporter marks with
// ✖ (failing suites included; the summary repeats them), without the
// duration.
func failedTests(out string) []string { return marked(out, "✖ ") }

// passedTests are the distinct titles marked with ✔.
func passedTests(out string) []string { return marked(out, "✔ ") }

func marked(out, mark string) []string {
	var titles []string
	for _, line := range strings.Split(out, "\n") {
		s := strings.TrimSpace(line)
		title, ok := strings.CutPrefix(s, mark)
		if !ok || strings.HasSuffix(title, ":") { // "✖ failing tests:" heads the summary
			continue
		}
		if i := strings.LastIndex(title, " ("); i > 0 && strings.HasSuffix(title, ")") {
			title = title[:i]
		}
		titles = append(titles, title)
	}
	slices.Sort(titles)
	return slices.Compact(titles)
}

func containsAny(titles []string, want string) bool {
	for _, s := range titles {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}
