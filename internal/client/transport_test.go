package client

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewHTTPWithCAFile(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	do := func(t *testing.T, caFile string, insecure bool) error {
		t.Helper()
		hc, err := NewHTTP(caFile, insecure)
		if err != nil {
			t.Fatal(err)
		}
		c, _, _ := newClient(t, srv.URL, func(o *Options) { o.HTTP = hc; o.Timeout = 5 * time.Second })
		resp, err := c.Do(ctxT(t), Request{URL: "/x"})
		if err == nil && (resp.Status != http.StatusOK || string(resp.Body) != `{}`) {
			t.Errorf("response %d %s", resp.Status, resp.Body)
		}
		return err
	}
	t.Run("rejected without the CA", func(t *testing.T) {
		err := do(t, "", false)
		ce := wantKind(t, err, KindNetwork, true)
		if !strings.Contains(ce.Error(), "certificate") {
			t.Errorf("error: %v", ce)
		}
	})
	t.Run("accepted with the CA file", func(t *testing.T) {
		if err := do(t, caFile, false); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("insecure skips verification", func(t *testing.T) {
		if err := do(t, "", true); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("bad CA files", func(t *testing.T) {
		if _, err := NewHTTP(filepath.Join(dir, "missing.pem"), false); err == nil || !strings.Contains(err.Error(), "CHAT_CA_FILE") {
			t.Errorf("missing file: %v", err)
		}
		junk := filepath.Join(dir, "junk.pem")
		if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := NewHTTP(junk, false); err == nil || !strings.Contains(err.Error(), "CHAT_CA_FILE="+junk) {
			t.Errorf("junk file: %v", err)
		}
	})
}
