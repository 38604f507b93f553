package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/chatconform/chatconform/internal/perf"
	"github.com/chatconform/chatconform/internal/procs"
)

// Targets of the issues.
const (
	targetDefaultWall    = 3 * time.Second  // embedded, one version, the default count
	targetDefaultAllWall = 10 * time.Second // embedded, every version (issue 12)
	targetLatencyRatio   = 2.0              // 50 ms, one version, the default count
	targetAllRatio       = 2.5              // 50 ms, every version, the default count
	targetLimitsRatio    = 1.3
	targetStatefulWall   = 30 * time.Second // STATE-01 alone, embedded (issue 13)
)

// bench holds everything measured in one go.
type bench struct {
	cfg          *config
	cpus         int
	started      time.Time
	build        time.Duration
	total        time.Duration
	machine      machine
	embedded     *embeddedSet // one version
	embeddedAll  *embeddedSet // every version
	chosen       procs.Choice // chatconform procs at the latency, one version
	latency      []*suiteRun
	remoteChosen procs.Choice // and with CHAT_MAX_RPS
	remote       *suiteRun    // latency with the remote default CHAT_MAX_RPS
	limits       *suiteRun
	manual       *suiteRun
	chosenAll    procs.Choice // chatconform procs at the latency, every version
	latencyAll   []*suiteRun
	// stateful and statefulLimits are STATE-01 alone, embedded and under
	// the ACS limits with one user.
	stateful, statefulLimits *suiteRun
	// statefulLatency is STATE-01 alone at the latency, users minted.
	statefulLatency *suiteRun
	goBench         []benchResult
}

// embeddedSet is the suite against its embedded server: serially, with -p
// and with the default count (def, which is serial itself when the
// default is one process).
type embeddedSet struct {
	serial, parallel, def *suiteRun
	chosen                procs.Choice
}

// bestLatency is the latency run with the least wall time.
func (b *bench) bestLatency() *suiteRun { return bestOf(b.latency) }

// bestOf is the run with the least wall time.
func bestOf(runs []*suiteRun) *suiteRun {
	var best *suiteRun
	for _, r := range runs {
		if best == nil || r.Wall < best.Wall {
			best = r
		}
	}
	return best
}

// latencyBound is the critical-path bound of a run against a server that
// answers after r.Latency.
func latencyBound(r *suiteRun) time.Duration { return r.Path.Bound(r.Latency) }

// limitsBound is max(limit bound, critical path) of a run under limits.
func limitsBound(r *suiteRun) (time.Duration, perf.Resource) {
	lb, worst := perf.LimitBound(r.Limited)
	return max(lb, latencyBound(r)), worst
}

// remoteBound is the bound of a run whose CHAT_MAX_RPS of rps is one
// limiter shared by its processes: max(critical path × latency, every
// request after the bursts at rps). There are two buckets, each starting
// full: process 1's setup client (minting the pool, discovery) has its own,
// and the limiter every process shares serves the rest.
func remoteBound(r *suiteRun, rps float64) (time.Duration, string) {
	path := latencyBound(r)
	total := 0
	for _, n := range r.Nodes {
		total += len(n.Exchanges)
	}
	if all := time.Duration(float64(max(total-2*max(1, int(rps+0.5)), 0)) / rps * float64(time.Second)); all > path {
		return all, fmt.Sprintf("%d req at %g/s", total, rps)
	}
	return path, fmt.Sprintf("%d × %s", r.Path.Requests(), r.Latency)
}

// row is one line of the table; every cell carries its unit.
type row struct {
	measurement, procs, wall, work, rate, rss, bound, ratio, falseFail, target, met string
}

