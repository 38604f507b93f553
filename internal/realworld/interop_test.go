package realworld

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/faults"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/wire"
)

// interopRunTimeout bounds one SDK run; the run's own watchdog
// (INTEROP_TIMEOUT_MS) fires first, this is the last resort.
const (
	interopRunTimeout = 90 * time.Second
	interopWatchdogMS = "60000"
)

// debianPython is the interpreter Debian's python3-azure installs the
// Python SDKs for; another python on PATH would not have them.
const debianPython = "/usr/bin/python3"

// pythonInstallHint names the package that provides the Python SDKs.
const pythonInstallHint = "install Debian's python3-azure (`sudo apt-get install -y python3-azure`: " +
	"azure-communication-chat 1.2.0, azure-communication-identity 1.3.2 for " + debianPython + "); .ci/run installs it"

// interopSDK is one official SDK's interop run.
type interopSDK struct {
	name string
	// prerequisites returns the command that runs the SDK's tests against
	// REFSERVER_CONNECTION_STRING, or why it cannot run (a skip, a failure
	// with CI=true).
	prerequisites func(root string) (argv []string, why string)
	// env is what points the run at the server and its certificate.
	env func(connStr, caFile string) map[string]string
	// identityTest is the title of the test that needs only the Identity
	// API; no fault here touches it, so it must pass in every run.
	identityTest string
	// chat and identity are the api-versions the server must have seen on
	// the SDK's requests in the clean run, exactly.
	chat, identity []string
	// failing names tests (substrings of their titles) each fault must make
	// fail, so that the exit status 1 is shown to come from the fault.
	failing map[string][]string
}

var interopSDKs = []interopSDK{
	{
		name:          "js",
		prerequisites: jsPrerequisites,
		env: func(connStr, caFile string) map[string]string {
			return map[string]string{"REFSERVER_CONNECTION_STRING": connStr, "NODE_EXTRA_CA_CERTS": caFile}
		},
		identityTest: "Identity: users and chat tokens via HMAC (createUserAndToken, createUser, getToken)",
		// @azure/communication-chat 1.6.0: its default and every other
		// version through the apiVersion option (interop/sdk.test.mjs RUNS).
		chat:     wire.SupportedChatVersions,
		identity: []string{wire.IdentityAPIVersion},
		failing: map[string][]string{
			"legacy-error-envelope": {
				"addParticipants with a malformed id: RestError 400 BadRequest",
				"a user who is not a participant: RestError 403 Forbidden",
				"a revoked token (revokeTokens) and a tampered token: RestError 401 Unauthorized",
				"deleteChatThread: the thread is gone (RestError 404 NotFound)",
			},
			"add-200-not-201": {
				"addParticipants with displayName and shareHistoryTime: no invalidParticipants",
			},
		},
	},
	{
		name:          "python",
		prerequisites: pythonPrerequisites,
		env: func(connStr, caFile string) map[string]string {
			return map[string]string{"REFSERVER_CONNECTION_STRING": connStr, "REFSERVER_CA_FILE": caFile}
		},
		identityTest: "Identity: users and chat tokens via HMAC (create_user_and_token, create_user, get_token)",
		// azure-communication-chat 1.2.0 sends 2021-09-07 whatever it is
		// given; azure-communication-identity 1.3.2 defaults to 2022-10-01.
		chat:     []string{wire.APIVersion20210907},
		identity: []string{wire.IdentityAPIVersion20221001},
		failing: map[string][]string{
			"legacy-error-envelope": {
				"add_participants with a malformed id: HttpResponseError 400 BadRequest",
				"a user who is not a participant: HttpResponseError 403 Forbidden",
				"a revoked token (revoke_tokens) and a tampered token: ClientAuthenticationError 401 Unauthorized",
				"delete_chat_thread: the thread is gone (ResourceNotFoundError 404 NotFound)",
			},
			"add-200-not-201": {
				"add_participants with display_name and share_history_time: no failed participants",
				"add_participants again with the same participants: the listing is unchanged",
				"add_participants with a well-formed unknown user",
			},
		},
	},
}

