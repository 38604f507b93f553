package suiterun_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// overlapped is the verdict line of a timing report entry that overlapped.
var overlapped = regexp.MustCompile(`(?m)^\s*overlapped`)

// The concurrency checks race their own requests, so a flaky one would
// show only now and then: against the clean reference server (with the
// ACS rate limits) they pass 20 runs in a row, half of them strict, over
// every api-version, and each reports that its requests overlapped.
func TestConcurrencyChecksAreStable(t *testing.T) {
	bin := suitetest.Build(t, "runs the concurrency specs 20 times")
	srv := suitetest.Server(t, nil)
	ids := []string{"CONC-01", "CONC-02", "CONC-03"}
	for i := range 20 {
		env := map[string]string{"CHAT_API_VERSION": wire.SupportedChatVersions[i%len(wire.SupportedChatVersions)]}
		if i%4 >= 2 {
			env["CHAT_STRICT"] = "1"
		}
		name := fmt.Sprintf("run %d (%s, strict=%s)", i+1, env["CHAT_API_VERSION"], env["CHAT_STRICT"])
		res := suitetest.Run(t, time.Minute, bin, t.TempDir(), srv.ConnectionString(), env, "-ginkgo.label-filter=concurrency")
		for _, id := range ids {
			if got := res.Outcome(id); got != outcome.Passed {
				t.Errorf("%s: %s is %s, want passed:\n%s", name, id, got, res.Output)
			}
		}
		if n := len(overlapped.FindAllString(res.Output, -1)); n != len(ids) {
			t.Errorf("%s: %d of %d timing reports say the requests overlapped:\n%s", name, n, len(ids), res.Output)
		}
	}
}
