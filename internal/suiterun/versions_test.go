package suiterun_test

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// CHAT_API_VERSION=supported certifies what the server lists and the suite
// knows, nothing else: a version the suite knows but the server does not
// list is not judged (its specs are skipped with the reason), one the
// server lists but the suite does not know is named in the output.
func TestSupportedVersionsAreDiscovered(t *testing.T) {
	listed := []string{wire.APIVersion20210907, "2099-01-01-preview", wire.APIVersion20250315}
	bin, srv, ctx := suiteAgainst(t, refserver.Options{ChatAPIVersions: listed})
	res, err := suiterun.Run(ctx, bin, t.TempDir(), srv.ConnectionString(), map[string]string{"CHAT_API_VERSION": "supported", "CHAT_RATE_LIMIT_TESTS": "0"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{wire.APIVersion20210907, wire.APIVersion20250315}
	if got := slices.Sorted(maps.Keys(res.ByVersion)); !slices.Equal(got, wire.SupportedChatVersions) {
		t.Errorf("the tree declares %v, want every known version (those not listed skipped)", got)
	}
	for _, v := range want {
		for _, a := range res.ByVersion[v] {
			wantOutcome := outcome.Passed
			if !catalogue.AppliesTo(a.Assertion, v) || a.Capability == catalogue.CapRateLimit {
				wantOutcome = outcome.Skipped
			}
			if a.Outcome != wantOutcome {
				t.Errorf("%s at %s is %s, want %s: %s", a.ID, v, a.Outcome, wantOutcome, strings.Join(a.Messages, "\n"))
			}
		}
	}
	for _, v := range wire.SupportedChatVersions {
		if slices.Contains(want, v) {
			continue
		}
		for _, a := range res.ByVersion[v] {
			if a.Outcome != outcome.Skipped || !strings.Contains(strings.Join(a.Messages, " "), "does not list it in api-supported-versions") {
				t.Errorf("%s at %s, which the server does not list, is %s: %q", a.ID, v, a.Outcome, a.Messages)
				break
			}
		}
	}
	if !strings.Contains(res.Output, "Listed but unknown to the suite (not certified): 2099-01-01-preview") ||
		!strings.Contains(res.Output, "Known to the suite but not listed (not certified, their specs skipped): 2021-03-07, 2023-11-07, 2024-03-07, 2024-03-15-preview") {
		t.Errorf("the output does not name the listed version the suite does not know:\n%s", res.Output)
	}
}

// A server that sends no api-supported-versions cannot be asked: the run
// stops as the harness's failure, naming the setting, and blames nobody.
func TestSupportedWithoutTheHeaderNamesTheSetting(t *testing.T) {
	bin := suitetest.Build(t, "runs the suite")
	srv, err := suiterun.NewServer(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(headerDropper{w}, r)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	res, err := suiterun.Run(t.Context(), bin, t.TempDir(), srv.ConnectionString(), map[string]string{"CHAT_API_VERSION": "supported"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Output, "CHAT_API_VERSION=supported: the server sent no api-supported-versions header") || !strings.Contains(res.Output, "HARNESS ERROR") {
		t.Errorf("the run does not say that the server could not be asked and which setting to use:\n%s", res.Output)
	}
	if bad := outcome.Failing(res.Judged, outcome.Failed, outcome.Warned); len(bad) > 0 {
		t.Errorf("the harness's failure blamed the server for %v", bad)
	}
}

// headerDropper removes api-supported-versions from every response.
type headerDropper struct{ http.ResponseWriter }

func (d headerDropper) WriteHeader(code int) {
	d.Header().Del("api-supported-versions")
	d.ResponseWriter.WriteHeader(code)
}

func (d headerDropper) Write(b []byte) (int, error) {
	d.Header().Del("api-supported-versions")
	return d.ResponseWriter.Write(b)
}
