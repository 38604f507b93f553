package wire_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/wire"
)

// The table holds every status/code pair the catalogue's ERR-06 row lists,
// and only statuses HTTP knows.
func TestErrorCodesCoverERR06(t *testing.T) {
	pairs := regexp.MustCompile(`\b([45]\d\d) ([A-Z][A-Za-z]+)\b`).FindAllStringSubmatch(catalogue.Get("ERR-06").Behavior, -1)
	if len(pairs) == 0 {
		t.Fatal("the ERR-06 row lists no status and code")
	}
	for _, p := range pairs {
		status, _ := strconv.Atoi(p[1])
		if got := wire.ErrorCodes[status]; got != p[2] {
			t.Errorf("ErrorCodes[%d] = %q; ERR-06 says %q", status, got, p[2])
		}
	}
	for status, code := range wire.ErrorCodes {
		if http.StatusText(status) == "" || code == "" {
			t.Errorf("ErrorCodes[%d] = %q: not an HTTP status with a code", status, code)
		}
	}
}
