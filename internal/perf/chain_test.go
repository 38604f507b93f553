package perf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// ex is an exchange from ms to ms+dur ms after t0.
func ex(ms, dur int) Exchange {
	return Exchange{Method: "GET", URL: "/x", Start: t0.Add(time.Duration(ms) * time.Millisecond), Duration: time.Duration(dur) * time.Millisecond}
}

// wave is n exchanges in flight together from ms for dur ms.
func wave(ms, dur, n int) []Exchange {
	var out []Exchange
	for range n {
		out = append(out, ex(ms, dur))
	}
	return out
}

func TestChain(t *testing.T) {
	cat := func(xs ...[]Exchange) []Exchange {
		var out []Exchange
		for _, x := range xs {
			out = append(out, x...)
		}
		return out
	}
	tests := []struct {
		name string
		exs  []Exchange
		want int
	}{
		{"none", nil, 0},
		{"one", []Exchange{ex(0, 50)}, 1},
		{"sequential, back to back", []Exchange{ex(0, 50), ex(50, 50), ex(100, 50)}, 3},
		{"sequential with gaps, out of order", []Exchange{ex(300, 50), ex(0, 50), ex(120, 50)}, 3},
		{"concurrent: one wave", wave(0, 50, 8), 1},
		{"33 requests 8 at a time: 5 waves", cat(wave(0, 50, 8), wave(50, 50, 8), wave(100, 50, 8), wave(150, 50, 8), wave(200, 50, 1)), 5},
		{"overlapping by 1 ms is concurrent", []Exchange{ex(0, 50), ex(49, 50)}, 1},
		{"a long request spanning two short ones", []Exchange{ex(0, 200), ex(10, 50), ex(70, 50)}, 2},
		{"two short ones then one that overlaps the second", []Exchange{ex(0, 50), ex(50, 50), ex(90, 50), ex(140, 50)}, 3},
		{"zero-length exchanges chain", []Exchange{ex(0, 0), ex(0, 0), ex(0, 10)}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chain := Chain(tc.exs)
			if len(chain) != tc.want {
				t.Fatalf("chain of %d, want %d: %v", len(chain), tc.want, chain)
			}
			for i := 1; i < len(chain); i++ {
				if chain[i].Start.Before(chain[i-1].End()) {
					t.Errorf("chain[%d] starts before chain[%d] ends", i, i-1)
				}
			}
		})
	}
}

func node(typ types.NodeType, proc int, text string, exs ...Exchange) Node {
	return Node{Type: typ, Process: proc, Text: text, Exchanges: exs}
}

