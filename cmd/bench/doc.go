package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatconform/chatconform/internal/harness"
	"github.com/chatconform/chatconform/internal/limits"
)

// benchCommand is how the document says the numbers were produced.
const benchCommand = "make bench"

// document renders docs/performance.md: the machine, the command, the
// table, where the time went, and what every column means.
func (b *bench) document() string {
	var sb strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&sb, format, a...) }
	m := b.machine
	w("# Performance\n\n")
	w("`%s` (which runs `go run ./cmd/bench -write docs/performance.md`) measures the suite side by side in one run and rewrote this file.\n", benchCommand)
	w("These are measurements, not tests: nothing fails because a machine is slow. Numbers from a machine shared with other work vary by tens of percent between runs;\n")
	w("the load average before the run is recorded below so a reader can judge.\n\n")
	w("## Results\n\n")
	w("- Machine: %s, %d cores, %s, %s\n", m.CPU, m.Cores, m.GoVersion, m.OS)
	w("- Date: %s; load average before the run: %s\n", m.Date, m.Load)
	w("- Command: `%s`; the whole bench took %s (building the suite: %s)\n\n", b.commandLine(), seconds(b.total), seconds(b.build))
	w("%s\n", b.table())
	w("Where the time went, from the same run:\n\n```text\n%s\n```\n\n", strings.Trim(b.details(), "\n"))
	w("%s", methodText(b))
	return sb.String()
}

// commandLine is the command as run, flags included.
func (b *bench) commandLine() string {
	args := []string{"go run ./cmd/bench"}
	if b.cfg.write != "" {
		args = append(args, "-write "+b.cfg.write)
	}
	if b.cfg.latency != 50*time.Millisecond {
		args = append(args, "-latency "+b.cfg.latency.String())
	}
	procs := make([]string, len(b.cfg.latencyProcs))
	for i, p := range b.cfg.latencyProcs {
		procs[i] = fmt.Sprint(p)
	}
	if p := strings.Join(procs, ","); p != defaultLatencyProcs {
		args = append(args, "-latency-procs "+p)
	}
	if b.cfg.remoteRPS != 20 {
		args = append(args, fmt.Sprintf("-remote-rps %g", b.cfg.remoteRPS))
	}
	if b.cfg.manualScale != 10 {
		args = append(args, fmt.Sprintf("-manual-scale %g", b.cfg.manualScale))
	}
	return strings.Join(args, " ")
}

