package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/report"
)

// versionsReportDir writes the reports of a run of several api-versions:
// every assertion passes on every version (the rows that apply to it:
// catalogue.AppliesTo) except the given (version → ID → state).
func versionsReportDir(t *testing.T, m report.Meta, states map[string]map[string]types.SpecState) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "reports")
	start := time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)
	r := types.Report{SuiteDescription: "Chat Participants Conformance", StartTime: start, EndTime: start.Add(time.Minute), RunTime: time.Minute}
	for _, v := range m.APIVersions {
		for _, a := range catalogue.All() {
			st, ok := states[v][a.ID]
			if !ok {
				st = types.SpecStatePassed
				if !catalogue.AppliesTo(a, v) {
					st = types.SpecStateSkipped
				}
			}
			sr := types.SpecReport{LeafNodeType: types.NodeTypeIt, ContainerHierarchyTexts: []string{v}, ContainerHierarchyLabels: [][]string{{outcome.VersionLabelPrefix + v}},
				LeafNodeText: "[" + a.ID + "] x", LeafNodeLabels: a.Labels(), State: st}
			if st.Is(types.SpecStateFailureStates) {
				sr.Failure.Message = a.ID + " failed on " + v
			}
			r.SpecReports = append(r.SpecReports, sr)
		}
	}
	if m.Mode == "" {
		m.Mode = "manual token"
	}
	m.Endpoint = "https://x.communication.azure.com"
	if err := report.Write(dir, r, m); err != nil {
		t.Fatal(err)
	}
	return dir
}

func noIncompleteOK(t *testing.T) {
	t.Setenv("CHAT_ENV_FILE", "/dev/null")
	t.Setenv("CHAT_INCOMPLETE_OK", "")
	t.Setenv("CHATCONFORM_CERTIFY", "")
}

// status prints each api-version's verdict and fails if any version is
// NOT CONFORMANT, even when the others are.
func TestStatusOfSeveralVersions(t *testing.T) {
	noIncompleteOK(t)
	two := []string{"2024-03-07", "2025-03-15"}
	for _, tc := range []struct {
		name   string
		states map[string]map[string]types.SpecState
		code   int
		out    string
	}{
		{"both conformant", nil, exitConformant,
			"verdict: CONFORMANT\napi-version 2024-03-07: CONFORMANT\napi-version 2025-03-15: CONFORMANT\n"},
		{"one not conformant", map[string]map[string]types.SpecState{"2025-03-15": {"ADD-01": types.SpecStateFailed}}, exitNotConformant,
			"verdict: NOT CONFORMANT\napi-version 2024-03-07: CONFORMANT\napi-version 2025-03-15: NOT CONFORMANT\n"},
		{"one incomplete", map[string]map[string]types.SpecState{"2024-03-07": {"ADD-01": types.SpecStateSkipped}}, exitIncomplete,
			"verdict: INCOMPLETE\napi-version 2024-03-07: INCOMPLETE\napi-version 2025-03-15: CONFORMANT\n"},
		{"one incomplete, one not conformant", map[string]map[string]types.SpecState{"2024-03-07": {"ADD-01": types.SpecStateSkipped}, "2025-03-15": {"PAGE-01": types.SpecStateFailed}}, exitNotConformant,
			"verdict: NOT CONFORMANT\napi-version 2024-03-07: INCOMPLETE\napi-version 2025-03-15: NOT CONFORMANT\n"},
		// META is not in 2024-03-07: skipped there, it leaves nothing incomplete.
		{"META skipped where it does not apply", map[string]map[string]types.SpecState{"2024-03-07": {"META-01": types.SpecStateSkipped}}, exitConformant,
			"verdict: CONFORMANT\n"},
		{"META skipped where it applies", map[string]map[string]types.SpecState{"2025-03-15": {"META-01": types.SpecStateSkipped}}, exitIncomplete,
			"verdict: INCOMPLETE\napi-version 2024-03-07: CONFORMANT\napi-version 2025-03-15: INCOMPLETE\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := versionsReportDir(t, report.Meta{APIVersions: two}, tc.states)
			code, out, errs := runCmd("status", filepath.Join(dir, report.FileResults))
			if code != tc.code || !strings.HasPrefix(out, tc.out) {
				t.Errorf("status exited %d, want %d; printed\n%s%s\nwant it to start with\n%s", code, tc.code, out, errs, tc.out)
			}
		})
	}
	t.Run("CHAT_INCOMPLETE_OK", func(t *testing.T) {
		t.Setenv("CHAT_INCOMPLETE_OK", "1")
		dir := versionsReportDir(t, report.Meta{APIVersions: two}, map[string]map[string]types.SpecState{"2024-03-07": {"ADD-01": types.SpecStateSkipped}})
		if code, out, _ := runCmd("status", filepath.Join(dir, report.FileResults)); code != exitConformant || !strings.Contains(out, "INCOMPLETE exits 0") {
			t.Errorf("status exited %d:\n%s", code, out)
		}
		dir = versionsReportDir(t, report.Meta{APIVersions: two}, map[string]map[string]types.SpecState{"2025-03-15": {"ADD-01": types.SpecStateFailed}})
		if code, _, _ := runCmd("status", filepath.Join(dir, report.FileResults)); code != exitNotConformant {
			t.Errorf("CHAT_INCOMPLETE_OK let NOT CONFORMANT exit %d", code)
		}
	})
}

