package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chatconform/chatconform/internal/perf"
	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/suiterun"
)

// suiteRun is one run of the whole suite through the Ginkgo CLI.
type suiteRun struct {
	Name    string
	Procs   int // 0: serial (no --procs); -1: -p (Ginkgo picks)
	Env     map[string]string
	Args    []string // Ginkgo CLI flags (a label filter)
	Latency time.Duration
	Server  *perf.Server // nil: the suite's embedded server

	// Results.
	Wall   time.Duration
	MaxRSS int64
	// CPU is what the suite's processes spent (user and system, the CLI
	// included), ServerCPU what the bench's reference server did
	// (0 with the embedded server, which is in the suite's CPU).
	CPU, ServerCPU time.Duration
	Results        report.Results
	Nodes          []perf.Node
	Path           perf.CriticalPath
	Phases         perf.Phases
	Traffic        perf.Traffic
	Limited        []perf.Resource // counted by the server's Counter
	Output         string
	ExitCode       int
}

// FalseFailures counts the assertions that failed or errored: every run
// is against a clean server, so each one is a false failure.
func (r *suiteRun) FalseFailures() int { return r.Results.Totals.Failed + r.Results.Totals.Error }

// ProcsLabel is how the run was parallelised, for the table.
func (r *suiteRun) ProcsLabel(cpus int) string {
	switch {
	case r.Procs == 0:
		return "1 (serial)"
	case r.Procs < 0:
		return fmt.Sprintf("-p (%d)", pProcs(cpus))
	}
	return strconv.Itoa(r.Procs)
}

// pProcs is how many processes Ginkgo's -p starts on cpus cores.
func pProcs(cpus int) int {
	if cpus > 4 {
		return cpus - 1
	}
	return max(cpus, 1)
}

// runner runs suites with one built binary and one Ginkgo CLI.
type runner struct {
	ginkgo string // the Ginkgo CLI binary pinned in go.mod
	suite  string // the precompiled suite
	work   string // scratch directory
	log    func(format string, args ...any)
}

// ginkgoPath resolves the Ginkgo CLI pinned in go.mod (`go tool -n`
// builds it into the cache once and prints its path), so every timed run
// execs the binary itself and not the go command in front of it.
func ginkgoPath(ctx context.Context, root string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "ginkgo")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go tool -n ginkgo: %w", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		return "", fmt.Errorf("go tool -n ginkgo printed nothing")
	}
	return fields[0], nil
}

// run runs the suite as described by r and fills in its results.
func (x *runner) run(ctx context.Context, r *suiteRun) error {
	dir, err := os.MkdirTemp(x.work, "run-")
	if err != nil {
		return err
	}
	vars := map[string]string{"CHAT_REPORT_DIR": dir}
	if r.Server != nil && r.Env["CHAT_ENDPOINT"] == "" {
		vars["ACS_CONNECTION_STRING"] = r.Server.ConnectionString()
	}
	for k, v := range r.Env {
		vars[k] = v
	}
	args := []string{"--randomize-all", "--keep-going", "--no-color"}
	switch {
	case r.Procs < 0:
		args = append(args, "-p")
	case r.Procs > 0:
		args = append(args, "--procs="+strconv.Itoa(r.Procs))
	}
	args = append(append(args, r.Args...), x.suite)
	if r.Server != nil && r.Server.Counter != nil {
		r.Server.Counter.Reset()
	}
	cmd := exec.CommandContext(ctx, x.ginkgo, args...)
	cmd.Dir = dir
	cmd.Env = suiterun.Env(vars)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began, self := time.Now(), perf.SelfCPU()
	err = cmd.Run()
	r.Wall = time.Since(began)
	r.MaxRSS = perf.MaxRSS(cmd)
	if r.Server != nil {
		r.ServerCPU = perf.SelfCPU() - self
	}
	r.Output = out.String()
	if cmd.ProcessState != nil {
		r.ExitCode = cmd.ProcessState.ExitCode()
		r.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	_ = os.WriteFile(filepath.Join(dir, "output.txt"), out.Bytes(), 0o644)
	if err != nil && cmd.ProcessState == nil {
		return fmt.Errorf("%s: %w", r.Name, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, report.FileResults))
	if err != nil {
		return fmt.Errorf("%s: no results.json (%v); output:\n%s", r.Name, err, tail(r.Output, 40))
	}
	if err := json.Unmarshal(raw, &r.Results); err != nil {
		return fmt.Errorf("%s: results.json: %w", r.Name, err)
	}
	rep, err := perf.LoadReport(filepath.Join(dir, report.FileGinkgo))
	if err != nil {
		return fmt.Errorf("%s: %w", r.Name, err)
	}
	if r.Nodes, err = perf.Nodes(rep); err != nil {
		return fmt.Errorf("%s: %w", r.Name, err)
	}
	r.Path = perf.CriticalPathOf(r.Nodes)
	r.Phases = perf.PhasesOf(r.Nodes)
	r.Traffic = perf.TrafficOf(r.Nodes)
	if r.Server != nil && r.Server.Counter != nil {
		r.Limited = r.Server.Counter.Resources()
	}
	x.log("  %-34s %7.2fs  %5d requests  %d retried  %d false failures  (exit %d, %s)",
		r.Name, r.Wall.Seconds(), r.Results.Totals.Requests, r.Results.Totals.Retries, r.FalseFailures(), r.ExitCode, dir)
	return nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// CPUBound is the least wall time the run's CPU allows on cores cores: the
// suite's and the server's CPU time, shared by the cores (0 when unknown).
func (r *suiteRun) CPUBound(cores int) time.Duration {
	return (r.CPU + r.ServerCPU) / time.Duration(max(cores, 1))
}