// interopFaults are the wire-format faults every SDK run must fail
// against ("" is the clean reference server, which every run must pass).
var interopFaults = []string{"", "legacy-error-envelope", "add-200-not-201"}

// TestInteropCanFail runs the official ACS SDKs (JavaScript:
// interop/run.mjs; Python: interop/python/run.py) against the reference
// server served over TLS in this process: clean, each run must pass (exit
// 0) and must have sent the api-versions the SDK is run with, as the server
// saw them; wrapped in a fault of the catalogue, it must fail (exit 1: a test
// failed, not 2: the harness failed), and fail in the tests the fault is
// about.
func TestInteropCanFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Node and Python three times each")
	}
	root, err := suiterun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	catalogue := map[string]faults.Fault{}
	for _, f := range faults.Catalogue() {
		catalogue[f.Name] = f
	}
	for _, sdk := range interopSDKs {
		t.Run(sdk.name, func(t *testing.T) {
			t.Parallel()
			argv, why := sdk.prerequisites(root)
			switch {
			case why != "" && os.Getenv("CI") == "true":
				t.Fatalf("%s SDK interop cannot run: %s", sdk.name, why)
			case why != "":
				t.Skipf("%s SDK interop skipped: %s (with CI=true this is a failure)", sdk.name, why)
			}
			for _, fault := range interopFaults {
				name := fault
				if name == "" {
					name = "clean"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					runInteropCase(t, root, argv, sdk, fault, catalogue)
				})
			}
		})
	}
}

func runInteropCase(t *testing.T, root string, argv []string, sdk interopSDK, fault string, catalogue map[string]faults.Fault) {
	seen := &apiVersionsSeen{}
	wrap := seen.record
	if fault != "" {
		f, ok := catalogue[fault]
		if !ok {
			t.Fatalf("fault %q is not in the catalogue", fault)
		}
		wrap = func(h http.Handler) http.Handler { return seen.record(f.Wrap(faults.Deps{}, h)) }
	}
	connStr, caFile := startTLSRefserver(t, wrap)

	code, out := runInterop(t, argv, root, sdk.env(connStr, caFile))
	switch {
	case fault == "" && code != 0:
		t.Fatalf("the %s SDK failed against the clean reference server (exit %d):\n%s", sdk.name, code, out)
	case fault != "" && code == 0:
		t.Fatalf("the %s SDK passed against fault %s: the interop check cannot see it:\n%s", sdk.name, fault, out)
	case fault != "" && code != 1:
		t.Fatalf("exit %d against fault %s, want 1 (a test failed); 2 is a harness error:\n%s", code, fault, out)
	}
	failed := failedTests(out)
	if fault == "" && len(failed) > 0 {
		t.Errorf("exit 0 but failing tests were reported: %q", failed)
	}
	for _, want := range sdk.failing[fault] {
		if !containsAny(failed, want) {
			t.Errorf("fault %s: the test %q should fail; failed: %q\n%s", fault, want, failed, out)
		}
	}
	// The harness and the server's Identity API worked in every run: the
	// failures are the fault's, not a broken setup.
	if !slices.Contains(passedTests(out), sdk.identityTest) {
		t.Errorf("the Identity test %q did not pass; the run is not a fair test of the fault:\n%s", sdk.identityTest, out)
	}
	chat, identity := seen.versions()
	if fault == "" {
		// What went on the wire, as the server saw it: every api-version
		// the SDK is claimed to have been run with, and no other.
		if want := slices.Sorted(slices.Values(sdk.chat)); !slices.Equal(chat, want) {
			t.Errorf("the server saw chat api-versions %q from the %s SDK, want %q", chat, sdk.name, want)
		}
		if want := slices.Sorted(slices.Values(sdk.identity)); !slices.Equal(identity, want) {
			t.Errorf("the server saw Identity api-versions %q from the %s SDK, want %q", identity, sdk.name, want)
		}
	}
	t.Logf("%s against %s: exit %d, chat api-versions %q, Identity %q, failing tests: %q", sdk.name, cmp.Or(fault, "the clean server"), code, chat, identity, failed)
}

