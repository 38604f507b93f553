package report_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/faults"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// The suite against the clean reference server and against two faults:
// every file the run writes says what happened, and the summary's curl
// line repeats the failure against the faulty server.
func TestReportsOfRealRuns(t *testing.T) {
	bin := suitetest.Build(t, "runs the suite")
	for _, tc := range []struct {
		fault   string
		verdict string
		failed  string // an assertion the fault fails
		status  int    // what the repeated request gets
	}{
		{"", report.Conformant, "", 0},
		{"unsupported-api-version-500", report.NotConformant, "ERR-08", 500},
		{"invalid-paging-500", report.NotConformant, "PAGE-07", 500},
	} {
		name := tc.fault
		if name == "" {
			name = "clean"
		}
		t.Run(name, func(t *testing.T) {
			var wrap func(http.Handler) http.Handler
			if tc.fault != "" {
				f := faultNamed(t, tc.fault)
				wrap = func(h http.Handler) http.Handler { return f.Wrap(faults.Deps{}, h) }
			}
			srv := suitetest.Server(t, wrap)
			// One api-version: every spec is of it, labelled or not.
			res := suitetest.Run(t, 2*time.Minute, bin, t.TempDir(), srv.ConnectionString(), map[string]string{"CHAT_API_VERSION": wire.APIVersionLatest})
			read := func(f string) []byte { return suitetest.ReadFile(t, res.Dir, f) }

			// junit.xml: one testcase per spec, failures with transcripts.
			var junit struct {
				Cases []struct {
					Name    string    `xml:"name,attr"`
					Failure *struct{} `xml:"failure"`
					Out     string    `xml:"system-out"`
				} `xml:"testsuite>testcase"`
			}
			if err := xml.Unmarshal(read("junit.xml"), &junit); err != nil {
				t.Fatalf("junit.xml does not parse: %v", err)
			}
			specs := 0
			for _, s := range res.Report.SpecReports {
				if s.LeafNodeType.String() == "It" {
					specs++
				}
			}
			if len(junit.Cases) != specs {
				t.Errorf("junit.xml has %d testcases, the run had %d specs", len(junit.Cases), specs)
			}
			failures := 0
			for _, c := range junit.Cases {
				if c.Failure == nil {
					continue
				}
				failures++
				if !strings.HasPrefix(c.Name, "["+tc.failed+"]") && !strings.HasPrefix(c.Name, "[ERR-09]") {
					t.Errorf("unexpected failing testcase %q", c.Name)
				}
				if !strings.Contains(c.Out, "< 500") || !strings.Contains(c.Out, "> GET ") && !strings.Contains(c.Out, "> POST ") {
					t.Errorf("testcase %q fails without the transcript in system-out:\n%s", c.Name, c.Out)
				}
			}
			if (failures > 0) != (tc.fault != "") {
				t.Errorf("%d failing testcases in junit.xml", failures)
			}

			// results.json matches the run.
			var results report.Results
			if err := json.Unmarshal(read("results.json"), &results); err != nil {
				t.Fatal(err)
			}
			if results.Verdict != tc.verdict {
				t.Errorf("results.json verdict %q, want %q", results.Verdict, tc.verdict)
			}
			for _, a := range res.Judged {
				if got := results.Assertions[a.ID].Outcome; got != string(a.Outcome) {
					t.Errorf("results.json says %s %s, the run says %s", a.ID, got, a.Outcome)
				}
			}
			if results.Totals.Requests == 0 || results.Endpoint != srv.HTTP.URL {
				t.Errorf("results.json totals %+v endpoint %q", results.Totals, results.Endpoint)
			}

			// summary.md: the verdict, and a curl line that repeats the failure.
			summary := string(read("summary.md"))
			if !strings.Contains(summary, "**Verdict: "+tc.verdict+".**") {
				t.Errorf("summary.md does not give the verdict %s", tc.verdict)
			}
			if tc.fault != "" {
				repeatFailure(t, summary, tc.failed, srv, tc.status)
			}

			// No secret in any file.
			key := base64.StdEncoding.EncodeToString(srv.AccessKey)
			jwt := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
			for _, f := range append(report.Files, "ginkgo.json") {
				b := string(read(f))
				if strings.Contains(b, key) || jwt.MatchString(b) {
					t.Errorf("%s holds the access key or a token", f)
				}
			}
		})
	}
}

