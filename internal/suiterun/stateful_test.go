package suiterun_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// STATE-01 draws its sequences from a seed, so a false positive would show
// only for some seeds: against the clean reference server (with the ACS
// rate limits) it passes 24 runs with 24 different seeds, four on every
// api-version the suite supports, two of them strict, with no finding of
// any other row; each run reports its seed.
func TestStatefulPassesRepeatedly(t *testing.T) {
	bin := suitetest.Build(t, "runs STATE-01 24 times")
	srv := suitetest.Server(t, nil)
	versions := wire.SupportedChatVersions
	for i := range 4 * len(versions) {
		seed, version, strict := 1000+i, versions[i%len(versions)], i/len(versions)%2 == 1
		env := map[string]string{"CHAT_API_VERSION": version, "CHAT_SEED": fmt.Sprint(seed)}
		if strict {
			env["CHAT_STRICT"] = "1"
		}
		name := fmt.Sprintf("%s, CHAT_SEED=%d, strict=%v", version, seed, strict)
		res := suitetest.Run(t, time.Minute, bin, t.TempDir(), srv.ConnectionString(), env, "-ginkgo.label-filter=stateful")
		if got := outcomeOf(res.ByVersion[version], "STATE-01"); got != outcome.Passed {
			t.Errorf("%s: STATE-01 is %s, want passed:\n%s", name, got, res.Output)
		}
		if bad := outcome.Failing(res.Judged, outcome.Failed, outcome.Warned, outcome.Error); len(bad) > 0 {
			t.Errorf("%s: %v failed or warned, from STATE-01's sequences:\n%s", name, bad, res.Output)
		}
		if got := suitetest.ReadResults(t, res.Dir).Seed; got != uint64(seed) {
			t.Errorf("%s: results.json has seed %d", name, got)
		}
		seeds, runs := entries(res, outcome.EntrySeed), entries(res, outcome.EntryStateful)
		if len(seeds) != 1 || seeds[0] != fmt.Sprint(seed) || len(runs) != 1 || !strings.Contains(runs[0], fmt.Sprintf("CHAT_SEED=%d repeats it", seed)) {
			t.Errorf("%s: seed entries %q, run entries %q", name, seeds, runs)
		}
	}
	if n := srv.Ref.Threads(); n != 0 {
		t.Errorf("the runs left %d threads behind", n)
	}
}

func outcomeOf(judged []outcome.Assertion, id string) outcome.Outcome {
	for _, a := range judged {
		if a.ID == id {
			return a.Outcome
		}
	}
	return ""
}

// Without three users to add (manual mode, CHAT_PARTICIPANT_IDS lists two)
// STATE-01 is skipped, naming the variables that would enable it.
func TestStatefulSkippedWithoutUsersToAdd(t *testing.T) {
	bin, srv, ctx := suiteAgainst(t, refserver.Options{})
	endpoint, _ := url.Parse(srv.HTTP.URL)
	c := client.New(client.Options{Endpoint: endpoint, AccessKey: srv.AccessKey})
	host, err := c.NewUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 2 {
		u, err := c.NewIdentity(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.RawID)
	}
	res, err := suiterun.Run(ctx, bin, t.TempDir(), "", map[string]string{
		"ACS_CONNECTION_STRING": "", "CHAT_ENDPOINT": srv.HTTP.URL, "CHAT_TOKEN": host.Token, "CHAT_API_VERSION": wire.APIVersionStable,
		"CHAT_PARTICIPANT_IDS": strings.Join(ids, ","),
	}, "-ginkgo.label-filter=stateful")
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Outcome("STATE-01"); got != outcome.Skipped {
		t.Fatalf("STATE-01 is %s, want skipped:\n%s", got, res.Output)
	}
	for _, a := range res.Judged {
		if msg := strings.Join(a.Messages, " "); a.ID == "STATE-01" && (!strings.Contains(msg, "CHAT_PARTICIPANT_IDS") || !strings.Contains(msg, "ACS_CONNECTION_STRING")) {
			t.Errorf("STATE-01 is skipped without naming CHAT_PARTICIPANT_IDS and ACS_CONNECTION_STRING: %q\n%s", msg, res.Output)
		}
	}
	if srv.Ref.Threads() != 0 {
		t.Errorf("a skipped STATE-01 left threads behind")
	}
}

// entries are the values of the report entries of that name, in spec order.
func entries(res *suiterun.Result, name string) []string {
	var out []string
	for _, sr := range res.Report.SpecReports {
		for _, e := range sr.ReportEntries {
			if e.Name == name {
				out = append(out, e.StringRepresentation())
			}
		}
	}
	return out
}
