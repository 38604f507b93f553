package report

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/chatconform/chatconform/internal/transcript"
)

// Every string a transcript can hold must come out of the shell unchanged.
func TestShellQuoteRoundTripsThroughBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to check the quoting with")
	}
	for _, s := range []string{
		`plain`,
		`Seán O'Brien`,
		`it's 'quoted' ''`,
		`$HOME $(id) ` + "`id`" + ` \n \ !event "double"`,
		"two\nlines\ttab",
		"bell\x07 and esc\x1b[31m",
		"invalid utf-8 \xff\xfe end",
		"\u2028line separator",
	} {
		out, err := exec.Command(bash, "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil {
			t.Fatalf("bash rejected %s: %v", shellQuote(s), err)
		}
		if string(out) != s {
			t.Errorf("quoted %q as %s; bash gave back %q", s, shellQuote(s), out)
		}
	}
}

func TestCurlLine(t *testing.T) {
	ex := exch("POST", addPath, 500, addBody, "")
	got := Curl(ex)
	for _, want := range []string{
		"curl -sS -i -X POST '" + endpoint + addPath + "'",
		`-H "Authorization: Bearer $CHAT_TOKEN"`,
		`-H 'Content-Type: application/json'`,
		`--data-binary '{"participants":[{"communicationIdentifier":{"rawId":"8:acs:r_1"},"displayName":"Seán O'\''Brien"}]}'`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("curl line lacks %s:\n%s", want, got)
		}
	}
	for _, bad := range []string{"REDACTED", "User-Agent"} {
		if strings.Contains(got, bad) {
			t.Errorf("curl line holds %s:\n%s", bad, got)
		}
	}
	get := Curl(exch("GET", listPath, 200, "", ""))
	if strings.Contains(get, "-X") || strings.Contains(get, "--data-binary") {
		t.Errorf("a GET needs neither -X nor a body:\n%s", get)
	}
	noAuth := exch("GET", listPath, 401, "", "")
	noAuth.RequestHeader.Del("Authorization")
	if strings.Contains(Curl(noAuth), "Authorization") {
		t.Errorf("a request sent without Authorization (ERR-01) must be repeated without it:\n%s", Curl(noAuth))
	}
	if Curl(nil) != "" {
		t.Error("Curl(nil) is not empty")
	}
}

func TestCurlOfHMACRequestSaysItNeedsSigning(t *testing.T) {
	ex := &transcript.Exchange{
		Method: "POST", URL: endpoint + "/identities?api-version=2023-10-01",
		RequestHeader: http.Header{
			"Authorization":       {"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=REDACTED"},
			"X-Ms-Date":           {"Sat, 07 Mar 2026 10:00:00 GMT"},
			"X-Ms-Content-Sha256": {"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		},
		RequestBody: `{}`,
	}
	got := Curl(ex)
	if !strings.HasPrefix(got, "# HMAC-signed") {
		t.Errorf("no note that the request must be signed:\n%s", got)
	}
	for _, want := range []string{`-H "x-ms-date: $X_MS_DATE"`, `SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=$SIGNATURE"`} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Sat, 07 Mar") || strings.Contains(got, "REDACTED") {
		t.Errorf("stale signed headers kept:\n%s", got)
	}
}

// The curl line, run by bash, must send what the suite sent: method, path,
// query, body byte for byte, and the token from $CHAT_TOKEN.
func TestCurlLineRepeatsTheRequest(t *testing.T) {
	bash, err1 := exec.LookPath("bash")
	_, err2 := exec.LookPath("curl")
	if err1 != nil || err2 != nil {
		t.Skip("needs bash and curl")
	}
	var mu sync.Mutex
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, body = r, b
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	ex := exch("POST", addPath, 500, addBody+"\n$(touch /tmp/pwned) `id` \\", "")
	ex.URL = srv.URL + addPath
	cmd := exec.Command(bash, "-c", Curl(ex))
	cmd.Env = []string{"CHAT_TOKEN=tok.en.value", "PATH=/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("curl line failed: %v\n%s\n%s", err, Curl(ex), out)
	}
	mu.Lock()
	defer mu.Unlock()
	if got == nil {
		t.Fatal("the curl line reached no server")
	}
	if path, query, _ := strings.Cut(addPath, "?"); got.Method != "POST" || got.URL.Path != path || got.URL.RawQuery != query {
		t.Errorf("sent %s %s?%s, want POST %s", got.Method, got.URL.Path, got.URL.RawQuery, addPath)
	}
	if got.Header.Get("Authorization") != "Bearer tok.en.value" {
		t.Errorf("Authorization = %q", got.Header.Get("Authorization"))
	}
	if string(body) != ex.RequestBody {
		t.Errorf("body = %q, want %q", body, ex.RequestBody)
	}
}

func TestCurlSaysWhenTheBodyWasCut(t *testing.T) {
	ex := exch("POST", addPath, 500, `{"participants":[`, "")
	ex.RequestSize = 300000
	if got := Curl(ex); !strings.HasPrefix(got, "# The transcript kept 17 of the body's 300000 bytes") {
		t.Errorf("no note on the cut body:\n%s", got)
	}
}