// A run of two api-versions against the clean reference server: each
// version has its own verdict, testsuite and column of the matrix, judged
// over its own specs, and the metadata rows count only where the version
// has metadata.
func TestReportsOfRunOfTwoVersions(t *testing.T) {
	bin := suitetest.Build(t, "runs the suite")
	srv := suitetest.Server(t, nil)
	versions := []string{wire.APIVersionStable, wire.APIVersionLatest}
	res := suitetest.Run(t, 3*time.Minute, bin, t.TempDir(), srv.ConnectionString(), map[string]string{"CHAT_API_VERSION": strings.Join(versions, ",")})
	byVersion := map[string][]types.SpecReport{}
	for _, sr := range res.Report.SpecReports {
		for _, l := range sr.Labels() {
			if v, ok := strings.CutPrefix(l, outcome.VersionLabelPrefix); ok {
				byVersion[v] = append(byVersion[v], sr)
			}
		}
	}
	if len(byVersion) != len(versions) {
		t.Fatalf("the specs are labelled with %d api-versions, want %d (v:<version>, one per certified version)", len(byVersion), len(versions))
	}
	results := suitetest.ReadResults(t, res.Dir)
	if err := results.Check(); err != nil {
		t.Error(err)
	}
	if strings.Join(results.APIVersions, ",") != strings.Join(versions, ",") || len(results.Versions) != 2 || results.Verdict != report.Conformant {
		t.Fatalf("results.json: api-versions %v, %d verdicts, verdict %s, problems %q", results.APIVersions, len(results.Versions), results.Verdict, results.Problems)
	}
	for i, v := range versions {
		sub := res.Report
		sub.SpecReports = byVersion[v]
		for _, a := range outcome.Judge(sub) {
			if got := results.Versions[i].Assertions[a.ID].Outcome; got != string(a.Outcome) {
				t.Errorf("results.json says %s %s on %s, the run says %s", a.ID, got, v, a.Outcome)
			}
		}
		if vr := results.Versions[i]; vr.APIVersion != v || vr.Verdict != report.Conformant {
			t.Errorf("results.json: %s is %s", vr.APIVersion, vr.Verdict)
		}
	}
	if m := results.Matrix["META-01"]; m[wire.APIVersionStable] != report.CellNotApplicable || m[wire.APIVersionLatest] != "passed" {
		t.Errorf("matrix META-01 = %v", m)
	}
	var junit struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(suitetest.ReadFile(t, res.Dir, "junit.xml"), &junit); err != nil {
		t.Fatal(err)
	}
	if len(junit.Suites) != 2 {
		t.Fatalf("junit.xml has %d testsuites, want one per api-version", len(junit.Suites))
	}
	for i, v := range versions {
		its := 0
		for _, sr := range byVersion[v] {
			if sr.LeafNodeType == types.NodeTypeIt {
				its++
			}
		}
		if s := junit.Suites[i]; !strings.HasSuffix(s.Name, " "+v) || len(s.Cases) != its {
			t.Errorf("testsuite %q has %d testcases, %s had %d specs", s.Name, len(s.Cases), v, its)
		}
	}
	summary := string(suitetest.ReadFile(t, res.Dir, "summary.md"))
	for _, want := range []string{"| " + versions[0] + " | **CONFORMANT** |", "| " + versions[1] + " | **CONFORMANT** |",
		"| META-01 | MUST | n/a | ✅ |", "## Assertions × api-versions"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
}

// repeatFailure runs the summary's first curl line for assertion id with a
// fresh token of the faulty server and checks the server fails again.
func repeatFailure(t *testing.T, summary, id string, srv *suiterun.Server, status int) {
	t.Helper()
	section := summary[strings.Index(summary, "### "+id):]
	block := regexp.MustCompile("(?s)```sh\n(curl .*?)\n```").FindStringSubmatch(section)
	if block == nil {
		t.Fatalf("summary.md has no curl line for %s:\n%s", id, section)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skipf("curl is not installed, so the curl line cannot be executed: %s", block[1])
	}
	endpoint, _ := url.Parse(srv.HTTP.URL)
	c := client.New(client.Options{Endpoint: endpoint, AccessKey: srv.AccessKey})
	u, err := c.NewUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", strings.ReplaceAll(block[1], "\\\n", " ")+" -o /dev/null -w '%{http_code}'")
	cmd.Env = append(os.Environ(), "CHAT_TOKEN="+u.Token)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the curl line failed: %v\n%s", err, block[1])
	}
	if got := strings.TrimSpace(string(out)); !strings.HasSuffix(got, "500") {
		t.Errorf("the curl line for %s got %q, want the failing status %d again:\n%s", id, got, status, block[1])
	}
}

func faultNamed(t *testing.T, name string) faults.Fault {
	for _, f := range faults.Catalogue() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fault %q", name)
	return faults.Fault{}
}
