// Package procs chooses how many Ginkgo processes a run uses, from the
// server's round trip rather than the CPU count (`chatconform procs`, which
// `make conformance` asks when PROCS is unset).
//
// A Ginkgo process runs one spec at a time, so against a server that
// answers after a round trip L the specs' chained requests W (perf's work:
// what the specs send one after another) take W·L/P with P processes. Each
// process also costs its start-up (the Go runtime, Ginkgo, the OpenAPI
// documents, its share of setup) and memory, about S of wall time per
// process on this machine's cores. The wall time W·L/P + S·P is least at
//
//	P = √(W·L / S)
//
// which grows with the square root of the latency and of the number of
// api-versions certified, and is 1 when the server answers in well under
// a millisecond (the embedded server: there the run is CPU-bound and more
// processes only compete for the cores; docs/performance.md measures
// serial against -p). Two more bounds apply: a CHAT_MAX_RPS cap R makes the
// run need N/R for its N requests whatever P, and more processes than keep
// the cap busy (twice W·L·R/N) add nothing; with one acting user (a
// manual token) the documented 10 thread creations and deletions per user
// per 10 s pace the run, so one process does as well as many. The result
// is clamped to [1, MaxPerCore × cores].
package procs

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/harness"
	"github.com/chatconform/chatconform/internal/wire"
)

// The suite's shape, measured by make bench (docs/performance.md) for one
// api-version; the choice depends on their square root, so a change of a
// third moves it by about a sixth.
const (
	// ChainedPerVersion is the work of one api-version's specs: the
	// requests they send one after another (perf.CriticalPath.Work).
	ChainedPerVersion = 320
	// RequestsPerVersion is every request of one api-version's specs.
	RequestsPerVersion = 1200
	// ProcessCost is the wall time one more process adds on a machine of
	// one core (start-up CPU: runtime, Ginkgo, the spec tree, the document
	// it parses; and its specs' reports, which travel to the Ginkgo CLI and
	// back to process 1); with c cores it is ProcessCost/c. Fitted to make
	// bench on two cores at 50 ms: one version is fastest at 16 processes,
	// six at the most allowed (docs/performance.md).
	ProcessCost = 125 * time.Millisecond
	// MaxPerCore bounds the processes per core: each also holds about
	// 50 to 100 MB of memory, so 32 on two cores hold about 3 GB at most.
	MaxPerCore = 16
	// Probes is how many round trips are timed (after one that opens the
	// connection); their median is the latency.
	Probes = 5
	// Fallback is the count when the round trip cannot be measured.
	Fallback = 16
)

// Input is what the choice depends on.
type Input struct {
	// Embedded: the suite starts its own reference server.
	Embedded bool
	// Manual: one acting user's token (CHAT_TOKEN), no connection string.
	Manual bool
	// Latency is the median round trip to the endpoint.
	Latency time.Duration
	// Versions is how many api-versions the run certifies.
	Versions int
	// MaxRPS is CHAT_MAX_RPS (0: no cap).
	MaxRPS float64
	// Cores is the CPU count (runtime.NumCPU when 0).
	Cores int
}

// Choice is a process count and why.
type Choice struct {
	Procs int
	Why   string
}