// What CHAT_API_VERSION=supported left out is printed, and is not part of
// the verdict.
func TestStatusPrintsDiscovery(t *testing.T) {
	noIncompleteOK(t)
	d := &report.Discovery{Listed: []string{"2024-03-07", "2025-03-15", "2099-01-01-preview"}, Unknown: []string{"2099-01-01-preview"}, NotListed: []string{"2024-03-15-preview"}}
	dir := versionsReportDir(t, report.Meta{APIVersions: []string{"2024-03-07", "2025-03-15"}, Discovery: d}, nil)
	code, out, _ := runCmd("status", filepath.Join(dir, report.FileResults))
	want := "verdict: CONFORMANT\n" +
		"api-version 2024-03-07: CONFORMANT\n" +
		"api-version 2025-03-15: CONFORMANT\n" +
		"api-supported-versions: 2024-03-07, 2025-03-15, 2099-01-01-preview\n" +
		"not certified, unknown to the suite: 2099-01-01-preview\n" +
		"not certified, not listed by the server: 2024-03-15-preview\n"
	if code != exitConformant || out != want {
		t.Errorf("status exited %d, printed\n%s\nwant\n%s", code, out, want)
	}
}

// verify prints every api-version's verdict, and catches a version's
// verdict edited to agree with a forged run verdict.
func TestVerifyShowsVersions(t *testing.T) {
	dir := versionsReportDir(t, report.Meta{APIVersions: []string{"2024-03-07", "2025-03-15"}}, map[string]map[string]types.SpecState{"2025-03-15": {"ADD-01": types.SpecStateFailed}})
	archive := filepath.Join(t.TempDir(), "cert.tar.gz")
	if code, _, errs := runCmd("pack", dir, archive); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCmd("verify", archive)
	n := len(catalogue.All())
	for _, want := range []string{
		"verdict: NOT CONFORMANT\n  https://x.communication.azure.com, api-versions 2024-03-07, 2025-03-15, standard profile",
		fmt.Sprintf("  api-version 2024-03-07: CONFORMANT (%d passed, 0 failed, 0 warned, 2 skipped, 0 error)\n", n-2),
		fmt.Sprintf("  api-version 2025-03-15: NOT CONFORMANT (%d passed, 1 failed, 0 warned, 1 skipped, 0 error)\n", n-2),
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("verify exited %d (%s), output lacks %q:\n%s", code, errs, want, out)
		}
	}
	files := untar(t, archive)
	forged := strings.Replace(string(files[report.FileResults]), `"verdict": "NOT CONFORMANT"`, `"verdict": "CONFORMANT"`, -1)
	forged = strings.Replace(forged, `"verdictLine": "NOT CONFORMANT"`, `"verdictLine": "CONFORMANT"`, -1)
	files[report.FileResults] = []byte(forged)
	delete(files, Manifest)
	files[Manifest] = manifestOf(files)
	bad := filepath.Join(t.TempDir(), "forged.tar.gz")
	writeTar(t, bad, files)
	if code, _, errs := runCmd("verify", bad); code != 1 || !strings.Contains(errs, "its assertions give NOT CONFORMANT") {
		t.Errorf("forged verdicts: exit %d, %s", code, errs)
	}
}
