// Package suiterun builds the conformance suite once and runs it, as a
// user would, against a server this process serves: the fault matrix, the
// report tests and the contract tests all judge the suite through it.
package suiterun

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/chatconform/chatconform/fixtures/sharedref"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/wire"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// Cleanup removes the binary Build made; call it from TestMain after m.Run.
func Cleanup() {
	if buildPath != "" {
		_ = os.RemoveAll(filepath.Dir(buildPath))
	}
}

// Build compiles the suite (once per process) and returns the binary.
func Build() (string, error) {
	buildOnce.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "chatconform-suite-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "participants.test")
		cmd := exec.Command("go", "test", "-c", "-o", buildPath, "./suites/participants")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building the suite: %v\n%s", err, out)
		}
	})
	return buildPath, buildErr
}

// ModuleRoot is the directory holding go.mod, above the working directory.
func ModuleRoot() (string, error) { return sharedref.Root() }

// Server is a reference server, optionally wrapped, on a loopback port.
type Server struct {
	Ref       *refserver.Server
	HTTP      *httptest.Server
	AccessKey []byte
}

// NewServer serves the reference server (with the documented ACS rate
// limits) through wrap, which may be nil.
func NewServer(wrap func(http.Handler) http.Handler) (*Server, error) {
	return NewServerWith(refserver.Options{RateLimits: refserver.RateLimitsACS}, wrap)
}

// NewServerWith is NewServer with other reference-server options; the
// access key is always fresh.
func NewServerWith(opts refserver.Options, wrap func(http.Handler) http.Handler) (*Server, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	opts.AccessKey = key
	rs, err := refserver.New(opts)
	if err != nil {
		return nil, err
	}
	var h http.Handler = rs.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	return &Server{Ref: rs, HTTP: httptest.NewServer(h), AccessKey: key}, nil
}

// ConnectionString points the suite at the server.
func (s *Server) ConnectionString() string {
	return fmt.Sprintf("endpoint=%s/;accesskey=%s", s.HTTP.URL, base64.StdEncoding.EncodeToString(s.AccessKey))
}

// Close stops the server.
func (s *Server) Close() { s.HTTP.Close() }

// Result is one suite run.
type Result struct {
	Report types.Report
	// Judged is the whole run's verdict per assertion; ByVersion is each
	// api-version's (a multi-version run judges each version apart).
	Judged    []outcome.Assertion
	ByVersion map[string][]outcome.Assertion
	Output    string // stdout and stderr of the run
	RawJSON   []byte // Ginkgo's JSON report
	Dir       string // the run's working and report directory
	Duration  time.Duration
}

// Outcome returns the verdict of one assertion ID.
func (r *Result) Outcome(id string) outcome.Outcome {
	for _, a := range r.Judged {
		if a.ID == id {
			return a.Outcome
		}
	}
	return ""
}

// Run runs the suite binary in dir against connectionString with extra
// environment variables (CHAT_*), in a clean environment: none of the
// caller's CHAT_ or ACS_ settings leak in. args are extra Ginkgo flags.
func Run(ctx context.Context, bin, dir, connectionString string, env map[string]string, args ...string) (*Result, error) {
	vars := map[string]string{
		"ACS_CONNECTION_STRING": connectionString,
		"CHAT_RATE_LIMIT_TESTS": "1",
		"CHAT_TIMEOUT":          "10s",
		"CHAT_REPORT_DIR":       dir,
	}
	for k, v := range env {
		vars[k] = v
	}
	// Ginkgo's own copy, apart from the report.json the suite writes.
	report := filepath.Join(dir, "ginkgo.json")
	argv := append([]string{"-ginkgo.json-report=" + report, "-ginkgo.randomize-all", "-ginkgo.no-color"}, args...)
	cmd := exec.CommandContext(ctx, bin, argv...)
	if procs := env[Procs]; procs != "" {
		// Parallel processes need the Ginkgo CLI, pinned in go.mod, which
		// runs a precompiled suite as well.
		root, err := ModuleRoot()
		if err != nil {
			return nil, err
		}
		cmd = exec.CommandContext(ctx, "go", "tool", "ginkgo", "--procs="+procs, "--randomize-all", "--no-color",
			"--json-report=ginkgo.json", "--output-dir="+dir, bin)
		cmd.Dir = root
		delete(vars, Procs)
	} else {
		cmd.Dir = dir
	}
	cmd.Env = Env(vars)
	began := time.Now()
	out, _ := cmd.CombinedOutput() // a failing suite exits non-zero by design
	res := &Result{Output: string(out), Dir: dir, Duration: time.Since(began)}
	raw, err := os.ReadFile(report)
	if err != nil {
		return res, fmt.Errorf("no JSON report (%v); output:\n%s", err, out)
	}
	var reports []types.Report
	if err := json.Unmarshal(raw, &reports); err != nil || len(reports) != 1 {
		return res, fmt.Errorf("unreadable JSON report: %v", err)
	}
	res.Report, res.RawJSON, res.Judged = reports[0], raw, outcome.Judge(reports[0])
	res.ByVersion = map[string][]outcome.Assertion{}
	for _, v := range outcome.Versions(reports[0], wire.SupportedChatVersions) {
		res.ByVersion[v] = outcome.Judge(outcome.OfVersion(reports[0], v))
	}
	return res, nil
}

// Procs, as a key of Run's env, runs the suite in that many parallel
// processes (through the Ginkgo CLI) instead of one.
const Procs = "SUITERUN_PROCS"

// Env is this process's environment minus every CHAT_, ACS_ and GINKGO_
// setting, plus vars; .env files are not read.
func Env(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CHAT_") || strings.HasPrefix(kv, "ACS_") || strings.HasPrefix(kv, "GINKGO_") {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return append(env, "CHAT_ENV_FILE=/dev/null")
}
