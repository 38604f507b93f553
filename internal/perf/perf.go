// Package perf computes the physical lower bounds of a conformance run from
// what the run recorded, so that `make bench` (cmd/bench) can say how far a
// measured wall time is from the best any client could do:
//
//   - the critical path (CriticalPathOf): the longest chain of dependent
//     requests a run must make one after another, which against a server
//     with a round-trip latency L takes at least Requests × L;
//   - the limit bound (LimitBound): the time the documented ACS rate limits
//     need to admit the requests each limited resource (a thread, a user,
//     a user in a thread) actually served.
//
// Both are computed from data, never from timings assumed in advance: the
// critical path from the transcript entries of the suite's Ginkgo report
// (each an Exchange with its start and duration), the limit bound from the
// requests a Counter saw the reference server admit. The functions are
// plain and deterministic; cmd/bench runs the suite and prints the table.
package perf

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/outcome"
)

// Exchange is the timing of one recorded HTTP attempt: the fields of a
// transcript.Exchange that the bounds need (a retry is a separate attempt,
// hence a separate Exchange).
type Exchange struct {
	Method   string        `json:"method"`
	URL      string        `json:"url"`
	Status   int           `json:"status,omitempty"`
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"durationNs"`
	// Retried is non-empty when this attempt was followed by a retry.
	Retried string `json:"retried,omitempty"`
	// ForSpec names the spec the harness sent this request for off that
	// spec's own goroutine (transcript.Exchange.ForSpec): a thread created
	// ahead of it, or deleted after it. Nodes moves it to that spec.
	ForSpec string `json:"forSpec,omitempty"`
}

// Background reports whether the harness sent the exchange off the spec's
// own goroutine: it is in the spec's chain (the spec depends on it) but not
// in the work its process did one request after another.
func (e Exchange) Background() bool { return e.ForSpec != "" }

// End is when the attempt finished.
func (e Exchange) End() time.Time { return e.Start.Add(e.Duration) }

// Node is one node of a run's report (a spec, or a suite-level setup or
// teardown node) with the exchanges recorded while it ran.
type Node struct {
	Type types.NodeType
	// Text is the spec's full text, or the node type for suite nodes.
	Text string
	// Process is Ginkgo's parallel process number (1 in a serial run).
	Process    int
	RunTime    time.Duration
	Start, End time.Time
	Exchanges  []Exchange
}

// IsSetup reports whether the node prepares a process (its exchanges
// precede every spec of that process).
func (n Node) IsSetup() bool {
	return n.Type.Is(types.NodeTypeBeforeSuite | types.NodeTypeSynchronizedBeforeSuite)
}

// IsTeardown reports whether the node cleans up after a process's last spec.
func (n Node) IsTeardown() bool {
	return n.Type.Is(types.NodeTypeAfterSuite | types.NodeTypeSynchronizedAfterSuite)
}

// Foreground are the node's exchanges sent on its own goroutine, not in
// the background for it.
func (n Node) Foreground() []Exchange {
	var out []Exchange
	for _, ex := range n.Exchanges {
		if !ex.Background() {
			out = append(out, ex)
		}
	}
	return out
}

// IsSpec reports whether the node is a spec (an It, with its Before/After
// nodes and cleanups).
func (n Node) IsSpec() bool { return n.Type.Is(types.NodeTypeIt) }

// LoadReport reads a Ginkgo JSON report: the report.json the suite writes
// into CHAT_REPORT_DIR, or what --json-report writes. Both hold one report
// per suite; the file must hold exactly one.
func LoadReport(path string) (types.Report, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return types.Report{}, err
	}
	var rs []types.Report
	if err := json.Unmarshal(raw, &rs); err != nil {
		return types.Report{}, fmt.Errorf("%s: not a Ginkgo JSON report: %w", path, err)
	}
	if len(rs) != 1 {
		return types.Report{}, fmt.Errorf("%s: holds %d suite reports, want 1", path, len(rs))
	}
	return rs[0], nil
}

// Nodes lists the report's nodes that recorded exchanges, plus every spec
// (a spec without requests still counts as a spec), in report order. An
// exchange the harness sent in the background for a spec (ForSpec) belongs
// to that spec, wherever it was recorded (a deletion after the spec is
// recorded by the suite's teardown): it moves to the spec of that text in
// the same process. One for no spec of the report (a thread created ahead
// that no spec took) goes to a node of its own, which is no spec, setup
// or teardown: it is in the traffic, in no chain.
func Nodes(r types.Report) ([]Node, error) {
	nodes, err := nodesAsRecorded(r)
	if err != nil {
		return nil, err
	}
	type key struct {
		process int
		text    string
	}
	specs := map[key]int{}
	for i, n := range nodes {
		if n.IsSpec() {
			specs[key{n.Process, n.Text}] = i
		}
	}
	var unclaimed []Exchange
	for i := range nodes {
		kept := nodes[i].Exchanges[:0:0]
		for _, ex := range nodes[i].Exchanges {
			j, ok := specs[key{nodes[i].Process, ex.ForSpec}]
			switch {
			case !ex.Background() || j == i:
				kept = append(kept, ex)
			case ok:
				nodes[j].Exchanges = append(nodes[j].Exchanges, ex)
			default:
				unclaimed = append(unclaimed, ex)
			}
		}
		nodes[i].Exchanges = kept
	}
	if len(unclaimed) > 0 {
		nodes = append(nodes, Node{Type: types.NodeTypeInvalid, Text: "background work for no spec", Exchanges: unclaimed})
	}
	return nodes, nil
}

func nodesAsRecorded(r types.Report) ([]Node, error) {
	var nodes []Node
	for _, sr := range r.SpecReports {
		n := Node{Type: sr.LeafNodeType, Process: max(1, sr.ParallelProcess), RunTime: sr.RunTime, Start: sr.StartTime, End: sr.EndTime}
		if n.IsSpec() {
			n.Text = sr.FullText()
		} else {
			n.Text = sr.LeafNodeType.String()
		}
		for _, e := range sr.ReportEntries {
			if e.Name != outcome.EntryTranscript {
				continue
			}
			ex, err := decodeExchange(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", n.Text, err)
			}
			n.Exchanges = append(n.Exchanges, ex)
		}
		if len(n.Exchanges) > 0 || n.IsSpec() {
			nodes = append(nodes, n)
		}
	}
	return nodes, nil
}

// decodeExchange reads a transcript entry: in process it holds the
// *transcript.Exchange itself, read back from JSON only its JSON form.
func decodeExchange(e types.ReportEntry) (Exchange, error) {
	raw := e.Value.AsJSON
	if raw == "" {
		if v := e.GetRawValue(); v != nil {
			b, err := json.Marshal(v)
			if err != nil {
				return Exchange{}, err
			}
			raw = string(b)
		}
	}
	var ex Exchange
	if err := json.Unmarshal([]byte(raw), &ex); err != nil {
		return Exchange{}, fmt.Errorf("unreadable transcript entry: %w", err)
	}
	if ex.Start.IsZero() {
		return Exchange{}, fmt.Errorf("transcript entry %s %s has no start time", ex.Method, ex.URL)
	}
	return ex, nil
}

// Traffic counts a report's requests and retried attempts, and the
// exchanges marked retried, by node kind.
type Traffic struct {
	Requests, Retried int
	// RetriedByPath counts retried attempts by method and path (the
	// query dropped), to show which operation the limits slowed.
	RetriedByPath map[string]int
}

// TrafficOf counts the requests of the given nodes.
func TrafficOf(nodes []Node) Traffic {
	t := Traffic{RetriedByPath: map[string]int{}}
	for _, n := range nodes {
		for _, ex := range n.Exchanges {
			t.Requests++
			if ex.Retried != "" {
				t.Retried++
				t.RetriedByPath[ex.Method+" "+Operation(ex.URL)]++
			}
		}
	}
	return t
}

// Operation names a request URL's operation with the ids replaced, e.g.
// /chat/threads/{id}/participants/:add; the query is dropped.
func Operation(rawURL string) string {
	p := rawURL
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		} else {
			p = "/"
		}
	}
	p, _, _ = strings.Cut(p, "?")
	segs := strings.Split(p, "/")
	for i := range segs {
		if i > 0 && (segs[i-1] == "threads" || segs[i-1] == "identities") && segs[i] != "" {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// sortedKeys returns m's keys in order, for stable output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