// apiVersionsSeen records the api-version of every request the server got,
// chat and Identity apart.
type apiVersionsSeen struct {
	mu             sync.Mutex
	chat, identity map[string]bool
}

func (s *apiVersionsSeen) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := strings.Join(r.URL.Query()["api-version"], ",")
		s.mu.Lock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/chat/"):
			if s.chat == nil {
				s.chat = map[string]bool{}
			}
			s.chat[v] = true
		case strings.HasPrefix(r.URL.Path, "/identities"):
			if s.identity == nil {
				s.identity = map[string]bool{}
			}
			s.identity[v] = true
		}
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (s *apiVersionsSeen) versions() (chat, identity []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.chat)), slices.Sorted(maps.Keys(s.identity))
}

// jsPrerequisites: node on PATH and interop/node_modules installed; their
// absence skips the run outside CI.
func jsPrerequisites(root string) ([]string, string) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, "node is not on PATH (install Node 20+ and run `(cd interop && npm ci)`)"
	}
	sdk := filepath.Join(root, "interop", "node_modules", "@azure", "communication-chat")
	if _, err := os.Stat(sdk); err != nil {
		return nil, "interop/node_modules is not installed (" + sdk + " is missing; run `(cd interop && npm ci)`)"
	}
	return []string{node, filepath.Join("interop", "run.mjs")}, ""
}

// pythonPrerequisites: Debian's python3-azure for /usr/bin/python3. Like
// Node's, its absence skips the run on a machine with only Go (make test
// needs nothing else) and is a failure in CI (.ci/run installs it and sets
// CI=true), both with the package to install.
// -E and -s keep PYTHONPATH and the user's site-packages from replacing the
// SDKs under test.
func pythonPrerequisites(root string) ([]string, string) {
	if _, err := os.Stat(debianPython); err != nil {
		return nil, debianPython + " is missing: " + pythonInstallHint
	}
	argv := []string{debianPython, "-E", "-s"}
	probe := exec.Command(debianPython, "-E", "-s", "-c", "import azure.communication.chat, azure.communication.identity")
	if out, err := probe.CombinedOutput(); err != nil {
		return nil, fmt.Sprintf("%s cannot import the Python SDKs (%v: %s): %s", debianPython, err, lastLine(string(out)), pythonInstallHint)
	}
	return append(argv, filepath.Join("interop", "python", "run.py")), ""
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
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

// runInterop runs argv (an SDK's run against the server) from the module
// root with vars and returns its exit status and combined output. The run
// is bounded by its own watchdog and, as a last resort, by
// interopRunTimeout, which kills the whole process group.
func runInterop(t *testing.T, argv []string, root string, vars map[string]string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), interopRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = root
	vars["INTEROP_TIMEOUT_MS"] = interopWatchdogMS
	cmd.Env = interopEnv(vars)
	killGroupOnCancel(cmd)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err := cmd.Run()
	what := strings.Join(argv, " ")
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %s; killed:\n%s", what, interopRunTimeout, out.String())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		t.Logf("%s: exit 0 after %s", what, time.Since(began).Round(time.Millisecond))
		return 0, out.String()
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		t.Logf("%s: exit %d after %s", what, exit.ExitCode(), time.Since(began).Round(time.Millisecond))
		return exit.ExitCode(), out.String()
	}
	t.Fatalf("%s: %v\n%s", what, err, out.String())
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
			name == "NODE_EXTRA_CA_CERTS", name == "NODE_TLS_REJECT_UNAUTHORIZED", name == "NODE_OPTIONS",
			name == "REQUESTS_CA_BUNDLE", name == "CURL_CA_BUNDLE", name == "SSL_CERT_FILE", name == "SSL_CERT_DIR":
			continue
		}
		env = append(env, kv)
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// failedTests are the distinct titles node:test's spec reporter (and
// interop/python/run.py, which writes the same marks) marks with ✖ (failing
// suites included; the summary repeats them), without the duration.
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
