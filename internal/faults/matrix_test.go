package faults

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// FaultAPIVersion is the api-version a fault of no particular version is
// run at: the one the current SDKs send by default.
const FaultAPIVersion = wire.APIVersionLatest

func TestCatalogueShape(t *testing.T) {
	faults := Catalogue()
	if len(faults) < 40 {
		t.Errorf("the catalogue has %d faults, want at least 40", len(faults))
	}
	names := map[string]bool{}
	for _, f := range faults {
		if names[f.Name] {
			t.Errorf("fault %q is defined twice", f.Name)
		}
		names[f.Name] = true
		if f.Mistake == "" || len(f.Trips) == 0 || f.Wrap == nil {
			t.Errorf("fault %q needs a mistake, the IDs it trips and a middleware", f.Name)
		}
		if f.Conformant {
			t.Errorf("fault %q is marked conformant: variations belong in Variations()", f.Name)
		}
		for _, id := range slices.Concat(f.Trips, f.Collateral) {
			if _, ok := catalogue.Lookup(id); !ok {
				t.Errorf("fault %q names unknown assertion %s", f.Name, id)
			}
		}
	}
	vs := Variations()
	if len(vs) < 10 {
		t.Errorf("there are %d conformant variations, want at least 10", len(vs))
	}
	for _, v := range vs {
		if names[v.Name] {
			t.Errorf("%q is defined twice", v.Name)
		}
		names[v.Name] = true
		if !v.Conformant || v.Mistake == "" || v.Permits == "" || v.Wrap == nil {
			t.Errorf("variation %q needs Conformant, what it varies, what permits it and a middleware", v.Name)
		}
		if len(v.Trips)+len(v.Collateral) > 0 || v.Expect != "" {
			t.Errorf("variation %q declares trips, collateral or an outcome: a conformant variation must pass", v.Name)
		}
		for _, id := range v.Warns {
			if a, ok := catalogue.Lookup(id); !ok || a.Tier != catalogue.Should {
				t.Errorf("variation %q warns about %s, which is not a SHOULD assertion: a conformant server fails no MUST", v.Name, id)
			}
		}
	}
}

// A new assertion without a fault that trips it fails the build.
func TestEveryAssertionHasAFault(t *testing.T) {
	tripped := map[string][]string{}
	for _, f := range Catalogue() {
		for _, id := range f.Trips {
			tripped[id] = append(tripped[id], f.Name)
		}
	}
	for _, id := range catalogue.IDs() {
		if len(tripped[id]) == 0 {
			t.Errorf("assertion %s is the declared target of no fault: its check is not proven able to fail", id)
		}
	}
}

// run is one suite run against the reference server, clean or faulty.
type run struct {
	name       string
	fault      *Fault // a fault, or a conformant variation (Fault.Conformant)
	strict     bool   // CHAT_STRICT=1
	apiVersion string
	env        map[string]string
	args       []string // Ginkgo flags
	// results
	judged    []outcome.Assertion
	byVersion map[string][]outcome.Assertion
	out       string
	threads   int
	foreign   []http.Header
	duration  time.Duration
	err       error
}