// Choose picks the process count for in (see the package comment).
func Choose(in Input) Choice {
	cores := in.Cores
	if cores <= 0 {
		cores = runtime.NumCPU()
	}
	limit := MaxPerCore * cores
	versions := max(in.Versions, 1)
	switch {
	case in.Embedded:
		return Choice{1, "the embedded reference server answers in well under a millisecond, so the run is CPU-bound and one process is fastest (more compete for the cores: docs/performance.md)"}
	case in.Manual:
		return Choice{1, "one acting user (CHAT_TOKEN): its documented limit of 10 thread creations and deletions per 10 s paces the run, whatever the process count"}
	}
	work := float64(ChainedPerVersion * versions)
	perProcess := ProcessCost.Seconds() / float64(cores)
	best := math.Sqrt(work * in.Latency.Seconds() / perProcess)
	p := min(max(int(math.Round(best)), 1), limit)
	why := fmt.Sprintf("round trip %s, %d api-version(s): √(%.0f chained requests × %s / %s per process on %d cores) = %.1f",
		in.Latency.Round(100*time.Microsecond), versions, work, in.Latency.Round(100*time.Microsecond), time.Duration(perProcess*float64(time.Second)).Round(time.Millisecond), cores, best)
	if int(math.Round(best)) > limit {
		why += fmt.Sprintf(", at most %d per core", MaxPerCore)
	}
	if in.MaxRPS > 0 {
		// The cap admits R requests a second; a process sends about
		// RequestsPerVersion/ChainedPerVersion of them a round trip.
		busy := 2 * float64(ChainedPerVersion) * in.Latency.Seconds() * in.MaxRPS / float64(RequestsPerVersion)
		if q := max(int(math.Ceil(busy)), 1); q < p {
			p = q
			why += fmt.Sprintf("; CHAT_MAX_RPS=%g then paces the run (%d requests at %g/s), and %d process(es) keep it busy", in.MaxRPS, RequestsPerVersion*versions, in.MaxRPS, q)
		}
	}
	return Choice{p, why}
}

// Measure times round trips to the configured endpoint: with a connection
// string as a user it mints (and deletes again), with a manual token as
// that user, each a listing of a thread nobody has (a 403 or 404, which
// costs the server a lookup and changes nothing). It also returns the
// number of api-versions the run would certify: for CHAT_API_VERSION=
// supported, those the answer's api-supported-versions lists that the
// suite knows.
func Measure(ctx context.Context, cfg *config.Config) (time.Duration, int, error) {
	c, err := harness.NewClient(cfg, nil)
	if err != nil {
		return 0, 0, err
	}
	token := cfg.Token
	if cfg.Connection != nil {
		u, err := c.NewUser(ctx)
		if err != nil {
			return 0, 0, fmt.Errorf("minting a user to time round trips with: %w", err)
		}
		defer func() { _ = harness.DeleteUsers(c, []string{u.RawID}, cfg.Timeout) }()
		token = u.Token
	}
	var (
		times  []time.Duration
		header string
	)
	for i := range Probes + 1 {
		start := time.Now()
		resp, err := c.Do(ctx, client.ListParticipants(token, "19:chatconformprocsprobe000000000@thread.v2", "", ""))
		d := time.Since(start)
		if err != nil {
			return 0, 0, err
		}
		if resp.Status == http.StatusUnauthorized {
			return 0, 0, fmt.Errorf("the server refused the token (401)")
		}
		if i > 0 { // the first opened the connection
			times = append(times, d)
		}
		header = resp.Header.Get("api-supported-versions")
	}
	slices.Sort(times)
	versions := len(cfg.APIVersions)
	if cfg.DiscoverVersions && strings.TrimSpace(header) != "" {
		versions = len(harness.NewDiscovery(header).Selected)
	}
	return times[len(times)/2], max(versions, 1), nil
}

// For chooses the count for the configured run, measuring the round trip
// when there is a remote endpoint; on a measurement error it returns
// Fallback with the reason.
func For(ctx context.Context, cfg *config.Config) Choice {
	in := Input{Embedded: cfg.Embedded(), Manual: cfg.Connection == nil && !cfg.Embedded(),
		Versions: len(cfg.APIVersions), MaxRPS: cfg.MaxRPS}
	if cfg.DiscoverVersions {
		in.Versions = len(wire.SupportedChatVersions)
	}
	if in.Embedded || in.Manual {
		return Choose(in)
	}
	var err error
	if in.Latency, in.Versions, err = Measure(ctx, cfg); err != nil {
		return Choice{Fallback, fmt.Sprintf("the round trip to %s could not be measured (%v), so the remote default", cfg.Endpoint.Host, err)}
	}
	return Choose(in)
}
