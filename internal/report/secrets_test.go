package report

import (
	"encoding/json"
	"html"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/outcome"
)

// A secret that slipped past redaction must not reach any file, however the
// file's format would spell it.
func TestWriteScrubsSecrets(t *testing.T) {
	secret := "eyS3cr3t+t0ken/with=chars&<x>'q\"" // +, /, &, <, ', " are escaped differently by JSON, HTML and XML
	key := "QUNTIGFjY2VzcyBrZXk="                 // a base64 access key
	r := fixtureReport()
	add := &r.SpecReports[1]
	add.Failure.Message += "\nthe token was " + secret
	add.CapturedGinkgoWriterOutput = "debug: key=" + key
	b := &specB{r: r.SpecReports[2]}
	ex := exch("GET", listPath+"&key="+key, 200, "", `{"token":"`+strings.ReplaceAll(secret, `"`, `\"`)+`"}`)
	b.exchange(ex)
	b.entry(outcome.EntryWarning, "[ADD-02] SHOULD: saw "+secret)
	r.SpecReports[2] = b.build()
	m := fixtureMeta()
	m.Config["CHAT_TOKEN"] = secret
	m.Secrets = []string{secret, key, "short"}

	dir := filepath.Join(t.TempDir(), "out")
	err := Write(dir, r, m)
	if err == nil || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("Write did not report the leak: %v", err)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), key) {
		t.Fatalf("the error itself leaks the secret: %v", err)
	}
	jsonSecret, _ := json.Marshal(secret)
	spellings := []string{secret, key, string(jsonSecret[1 : len(jsonSecret)-1]), html.EscapeString(secret), template.HTMLEscapeString(secret),
		template.HTMLEscapeString(key), xmlEscape(secret), "eyS3cr3t", "QUNTIGFjY2VzcyBrZXk"}
	for _, f := range Files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("%s not written despite the leak: %v", f, err)
		}
		for _, s := range spellings {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds the secret spelt %q", f, s)
			}
		}
	}
	if !strings.Contains(read(t, dir, FileResults), "REDACTED") {
		t.Error("results.json: the secret was not replaced with REDACTED")
	}
}

func TestWriteWithoutLeakReturnsNil(t *testing.T) {
	m := fixtureMeta()
	m.Secrets = []string{"a-token-that-was-never-recorded", ""}
	if err := Write(t.TempDir(), fixtureReport(), m); err != nil {
		t.Fatalf("Write: %v", err)
	}
}