// TestFaultMatrix builds the suite once, runs it against the clean
// reference server (no false positives), against every fault (each caught
// by the assertions it declares, nothing else failing) and against every
// conformant variation, standard and strict (no false positives: nothing
// fails or warns but the variation's Warns, which fail under strict), and
// prints the matrix, the mutation score and the variations' verdicts.
//
// STATE-01 (label stateful) runs against the clean server, every
// conformant variation and the faults that declare it; against every other
// fault it is left out (--label-filter='!stateful'). Its generated
// sequences read through every operation, so nearly any fault makes them
// depart from the model, legitimately: declaring STATE-01 collateral of
// every fault would prove nothing a fault's own rows do not, and shrinking
// each such failure would make the matrix several times slower. What the
// matrix must show of STATE-01 it still shows: it fails under its own
// faults (statefulFaults), which the one-step specs do not see, and passes
// the clean server and every variation, standard and strict. Under its own
// faults it does not shrink (CHAT_STATEFUL_SHRINK_BUDGET=0):
// TestStatefulFaultsShrink shows how far each failure shrinks.
func TestFaultMatrix(t *testing.T) {
	bin := suitetest.Build(t, "the fault matrix runs the whole suite about 80 times")

	// The clean server is certified on every api-version in one run, as
	// the default CHAT_API_VERSION=supported does against it (discovery
	// itself: internal/suiterun's TestSupportedVersionsAreDiscovered).
	runs := []*run{
		{name: "clean (every api-version)", apiVersion: "all"},
		{name: "clean strict (every api-version)", apiVersion: "all", env: map[string]string{"CHAT_STRICT": "1"}},
		// Four processes sharing one user pool and one CHAT_MAX_RPS limiter.
		{name: "clean parallel (4 procs)", apiVersion: "all", env: map[string]string{suiterun.Procs: "4", "CHAT_MAX_RPS": "1000"}},
	}
	// faultRun runs the suite against f at its api-version: a fault of one
	// version's behaviour at that version, any other at the version the
	// current SDKs send (the matrix would take six times as long on all).
	faultRun := func(f Fault) *run {
		v := f.APIVersion
		if v == "" {
			v = FaultAPIVersion
		}
		r := &run{name: f.Name, fault: &f, apiVersion: v, env: f.Env}
		switch {
		case f.Conformant:
		case !slices.Contains(f.Trips, "STATE-01"):
			r.args = []string{"-ginkgo.label-filter=!stateful"}
		default:
			// Caught is all the matrix judges; TestStatefulFaultsShrink
			// judges the shrinking, whose threads would wait out the ACS
			// creation limit here, on top of the whole suite's.
			r.env = map[string]string{"CHAT_STATEFUL_SHRINK_BUDGET": "0"}
			maps.Copy(r.env, f.Env)
		}
		return r
	}
	for _, f := range Catalogue() {
		runs = append(runs, faultRun(f))
	}
	// Each conformant variation runs in the standard profile and strict:
	// strict turns its Warns into failures and must fail nothing else.
	for _, f := range Variations() {
		std := faultRun(f)
		strict := map[string]string{"CHAT_STRICT": "1"}
		for k, val := range f.Env {
			strict[k] = val
		}
		runs = append(runs, std, &run{name: f.Name + " (strict)", fault: std.fault, strict: true, apiVersion: std.apiVersion, env: strict})
	}

	var wg sync.WaitGroup
	sem := make(chan struct{}, max(2, runtime.NumCPU()))
	start := time.Now()
	var done atomic.Int32
	for _, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r.exec(t, bin)
			if n := done.Add(1); n%10 == 0 {
				t.Logf("%d/%d runs done after %s", n, len(runs), time.Since(start).Round(time.Second))
			}
		}()
	}
	wg.Wait()

	caught, faults, conformant, variations := 0, 0, 0, 0
	var table, varTable strings.Builder
	fmt.Fprintf(&table, "%-36s %-22s %-40s %s\n", "FAULT", "DECLARED", "FAILED (or warned/error)", "VERDICT")
	fmt.Fprintf(&varTable, "%-45s %-13s %-40s %s\n", "CONFORMANT VARIATION", "WARNS", "FAILED (or warned/error)", "VERDICT")
	for _, r := range runs {
		verdict := r.check(t)
		failing := strings.Join(outcome.Failing(r.judged, outcome.Failed, outcome.Warned, outcome.Error), ",")
		took := r.duration.Round(100 * time.Millisecond)
		if r.fault != nil && r.fault.Conformant {
			variations++
			if verdict == "passed" {
				conformant++
			}
			fmt.Fprintf(&varTable, "%-45s %-13s %-40s %s (%s)\n", r.name, strings.Join(r.fault.Warns, ","), failing, verdict, took)
			continue
		}
		declared := "-"
		if r.fault != nil {
			faults++
			declared = strings.Join(r.fault.Trips, ",")
			if verdict == "caught" {
				caught++
			}
		}
		fmt.Fprintf(&table, "%-36s %-22s %-40s %s (%s)\n", r.name, declared, failing, verdict, took)
	}
	fmt.Fprintf(&table, "\nmutation score: %d/%d faults caught by their declared assertions (%.0f%%); %d suite runs in %s\n",
		caught, faults, 100*float64(caught)/float64(faults), len(runs), time.Since(start).Round(time.Second))
	fmt.Fprintf(&varTable, "\nconformant variations: %d/%d runs passed (the rest are false positives)\n", conformant, variations)
	t.Log("\n" + table.String() + "\n" + varTable.String())
}

