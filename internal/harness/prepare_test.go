package harness

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/transcript"
)

// testEnv is process 1 of a run against a fresh reference server, wrapped
// by mw (nil: none); recorded are the exchanges its client recorded itself.
type testEnv struct {
	*Env
	srv      *refserver.Server
	mu       sync.Mutex
	recorded []*transcript.Exchange
}

func newTestEnv(t *testing.T, mw func(http.Handler) http.Handler) *testEnv {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	rs, err := refserver.New(refserver.Options{AccessKey: key})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = rs.Handler()
	if mw != nil {
		h = mw(h)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	vars := map[string]string{
		"ACS_CONNECTION_STRING": fmt.Sprintf("endpoint=%s/;accesskey=%s", hs.URL, base64.StdEncoding.EncodeToString(key)),
		"CHAT_API_VERSION":      "2025-03-15",
		"CHAT_TIMEOUT":          "5s",
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	te := &testEnv{srv: rs}
	record := func(ex *transcript.Exchange) {
		te.mu.Lock()
		te.recorded = append(te.recorded, ex)
		te.mu.Unlock()
	}
	c, err := NewClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := NewPool(t.Context(), cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = DeleteUsers(c, pool.ids(), cfg.Timeout) })
	if te.Env, err = Setup(cfg, pool, 1, nil, record); err != nil {
		t.Fatal(err)
	}
	return te
}

func (te *testEnv) tracked() int {
	te.mu.Lock()
	defer te.mu.Unlock()
	te.Env.mu.Lock()
	defer te.Env.mu.Unlock()
	return len(te.threads)
}

func (te *testEnv) recordedCount() int {
	te.mu.Lock()
	defer te.mu.Unlock()
	return len(te.recorded)
}

// The reservoir creates a thread ahead of demand, a spec takes it with its
// creation's exchanges and gets the rest created at once; the deleter
// deletes behind the specs; Teardown deletes the thread no spec took and
// Background names the spec of every exchange it did not record.
func TestReservoirAndDeleter(t *testing.T) {
	te := newTestEnv(t, nil)
	te.Prepare(1)
	deadline := time.Now().Add(10 * time.Second)
	for te.srv.Threads() < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := te.srv.Threads(); n != 1 {
		t.Fatalf("the reservoir created %d threads ahead, want 1", n)
	}
	before := te.recordedCount()
	ps, err := te.Threads(context.Background(), 3, "spec")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || len(ps[0].Exchanges) != 1 || ps[0].Exchanges[0].Method != http.MethodPost || ps[1].Exchanges != nil || ps[2].Exchanges != nil {
		t.Fatalf("want the reservoir's thread with its creation and two created now, got %+v", ps)
	}
	if got := te.recordedCount() - before; got != 2 {
		t.Errorf("the client recorded %d creations for the spec, want the 2 made now (the reservoir's is in Prepared)", got)
	}
	for _, p := range ps {
		if p.ID == "" || p.Host.Token == "" {
			t.Fatalf("thread %+v lacks id or host", p)
		}
	}
	if n := te.tracked(); n < 3 {
		t.Errorf("%d threads tracked, want the 3 taken (and the refill)", n)
	}
	for i, p := range ps {
		te.DeleteLater(p.Host, p.ID, fmt.Sprintf("spec %d", i))
	}
	if errs := te.Teardown(); len(errs) != 0 {
		t.Fatalf("Teardown: %v", errs)
	}
	if n := te.srv.Threads(); n != 0 {
		t.Errorf("the server still holds %d threads after Teardown", n)
	}
	if n := te.tracked(); n != 0 {
		t.Errorf("%d threads still tracked", n)
	}
	bg := te.Background()
	var deletes, unclaimed int
	for _, ex := range bg {
		switch {
		case ex.Method == http.MethodDelete && strings.HasPrefix(ex.ForSpec, "spec "):
			deletes++
		case ex.Method == http.MethodPost && ex.ForSpec == Unclaimed:
			unclaimed++
		default:
			t.Errorf("unexpected background exchange %s %s for %q", ex.Method, ex.URL, ex.ForSpec)
		}
	}
	if deletes != 3 || unclaimed != 1 {
		t.Errorf("background: %d deletions for specs and %d unclaimed creations, want 3 and 1", deletes, unclaimed)
	}
	if len(te.Background()) != 0 {
		t.Error("Background hands its exchanges out once")
	}
}

// A thread the deleter could not delete stays tracked: Teardown tries
// again and reports it.
func TestFailedBackgroundDeletionIsReported(t *testing.T) {
	var refuse atomic.Bool
	te := newTestEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/chat/threads/") && refuse.Load() {
				http.Error(w, `{"error":{"code":"InternalServerError","message":"no"}}`, http.StatusInternalServerError)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	te.Prepare(1)
	ps, err := te.Threads(context.Background(), 1, "spec")
	if err != nil {
		t.Fatal(err)
	}
	refuse.Store(true)
	te.DeleteLater(ps[0].Host, ps[0].ID, "spec")
	errs := te.Teardown()
	var named bool
	for _, err := range errs {
		named = named || strings.Contains(err.Error(), ps[0].ID) && strings.Contains(err.Error(), "NOT deleted")
	}
	if !named {
		t.Errorf("Teardown does not report the undeleted thread %s: %v", ps[0].ID, errs)
	}
	refuse.Store(false)
	if errs := te.Teardown(); len(errs) != 0 {
		t.Errorf("a second Teardown: %v", errs)
	}
}

// Each process starts its round robin at its share of the hosts, so that
// processes running at the same pace do not pile threads on the same
// hosts (and over the per-user creation limit).
func TestSpreadHosts(t *testing.T) {
	hosts := make([]client.User, 32)
	for i := range hosts {
		hosts[i] = client.User{RawID: fmt.Sprint(i)}
	}
	for process, want := range map[int]string{1: "0", 2: "8", 3: "16", 4: "24"} {
		e := &Env{Pool: &Pool{Hosts: hosts}}
		e.SpreadHosts(process, 4)
		if got := e.Host().RawID; got != want {
			t.Errorf("process %d of 4 starts at host %s, want %s", process, got, want)
		}
	}
	e := &Env{Pool: &Pool{Hosts: hosts}}
	e.SpreadHosts(1, 1)
	if e.Host().RawID != "0" || e.Host().RawID != "1" {
		t.Error("a serial run goes round the hosts from the first")
	}
}

// Quiesce lets the background requests in flight land, and gives up
// after its bound.
func TestQuiesce(t *testing.T) {
	var hold atomic.Int64 // how long a deletion takes, in ms
	te := newTestEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/chat/threads/") {
				time.Sleep(time.Duration(hold.Load()) * time.Millisecond)
			}
			next.ServeHTTP(w, r)
		})
	})
	te.Prepare(0)
	te.Quiesce(time.Second) // nothing in flight: at once
	ps, err := te.Threads(context.Background(), 2, "spec")
	if err != nil {
		t.Fatal(err)
	}
	hold.Store(100)
	te.DeleteLater(ps[0].Host, ps[0].ID, "spec")
	time.Sleep(10 * time.Millisecond)
	start := time.Now()
	te.Quiesce(5 * time.Second)
	if d := time.Since(start); d < 50*time.Millisecond || d > 4*time.Second {
		t.Errorf("Quiesce returned after %v, want when the 100 ms deletion landed", d)
	}
	if n := te.srv.Threads(); n != 1 {
		t.Errorf("after Quiesce the server holds %d threads, want 1", n)
	}
	hold.Store(2000)
	te.DeleteLater(ps[1].Host, ps[1].ID, "spec")
	time.Sleep(10 * time.Millisecond)
	start = time.Now()
	te.Quiesce(100 * time.Millisecond)
	if d := time.Since(start); d > time.Second {
		t.Errorf("Quiesce(100ms) waited %v for a 2 s deletion", d)
	}
	if errs := te.Teardown(); len(errs) != 0 {
		t.Fatal(errs)
	}
}
