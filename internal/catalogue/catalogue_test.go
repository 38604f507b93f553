package catalogue

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/fixtures/sharedref"
)

// Every row of the shared assertions.md must be in the catalogue with the
// same tier. The catalogue is the source: rows it adds first (the shared copy
// is brought up to date from it) are allowed, and logged.
func TestCatalogueMatchesSharedAssertions(t *testing.T) {
	b, err := os.ReadFile(sharedref.Dir(t, "conformance", "assertions.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| ([A-Z]+-\d+) \| (MUST|SHOULD) \|`)
	shared := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		id, tier := m[1], strings.ToLower(m[2])
		shared[id] = true
		a, ok := Lookup(id)
		switch {
		case !ok:
			t.Errorf("assertions.md has %s (%s), the catalogue does not", id, tier)
		case string(a.Tier) != tier:
			t.Errorf("%s: assertions.md says %s, catalogue says %s", id, tier, a.Tier)
		}
	}
	if len(shared) == 0 {
		t.Fatal("no assertion rows found in assertions.md")
	}
	for _, id := range IDs() {
		if !shared[id] {
			t.Logf("%s is in the catalogue only (not yet in ../shared/conformance/assertions.md)", id)
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