// methodText explains the rows and the bounds; it changes only with the code.
func methodText(b *bench) string {
	acs := limits.ACS(1)
	return fmt.Sprintf(`## What each row is

All suite runs use one suite binary, built once (`+"`go test -c`"+`), run through the Ginkgo CLI pinned in go.mod
(`+"`ginkgo --randomize-all --keep-going [--procs=N|-p] participants.test`"+`), each against a fresh server, with the
suite writing its reports (results.json, report.json) into a scratch CHAT_REPORT_DIR. Wall time is the Ginkgo CLI's, from
exec to exit: process start, setup, the specs, teardown and the reports. Requests and retried attempts are the totals of
results.json.

Every row certifies api-version %[14]s (CHAT_API_VERSION=%[14]s) unless it says *all versions*: those certify every
version the server lists (CHAT_API_VERSION=supported, the default: six against the reference server) in one run,
each spec declared once per version with its own thread and data, all versions sharing the processes.

1. **embedded, serial / -p / default**: the suite as `+"`make conformance`"+` runs it with nothing configured: it starts
   its own reference server (with the documented ACS limits) and mints its users. `+"`-p`"+` is Ginkgo's CPU-based count
   (%[1]d on this machine); the default is what `+"`chatconform procs`"+` prints, which `+"`make conformance`"+` uses when
   PROCS is unset: one process against the embedded server, where the run is CPU-bound and more processes only compete
   for the cores. When the default is 1, its row is the serial run itself. Target: the default no slower than serial and
   under %[2]s (one version) or %[15]s (all versions, issue 12).
2. **latency**: against the reference server answering every request after %[3]s (refserver.Options.Latency; limits
   off, so ERR-07, which needs limits, is not run: CHAT_RATE_LIMIT_TESTS=0), users minted through
   ACS_CONNECTION_STRING, at several process counts and at the default one (`+"`chatconform procs`"+` against that
   server: it measures the round trip as a user it mints): latency-bound work scales with processes, not cores. The
   lower bound is the critical path (below) × %[3]s. Target: the default count within %.1[4]f× of it.
3. **latency + CHAT_MAX_RPS**: the same latency with the request-rate cap the suite applies by default to any endpoint
   that is not on loopback (CHAT_MAX_RPS=%[8]g for the whole run: process 1 serves one limiter that every process waits
   on), at the count `+"`chatconform procs`"+` chooses with that cap: what a run against a real resource with the
   defaults sees. Its bound is max(critical path × latency, (all requests − 2 bursts) / rate): process 1's setup client
   (minting the pool) has a bucket of its own, which starts full like the shared one. No time target: it shows
   what the default cap costs.
4. **ACS limits + latency**: the same, with the documented ACS Chat limits enforced (RateLimitsACS, real windows) and
   ERR-07 run, at the best latency process count. The suite spreads its threads over a pool of %[17]d acting users per api-version (minted once, shared by all processes), so
   the limits never bind (limit bound 0 s) and the bound is the critical path: the target is no false failure; the
   ratio shows what the limits cost on top of the latency row.
5. **ACS limits ÷%[5]g, one user**: manual-token mode (CHAT_ENDPOINT, CHAT_TOKEN, CHAT_OUTSIDER_TOKEN and
   CHAT_PARTICIPANT_IDS of users the bench mints itself), as a person with a single token runs it: every thread the
   suite creates and deletes counts against that user's %[9]s, so the limits bind. The windows are divided by
   %[5]g (RateLimitScale) so the run fits the bench's time; the bound uses the same windows, and at the documented windows
   it is %[5]g times longer. Target: no false failure and within %.1[6]f× of max(limit bound, critical path × latency).
6. **all versions**: rows 1 and 2 again with every version: embedded serial, -p and the default, and the latency run at
   the default count for six versions. Target: the default no slower than serial; the latency run within %.1[16]f× of
   its own critical path.
7. **STATE-01**: the model-based sequences alone (`+"`--label-filter=stateful`"+`, at the pinned version, CHAT_STATEFUL_BUDGET
   at its default, the run's own seed), first against the embedded server (target: no false failure, well under 30 s),
   then at the latency with minted users (no target: the sequences are drawn first and run 16 at a time, so the run
   costs about the longest sequence's round trips, its critical path, rather than all of them one after another),
   then against the reference server enforcing the ACS limits ÷%[5]g in manual-token mode with one acting user, as in
   row 5: each sequence runs on fresh threads and stays within the per-thread limits, so what binds is that user's
   %[9]s. Target as row 5. With a connection string STATE-01 mints acting users of its own for its threads and the
   limits do not bind: that is the latency row.
8. **Go benchmarks**: `+"`%[7]s`"+`: schema validation of a 250-participant page and of an add result per response,
   and the paging oracle over a 125-page walk. No target: they show what judging one response costs on stock
   kin-openapi.

## The lower bounds (internal/perf)

**Critical path.** Every exchange the suite records carries its start and duration (the "transcript" entries of the
Ginkgo report). Two exchanges that overlap in time were in flight together, so neither waited for the other; a chain is a
sequence of exchanges each starting at or after the previous one ended, and perf.Chain finds the longest (greedily by
end time, which is optimal). The critical path is

    setup chain + longest spec chain + teardown chain

where a spec's chain covers all its nodes (BeforeEach, It, AfterEach, DeferCleanup) and what the harness sent for it in
the background: its thread, created ahead by the process's reservoir, and the thread's deletion after it by the
background deleter (each such exchange names its spec in forSpec, wherever it was recorded: the spec's own report, or the
suite's teardown for a deletion, which runs after the spec). The spec depends on them as on its own requests, so they
stay in its chain; setup and teardown are the chains of one process's SynchronizedBeforeSuite and SynchronizedAfterSuite
exchanges (the process for which their sum is least). Every process finishes its setup before its first spec and starts
its teardown after its last, and the longest spec runs on some process, so no schedule does with fewer round trips one
after another; against a server that answers after L, the run takes at least (critical path) × L. Chains are measured as
the run executed them, so a concurrency cap (STATE-01 runs 16 sequences at a time) shows as chain length: that
is what can be shortened. The table reports the chain length in requests. The *work bound* in the details adds what a
process count cannot avoid: some process does its setup and teardown plus at least an even share of all the specs'
chains of what each spec sent on its own goroutine (a Ginkgo process runs one spec at a time; the background work
overlaps the next spec, so it is not in the work). A thread created ahead that no spec took counts as traffic, in no
chain.

**Several api-versions.** Every spec is declared once per version, with its own thread and data, so with six versions
there are six times the specs and about six times the work, while the critical path stays that of one spec (plus setup
and teardown): the work bound at P processes becomes setup + teardown + max(⌈6W/P⌉, longest spec), six times one
version's for as long as 6W/P exceeds the longest spec. Within one process the versions' specs still run one at a time.

**CPU bound.** The latency breakdowns add the CPU the run spent: the suite's processes (the Ginkgo CLI's rusage, its
children included) and the bench's reference server (this process's rusage over the run), shared by the machine's
cores. No schedule finishes sooner than that CPU ÷ cores: with many processes on two cores it is a bound of its own.

**Limit bound.** The bench serves the reference server behind perf.Counter, which keys every admitted request exactly as
the server's limiter does: create and delete thread per user (%[9]s), add and remove per thread (%[10]s and
%[11]s), list per user per thread (%[12]s) and per thread (%[13]s). The user is the skypeid claim of the
bearer token, read without verifying (the server behind verifies; transcripts redact tokens, so the count is taken at the
server). Requests the server rejects before its limiter (bad api-version, bad token, oversized body) and 429s are not
admitted and not counted. A sliding window of n per W admits k requests no sooner than ((k-1) div n) × W after the
first, so each resource needs the largest of its rules' bounds, and the limit bound is the largest over resources. The
bound of a limited run is max(limit bound, critical path × latency).

**Peak RSS.** From the Ginkgo CLI's rusage (wait4): the largest peak of any single process in its tree, the CLI or one
suite process (with the embedded server, process 1 includes it). It is not the sum over parallel processes, and a server
in the bench process is not included.

**False failures.** Assertions that failed or errored in a run against the clean reference server: every one is a false
failure. It must be 0 in every row.
`, pProcs(b.cpus), seconds(targetDefaultWall), b.cfg.latency, targetLatencyRatio, b.cfg.manualScale, targetLimitsRatio,
		goBenchCommand(), b.cfg.remoteRPS,
		acs.ThreadsPerUser, acs.MembersShort, acs.MembersLong, acs.ListPerUser, acs.ListPerThread,
		pinned, seconds(targetDefaultAllWall), targetAllRatio, harness.PoolHostsPerVersion)
}
