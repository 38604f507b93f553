package refserver

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestNewValidatesOptions(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"no key", Options{}},
		{"bad resource id", Options{AccessKey: testKey, ResourceID: "a_b"}},
		{"relative public URL", Options{AccessKey: testKey, PublicURL: "/x"}},
		{"public URL with query", Options{AccessKey: testKey, PublicURL: "http://h/?a=1"}},
		{"negative scale", Options{AccessKey: testKey, RateLimits: RateLimitsACS, RateLimitScale: -1}},
		{"unknown mode", Options{AccessKey: testKey, RateLimits: 7}},
	} {
		if _, err := New(c.opts); err == nil {
			t.Errorf("%s: New succeeded", c.name)
		}
	}
	s, err := New(Options{AccessKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if !isResourceID(s.ResourceID()) || len(s.ResourceID()) != 36 {
		t.Errorf("random resource id %q is not a GUID", s.ResourceID())
	}
}

func TestLatency(t *testing.T) {
	f := newFixture(t, Options{Latency: 50 * time.Millisecond})
	start := time.Now()
	f.do("GET", "/nothing", nil, nil).wantError(t, 404)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("response after %v, want >= 50ms", d)
	}
}

func TestSelfSignedCert(t *testing.T) {
	cert, pemBytes, err := SelfSignedCert()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("PEM does not parse")
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.StartTLS()
	defer ts.Close()
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		resp, err := client.Get("https://" + host + ":" + port + "/")
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		resp.Body.Close()
	}
}

// TLS requests build https nextLinks and Locations; plain ones http.
func TestBaseURLFollowsTheRequest(t *testing.T) {
	srv, err := New(Options{AccessKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{
		"https://acs.test/x":      "https://acs.test",
		"http://127.0.0.1:8080/x": "http://127.0.0.1:8080",
	} {
		if got := srv.baseURL(httptest.NewRequest("GET", target, nil)); got != want {
			t.Errorf("baseURL(%s) = %q, want %q", target, got, want)
		}
	}
}

// A handler bug still answers with the envelope (ERR-09: never a dropped connection).
func TestPanicBecomesEnvelope(t *testing.T) {
	srv, err := New(Options{AccessKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.common(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	r := result{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	if e := r.wantError(t, 500); e.Code != "InternalServerError" {
		t.Errorf("code %q", e.Code)
	}
}