func (r *run) exec(t *testing.T, bin string) {
	var mu sync.Mutex
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		r.foreign = append(r.foreign, req.Header.Clone())
		mu.Unlock()
		w.WriteHeader(http.StatusTeapot)
	}))
	defer foreign.Close()
	srv, err := suiterun.NewServer(func(h http.Handler) http.Handler {
		if r.fault == nil {
			return h
		}
		fu, _ := url.Parse(foreign.URL)
		return r.fault.Wrap(Deps{Foreign: fu}, h)
	})
	if err != nil {
		r.err = err
		return
	}
	defer srv.Close()
	env := map[string]string{"CHAT_API_VERSION": r.apiVersion}
	for k, v := range r.env {
		env[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := suiterun.Run(ctx, bin, t.TempDir(), srv.ConnectionString(), env, r.args...)
	r.threads = srv.Ref.Threads()
	if err != nil {
		r.err = err
		return
	}
	r.duration, r.out, r.judged, r.byVersion = res.Duration, res.Output, res.Judged, res.ByVersion
	if j, ok := res.ByVersion[r.apiVersion]; ok {
		r.judged = j
	}
	if leak := secretsIn(string(res.RawJSON)+res.Output, srv.AccessKey); leak != "" {
		r.err = fmt.Errorf("a secret appears in the run's output or report: %s", leak)
	}
}

// check judges a run and returns its verdict; mismatches fail the test.
func (r *run) check(t *testing.T) string {
	t.Helper()
	if r.err != nil {
		t.Errorf("%s: %v", r.name, r.err)
		return "broken"
	}
	if r.threads != 0 {
		t.Errorf("%s: the run left %d threads behind on the server", r.name, r.threads)
	}
	for _, h := range r.foreign {
		if h.Get("Authorization") != "" {
			t.Errorf("%s: the bearer token was sent to an untrusted host", r.name)
		}
	}
	by := map[string]outcome.Assertion{}
	for _, a := range r.judged {
		by[a.ID] = a
	}
	if r.fault == nil || r.fault.Conformant {
		verdict := "clean"
		var warns []string
		if r.fault != nil {
			verdict, warns = "passed", r.fault.Warns
		}
		versions := []string{r.apiVersion}
		if r.apiVersion == "all" || r.apiVersion == "supported" {
			versions = wire.SupportedChatVersions
		}
		for _, v := range versions {
			if r.byVersion[v] == nil {
				verdict = "BROKEN"
				t.Errorf("%s: api-version %s was not certified (certified: %v)", r.name, v, slices.Sorted(maps.Keys(r.byVersion)))
			}
		}
		for _, v := range versions {
			for _, a := range r.byVersion[v] {
				want := outcome.Passed
				switch {
				case !catalogue.AppliesTo(a.Assertion, v):
					want = outcome.Skipped
				case slices.Contains(warns, a.ID) && r.strict:
					want = outcome.Failed
				case slices.Contains(warns, a.ID):
					want = outcome.Warned
				}
				if a.Outcome != want {
					if r.fault != nil {
						verdict = "FALSE POSITIVE"
					}
					t.Errorf("%s: %s at %s is %s, want %s (a false positive against the %s):\n%s",
						r.name, a.ID, v, a.Outcome, want, cleanOrVariation(r), strings.Join(a.Messages, "\n"))
				}
			}
		}
		return verdict
	}
	verdict := "caught"
	for _, id := range r.fault.Trips {
		// A MUST clause must fail; a SHOULD clause warns (the matrix runs
		// the standard profile) unless the fault says otherwise.
		want := outcome.Failed
		if catalogue.Get(id).Tier == catalogue.Should {
			want = outcome.Warned
		}
		if r.fault.Expect != "" {
			want = r.fault.Expect
		}
		if got := by[id].Outcome; got != want {
			verdict = "MISSED"
			t.Errorf("fault %s (%s): %s is %s, want %s", r.name, r.fault.Mistake, id, got, want)
		}
	}
	allowed := slices.Concat(r.fault.Trips, r.fault.Collateral)
	for _, id := range outcome.Failing(r.judged, outcome.Failed, outcome.Warned, outcome.Error) {
		if !slices.Contains(allowed, id) {
			verdict = "IMPRECISE"
			t.Errorf("fault %s: %s is %s too, but the fault declares neither it nor it as collateral:\n%s",
				r.name, id, by[id].Outcome, strings.Join(by[id].Messages, "\n"))
		}
	}
	return verdict
}

func cleanOrVariation(r *run) string {
	if r.fault == nil {
		return "clean reference server"
	}
	return "conformant variation " + r.fault.Name + " (" + r.fault.Mistake + "; " + r.fault.Permits + ")"
}

var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)

// secretsIn finds the access key or anything token-shaped in text.
func secretsIn(text string, key []byte) string {
	if strings.Contains(text, base64.StdEncoding.EncodeToString(key)) {
		return "the access key"
	}
	if m := jwtShape.FindString(text); m != "" {
		return "a token " + m[:12] + "…"
	}
	if strings.Contains(text, "Signature=") && !strings.Contains(text, "Signature=REDACTED") {
		return "an HMAC signature"
	}
	return ""
}