func TestCriticalPathOf(t *testing.T) {
	// Process 1: setup 5 waves, teardown 2; process 2: setup 1, teardown 1.
	var setup1 []Exchange
	for w := range 5 {
		setup1 = append(setup1, wave(w*50, 50, 8)...)
	}
	nodes := []Node{
		node(types.NodeTypeSynchronizedBeforeSuite, 1, "setup", setup1...),
		node(types.NodeTypeSynchronizedBeforeSuite, 2, "setup", wave(0, 50, 33)...),
		node(types.NodeTypeIt, 1, "short", ex(300, 50), ex(350, 50)),
		node(types.NodeTypeIt, 2, "long", ex(100, 50), ex(150, 50), ex(200, 50), ex(250, 50)),
		node(types.NodeTypeIt, 2, "no requests"),
		node(types.NodeTypeIt, 1, "concurrent", wave(400, 50, 16)...),
		node(types.NodeTypeSynchronizedAfterSuite, 1, "teardown", ex(500, 50), ex(550, 50)),
		node(types.NodeTypeSynchronizedAfterSuite, 2, "teardown", wave(500, 50, 33)...),
	}
	c := CriticalPathOf(nodes)
	want := CriticalPath{Process: 2, Setup: 1, Teardown: 1, Spec: "long", SpecChain: 4, SpecProcess: 2, Specs: 4, Work: 2 + 4 + 0 + 1, Processes: 2}
	if c != want {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	if c.Requests() != 6 || c.Bound(50*time.Millisecond) != 300*time.Millisecond {
		t.Errorf("Requests %d, Bound %v; want 6 and 300ms", c.Requests(), c.Bound(50*time.Millisecond))
	}
	// One process must do all 7 chained requests of the specs; eight need
	// only the longest spec's 4.
	if got := c.WorkBound(1, 50*time.Millisecond); got != 9*50*time.Millisecond {
		t.Errorf("WorkBound(1) = %v, want 450ms", got)
	}
	if got := c.WorkBound(8, 50*time.Millisecond); got != c.Bound(50*time.Millisecond) {
		t.Errorf("WorkBound(8) = %v, want the path bound %v", got, c.Bound(50*time.Millisecond))
	}
}

func TestCriticalPathOfSerialRunWithoutSetup(t *testing.T) {
	c := CriticalPathOf([]Node{node(types.NodeTypeIt, 1, "a", ex(0, 10))})
	if c.Requests() != 1 || c.Setup != 0 || c.Teardown != 0 || c.Processes != 0 {
		t.Fatalf("got %+v", c)
	}
}

// A report as the suite writes it: transcript entries hold
// transcript.Exchange values, read back from JSON.
func TestNodesFromReportJSON(t *testing.T) {
	entry := func(x *transcript.Exchange) types.ReportEntry {
		return types.ReportEntry{Name: outcome.EntryTranscript, Value: types.WrapEntryValue(x)}
	}
	first := &transcript.Exchange{Method: "POST", URL: "http://h/identities?api-version=1", Status: 201, Start: t0, Duration: 50 * time.Millisecond}
	retried := &transcript.Exchange{Method: "POST", URL: "http://h/chat/threads?api-version=2", Status: 429, Start: t0.Add(time.Second),
		Duration: time.Millisecond, Retried: "429 Too Many Requests, waited 1s before attempt 2", Attempt: 1}
	again := &transcript.Exchange{Method: "POST", URL: "http://h/chat/threads?api-version=2", Status: 201, Start: t0.Add(2 * time.Second), Duration: time.Millisecond, Attempt: 2}
	r := types.Report{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, ParallelProcess: 3, ReportEntries: types.ReportEntries{entry(first)}},
		{LeafNodeType: types.NodeTypeIt, LeafNodeText: "[ADD-01] spec", ParallelProcess: 3,
			ReportEntries: types.ReportEntries{{Name: outcome.EntryWarning, Value: types.WrapEntryValue("w")}, entry(retried), entry(again)}},
		{LeafNodeType: types.NodeTypeReportAfterSuite},
	}}
	raw, err := json.Marshal([]types.Report{r})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := LoadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, rep := range map[string]types.Report{"in process": r, "from JSON": back} {
		nodes, err := Nodes(rep)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(nodes) != 2 || !nodes[0].IsSetup() || !nodes[1].IsSpec() || nodes[1].Process != 3 {
			t.Fatalf("%s: nodes %+v", name, nodes)
		}
		got := nodes[1].Exchanges
		if len(got) != 2 || got[0].Status != 429 || got[0].Retried == "" || got[1].Retried != "" ||
			!got[0].Start.Equal(retried.Start) || got[0].Duration != time.Millisecond {
			t.Fatalf("%s: exchanges %+v", name, got)
		}
		tr := TrafficOf(nodes)
		if tr.Requests != 3 || tr.Retried != 1 || tr.RetriedByPath["POST /chat/threads"] != 1 {
			t.Errorf("%s: traffic %+v", name, tr)
		}
	}
}

func TestLoadReportRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"empty.json": "[]", "two.json": "[{},{}]", "bad.json": "{"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadReport(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestOperation(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:1/chat/threads/19:a@thread.v2/participants/:add?api-version=x": "/chat/threads/{id}/participants/:add",
		"http://h/chat/threads?api-version=x":                                            "/chat/threads",
		"https://h/identities/8:acs:r_u/:issueAccessToken":                               "/identities/{id}/:issueAccessToken",
		"/chat/threads/t/participants":                                                   "/chat/threads/{id}/participants",
		"http://h":                                                                       "/",
	} {
		if got := Operation(in); got != want {
			t.Errorf("Operation(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRateBound(t *testing.T) {
	nodes := []Node{
		node(types.NodeTypeIt, 1, "small", wave(0, 50, 10)...),
		node(types.NodeTypeIt, 2, "corpus", wave(0, 50, 216)...),
	}
	b, worst := RateBound(nodes, 20, 20)
	if worst.Text != "corpus" || b != 9800*time.Millisecond {
		t.Errorf("RateBound = %v by %q, want 9.8s by corpus", b, worst.Text)
	}
	if b, _ := RateBound(nodes, 0, 20); b != 0 {
		t.Errorf("no cap: %v", b)
	}
}

// Work the harness does in the background for a spec (its thread created
// ahead and recorded in the spec, its deletion recorded by the teardown)
// is in that spec's chain, where the spec depends on it, and not in the
// work of the process; a thread no spec took is in the traffic only.
func TestBackgroundExchanges(t *testing.T) {
	entry := func(x *transcript.Exchange) types.ReportEntry {
		return types.ReportEntry{Name: outcome.EntryTranscript, Value: types.WrapEntryValue(x)}
	}
	at := func(method string, ms int, forSpec string) *transcript.Exchange {
		return &transcript.Exchange{Method: method, URL: "http://h/chat/threads", Status: 201, Start: t0.Add(time.Duration(ms) * time.Millisecond),
			Duration: 50 * time.Millisecond, ForSpec: forSpec}
	}
	const spec = "Add [ADD-01] returns 201"
	r := types.Report{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, ParallelProcess: 2},
		// Created ahead (during setup), then the spec's own two requests.
		{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{"Add"}, LeafNodeText: "[ADD-01] returns 201", ParallelProcess: 2,
			ReportEntries: types.ReportEntries{entry(at("POST", 0, spec)), entry(at("POST", 100, "")), entry(at("GET", 150, ""))}},
		// The deletion ran after the spec and was recorded by the teardown,
		// with a thread no spec took and the teardown's own deletion of it.
		{LeafNodeType: types.NodeTypeSynchronizedAfterSuite, ParallelProcess: 2,
			ReportEntries: types.ReportEntries{entry(at("DELETE", 200, spec)), entry(at("POST", 120, "(created ahead; no spec took it)")), entry(at("DELETE", 400, ""))}},
	}}
	nodes, err := Nodes(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 3 || !nodes[0].IsSpec() || !nodes[1].IsTeardown() || nodes[2].IsSpec() || nodes[2].IsSetup() || nodes[2].IsTeardown() {
		t.Fatalf("nodes %+v", nodes)
	}
	if got := len(nodes[0].Exchanges); got != 4 {
		t.Errorf("the spec has %d exchanges, want its own 2, its creation and its deletion", got)
	}
	if got := len(nodes[0].Foreground()); got != 2 {
		t.Errorf("the spec sent %d on its own goroutine, want 2", got)
	}
	if got := len(nodes[1].Exchanges); got != 1 {
		t.Errorf("the teardown keeps %d exchanges, want its own deletion", got)
	}
	c := CriticalPathOf(nodes)
	if c.SpecChain != 4 || c.Work != 2 || c.Teardown != 1 || c.Setup != 0 {
		t.Errorf("critical path %+v: want the spec's chain 4 (create, its 2, delete), work 2, teardown 1", c)
	}
	if tr := TrafficOf(nodes); tr.Requests != 6 {
		t.Errorf("traffic %+v, want all 6 requests", tr)
	}
}

func TestPhasesOf(t *testing.T) {
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	timed := func(typ types.NodeType, proc, from, to int) Node {
		return Node{Type: typ, Process: proc, Start: at(from), End: at(to)}
	}
	p := PhasesOf([]Node{
		timed(types.NodeTypeSynchronizedBeforeSuite, 1, 0, 300),
		timed(types.NodeTypeSynchronizedBeforeSuite, 2, 10, 350),
		timed(types.NodeTypeIt, 1, 300, 900),
		timed(types.NodeTypeIt, 2, 350, 1000),
		timed(types.NodeTypeSynchronizedAfterSuite, 2, 1000, 1000),
		timed(types.NodeTypeSynchronizedAfterSuite, 1, 900, 1200),
		{Type: types.NodeTypeInvalid, Text: "background work for no spec"},
	})
	if p.Setup != 350*time.Millisecond || p.Specs != 650*time.Millisecond || p.Teardown != 200*time.Millisecond || p.Suite() != 1200*time.Millisecond {
		t.Errorf("phases %+v", p)
	}
	if (PhasesOf(nil) != Phases{}) {
		t.Error("no nodes, no phases")
	}
}
