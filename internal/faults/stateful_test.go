package faults

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/framework"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
)

// stateSteps is, for each fault of stateful.go, the most steps of the
// sequence it needs, the closing listing or walk included; a shrunk
// failure must show no more.
var stateSteps = map[string]int{
	"readd-after-remove-lost-in-batch":        4, // add X; remove X; add X Y; list
	"skip-after-remove-counts-tombstones":     3, // add X Y; remove X; list and walk from skip=1
	"mixed-add-duplicates-existing-after-new": 3, // add X; add Y X; list
}

// stepLine is a numbered step of a shrunk sequence.
var stepLine = regexp.MustCompile(`(?m)^ *\d+\. thread \d+: .*$`)

// stateRun runs STATE-01 alone against srv with CHAT_SEED=seed, at the
// api-version the fault matrix runs these faults at.
func stateRun(t *testing.T, bin string, srv *suiterun.Server, seed int) *suiterun.Result {
	t.Helper()
	env := map[string]string{"CHAT_API_VERSION": FaultAPIVersion, "CHAT_SEED": fmt.Sprint(seed)}
	return suitetest.Run(t, 2*time.Minute, bin, t.TempDir(), srv.ConnectionString(), env, "-ginkgo.label-filter=stateful")
}

// TestStatefulFaultsShrink: against each fault of stateful.go STATE-01
// fails with a sequence shrunk to at most the steps the fault needs, shown
// as numbered steps with the listing the model expects and the one
// observed, and the trips the fault declares fail with it. CHAT_SEED
// repeats the run exactly: the same sequences in the same requests, and
// the same shrunk one.
func TestStatefulFaultsShrink(t *testing.T) {
	bin := suitetest.Build(t, "runs STATE-01 against its faults, shrinking each failure")
	for _, f := range statefulFaults() {
		t.Run(f.Name, func(t *testing.T) {
			srv := suitetest.Server(t, func(h http.Handler) http.Handler { return f.Wrap(Deps{}, h) })
			shrunk := func(seed int) (steps []string, run string) {
				res := stateRun(t, bin, srv, seed)
				for _, id := range f.Trips {
					if got := res.Outcome(id); got != outcome.Failed {
						t.Fatalf("CHAT_SEED=%d: %s is %s, want failed\n%s", seed, id, got, res.Output)
					}
				}
				seq := entry(res, framework.EntrySequence)
				steps = stepLine.FindAllString(seq, -1)
				if len(steps) == 0 || len(steps) > stateSteps[f.Name] {
					t.Errorf("CHAT_SEED=%d: the shrunk sequence has %d steps, want 1 to %d:\n%s", seed, len(steps), stateSteps[f.Name], seq)
				}
				if !strings.Contains(seq, "expected (model): ") || !strings.Contains(seq, "observed: ") || !strings.Contains(seq, "DEPARTS: ") {
					t.Errorf("CHAT_SEED=%d: the shrunk sequence shows no expected and observed listing and departure:\n%s", seed, seq)
				}
				for _, want := range []string{seq, "Replay it with curl"} {
					if msg := messages(res, "STATE-01"); !strings.Contains(msg, strings.TrimSpace(want)) {
						t.Errorf("CHAT_SEED=%d: STATE-01's failure does not show %q:\n%s", seed, want, msg)
					}
				}
				// The run, but not how long it took.
				run = regexp.MustCompile(`and [0-9.]+m?s `).ReplaceAllString(entry(res, outcome.EntryStateful), "")
				t.Logf("CHAT_SEED=%d: %s\n%s", seed, run, strings.Join(steps, "\n"))
				return steps, run
			}
			for _, seed := range []int{1, 2} {
				first, run := shrunk(seed)
				if seed > 1 {
					continue
				}
				again, rerun := shrunk(seed)
				if strings.Join(first, "\n") != strings.Join(again, "\n") || run != rerun {
					t.Errorf("CHAT_SEED=%d did not repeat the run:\n%s\n%s\n--- then\n%s\n%s", seed, run, strings.Join(first, "\n"), rerun, strings.Join(again, "\n"))
				}
			}
		})
	}
}

// TestStatefulReplayScriptShowsTheDefect runs the curl script of each
// shrunk failure against the faulty server, with a freshly minted token
// and users of its own: its output shows the defect.
func TestStatefulReplayScriptShowsTheDefect(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("needs curl")
	}
	bin := suitetest.Build(t, "replays shrunk STATE-01 failures with curl")
	// What the last response of each replay shows, given the users M1, M2.
	shows := map[string]func(last string, users []string) bool{
		// The re-added M1 is not listed (M2, added with it, is).
		"readd-after-remove-lost-in-batch": func(last string, users []string) bool {
			return !strings.Contains(last, users[0]) && strings.Contains(last, users[1])
		},
		// The walk from skip=1 is empty: M2 is not on its page.
		"skip-after-remove-counts-tombstones": func(last string, users []string) bool {
			return strings.Contains(last, `"value":[]`) && !strings.Contains(last, users[1])
		},
		// M1 is listed twice.
		"mixed-add-duplicates-existing-after-new": func(last string, users []string) bool {
			return strings.Count(last, `"rawId":"`+users[0]+`"`) == 2
		},
	}
	for _, f := range statefulFaults() {
		t.Run(f.Name, func(t *testing.T) {
			srv := suitetest.Server(t, func(h http.Handler) http.Handler { return f.Wrap(Deps{}, h) })
			res := stateRun(t, bin, srv, 1)
			script := entry(res, framework.EntryReplay)
			if script == "" {
				t.Fatalf("no replay script\n%s", res.Output)
			}
			ep, _ := url.Parse(srv.HTTP.URL)
			c := client.New(client.Options{Endpoint: ep, APIVersion: FaultAPIVersion, AccessKey: srv.AccessKey})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			host, err := c.NewUser(ctx)
			if err != nil {
				t.Fatal(err)
			}
			env := append(os.Environ(), "CHAT_TOKEN="+host.Token, "CHAT_ENDPOINT="+srv.HTTP.URL)
			var users []string
			for i := 1; i <= 8; i++ {
				u, err := c.NewIdentity(ctx)
				if err != nil {
					t.Fatal(err)
				}
				users = append(users, u.RawID)
				env = append(env, fmt.Sprintf("M%d=%s", i, u.RawID))
			}
			path := filepath.Join(t.TempDir(), "replay.sh")
			if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, "bash", path)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the script failed: %v\n%s\n%s", err, script, out)
			}
			last := string(out)
			if i := strings.LastIndex(last, ">>> step"); i >= 0 {
				last = last[i:]
			}
			if !shows[f.Name](last, users) {
				t.Errorf("the replay's last response does not show the defect:\n%s\n--- script:\n%s\n--- output:\n%s", last, script, out)
			}
			if n := srv.Ref.Threads(); n != 0 {
				t.Errorf("the run and the replay left %d threads behind", n)
			}
		})
	}
}

// entry is the value of the first report entry of that name.
func entry(res *suiterun.Result, name string) string {
	for _, sr := range res.Report.SpecReports {
		for _, e := range sr.ReportEntries {
			if e.Name == name {
				return e.StringRepresentation()
			}
		}
	}
	return ""
}

func messages(res *suiterun.Result, id string) string {
	for _, a := range res.Judged {
		if a.ID == id {
			return strings.Join(a.Messages, "\n")
		}
	}
	return ""
}
