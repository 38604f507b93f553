package faults

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/report"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
)

// TestHostileBytesReachNoReport runs the suite against the hostile-bytes
// fault, with the right access key and then with a wrong one (a setup
// failure whose message quotes the server's hostile error message), and
// reads every report file and the console for the server's bytes.
func TestHostileBytesReachNoReport(t *testing.T) {
	bin := suitetest.Build(t, "runs the whole suite twice")
	f := faultNamed(t, "hostile-bytes")
	srv := suitetest.Server(t, func(h http.Handler) http.Handler { return f.Wrap(Deps{}, h) })

	t.Run("run", func(t *testing.T) {
		res := suitetest.Run(t, 3*time.Minute, bin, t.TempDir(), srv.ConnectionString(), nil)
		t.Logf("failing: %v", outcome.Failing(res.Judged, outcome.Failed, outcome.Warned, outcome.Error))
		if got := res.Outcome("ADD-04"); got != outcome.Failed {
			t.Errorf("ADD-04 is %s, want failed (the names are not the ones added)", got)
		}
		checkReports(t, res.Dir)
		checkConsole(t, res.Output, true)
		// The escapes are visible, and the transcripts say they escaped.
		html, _ := os.ReadFile(filepath.Join(res.Dir, report.FileHTML))
		for _, want := range []string{`\x1b[31mred`, `\u009b2J`, "bytes escaped"} {
			if !bytes.Contains(html, []byte(want)) {
				t.Errorf("report.html lacks %q", want)
			}
		}
	})

	// A wrong access key: setting up fails, and the problem is reported
	// once however many processes run.
	wrong := fmt.Sprintf("endpoint=%s/;accesskey=%s", srv.HTTP.URL, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	for _, procs := range []string{"", "2"} {
		t.Run("setup failure procs="+procs, func(t *testing.T) {
			env := map[string]string{}
			if procs != "" {
				env[suiterun.Procs] = procs
			}
			res := suitetest.Run(t, 3*time.Minute, bin, t.TempDir(), wrong, env)
			checkReports(t, res.Dir)
			checkConsole(t, res.Output, procs == "")
			summary, _ := os.ReadFile(filepath.Join(res.Dir, report.FileSummary))
			if n := strings.Count(string(summary), "Suite problem:"); n != 1 {
				t.Errorf("summary.md lists %d suite problems, want the setup failure once:\n%s", n, summary)
			}
			if !strings.Contains(string(summary), "INCOMPLETE") {
				t.Errorf("summary.md does not say INCOMPLETE:\n%s", summary)
			}
			t.Logf("summary problem: %s", grepLine(string(summary), "Suite problem:"))
		})
	}
}

func faultNamed(t *testing.T, name string) Fault {
	t.Helper()
	for _, f := range Catalogue() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fault %q", name)
	return Fault{}
}

// checkReports: every file is valid UTF-8 without a C0 control other than
// tab, newline and CR, DEL or a C1 control, and parses as its format.
func checkReports(t *testing.T, dir string) {
	t.Helper()
	for _, name := range report.Files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if bad := badByte(b); bad != "" {
			t.Errorf("%s: %s", name, bad)
		}
		switch filepath.Ext(name) {
		case ".json":
			if !json.Valid(b) {
				t.Errorf("%s is not valid JSON", name)
			}
		case ".xml":
			d := xml.NewDecoder(bytes.NewReader(b))
			for {
				if _, err := d.Token(); err != nil {
					if err != io.EOF {
						t.Errorf("%s is not valid XML: %v", name, err)
					}
					break
				}
			}
		}
	}
}

func badByte(b []byte) string {
	if !utf8.Valid(b) {
		return "invalid UTF-8"
	}
	for i, r := range string(b) {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return fmt.Sprintf("control character %U at byte %d: …%q…", r, i, around(string(b), i))
		}
	}
	return ""
}

// checkConsole: a serial run has -ginkgo.no-color, so any ESC is the
// server's; under the Ginkgo CLI a process still styles Ginkgo's own
// errors, so there only the server's sequences count.
func checkConsole(t *testing.T, out string, serial bool) {
	t.Helper()
	if i := strings.IndexByte(out, 0x1b); i >= 0 && serial {
		t.Errorf("the console shows an ESC byte: …%q…", around(out, i))
	}
	for _, seq := range []string{"\x1b[31mred", "\x1b]0;owned"} {
		if i := strings.Index(out, seq); i >= 0 {
			t.Errorf("the console shows the server's %q: …%q…", seq, around(out, i))
		}
	}
	if strings.Contains(out, "\u009b") || strings.IndexByte(out, 0) >= 0 {
		t.Errorf("the console shows a C1 control or NUL from the server")
	}
}

func around(s string, i int) string {
	return s[max(0, i-80):min(len(s), i+80)]
}

func grepLine(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