var header = row{"measurement", "procs", "wall / time", "work", "rate", "peak RSS", "lower bound", "ratio", "false failures", "target", "met"}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(b int64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

func ratio(wall, bound time.Duration) (string, float64) {
	if bound <= 0 {
		return "—", 0
	}
	q := wall.Seconds() / bound.Seconds()
	return fmt.Sprintf("%.2f×", q), q
}

// suiteRow renders the common columns of a suite run.
func (b *bench) suiteRow(r *suiteRun) row {
	reqs := r.Results.Totals.Requests
	return row{
		measurement: r.Name,
		procs:       r.ProcsLabel(b.cpus),
		wall:        seconds(r.Wall),
		work:        fmt.Sprintf("%d req, %d retried", reqs, r.Results.Totals.Retries),
		rate:        fmt.Sprintf("%.0f req/s", float64(reqs)/r.Wall.Seconds()),
		rss:         mib(r.MaxRSS),
		bound:       "—",
		ratio:       "—",
		falseFail:   fmt.Sprint(r.FalseFailures()),
		target:      "—",
		met:         "",
	}
}

// embeddedRows are the rows of a set: serial, -p, and the default, whose
// target is not to be slower than serial and to stay under wall.
func (b *bench) embeddedRows(e *embeddedSet, wall time.Duration) []row {
	if e == nil {
		return nil
	}
	rows := []row{b.suiteRow(e.serial), b.suiteRow(e.parallel)}
	d := b.suiteRow(e.def)
	d.target = fmt.Sprintf("≤ serial, < %s", seconds(wall))
	ok := e.def.Wall <= e.serial.Wall && e.def.Wall < wall && e.def.FalseFailures() == 0
	if e.def == e.serial {
		d.measurement = strings.TrimSuffix(e.serial.Name, ", serial") + ", default = serial"
		d.target = fmt.Sprintf("≤ serial (same run), < %s", seconds(wall))
	}
	d.met = yes(ok)
	return append(rows, d)
}

// latencyRow is a latency run over its critical path, marked as the
// default count (chosen) and judged against target there, or as the best.
func (b *bench) latencyRow(l *suiteRun, chosen, best bool, target float64) row {
	r := b.suiteRow(l)
	bound := latencyBound(l)
	r.bound = fmt.Sprintf("%s (%d × %s)", seconds(bound), l.Path.Requests(), l.Latency)
	var q float64
	r.ratio, q = ratio(l.Wall, bound)
	switch {
	case chosen && best:
		r.measurement += " (default, best)"
	case chosen:
		r.measurement += " (default)"
	case best:
		r.measurement += " (best)"
	}
	if chosen {
		r.target = fmt.Sprintf("≤ %.1f×", target)
		r.met = yes(q > 0 && q <= target && l.FalseFailures() == 0)
	}
	return r
}

// rows is the whole table.
func (b *bench) rows() []row {
	rows := b.embeddedRows(b.embedded, targetDefaultWall)
	best := b.bestLatency()
	for _, l := range b.latency {
		rows = append(rows, b.latencyRow(l, l.Procs == b.chosen.Procs, l == best, targetLatencyRatio))
	}
	if l := b.remote; l != nil {
		r := b.suiteRow(l)
		bound, what := remoteBound(l, b.cfg.remoteRPS)
		r.bound = fmt.Sprintf("%s (%s)", seconds(bound), what)
		r.ratio, _ = ratio(l.Wall, bound)
		r.target = "0 (no time target)"
		r.met = yes(l.FalseFailures() == 0)
		rows = append(rows, r)
	}
	for _, l := range []*suiteRun{b.limits, b.manual} {
		if l != nil {
			rows = append(rows, b.limitedRow(l))
		}
	}
	rows = append(rows, b.embeddedRows(b.embeddedAll, targetDefaultAllWall)...)
	for _, l := range b.latencyAll {
		rows = append(rows, b.latencyRow(l, l.Procs == b.chosenAll.Procs, len(b.latencyAll) > 1 && l == bestOf(b.latencyAll), targetAllRatio))
	}
	if b.stateful != nil {
		r := b.suiteRow(b.stateful)
		r.target = "0, < 30 s"
		r.met = yes(b.stateful.FalseFailures() == 0 && b.stateful.Wall < targetStatefulWall)
		rows = append(rows, r)
	}
	if l := b.statefulLatency; l != nil {
		rows = append(rows, b.latencyRow(l, false, false, 0))
	}
	if b.statefulLimits != nil {
		rows = append(rows, b.limitedRow(b.statefulLimits))
	}
	for _, g := range b.goBench {
		r := row{
			measurement: g.Name,
			procs:       "1",
			wall:        fmtNs(g.NsPerOp) + "/op",
			work:        fmt.Sprintf("%d allocs/op", g.AllocsPerOp),
			rate:        fmt.Sprintf("%d B/op", g.BytesPerOp),
			rss:         "—", bound: "—", ratio: "—", falseFail: "—", target: "—",
		}
		if g.MBPerSec > 0 {
			r.rate += fmt.Sprintf(", %.1f MB/s", g.MBPerSec)
		}
		rows = append(rows, r)
	}
	return rows
}

// limitedRow is the row of a run under the ACS limits: its bound is
// max(limit bound, critical path × latency).
func (b *bench) limitedRow(l *suiteRun) row {
	r := b.suiteRow(l)
	bound, worst := limitsBound(l)
	what := fmt.Sprintf("%d × %s path", l.Path.Requests(), l.Latency)
	if lb, _ := perf.LimitBound(l.Limited); lb >= latencyBound(l) && lb > 0 {
		what = fmt.Sprintf("%d req on %s", worst.Requests, worst.Kind())
	}
	r.bound = fmt.Sprintf("%s (%s)", seconds(bound), what)
	var q float64
	r.ratio, q = ratio(l.Wall, bound)
	if lb, _ := perf.LimitBound(l.Limited); lb > 0 {
		r.target = fmt.Sprintf("0, ≤ %.1f×", targetLimitsRatio)
		r.met = yes(l.FalseFailures() == 0 && q > 0 && q <= targetLimitsRatio)
	} else {
		// The limits never bind (limit bound 0 s): only the false
		// failures are judged; the ratio is the latency row's.
		r.target = "0 (limits never bind)"
		r.met = yes(l.FalseFailures() == 0)
	}
	return r
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func (r row) cells() []string {
	return []string{r.measurement, r.procs, r.wall, r.work, r.rate, r.rss, r.bound, r.ratio, r.falseFail, r.target, r.met}
}

// table renders the rows as one aligned Markdown table (readable as plain
// text too).
func (b *bench) table() string {
	all := append([]row{header}, b.rows()...)
	width := make([]int, len(header.cells()))
	for _, r := range all {
		for i, c := range r.cells() {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var sb strings.Builder
	line := func(cells []string) {
		sb.WriteString("|")
		for i, c := range cells {
			sb.WriteString(" " + c + strings.Repeat(" ", width[i]-len([]rune(c))) + " |")
		}
		sb.WriteString("\n")
	}
	line(header.cells())
	sep := make([]string, len(width))
	for i, w := range width {
		sep[i] = strings.Repeat("-", w)
	}
	line(sep)
	for _, r := range all[1:] {
		line(r.cells())
	}
	return sb.String()
}

// details explains where the time went: the critical path of the best
// latency run, its longest spec chains, and the limited resources and
// retried operations of the limits runs.
func (b *bench) details() string {
	var sb strings.Builder
	if best := b.bestLatency(); best != nil {
		p := best.Path
		fmt.Fprintf(&sb, "\nCritical path of %q: %d setup + %d in the longest spec + %d teardown = %d requests (× %s = %s).\n",
			best.Name, p.Setup, p.SpecChain, p.Teardown, p.Requests(), best.Latency, seconds(latencyBound(best)))
		fmt.Fprintf(&sb, "Work: %d specs, %d chained requests in all; with %d processes the busiest needs at least %s (work bound).\n",
			p.Specs, p.Work, best.Procs, seconds(p.WorkBound(best.Procs, best.Latency)))
		fmt.Fprintf(&sb, "Longest spec chains (requests one after another):\n")
		for _, s := range topChains(best.Nodes, 6) {
			fmt.Fprintf(&sb, "  %3d  %s\n", s.chain, s.text)
		}
		for _, l := range b.latency {
			fmt.Fprintf(&sb, "  procs %-3d wall %s, path bound %s, work bound %s\n", l.Procs, seconds(l.Wall),
				seconds(latencyBound(l)), seconds(l.Path.WorkBound(l.Procs, l.Latency)))
		}
	}
	if b.chosen.Procs > 0 {
		fmt.Fprintf(&sb, "Default count (chatconform procs against the %s server, one version): %d: %s.\n", b.cfg.latency, b.chosen.Procs, b.chosen.Why)
		for _, l := range b.latency {
			if l.Procs == b.chosen.Procs {
				sb.WriteString(breakdown(l, targetLatencyRatio, b.cpus))
			}
		}
	}
	if l := b.remote; l != nil {
		bound, what := remoteBound(l, b.cfg.remoteRPS)
		fmt.Fprintf(&sb, "\n%s: the processes share one limiter of %g requests/s, so the run needs at least %s (%s); the critical path alone %s.\n",
			l.Name, b.cfg.remoteRPS, seconds(bound), what, seconds(latencyBound(l)))
		fmt.Fprintf(&sb, "Default count with CHAT_MAX_RPS %g: %d: %s.\n", b.cfg.remoteRPS, b.remoteChosen.Procs, b.remoteChosen.Why)
	}
	for _, l := range []*suiteRun{b.limits, b.manual, b.statefulLimits} {
		if l == nil {
			continue
		}
		lb, worst := perf.LimitBound(l.Limited)
		switch {
		case lb > 0:
			fmt.Fprintf(&sb, "\n%s: limit bound %s, set by %d requests on one %s resource", l.Name, seconds(lb), worst.Requests, worst.Kind())
			if b.cfg.manualScale > 1 && (l == b.manual || l == b.statefulLimits) {
				fmt.Fprintf(&sb, " (%s at the documented windows)", seconds(time.Duration(float64(lb)*b.cfg.manualScale)))
			}
		case worst.Key != "":
			fmt.Fprintf(&sb, "\n%s: the limits never bind (limit bound 0 s; the busiest resource, %s, served %d requests)", l.Name, worst.Kind(), worst.Requests)
		default:
			fmt.Fprintf(&sb, "\n%s: no limited request was counted", l.Name)
		}
		fmt.Fprintf(&sb, ";\n  critical path %d requests (%s at %s latency); 429 answers: %d; attempts retried: %d.\n",
			l.Path.Requests(), seconds(latencyBound(l)), l.Latency, l.Server.Counter.Throttled(), l.Traffic.Retried)
		for _, r := range topResources(l.Limited, 4) {
			fmt.Fprintf(&sb, "  %4d req  bound %-7s %s\n", r.Requests, seconds(r.Bound()), r.Kind())
		}
		for _, k := range sortedByCount(l.Traffic.RetriedByPath) {
			fmt.Fprintf(&sb, "  retried %3d× %s\n", l.Traffic.RetriedByPath[k], k)
		}
	}
	if len(b.latencyAll) > 0 {
		l := b.latencyAll[0]
		if best := bestOf(b.latencyAll); best != nil {
			l = best
		}
		p := l.Path
		fmt.Fprintf(&sb, "\nAll versions (%s): critical path of %q: %d setup + %d in the longest spec + %d teardown = %d requests (× %s = %s)",
			allVersions, l.Name, p.Setup, p.SpecChain, p.Teardown, p.Requests(), l.Latency, seconds(latencyBound(l)))
		if one := b.bestLatency(); one != nil {
			fmt.Fprintf(&sb, "; one version's: %d", one.Path.Requests())
		}
		sb.WriteString(".\n")
		fmt.Fprintf(&sb, "Work: %d specs, %d chained requests in all", p.Specs, p.Work)
		if one := b.bestLatency(); one != nil && one.Path.Work > 0 {
			fmt.Fprintf(&sb, " (%.1f× one version's %d)", float64(p.Work)/float64(one.Path.Work), one.Path.Work)
		}
		fmt.Fprintf(&sb, "; with %d processes the busiest needs at least %s (work bound).\n", l.Procs, seconds(p.WorkBound(l.Procs, l.Latency)))
		if b.chosenAll.Procs > 0 {
			fmt.Fprintf(&sb, "Default count (chatconform procs, every version): %d: %s.\n", b.chosenAll.Procs, b.chosenAll.Why)
		}
		for _, l := range b.latencyAll {
			sb.WriteString(breakdown(l, targetAllRatio, b.cpus))
		}
		for _, l := range b.latencyAll {
			fmt.Fprintf(&sb, "  procs %-3d wall %s, path bound %s, work bound %s\n", l.Procs, seconds(l.Wall),
				seconds(latencyBound(l)), seconds(l.Path.WorkBound(l.Procs, l.Latency)))
		}
	}
	return sb.String()
}

// breakdown says where a latency run's wall time went and how it stands
// against target × its critical path.
func breakdown(l *suiteRun, target float64, cores int) string {
	p := l.Phases
	if p.Suite() <= 0 {
		return ""
	}
	outside := l.Wall - p.Suite()
	goal := time.Duration(target * float64(latencyBound(l)))
	s := fmt.Sprintf("  %s: wall %s = %s outside the suite's nodes (process start-up, the reports) + %s setup + %s specs (work bound %s) + %s teardown;\n",
		l.Name, seconds(l.Wall), seconds(outside), seconds(p.Setup), seconds(p.Specs), seconds(l.Path.WorkBound(l.Procs, l.Latency)), seconds(p.Teardown))
	if cpu := l.CPU + l.ServerCPU; cpu > 0 {
		s += fmt.Sprintf("  CPU: %s in the suite's processes + %s in the server = %s, so on %d cores the run needs at least %s (CPU bound);\n",
			seconds(l.CPU), seconds(l.ServerCPU), seconds(cpu), cores, seconds(l.CPUBound(cores)))
	}
	s += fmt.Sprintf("  %.1f× the critical path is %s", target, seconds(goal))
	if rest := l.Wall - p.Specs; rest >= goal {
		s += fmt.Sprintf(", less than the time outside the specs alone (%s)", seconds(rest))
	}
	if wb := l.Path.WorkBound(l.Procs, l.Latency); wb >= goal {
		s += fmt.Sprintf(", and less than the work bound at %d processes (%s)", l.Procs, seconds(wb))
	}
	if cb := l.CPUBound(cores); cb >= goal {
		s += fmt.Sprintf(", and less than the CPU bound (%s)", seconds(cb))
	}
	return s + ".\n"
}

type specChain struct {
	text  string
	chain int
}

// topChains lists the n specs with the longest chains.
func topChains(nodes []perf.Node, n int) []specChain {
	var out []specChain
	for _, nd := range nodes {
		if nd.IsSpec() {
			out = append(out, specChain{nd.Text, len(perf.Chain(nd.Exchanges))})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].chain > out[j].chain })
	return out[:min(n, len(out))]
}

// topResources lists the n resources with the largest bounds.
func topResources(rs []perf.Resource, n int) []perf.Resource {
	return rs[:min(n, len(rs))] // Counter.Resources sorts them so
}

func sortedByCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// machine describes where the numbers were measured.
type machine struct {
	CPU       string
	Cores     int
	GoVersion string
	OS        string
	Date      string
	Load      string // /proc/loadavg's 1, 5 and 15 minute averages
}

func describeMachine(ctx context.Context, root string) machine {
	m := machine{Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Date: time.Now().UTC().Format("2006-01-02")}
	m.CPU = cpuModel()
	m.Load = loadAverage()
	cmd := exec.CommandContext(ctx, "go", "env", "GOVERSION")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		m.GoVersion = strings.TrimSpace(string(out))
	} else {
		m.GoVersion = runtime.Version()
	}
	return m
}

// cpuModel reads the CPU model from /proc/cpuinfo (Linux).
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage reads the 1, 5 and 15 minute load averages (Linux).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
