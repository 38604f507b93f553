package procs

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/refserver"
)

func TestChoose(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		in   Input
		want int
		why  string
	}{
		{"embedded", Input{Embedded: true, Latency: 50 * ms, Versions: 6, Cores: 2}, 1, "CPU-bound"},
		{"one manual token", Input{Manual: true, Latency: 50 * ms, Versions: 6, Cores: 2}, 1, "10 thread creations"},
		{"loopback server", Input{Latency: 100 * time.Microsecond, Versions: 1, Cores: 2}, 1, "√"},
		{"a LAN", Input{Latency: 2 * ms, Versions: 1, Cores: 2}, 3, "√"},
		// √(320 × 50 ms / 62.5 ms) = 16
		{"50 ms, one version", Input{Latency: 50 * ms, Versions: 1, Cores: 2}, 16, "√"},
		// √(1920 × 50 ms / 62.5 ms) = 39.2, more than 16 per core
		{"50 ms, six versions", Input{Latency: 50 * ms, Versions: 6, Cores: 2}, 32, "at most 16 per core"},
		{"10 ms, one version", Input{Latency: 10 * ms, Versions: 1, Cores: 2}, 7, "√"},
		{"10 ms, six versions", Input{Latency: 10 * ms, Versions: 6, Cores: 2}, 18, "√"},
		{"50 ms on 8 cores", Input{Latency: 50 * ms, Versions: 1, Cores: 8}, 32, "√"},
		// 2 × 320 × 0.05 s × 20/s / 1200 = 0.53: one process keeps the cap busy
		{"50 ms under CHAT_MAX_RPS 20", Input{Latency: 50 * ms, Versions: 6, MaxRPS: 20, Cores: 2}, 1, "CHAT_MAX_RPS=20"},
		{"200 ms under CHAT_MAX_RPS 20", Input{Latency: 200 * ms, Versions: 1, MaxRPS: 20, Cores: 2}, 3, "CHAT_MAX_RPS=20"},
		{"a cap that does not bind", Input{Latency: 50 * ms, Versions: 1, MaxRPS: 1000, Cores: 2}, 16, "√"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Choose(tt.in)
			if c.Procs != tt.want || !strings.Contains(c.Why, tt.why) {
				t.Errorf("Choose(%+v) = %d (%s), want %d and a reason with %q", tt.in, c.Procs, c.Why, tt.want, tt.why)
			}
		})
	}
}

// The round trip is measured against the server, as a user minted for it
// and deleted again, and CHAT_API_VERSION=supported counts what the server
// lists.
func TestForMeasuresTheRoundTrip(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	rs, err := refserver.New(refserver.Options{AccessKey: key, Latency: 20 * time.Millisecond, ChatAPIVersions: []string{"2024-03-07", "2025-03-15", "2099-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	var minted, deleted atomic.Int32
	h := rs.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/identities":
			minted.Add(1)
		case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/identities/"):
			deleted.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer hs.Close()
	vars := map[string]string{"ACS_CONNECTION_STRING": fmt.Sprintf("endpoint=%s/;accesskey=%s", hs.URL, base64.StdEncoding.EncodeToString(key))}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	l, versions, err := Measure(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if l < 20*time.Millisecond || l > time.Second {
		t.Errorf("latency %v, want at least the server's 20ms", l)
	}
	if versions != 2 {
		t.Errorf("%d api-versions, want the 2 listed that the suite knows", versions)
	}
	if c := For(context.Background(), cfg); c.Procs < 2 || !strings.Contains(c.Why, "2 api-version") {
		t.Errorf("For = %+v", c)
	}
	if minted.Load() != 2 || deleted.Load() != 2 {
		t.Errorf("minted %d users and deleted %d, want each measurement's one deleted again", minted.Load(), deleted.Load())
	}
	hs.Close()
	if c := For(context.Background(), cfg); c.Procs != Fallback || !strings.Contains(c.Why, "could not be measured") {
		t.Errorf("For against a closed server = %+v, want the fallback", c)
	}
}
