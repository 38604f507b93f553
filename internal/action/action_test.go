package action

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/chatconform/chatconform/internal/suiterun"
)

// metadataKeys are the top-level keys of action metadata GitHub documents
// (docs.github.com, "Metadata syntax for GitHub Actions").
var metadataKeys = []string{"name", "author", "description", "inputs", "outputs", "runs", "branding"}

// inputs are the action's documented inputs (README, "GitHub Actions").
var inputs = []string{"connection-string", "endpoint", "token", "api-version", "waivers", "baseline", "report-dir"}

func root(t *testing.T) string {
	t.Helper()
	r, err := suiterun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestActionMetadata(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(b, &top); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	for k := range top {
		if !slices.Contains(metadataKeys, k) {
			t.Errorf("action.yml has top-level key %q, which action metadata does not have", k)
		}
	}
	for _, k := range []string{"name", "description", "runs"} {
		if _, ok := top[k]; !ok {
			t.Errorf("action.yml lacks the required key %q", k)
		}
	}
	var meta struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
				If   string            `yaml:"if"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		if meta.Inputs[in].Description == "" {
			t.Errorf("input %q is missing or undescribed", in)
		}
	}
	if meta.Runs.Using != "composite" || len(meta.Runs.Steps) == 0 {
		t.Fatalf("runs.using = %q with %d steps; want a composite action with steps", meta.Runs.Using, len(meta.Runs.Steps))
	}
	var setupGo, script, upload bool
	for _, s := range meta.Runs.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "actions/setup-go@"):
			setupGo = s.With["go-version-file"] == "${{ github.action_path }}/go.mod"
		case strings.Contains(s.Run, "action/run.sh"):
			script = true
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			upload = s.If == "always()"
		}
	}
	if !setupGo || !script || !upload {
		t.Errorf("steps: setup-go from the action's go.mod %v, run.sh %v, upload-artifact if always() %v", setupGo, script, upload)
	}
}

// runScript runs action/run.sh as the runner would, in a clean
// environment (no CHAT_ or ACS_ variable of the caller's).
func runScript(t *testing.T, in map[string]string) (string, string, string, error) {
	t.Helper()
	ws := t.TempDir()
	summary := filepath.Join(ws, "step-summary.md")
	output := filepath.Join(ws, "github-output")
	vars := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_ACTION_PATH": root(t), "GITHUB_WORKSPACE": ws,
		"GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": output, "INPUT_REPORT_DIR": "reports",
	}
	for k, v := range in {
		vars[k] = v
	}
	cmd := exec.Command("bash", filepath.Join(root(t), "action", "run.sh"))
	cmd.Dir = ws
	cmd.Env = suiterun.Env(vars)
	out, err := cmd.CombinedOutput()
	s, _ := os.ReadFile(summary)
	o, _ := os.ReadFile(output)
	return string(out), string(s), string(o), err
}

// TestActionRunsTheSuite: nothing configured, so the suite runs against
// its embedded reference server, offline; the job summary gets summary.md
// and the step passes with the verdict.
func TestActionRunsTheSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make conformance")
	}
	out, summary, outputs, err := runScript(t, nil)
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, out)
	}
	if !strings.Contains(summary, "# Chat participants API conformance: CONFORMANT") {
		t.Errorf("the job summary is not summary.md of a conformant run:\n%s", summary)
	}
	if !strings.Contains(outputs, "verdict=CONFORMANT\n") || !strings.Contains(outputs, "report-dir=/") {
		t.Errorf("outputs:\n%s", outputs)
	}
}

// TestActionFailsOnConfiguration: a bad input fails the step, and the job
// summary still says why.
func TestActionFailsOnConfiguration(t *testing.T) {
	if testing.Short() {
		t.Skip("runs make")
	}
	out, summary, outputs, err := runScript(t, map[string]string{"INPUT_API_VERSION": "1999-01-01"})
	if err == nil {
		t.Fatalf("run.sh succeeded with a bad api-version:\n%s", out)
	}
	if !strings.Contains(summary, "INCOMPLETE") || !strings.Contains(summary, "CHAT_API_VERSION") {
		t.Errorf("the job summary does not say INCOMPLETE and why:\n%s", summary)
	}
	if !strings.Contains(outputs, "verdict=INCOMPLETE\n") {
		t.Errorf("outputs:\n%s", outputs)
	}
}
