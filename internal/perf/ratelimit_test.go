package perf

import (
	"context"
	"github.com/chatconform/chatconform/internal/wire"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
)

// rateLimitScale shortens the documented windows 20-fold (10 s → 0.5 s).
// The server's Retry-After is still at least one whole second, so the
// client waits 1 s per throttled request: the run takes a few seconds.
const rateLimitScale = 20

// testLatency is small, but enough to check the critical-path bound
// against a real run.
const testLatency = 2 * time.Millisecond

// TestSuiteUnderACSLimitsWithOneUser runs part of the suite in manual-token
// mode (one acting user, as a person with a single token would run it)
// against the reference server enforcing the ACS limits: every thread
// creation and deletion counts against that one user's 10 per window, so
// the limits bite. The run must have no false failure, must have retried
// throttled setup requests and reported the retries (results.json and
// the transcripts), must still see ERR-07's deliberate 429 unretried, and
// must not beat the lower bounds this package computes.
func TestSuiteUnderACSLimitsWithOneUser(t *testing.T) {
	bin := suitetest.Build(t, "runs the suite against a rate-limited server (about 5 s)")
	srv, err := Serve(refserver.Options{RateLimits: refserver.RateLimitsACS, RateLimitScale: rateLimitScale, Latency: testLatency})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m, err := srv.MintManual(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env := m.Env()
	env["CHAT_RATE_LIMIT_TESTS"] = "1"
	// One version: every version has its own threads, and one user's
	// thread creations are what the limit bounds.
	env["CHAT_API_VERSION"] = wire.APIVersionLatest
	dir := t.TempDir()
	res, err := suiterun.Run(ctx, bin, dir, "", env, "-ginkgo.label-filter=add || list || ERR-07")
	if err != nil {
		t.Fatal(err)
	}
	if bad := outcome.Failing(res.Judged, outcome.Failed, outcome.Error); len(bad) > 0 {
		t.Fatalf("false failures under the ACS limits: %v\n%s", bad, tail(res.Output, 60))
	}
	if got := res.Outcome("ERR-07"); got != outcome.Passed {
		t.Errorf("ERR-07 is %s, want passed\n%s", got, tail(res.Output, 60))
	}
	var ran int
	for _, a := range res.Judged {
		if a.Outcome == outcome.Passed || a.Outcome == outcome.Warned {
			ran++
		}
	}
	if ran < 15 {
		t.Errorf("only %d assertions passed: the label filter ran too little", ran)
	}

	// The limits bit, and the suite retried its setup requests.
	nodes, err := Nodes(res.Report)
	if err != nil {
		t.Fatal(err)
	}
	tr := TrafficOf(nodes)
	retried := 0
	for _, a := range res.Judged {
		retried += a.Retries
	}
	if tr.Retried == 0 || retried == 0 || srv.Counter.Throttled() == 0 {
		t.Fatalf("no retries (%d in transcripts, %d in outcomes, %d answers 429): the limits did not bite", tr.Retried, retried, srv.Counter.Throttled())
	}

	// results.json, as the suite wrote it, reports them.
	results := suitetest.ReadResults(t, dir)
	if results.Totals.Retries != tr.Retried || results.Totals.Requests != tr.Requests {
		t.Errorf("results.json counts %d requests, %d retried; the transcripts %d and %d",
			results.Totals.Requests, results.Totals.Retries, tr.Requests, tr.Retried)
	}
	perAssertion := 0
	for _, a := range results.Assertions {
		perAssertion += a.Retries
	}
	if perAssertion != retried {
		t.Errorf("results.json's assertions count %d retries, the outcomes %d", perAssertion, retried)
	}
	if results.Totals.Failed+results.Totals.Error != 0 || results.Totals.Retries == 0 {
		t.Errorf("results.json: %d failed, %d error, %d retries", results.Totals.Failed, results.Totals.Error, results.Totals.Retries)
	}

	// Every retried attempt in a transcript was throttled; ERR-07's 429 is
	// the answer it judges, so it is never retried.
	err07 := 0
	for _, n := range nodes {
		for _, ex := range n.Exchanges {
			if ex.Retried != "" && ex.Status != http.StatusTooManyRequests {
				t.Errorf("%s: %s %s answered %d but is marked retried (%s)", n.Text, ex.Method, ex.URL, ex.Status, ex.Retried)
			}
			// The burst's adds, not the spec's setup (a throttled thread
			// creation there is retried, as every setup request is).
			if strings.Contains(n.Text, "[ERR-07]") && ex.Status == http.StatusTooManyRequests && strings.Contains(ex.URL, "/participants/:add") {
				err07++
				if ex.Retried != "" {
					t.Errorf("ERR-07's 429 was retried: %s", ex.Retried)
				}
			}
		}
	}
	if err07 != 1 {
		t.Errorf("ERR-07 recorded %d answers 429, want exactly 1 (the burst stops at the first)", err07)
	}

	// The bounds are lower bounds: the run cannot have beaten them.
	lb, worst := LimitBound(srv.Counter.Resources())
	path := CriticalPathOf(nodes)
	if lb <= 0 || worst.Kind() != "create/delete per user" {
		t.Errorf("limit bound %v set by %q (%d requests): want the one user's creations and deletions to bind", lb, worst.Key, worst.Requests)
	}
	if bound := max(lb, path.Bound(testLatency)); res.Duration < bound {
		t.Errorf("the run took %v, less than its lower bound %v (limits %v, critical path %s)", res.Duration, bound, lb, path)
	}
	t.Logf("%v wall; limit bound %v (%d requests on %s); critical path %s; %d requests, %d retried",
		res.Duration.Round(time.Millisecond), lb, worst.Requests, worst.Kind(), path, tr.Requests, tr.Retried)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
