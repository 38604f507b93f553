package client

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// spy is a server that must not be reached: it counts requests and keeps
// any Authorization header it is sent.
type spy struct {
	*httptest.Server
	count atomic.Int64
	mu    sync.Mutex
	auth  []string
}

func newSpy(t *testing.T, tls bool) *spy {
	s := &spy{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.count.Add(1)
		s.mu.Lock()
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.mu.Unlock()
		w.Write([]byte(`{"value":[]}`))
	})
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

func (s *spy) auths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

func TestUntrustedNextLinkIsNotSent(t *testing.T) {
	endpoint := newSpy(t, false)
	foreign := newSpy(t, false)
	foreignHost := strings.TrimPrefix(foreign.URL, "http://")
	link := foreign.URL + "/chat/threads/19:t@thread.v2/participants?skip=1&maxPageSize=1&api-version=2024-03-07"

	c, rec, _ := newClient(t, endpoint.URL, nil)
	for _, req := range []Request{
		Follow(testToken, link),
		{URL: link, Header: http.Header{"Authorization": {"Bearer " + testToken}}}, // a raw header is a credential too
		{URL: link, Auth: HMAC()},
	} {
		resp, err := c.Do(ctxT(t), req)
		ce := wantKind(t, err, KindUntrustedHost, false)
		if resp != nil {
			t.Errorf("a response for a request that was not sent: %v", resp)
		}
		if strings.Contains(ce.Error(), testToken) || !strings.Contains(ce.Error(), foreignHost) || !strings.Contains(ce.Error(), "CHAT_TRUSTED_HOSTS") {
			t.Errorf("error: %v", ce)
		}
	}
	if n := foreign.count.Load(); n != 0 {
		t.Fatalf("the foreign host received %d requests, with Authorization %q", n, foreign.auths())
	}
	if exs, _ := rec.all(); len(exs) != 0 || c.Stats().Requests != 0 {
		t.Errorf("recorded %d exchanges, stats %+v", len(exs), c.Stats())
	}

	// The same link without a credential may go (nothing to leak).
	if _, err := c.Do(ctxT(t), Request{URL: link}); err != nil {
		t.Fatal(err)
	}
	if a := foreign.auths(); len(a) != 1 || a[0] != "" {
		t.Errorf("foreign saw %q", a)
	}

	// Listed in the trusted hosts, it may receive the token.
	c, _, _ = newClient(t, endpoint.URL, func(o *Options) { o.Trust = NewTrust(o.Endpoint, " "+strings.ToUpper(foreignHost)+" ") })
	resp, err := c.Do(ctxT(t), Follow(testToken, link))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("trusted host: %v %v", resp, err)
	}
	if a := foreign.auths(); len(a) != 2 || a[1] != "Bearer "+testToken {
		t.Errorf("foreign saw %q", a)
	}
}

func TestHTTPSDowngradeIsRefused(t *testing.T) {
	endpoint := newSpy(t, true)
	plain := newSpy(t, false)
	plainHost := strings.TrimPrefix(plain.URL, "http://")
	c, _, _ := newClient(t, endpoint.URL, func(o *Options) {
		o.HTTP = endpoint.Client()
		o.Trust = NewTrust(o.Endpoint, plainHost, "127.0.0.1") // even when listed
	})
	// Same host and port as the endpoint, over plain http.
	same := strings.Replace(endpoint.URL, "https://", "http://", 1)
	for _, link := range []string{plain.URL + "/p?skip=1", same + "/p?skip=1"} {
		_, err := c.Do(ctxT(t), Follow(testToken, link))
		ce := wantKind(t, err, KindUntrustedHost, false)
		if !strings.Contains(ce.Error(), "downgrades") {
			t.Errorf("error: %v", ce)
		}
	}
	if plain.count.Load() != 0 || endpoint.count.Load() != 0 {
		t.Errorf("requests reached a server: plain %d, endpoint %d", plain.count.Load(), endpoint.count.Load())
	}
	// The endpoint itself over https works.
	if resp, err := c.Do(ctxT(t), Follow(testToken, endpoint.URL+"/p")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("endpoint over https: %v %v", resp, err)
	}
}

func TestTrustAllows(t *testing.T) {
	azure := NewTrust(mustURL(t, "https://res.communication.azure.com"), ".communication.azure.com", ".communication.azure.net", "gw.example.com", "Other.Example.com:8443")
	local := NewTrust(mustURL(t, "http://127.0.0.1:8080"), ".communication.azure.com", "127.0.0.1:9090")
	tests := []struct {
		trust *Trust
		url   string
		ok    bool
		why   string
	}{
		{azure, "https://res.communication.azure.com/chat/threads", true, ""},
		{azure, "https://RES.Communication.Azure.com:443/chat/threads", true, ""},
		{azure, "https://acs-chat-ppe.unitedstates.ppe.communication.azure.net/chat/threads/19:a@thread.v2/participants?skip=2", true, ""},
		{azure, "https://x.communication.azure.com/p", true, ""},
		{azure, "https://gw.example.com:8443/p", true, ""},
		{azure, "https://other.example.com:8443/p", true, ""},
		{azure, "https://other.example.com/p", false, "neither"},
		{azure, "https://communication.azure.com.evil.example/p", false, "neither"},
		{azure, "https://evilcommunication.azure.com/p", false, "neither"},
		{azure, "https://res.communication.azure.com.evil.example/p", false, "neither"},
		{azure, "http://res.communication.azure.com/p", false, "downgrades"},
		{azure, "http://x.communication.azure.com/p", false, "downgrades"},
		{azure, "ftp://res.communication.azure.com/p", false, "not http(s)"},
		{azure, "https:///p", false, "no host"},
		{local, "http://127.0.0.1:8080/p", true, ""},
		{local, "http://127.0.0.1:8081/p", false, "neither"},
		{local, "http://127.0.0.1:9090/p", true, ""},
		{local, "https://127.0.0.1:8080/p", true, ""},                   // an upgrade is no leak
		{local, "http://x.communication.azure.com/p", false, "neither"}, // a suffix only over https
		{local, "https://x.communication.azure.com/p", true, ""},
		{local, "http://localhost:8080/p", false, "neither"},
		{NewTrust(mustURL(t, "https://chat.example.com")), "https://chat.example.com:443/p", true, ""},
		{NewTrust(mustURL(t, "https://chat.example.com:443")), "https://CHAT.example.com/p", true, ""},
		{NewTrust(mustURL(t, "https://chat.example.com")), "https://chat.example.com:8443/p", false, "neither"},
	}
	for _, tt := range tests {
		ok, why := tt.trust.Allows(mustURL(t, tt.url))
		if ok != tt.ok || !strings.Contains(why, tt.why) || (ok && why != "") {
			t.Errorf("Allows(%s) = %v %q, want %v %q", tt.url, ok, why, tt.ok, tt.why)
		}
	}
}
