package suiterun_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/fixtures/sharedref"
	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// With only an endpoint, a token and users to add, the specs that need
// more are skipped with the reason and the setting that enables them; the
// rest pass.
func TestManualTokenMode(t *testing.T) {
	// One acting user creates every thread, and ACS allows a user 10 thread
	// creations per 10 s: with limits on this run would take minutes. The
	// rate-limit test (internal/perf) covers manual mode under limits.
	bin, srv, ctx := suiteAgainst(t, refserver.Options{})
	endpoint, _ := url.Parse(srv.HTTP.URL)
	c := client.New(client.Options{Endpoint: endpoint, AccessKey: srv.AccessKey})
	host, err := c.NewUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 6 {
		u, err := c.NewIdentity(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.RawID)
	}
	res, err := suiterun.Run(ctx, bin, t.TempDir(), "", map[string]string{
		"ACS_CONNECTION_STRING": "",
		"CHAT_ENDPOINT":         srv.HTTP.URL,
		"CHAT_TOKEN":            host.Token,
		"CHAT_PARTICIPANT_IDS":  strings.Join(ids, ","),
		"CHAT_RATE_LIMIT_TESTS": "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	skipped := map[string]string{
		"ERR-03": "ACS_CONNECTION_STRING",
		"ERR-04": "CHAT_OUTSIDER_TOKEN",
		"ERR-07": "CHAT_RATE_LIMIT_TESTS=1",
		"REM-04": "ACS_CONNECTION_STRING",
	}
	// CHAT_API_VERSION=supported (the default) asks the server with the
	// manual token, and certifies every version it lists.
	if len(res.ByVersion) != len(wire.SupportedChatVersions) {
		t.Errorf("certified %d api-versions, want all %d the server lists:\n%s", len(res.ByVersion), len(wire.SupportedChatVersions), res.Output)
	}
	for v, judged := range res.ByVersion {
		for _, a := range judged {
			want, reason := outcome.Passed, skipped[a.ID]
			if !catalogue.AppliesTo(a.Assertion, v) {
				reason = "not in this api-version"
			}
			if reason != "" {
				want = outcome.Skipped
			}
			if a.Outcome != want {
				t.Errorf("%s at %s is %s, want %s: %s", a.ID, v, a.Outcome, want, strings.Join(a.Messages, "\n"))
			}
			if reason != "" && !strings.Contains(strings.Join(a.Messages, " "), reason) {
				t.Errorf("%s at %s is skipped without naming the setting that enables it (%s): %q", a.ID, v, reason, a.Messages)
			}
		}
	}
}

// CHAT_SPEC may name the published Swagger 2.0 document; a clean server
// passes against it.
func TestPublishedSwaggerAsChatSpec(t *testing.T) {
	bin, srv, ctx := suiteAgainst(t, refserver.Options{RateLimits: refserver.RateLimitsACS})
	// Every version whose published document is complete: the 2021
	// versions refer to a Common document that is not public.
	for _, v := range []struct{ version, dir string }{
		{wire.APIVersion20231107, "stable"}, {wire.APIVersion20240307, "stable"},
		{wire.APIVersionPreview, "preview"}, {wire.APIVersion20250315, "stable"},
	} {
		spec := sharedref.Dir(t, "reference", "specs", "Chat", v.dir, v.version, "communicationserviceschat.json")
		res, err := suiterun.Run(ctx, bin, t.TempDir(), srv.ConnectionString(), map[string]string{"CHAT_SPEC": spec, "CHAT_API_VERSION": v.version})
		if err != nil {
			t.Fatal(err)
		}
		if bad := outcome.Failing(res.ByVersion[v.version], outcome.Failed, outcome.Error, outcome.Warned); len(bad) > 0 || res.ByVersion[v.version] == nil {
			t.Errorf("against the published document of %s these assertions did not pass: %v\n%s", v.version, bad, res.Output)
		}
	}
}

// The compiled suite (make build) needs nothing but itself: run from an
// unrelated directory with no configuration, it starts the embedded
// reference server and passes, writing its reports there.
func TestBinaryRunsAnywhereAgainstTheEmbeddedServer(t *testing.T) {
	bin := suitetest.Build(t, "runs the suite")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-ginkgo.no-color")
	cmd.Dir = dir
	cmd.Env = suiterun.Env(nil)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the suite binary failed in %s: %v\n%s", dir, err, out)
	}
	for _, f := range []string{"junit.xml", "results.json", "summary.md", "report.html"} {
		if _, err := os.Stat(filepath.Join(dir, "reports", f)); err != nil {
			t.Errorf("no ./reports/%s after a run from %s: %v", f, dir, err)
		}
	}
}

// A certification run (make certify) refuses anything that would certify
// less than the whole catalogue under the standard profile.
func TestCertificationRefusesFiltersAndStrict(t *testing.T) {
	bin := suitetest.Build(t, "runs the suite")
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"label filter": {map[string]string{"CHATCONFORM_CERTIFY": "1"}, []string{"-ginkgo.label-filter=paging"}, "remove the label filter"},
		"focus":        {map[string]string{"CHATCONFORM_CERTIFY": "1"}, []string{"-ginkgo.focus=ADD"}, "remove the label filter, focus or skip"},
		"strict":       {map[string]string{"CHATCONFORM_CERTIFY": "1", "CHAT_STRICT": "1"}, nil, "unset CHAT_STRICT"},
		"dry run":      {map[string]string{"CHATCONFORM_CERTIFY": "1"}, []string{"-ginkgo.dry-run"}, "remove --dry-run"},
	} {
		t.Run(name, func(t *testing.T) { suitetest.Refused(t, bin, tc.env, tc.want, tc.args...) })
	}
}

// A manual token the server refuses stops the run at setup with a message
// naming the variable, instead of failing every spec.
func TestRefusedManualTokenStopsTheRun(t *testing.T) {
	bin, srv, ctx := suiteAgainst(t, refserver.Options{})
	// Well-formed, but signed with another key: 401.
	forged := "eyJhbGciOiJIUzI1NiIsImtpZCI6IjEiLCJ0eXAiOiJKV1QifQ.eyJza3lwZWlkIjoiYWNzOnJfMSJ9.c2lnbmF0dXJlLWJ5LWFub3RoZXIta2V5"
	res, err := suiterun.Run(ctx, bin, t.TempDir(), "", map[string]string{"CHAT_ENDPOINT": srv.HTTP.URL, "CHAT_TOKEN": forged})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Output, "CHAT_TOKEN was refused") {
		t.Errorf("the run does not say CHAT_TOKEN was refused:\n%s", res.Output)
	}
	if srv.Ref.Threads() != 0 {
		t.Errorf("a run with a refused token created threads")
	}
}

// suiteAgainst builds the suite and serves a reference server with opts for
// the test; the server and the deadline end with it.
func suiteAgainst(t *testing.T, opts refserver.Options) (string, *suiterun.Server, context.Context) {
	t.Helper()
	bin := suitetest.Build(t, "runs the suite")
	srv, err := suiterun.NewServerWith(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return bin, srv, ctx
}
