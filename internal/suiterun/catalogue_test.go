package suiterun_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/wire"
)

// Every catalogue row has a spec, and every spec's text and labels agree
// with its row: read from a dry run of the built suite, so what is checked
// is the tree Ginkgo runs, not the source.
func TestSpecsAgreeWithCatalogue(t *testing.T) {
	bin, err := suiterun.Build()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	report := filepath.Join(dir, "dry.json")
	cmd := exec.Command(bin, "-ginkgo.dry-run", "-ginkgo.json-report="+report)
	cmd.Dir = dir
	cmd.Env = suiterun.Env(map[string]string{"CHAT_REPORT_DIR": dir})
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil || len(reports) != 1 {
		t.Fatalf("reading the dry run's report: %v", err)
	}
	specs := map[string]int{}
	atVersion := map[string]map[string]int{}
	for _, s := range reports[0].SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		var ids []string
		for _, l := range s.Labels() {
			if _, ok := catalogue.Lookup(l); ok {
				ids = append(ids, l)
			}
		}
		if len(ids) != 1 {
			t.Errorf("spec %q carries %d assertion IDs %v, want exactly 1", s.FullText(), len(ids), ids)
			continue
		}
		a := catalogue.Get(ids[0])
		specs[a.ID]++
		v := outcome.VersionOf(s)
		if v == "" || !strings.Contains(s.FullText(), "api-version "+v) {
			t.Errorf("spec %q carries no api-version label named in its text (labels %v): declare it in a framework.Certify container", s.FullText(), s.Labels())
		}
		if atVersion[a.ID] == nil {
			atVersion[a.ID] = map[string]int{}
		}
		atVersion[a.ID][v]++
		if !strings.HasPrefix(s.LeafNodeText, "["+a.ID+"] ") && !strings.Contains(s.FullText(), "["+a.ID+"] ") {
			t.Errorf("spec %q carries label %s but its text does not start with [%s]", s.FullText(), a.ID, a.ID)
		}
		for _, want := range a.Labels() {
			if !slices.Contains(s.Labels(), want) {
				t.Errorf("spec %q of %s lacks the label %q (labels %v)", s.FullText(), a.ID, want, s.Labels())
			}
		}
	}
	for _, a := range catalogue.All() {
		if specs[a.ID] == 0 {
			t.Errorf("catalogue row %s (%s) has no spec", a.ID, a.Behavior)
			continue
		}
		// CHAT_API_VERSION=supported declares every version the suite knows.
		for _, v := range wire.SupportedChatVersions {
			if atVersion[a.ID][v] == 0 {
				t.Errorf("catalogue row %s has no spec at api-version %s", a.ID, v)
			}
		}
	}
}
