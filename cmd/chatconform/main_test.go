package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/report/browser"
)

// reportDir writes a real report directory (a run in which nothing ran).
func reportDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "reports")
	start := time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)
	r := types.Report{SuiteDescription: "Chat Participants Conformance", StartTime: start, EndTime: start.Add(time.Minute), RunTime: time.Minute}
	if err := report.Write(dir, r, report.Meta{APIVersions: []string{"2024-03-07"}, Endpoint: "https://x.communication.azure.com", Mode: "manual token"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPackVerifyRoundTrip(t *testing.T) {
	dir := reportDir(t)
	archive := filepath.Join(t.TempDir(), "dist", "cert.tar.gz")
	if code, out, errs := runCmd("pack", dir, archive); code != 0 {
		t.Fatalf("pack exited %d: %s%s", code, out, errs)
	}
	code, out, errs := runCmd("verify", archive)
	if code != 0 {
		t.Fatalf("verify exited %d: %s%s", code, out, errs)
	}
	for _, f := range append(report.Files, "verdict: INCOMPLETE") {
		if !strings.Contains(out, f) {
			t.Errorf("verify output lacks %q:\n%s", f, out)
		}
	}
	files := untar(t, archive)
	if _, ok := files[Manifest]; !ok || len(files) != len(report.Files)+1 {
		t.Errorf("archive holds %d files", len(files))
	}
	// The manifest is sha256sum's format, so the archive checks without
	// this tool too.
	if sum, err := exec.LookPath("sha256sum"); err == nil {
		x := t.TempDir()
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(x, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(sum, "--strict", "-c", Manifest)
		cmd.Dir = x
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	}
	// Packing the same reports again gives the same bytes.
	again := filepath.Join(t.TempDir(), "again.tar.gz")
	if code, _, errs := runCmd("pack", dir, again); code != 0 {
		t.Fatal(errs)
	}
	a, _ := os.ReadFile(archive)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("packing twice gave different archives")
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	dir := reportDir(t)
	archive := filepath.Join(t.TempDir(), "cert.tar.gz")
	if code, _, errs := runCmd("pack", dir, archive); code != 0 {
		t.Fatal(errs)
	}
	orig := untar(t, archive)
	cases := map[string]func(map[string][]byte){
		"altered results.json": func(f map[string][]byte) {
			f[report.FileResults] = bytes.Replace(f[report.FileResults], []byte("INCOMPLETE"), []byte("CONFORMANT"), 1)
		},
		"altered summary.md":  func(f map[string][]byte) { f[report.FileSummary] = append(f[report.FileSummary], '\n') },
		"missing report.html": func(f map[string][]byte) { delete(f, report.FileHTML) },
		"missing manifest":    func(f map[string][]byte) { delete(f, Manifest) },
		"extra file":          func(f map[string][]byte) { f["extra.txt"] = []byte("hi") },
		"unsafe name":         func(f map[string][]byte) { f["../evil"] = []byte("x") },
		"manifest without junit.xml": func(f map[string][]byte) {
			var keep []string
			for _, l := range strings.Split(string(f[Manifest]), "\n") {
				if !strings.HasSuffix(l, report.FileJUnit) {
					keep = append(keep, l)
				}
			}
			f[Manifest] = []byte(strings.Join(keep, "\n"))
		},
	}
	for name, tamper := range cases {
		files := map[string][]byte{}
		for k, v := range orig {
			files[k] = append([]byte(nil), v...)
		}
		tamper(files)
		bad := filepath.Join(t.TempDir(), "bad.tar.gz")
		writeTar(t, bad, files)
		if code, out, _ := runCmd("verify", bad); code != 1 {
			t.Errorf("%s: verify exited %d, want 1\n%s", name, code, out)
		}
	}
	// A consistent forgery of the verdict (manifest recomputed) is caught
	// by results.json's own consistency check.
	files := map[string][]byte{}
	for k, v := range orig {
		files[k] = v
	}
	files[report.FileResults] = bytes.Replace(files[report.FileResults], []byte(`"verdict": "INCOMPLETE"`), []byte(`"verdict": "CONFORMANT"`), 1)
	delete(files, Manifest)
	files[Manifest] = manifestOf(files)
	forged := filepath.Join(t.TempDir(), "forged.tar.gz")
	writeTar(t, forged, files)
	if code, _, errs := runCmd("verify", forged); code != 1 || !strings.Contains(errs, "its assertions give INCOMPLETE") {
		t.Errorf("forged verdict: exit %d, %s", code, errs)
	}
	if code, _, _ := runCmd("verify", filepath.Join(t.TempDir(), "nope.tar.gz")); code != 1 {
		t.Error("verify of a missing archive succeeded")
	}
}

func TestPackRefusesIncompleteDirectory(t *testing.T) {
	dir := reportDir(t)
	os.Remove(filepath.Join(dir, report.FileJUnit))
	code, _, errs := runCmd("pack", dir, filepath.Join(t.TempDir(), "x.tar.gz"))
	if code != 1 || !strings.Contains(errs, report.FileJUnit) {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"pack", "one"}, {"verify"}, {"screenshot", "a"}, {"screenshot", "-width", "5", "a", "b"}} {
		if code, _, errs := runCmd(args...); code != 2 || !strings.Contains(errs, "usage:") {
			t.Errorf("%q: exit %d, %s", args, code, errs)
		}
	}
	if code, out, _ := runCmd("version"); code != 0 || !strings.HasPrefix(out, "chatconform ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestScreenshot(t *testing.T) {
	if _, err := browser.Path(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v: CI must install Chromium", err)
		}
		t.Skipf("skipping the screenshot command: %v", err)
	}
	dir := reportDir(t)
	png := filepath.Join(t.TempDir(), "report.png")
	code, out, errs := runCmd("screenshot", "-width", "390", filepath.Join(dir, report.FileHTML), png)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	b, err := os.ReadFile(png)
	if err != nil || len(b) < 1000 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG (%d bytes): %v", len(b), err)
	}
	if code, _, _ := runCmd("screenshot", filepath.Join(dir, "missing.html"), png); code != 1 {
		t.Error("a missing page did not fail")
	}
}

func untar(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = b
	}
}

func writeTar(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, b := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
