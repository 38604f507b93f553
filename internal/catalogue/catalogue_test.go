package catalogue

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The catalogue must be the shared assertions.md, row for row: an assertion
// added there without a spec (and a fault) here fails the build.
func TestCatalogueMatchesSharedAssertions(t *testing.T) {
	path := sharedAssertions(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no %s beside the repository: %v", path, err)
	}
	row := regexp.MustCompile(`(?m)^\| ([A-Z]+-\d+) \| (MUST|SHOULD) \|`)
	got := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		got[m[1]] = strings.ToLower(m[2])
	}
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if strings.Join(ids, ",") != strings.Join(IDs(), ",") {
		t.Fatalf("assertions.md IDs %v\n     catalogue IDs %v", ids, IDs())
	}
	for id, tier := range got {
		if string(Get(id).Tier) != tier {
			t.Errorf("%s: assertions.md says %s, catalogue says %s", id, tier, Get(id).Tier)
		}
	}
}

func sharedAssertions(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "conformance", "assertions.md")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
}

func TestGetPanicsOnUnknownID(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Get(\"NOPE-01\") did not panic")
		}
	}()
	Get("NOPE-01")
}
