package catalogue

import (
	"github.com/chatconform/chatconform/fixtures/sharedref"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The catalogue must be the shared assertions.md, row for row: an assertion
// added there without a spec (and a fault) here fails the build.
func TestCatalogueMatchesSharedAssertions(t *testing.T) {
	b, err := os.ReadFile(sharedref.Dir(t, "conformance", "assertions.md"))
	if err != nil {
		t.Fatal(err)
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

func TestGetPanicsOnUnknownID(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Get(\"NOPE-01\") did not panic")
		}
	}()
	Get("NOPE-01")
}
