package perf

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatconform/chatconform/internal/limits"
)

func TestResourceBoundTakesTheSlowerWindow(t *testing.T) {
	l := limits.ACS(1)
	members := func(n int) Resource {
		return Resource{Key: "members/t", Rules: []limits.Rule{l.MembersShort, l.MembersLong}, Requests: n}
	}
	for n, want := range map[int]time.Duration{10: 0, 11: 10 * time.Second, 30: 20 * time.Second, 31: time.Minute, 40: time.Minute, 61: 2 * time.Minute} {
		if got := members(n).Bound(); got != want {
			t.Errorf("%d adds on one thread: bound %v, want %v", n, got, want)
		}
	}
}

func TestLimitBound(t *testing.T) {
	l := limits.ACS(1)
	rs := []Resource{
		{Key: "list/t", Rules: []limits.Rule{l.ListPerThread}, Requests: 260},
		{Key: "threads/u", Rules: []limits.Rule{l.ThreadsPerUser}, Requests: 35},
		{Key: "members/t", Rules: []limits.Rule{l.MembersShort, l.MembersLong}, Requests: 12},
	}
	b, worst := LimitBound(rs)
	if b != 30*time.Second || worst.Key != "threads/u" {
		t.Errorf("bound %v set by %q, want 30s by threads/u", b, worst.Key)
	}
	if b, worst := LimitBound(nil); b != 0 || worst.Key != "" {
		t.Errorf("no resources: %v %q", b, worst.Key)
	}
}

func token(t *testing.T, skypeID string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"skypeid": skypeID}).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCounterKeysLikeTheServer(t *testing.T) {
	status := http.StatusOK
	c := NewCounter(limits.ACS(1))
	srv := httptest.NewServer(c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
	})))
	defer srv.Close()
	alice, bob := token(t, "acs:r_alice"), token(t, "8:acs:r_bob")
	send := func(method, path, tok string, want int) {
		t.Helper()
		status = want
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	const v = "?api-version=2024-03-07"
	send("POST", "/chat/threads"+v, alice, 201)
	send("DELETE", "/chat/threads/19:a@thread.v2"+v, alice, 204)
	send("POST", "/chat/threads"+v, bob, 201)
	send("POST", "/chat/threads/19:a@thread.v2/participants/:add"+v, alice, 201)
	send("POST", "/chat/threads/19:a@thread.v2/participants/:remove"+v, alice, 204)
	send("POST", "/chat/threads/19:a@thread.v2/participants/:add"+v, bob, 403) // after the limiter: counts
	send("GET", "/chat/threads/19:a@thread.v2/participants"+v, alice, 200)
	send("GET", "/chat/threads/19:a@thread.v2/participants"+v+"&skip=2", alice, 200)
	send("GET", "/chat/threads/19:a@thread.v2/participants"+v, bob, 404)
	// Not admitted by the limiter, or not limited at all.
	send("GET", "/chat/threads/19:a@thread.v2/participants"+v, alice, 429)
	send("POST", "/chat/threads/19:a@thread.v2/participants/:add"+v, "not-a-jwt", 401)
	send("POST", "/chat/threads/19:a@thread.v2/participants/:add"+v, alice, 401)
	send("POST", "/chat/threads/19:a@thread.v2/participants/:add"+v, alice, 413)
	send("POST", "/chat/threads/19:a@thread.v2/participants/:add", alice, 400)
	send("POST", "/chat/threads/19:a@thread.v2/participants/:add?api-version=1999-01-01", alice, 400)
	send("GET", "/chat/threads/19:a@thread.v2"+v, alice, 200)
	send("POST", "/identities"+v, "", 201)
	send("GET", "/chat/threads//participants"+v, alice, 404)
	send("PUT", "/chat/threads/19:a@thread.v2/participants"+v, alice, 405)

	got := map[string]int{}
	for _, r := range c.Resources() {
		got[r.Key] = r.Requests
	}
	want := map[string]int{
		"threads/8:acs:r_alice":             2,
		"threads/8:acs:r_bob":               1,
		"members/19:a@thread.v2":            3,
		"list/19:a@thread.v2/8:acs:r_alice": 2,
		"list/19:a@thread.v2/8:acs:r_bob":   1,
		"list/19:a@thread.v2":               3,
	}
	if len(got) != len(want) {
		t.Errorf("resources %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d requests, want %d", k, got[k], n)
		}
	}
	if c.Throttled() != 1 {
		t.Errorf("Throttled() = %d, want 1", c.Throttled())
	}
	for _, r := range c.Resources() {
		if k := r.Kind(); !strings.HasPrefix(k, "create/delete per user") && !strings.HasPrefix(k, "add/remove") && !strings.HasPrefix(k, "list per") {
			t.Errorf("%s: kind %q", r.Key, r.Kind())
		}
	}
	c.Reset()
	if len(c.Resources()) != 0 || c.Throttled() != 0 {
		t.Error("Reset kept counts")
	}
}
