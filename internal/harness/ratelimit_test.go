package harness

import (
	"context"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// Clients in several processes share one budget: 30 waits at 20/s with a
// burst of 20 cannot all pass in less than half a second. (Only a lower
// bound is checked, so a slow machine cannot fail it.)
func TestRateServerSharesOneBudget(t *testing.T) {
	s, err := StartRateServer(20)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	clients := []*RateClient{{URL: s.URL}, {URL: s.URL}, {URL: s.URL}} // as if three processes
	start := time.Now()
	var g errgroup.Group
	g.SetLimit(30)
	for i := range 30 {
		g.Go(func() error { return clients[i%3].Wait(context.Background()) })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Errorf("30 waits at 20/s (burst 20) took %s: the budget is not shared", d)
	}
}

func TestRateClientReportsAGoneServer(t *testing.T) {
	s, err := StartRateServer(1)
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := (&RateClient{URL: s.URL}).Wait(context.Background()); err == nil {
		t.Fatal("waiting on a stopped limiter must fail")
	}
}
