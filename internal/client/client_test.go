package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// recorder keeps every recorded exchange, and its JSON as it was at the
// moment it was recorded (a real recorder may write it out at once).
type recorder struct {
	mu    sync.Mutex
	ex    []*transcript.Exchange
	snaps []string
}

func (r *recorder) record(ex *transcript.Exchange) {
	b, err := json.Marshal(ex)
	if err != nil {
		panic(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ex = append(r.ex, ex)
	r.snaps = append(r.snaps, string(b))
}

func (r *recorder) all() ([]*transcript.Exchange, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*transcript.Exchange(nil), r.ex...), append([]string(nil), r.snaps...)
}

// sleeps records the waits a client asked for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server is not on 127.0.0.1: %s", srv.URL)
	}
	return srv
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newClient returns a client of srv that records into a recorder and never
// really sleeps between retries.
func newClient(t *testing.T, endpoint string, mod func(*Options)) (*Client, *recorder, *sleeps) {
	t.Helper()
	rec, sl := &recorder{}, &sleeps{}
	o := Options{
		Endpoint:   mustURL(t, endpoint),
		APIVersion: wire.APIVersionStable,
		Timeout:    5 * time.Second,
		Record:     rec.record,
		Retry:      RetryPolicy{Sleep: sl.sleep},
	}
	if mod != nil {
		mod(&o)
	}
	return New(o), rec, sl
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func wantKind(t *testing.T, err error, kind Kind, harness bool) *Error {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("want a *client.Error of kind %s, got %T: %v", kind, err, err)
	}
	if ce.Kind != kind {
		t.Fatalf("want kind %s, got %s: %v", kind, ce.Kind, err)
	}
	if IsHarness(err) != harness {
		t.Errorf("IsHarness = %v, want %v for %v", IsHarness(err), harness, err)
	}
	return ce
}

const testToken = "opaque-user-token-0123456789-abcdef"

func TestResolve(t *testing.T) {
	var got atomic.Value
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.RequestURI)
		w.WriteHeader(http.StatusOK)
	})
	c, rec, _ := newClient(t, srv.URL, nil)
	based, _, _ := newClient(t, srv.URL+"/base/", nil)
	const thread = "19:acsV1_abc-DEF@thread.v2"
	q := url.Values{"maxPageSize": {"2"}, "skip": {"1"}}
	tests := []struct {
		name   string
		client *Client
		req    Request
		want   string
	}{
		{"relative path gets api-version", c, Request{URL: "/chat/threads"}, "/chat/threads?api-version=2024-03-07"},
		{"thread id keeps : and @", c, ListParticipants(testToken, thread, "2", "1"),
			"/chat/threads/19:acsV1_abc-DEF@thread.v2/participants?api-version=2024-03-07&maxPageSize=2&skip=1"},
		{"add path", c, AddRaw(testToken, thread, nil), "/chat/threads/19:acsV1_abc-DEF@thread.v2/participants/:add?api-version=2024-03-07"},
		{"endpoint base path", based, Request{URL: "/chat/threads/" + thread, Query: q},
			"/base/chat/threads/19:acsV1_abc-DEF@thread.v2?api-version=2024-03-07&maxPageSize=2&skip=1"},
		{"api-version override", c, Request{URL: "/x", APIVersion: wire.APIVersionPreview}, "/x?api-version=2024-03-15-preview"},
		{"explicit api-version query wins", c, Request{URL: "/x", Query: url.Values{"api-version": {"1999-01-01"}}}, "/x?api-version=1999-01-01"},
		{"no api-version", c, Request{URL: "/x", NoAPIVersion: true, Query: q}, "/x?maxPageSize=2&skip=1"},
		{"identity path keeps the raw id", c, IssueToken("8:acs:res_u1", "chat"), "/identities/8:acs:res_u1/:issueAccessToken?api-version=2023-10-01"},
		{"absolute nextLink is followed exactly", c,
			Follow(testToken, srv.URL+"/chat/threads/"+thread+"/participants?skip=2&maxPageSize=2"),
			"/chat/threads/19:acsV1_abc-DEF@thread.v2/participants?skip=2&maxPageSize=2"},
		{"absolute nextLink keeps its query order and encoding", c,
			Follow(testToken, srv.URL+"/chat/threads/19%3Aa@thread.v2/participants?skip=2&maxPageSize=2&api-version=2025-03-15&x=a%2Fb"),
			"/chat/threads/19%3Aa@thread.v2/participants?skip=2&maxPageSize=2&api-version=2025-03-15&x=a%2Fb"},
		{"absolute URL with an upper-case scheme", c,
			Follow(testToken, strings.Replace(srv.URL, "http://", "HTTP://", 1)+"/p?skip=1"), "/p?skip=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got.Store("")
			hmacless := tt.req
			if hmacless.Auth.hmac {
				hmacless.Auth = NoAuth // the path is what is tested here
			}
			resp, err := tt.client.Do(ctxT(t), hmacless)
			if err != nil {
				t.Fatal(err)
			}
			if g := got.Load().(string); g != tt.want {
				t.Errorf("server saw %q\nwant          %q", g, tt.want)
			}
			if !strings.HasSuffix(resp.Exchange.URL, tt.want) {
				t.Errorf("exchange URL %q does not end in %q", resp.Exchange.URL, tt.want)
			}
		})
	}
	if exs, _ := rec.all(); len(exs) == 0 {
		t.Error("nothing recorded")
	}

	_, err := c.Do(ctxT(t), Follow(testToken, "http://[::1"))
	wantKind(t, err, KindRequest, true)
}

func TestDefaults(t *testing.T) {
	var mu sync.Mutex
	var last http.Header
	seenHeader := func() http.Header { mu.Lock(); defer mu.Unlock(); return last }
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		last = r.Header.Clone()
		mu.Unlock()
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, `{"method":%q,"len":%d}`, r.Method, len(b))
	})
	c := New(Options{Endpoint: mustURL(t, srv.URL), APIVersion: wire.APIVersionStable})
	if c.o.Timeout != 30*time.Second || c.o.MaxBody != DefaultMaxBody || c.o.Retry.MaxAttempts != 6 ||
		c.o.Retry.MaxWait != 65*time.Second || c.o.Retry.Base != 500*time.Millisecond || c.Redactor() == nil {
		t.Errorf("defaults: %+v", c.o)
	}
	if c.Endpoint().String() != srv.URL || c.APIVersion() != wire.APIVersionStable {
		t.Errorf("Endpoint %s APIVersion %s", c.Endpoint(), c.APIVersion())
	}
	resp, err := c.Do(ctxT(t), Request{URL: "/x", Header: http.Header{"x-custom": {"1"}}})
	if err != nil {
		t.Fatal(err)
	}
	seen := seenHeader()
	if string(resp.Body) != `{"method":"GET","len":0}` || seen.Get("Content-Type") != "" || seen.Get("Accept") != "application/json" ||
		seen.Get("User-Agent") != "chatconform" || seen.Get("X-Custom") != "1" || seen.Get("Authorization") != "" {
		t.Errorf("body %s, headers %v", resp.Body, seen)
	}
	resp, err = c.Do(ctxT(t), AddRaw(testToken, "t", nil))
	if err != nil {
		t.Fatal(err)
	}
	seen = seenHeader()
	if string(resp.Body) != `{"method":"POST","len":0}` || seen.Get("Content-Type") != "application/json" || seen.Get("Authorization") != "Bearer "+testToken {
		t.Errorf("body %s, headers %v", resp.Body, seen)
	}
	var m map[string]any
	if err := resp.JSON(&m); err != nil || m["method"] != "POST" {
		t.Errorf("JSON: %v %v", m, err)
	}
	if s := c.Stats(); s.Requests != 2 || s.Retries != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

// identityServer is a fake ACS resource that mints opaque and JWT-shaped
// tokens and echoes every credential it receives back in headers and bodies.
func identityServer(t *testing.T, key []byte, sigs chan<- string) *httptest.Server {
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if _, sig, ok := strings.Cut(auth, "Signature="); ok {
			sigs <- sig
		}
		w.Header().Set("X-Echo-Authorization", auth)
		w.Header().Set("X-Echo-Key", base64.StdEncoding.EncodeToString(key))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/identities":
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"identity":{"id":"8:acs:res_u1"},"accessToken":{"token":%q,"expiresOn":"2030-01-01T00:00:00+00:00"},"echo":%q,"key":%q}`,
				testToken, auth, base64.StdEncoding.EncodeToString(key))
		case strings.HasSuffix(r.URL.Path, "/:issueAccessToken"):
			fmt.Fprintf(w, `{"token":%q,"expiresOn":"2030-01-01T00:00:00+00:00"}`, jwtToken(t, "acs:res_u1"))
		default:
			fmt.Fprintf(w, `{"echo":%q}`, auth)
		}
	})
}

func TestTranscriptsAreRedacted(t *testing.T) {
	key := []byte("access-key-bytes-for-the-test-0123")
	sigs := make(chan string, 16)
	srv := identityServer(t, key, sigs)
	c, rec, _ := newClient(t, srv.URL, func(o *Options) { o.AccessKey = key })
	ctx := ctxT(t)

	u, err := c.NewUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.RawID != "8:acs:res_u1" || u.Token != testToken {
		t.Fatalf("NewUser = %+v", u)
	}
	resp, err := c.Do(ctx, IssueToken(u.RawID, "chat"))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("issue: %v %v", resp, err)
	}
	var issued wire.AccessToken
	if err := resp.JSON(&issued); err != nil || issued.Token == "" {
		t.Fatalf("issued token: %v %v", issued, err)
	}
	if _, err := c.Do(ctx, ListParticipants(u.Token, "19:t@thread.v2", "", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, Request{URL: "/raw", Header: http.Header{"Authorization": {"Bearer " + issued.Token}}}); err != nil {
		t.Fatal(err)
	}

	exs, snaps := rec.all()
	if len(exs) != 4 || c.Stats().Requests != 4 {
		t.Fatalf("recorded %d exchanges for 4 requests (stats %+v)", len(exs), c.Stats())
	}
	close(sigs)
	secrets := []string{testToken, issued.Token, base64.StdEncoding.EncodeToString(key), string(key)}
	for sig := range sigs {
		secrets = append(secrets, sig, url.QueryEscape(sig))
	}
	if len(secrets) != 4+2*2 {
		t.Fatalf("the server saw %d HMAC signatures, want 2", (len(secrets)-4)/2)
	}
	for i, ex := range exs {
		j, err := json.Marshal(ex)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{ex.String(), string(j), snaps[i]} {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("exchange %d reveals %q:\n%s", i, s, text)
				}
			}
		}
		if !strings.Contains(ex.String(), "REDACTED") {
			t.Errorf("exchange %d shows no redaction at all:\n%s", i, ex)
		}
	}
	if got := exs[0].RequestHeader.Get("Authorization"); !strings.HasPrefix(got, "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=REDACTED") {
		t.Errorf("HMAC Authorization recorded as %q", got)
	}
	if got := exs[2].RequestHeader.Get("Authorization"); got != "Bearer REDACTED" {
		t.Errorf("bearer Authorization recorded as %q", got)
	}
	// The caller still gets the unredacted response.
	if !strings.Contains(string(resp.Body), issued.Token) {
		t.Error("the response body handed to the caller was redacted")
	}
}

func TestRecordedBodyIsRedactedBeforeItIsCut(t *testing.T) {
	// A registered secret straddling transcript.MaxRecordedBody must not
	// leave its head in the transcript.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("a", transcript.MaxRecordedBody-10)+testToken+strings.Repeat("b", 100))
	})
	c, rec, _ := newClient(t, srv.URL, nil)
	resp, err := c.Do(ctxT(t), Follow(testToken, srv.URL+"/x"))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != transcript.MaxRecordedBody+len(testToken)+90 {
		t.Errorf("caller got %d bytes", len(resp.Body))
	}
	exs, _ := rec.all()
	ex := exs[0]
	if !ex.BodyTruncated || len(ex.ResponseBody) != transcript.MaxRecordedBody {
		t.Errorf("BodyTruncated %v, recorded %d bytes", ex.BodyTruncated, len(ex.ResponseBody))
	}
	if strings.Contains(ex.ResponseBody, testToken[:10]) {
		t.Errorf("the transcript keeps the head of the token: %q", ex.ResponseBody[len(ex.ResponseBody)-20:])
	}
}

// throttler answers the first n requests with status and header, then 200.
func throttler(t *testing.T, n int, status int, header func() http.Header) (*httptest.Server, *atomic.Int64) {
	var count atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if int(count.Add(1)) <= n {
			for k, vs := range header() {
				w.Header()[k] = vs
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":{"code":%q,"message":"slow down"}}`, wire.ErrorCodes[status])
			return
		}
		io.WriteString(w, `{"value":[]}`)
	})
	return srv, &count
}

func TestRetries(t *testing.T) {
	seconds := func(s string) func() http.Header {
		return func() http.Header { return http.Header{"Retry-After": {s}} }
	}
	date := func(in time.Duration) func() http.Header {
		return func() http.Header {
			return http.Header{"Retry-After": {time.Now().Add(in).UTC().Format(http.TimeFormat)}}
		}
	}
	none := func() http.Header { return nil }
	tests := []struct {
		name     string
		status   int
		header   func() http.Header
		failures int
		policy   RetryPolicy
		check    func(t *testing.T, waits []time.Duration)
	}{
		{"429 with Retry-After seconds", 429, seconds("1"), 2, RetryPolicy{}, func(t *testing.T, w []time.Duration) {
			if len(w) != 2 || w[0] != time.Second || w[1] != time.Second {
				t.Errorf("waits %v, want [1s 1s]", w)
			}
		}},
		{"429 with Retry-After HTTP date", 429, date(30 * time.Second), 1, RetryPolicy{}, func(t *testing.T, w []time.Duration) {
			if len(w) != 1 || w[0] < 27*time.Second || w[0] > 30*time.Second {
				t.Errorf("waits %v, want about 30s", w)
			}
		}},
		{"429 with Retry-After date in the past", 429, date(-time.Hour), 1, RetryPolicy{}, func(t *testing.T, w []time.Duration) {
			if len(w) != 1 || w[0] != 0 {
				t.Errorf("waits %v, want [0s]", w)
			}
		}},
		{"Retry-After capped at MaxWait", 429, seconds("999999999999999"), 1, RetryPolicy{MaxWait: 3 * time.Second}, func(t *testing.T, w []time.Duration) {
			if len(w) != 1 || w[0] != 3*time.Second {
				t.Errorf("waits %v, want [3s]", w)
			}
		}},
		{"503 without Retry-After backs off exponentially", 503, none, 4, RetryPolicy{}, func(t *testing.T, w []time.Duration) {
			want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
			if fmt.Sprint(w) != fmt.Sprint(want) {
				t.Errorf("waits %v, want %v", w, want)
			}
		}},
		{"503 with garbage Retry-After backs off from Base", 503, seconds("soon"), 2, RetryPolicy{Base: 10 * time.Millisecond, MaxWait: 15 * time.Millisecond}, func(t *testing.T, w []time.Duration) {
			if fmt.Sprint(w) != fmt.Sprint([]time.Duration{10 * time.Millisecond, 15 * time.Millisecond}) {
				t.Errorf("waits %v, want [10ms 15ms]", w)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, count := throttler(t, tt.failures, tt.status, tt.header)
			c, rec, sl := newClient(t, srv.URL, func(o *Options) {
				o.Retry.MaxWait, o.Retry.Base = tt.policy.MaxWait, tt.policy.Base
			})
			resp, err := c.Do(ctxT(t), ListParticipants(testToken, "19:t@thread.v2", "", ""))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != http.StatusOK || string(resp.Body) != `{"value":[]}` {
				t.Errorf("final response %d %s", resp.Status, resp.Body)
			}
			attempts := tt.failures + 1
			if int(count.Load()) != attempts {
				t.Errorf("server saw %d requests, want %d", count.Load(), attempts)
			}
			if s := c.Stats(); s.Requests != int64(attempts) || s.Retries != int64(tt.failures) {
				t.Errorf("Stats = %+v", s)
			}
			exs, snaps := rec.all()
			if len(exs) != attempts {
				t.Fatalf("recorded %d exchanges, want %d", len(exs), attempts)
			}
			for i, ex := range exs {
				if ex.Attempt != i+1 {
					t.Errorf("exchange %d has Attempt %d", i, ex.Attempt)
				}
				last := i == len(exs)-1
				if last != (ex.Retried == "") {
					t.Errorf("exchange %d: Retried = %q", i, ex.Retried)
				}
				// What the recorder saw when it was handed the exchange.
				if !last && (!strings.Contains(snaps[i], `"retried":"`) || !strings.Contains(snaps[i], fmt.Sprintf("before attempt %d", i+2))) {
					t.Errorf("exchange %d was recorded before it was marked retried: %s", i, snaps[i])
				}
				if !last && !strings.Contains(ex.String(), "~ retried: ") {
					t.Errorf("String() does not say it was retried:\n%s", ex)
				}
			}
			if resp.Exchange != exs[len(exs)-1] {
				t.Error("the response does not carry the last exchange")
			}
			tt.check(t, sl.all())
		})
	}
}

func TestRetriesCappedAtMaxAttempts(t *testing.T) {
	srv, count := throttler(t, 1000, http.StatusTooManyRequests, func() http.Header { return http.Header{"Retry-After": {"1"}} })
	c, rec, sl := newClient(t, srv.URL, func(o *Options) { o.Retry.MaxAttempts = 3 })
	resp, err := c.Do(ctxT(t), CreateThread(testToken, "topic", nil))
	ce := wantKind(t, err, KindThrottled, true)
	if !strings.Contains(ce.Error(), "still 429 after 3 attempts") {
		t.Errorf("error: %v", ce)
	}
	if resp == nil || resp.Status != http.StatusTooManyRequests {
		t.Fatalf("want the last 429 back, got %v", resp)
	}
	exs, _ := rec.all()
	if count.Load() != 3 || len(exs) != 3 || len(sl.all()) != 2 || c.Stats().Retries != 2 {
		t.Errorf("requests %d, recorded %d, sleeps %v, stats %+v", count.Load(), len(exs), sl.all(), c.Stats())
	}
	if exs[2].Retried != "" || exs[1].Retried == "" {
		t.Errorf("Retried: %q, %q", exs[1].Retried, exs[2].Retried)
	}

	// Default budget.
	c, _, _ = newClient(t, srv.URL, nil)
	count.Store(0)
	_, err = c.Do(ctxT(t), CreateThread(testToken, "topic", nil))
	wantKind(t, err, KindThrottled, true)
	if count.Load() != 6 {
		t.Errorf("default MaxAttempts: %d requests, want 6", count.Load())
	}
}

func TestNoRetry(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		srv, count := throttler(t, 1000, status, func() http.Header { return http.Header{"Retry-After": {"1"}} })
		c, rec, sl := newClient(t, srv.URL, nil)
		req := ListParticipants(testToken, "19:t@thread.v2", "", "").NoRetry()
		if !req.Subject {
			t.Fatal("NoRetry did not mark the request")
		}
		resp, err := c.Do(ctxT(t), req)
		if err != nil {
			t.Fatalf("a subject's %d must come back as is, got %v", status, err)
		}
		exs, _ := rec.all()
		if resp.Status != status || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(resp.Body), "slow down") {
			t.Errorf("response %d %v %s", resp.Status, resp.Header, resp.Body)
		}
		if count.Load() != 1 || len(exs) != 1 || exs[0].Retried != "" || len(sl.all()) != 0 || c.Stats().Retries != 0 {
			t.Errorf("requests %d, recorded %d, sleeps %v, stats %+v", count.Load(), len(exs), sl.all(), c.Stats())
		}
	}
}

func TestRetryWaitCancelled(t *testing.T) {
	srv, count := throttler(t, 1000, http.StatusServiceUnavailable, func() http.Header { return nil })
	c, rec, _ := newClient(t, srv.URL, func(o *Options) { o.Retry.Sleep = nil }) // the real sleep
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp, err := c.Do(ctx, Request{URL: "/x"})
	wantKind(t, err, KindTimeout, true)
	if time.Since(start) > 2*time.Second || resp == nil || resp.Status != 503 || count.Load() != 1 {
		t.Errorf("took %s, response %v, %d requests", time.Since(start), resp, count.Load())
	}
	if exs, _ := rec.all(); len(exs) != 1 {
		t.Errorf("recorded %d", len(exs))
	}
}

func TestBackoffDoesNotOverflow(t *testing.T) {
	c := New(Options{Endpoint: mustURL(t, "http://127.0.0.1:1"), Retry: RetryPolicy{MaxAttempts: 200}})
	for attempt := 1; attempt <= 200; attempt++ {
		d := c.backoff("", attempt)
		if d <= 0 || d > c.o.Retry.MaxWait {
			t.Fatalf("attempt %d: backoff %s", attempt, d)
		}
	}
	if d := c.backoff("-5", 1); d != 500*time.Millisecond {
		t.Errorf("negative Retry-After: %s", d)
	}
}

func TestTimeouts(t *testing.T) {
	const timeout = 200 * time.Millisecond
	release := make(chan struct{})
	block := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		case <-time.After(10 * time.Second):
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		kind    Kind
		resp    bool // a status line arrived
	}{
		{"server never answers", func(w http.ResponseWriter, r *http.Request) { block(r) }, KindTimeout, false},
		{"headers then a stalled body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, `{"value":[`)
			w.(http.Flusher).Flush()
			block(r)
		}, KindTimeout, true},
		{"connection reset", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // RST, not FIN
			}
			conn.Close()
		}, KindNetwork, false},
		{"connection closed mid-body", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"va")
			buf.Flush()
			conn.Close()
		}, KindNetwork, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.handler)
			t.Cleanup(func() { srv.CloseClientConnections() })
			c, rec, sl := newClient(t, srv.URL, func(o *Options) { o.Timeout = timeout })
			start := time.Now()
			resp, err := c.Do(ctxT(t), ListParticipants(testToken, "19:t@thread.v2", "", ""))
			took := time.Since(start)
			ce := wantKind(t, err, tt.kind, true)
			if tt.kind == KindTimeout {
				if took < timeout || took > timeout+time.Second {
					t.Errorf("gave up after %s, want about %s", took, timeout)
				}
				if !strings.Contains(ce.Error(), "CHAT_TIMEOUT=200ms") {
					t.Errorf("error does not name CHAT_TIMEOUT: %v", ce)
				}
			}
			if tt.resp != (resp != nil) {
				t.Errorf("response %v", resp)
			}
			exs, _ := rec.all()
			if len(exs) != 1 || exs[0].Err == "" || len(sl.all()) != 0 {
				t.Fatalf("recorded %d exchanges (%v), sleeps %v: a failed attempt is recorded once and not retried", len(exs), exs, sl.all())
			}
			if !strings.Contains(exs[0].String(), "! ") {
				t.Errorf("String() does not show the error:\n%s", exs[0])
			}
			if strings.Contains(ce.Error(), testToken) || strings.Contains(exs[0].String(), testToken) {
				t.Error("the token leaked into an error")
			}
		})
	}
	close(release)
}

func TestBoundedBody(t *testing.T) {
	const total = 100 << 20
	var written atomic.Int64
	done := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat(" ", 32<<10))
		for written.Load() < total {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	c, rec, _ := newClient(t, srv.URL, func(o *Options) { o.MaxBody = 1 << 20; o.Timeout = 10 * time.Second })
	start := time.Now()
	resp, err := c.Do(ctxT(t), Request{URL: "/big"})
	wantKind(t, err, KindBodyTooLarge, false)
	if resp == nil || len(resp.Body) != 1<<20 || resp.Status != http.StatusOK {
		t.Fatalf("response %v", resp)
	}
	exs, _ := rec.all()
	if len(exs) != 1 || !exs[0].BodyTruncated || len(exs[0].ResponseBody) != transcript.MaxRecordedBody || !strings.Contains(exs[0].Err, "exceeds 1048576 bytes") {
		t.Errorf("exchange: %d recorded, truncated %v, %d bytes, err %q", len(exs), exs[0].BodyTruncated, len(exs[0].ResponseBody), exs[0].Err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the server is still writing 5s after the client gave up")
	}
	if w := written.Load(); w >= total/2 {
		t.Errorf("the server wrote %d MB before noticing: the client read on", w>>20)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s", took)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var stolen atomic.Int64
	foreign := newServer(t, func(w http.ResponseWriter, r *http.Request) { stolen.Add(1) })
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, foreign.URL+"/steal", http.StatusFound)
	})
	followAll := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }, Timeout: time.Nanosecond}
	c, rec, _ := newClient(t, srv.URL, func(o *Options) { o.HTTP = followAll })
	resp, err := c.Do(ctxT(t), ListParticipants(testToken, "19:t@thread.v2", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusFound || resp.Header.Get("Location") != foreign.URL+"/steal" {
		t.Errorf("response %d %v", resp.Status, resp.Header)
	}
	if exs, _ := rec.all(); stolen.Load() != 0 || len(exs) != 1 {
		t.Errorf("the redirect was followed: foreign saw %d, recorded %d", stolen.Load(), len(exs))
	}
	if followAll.CheckRedirect == nil || followAll.Timeout != time.Nanosecond {
		t.Error("New changed the caller's http.Client")
	}
}

func TestLimiterIsWaitedOnBeforeEachAttempt(t *testing.T) {
	var mu sync.Mutex
	var seen []time.Time
	var count atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, time.Now())
		mu.Unlock()
		if count.Add(1) == 2 {
			w.WriteHeader(http.StatusTooManyRequests) // retried: the retry waits for the limiter too
		}
	})
	const every = 60 * time.Millisecond
	lim := rate.NewLimiter(rate.Every(every), 1)
	c, _, _ := newClient(t, srv.URL, func(o *Options) { o.Limiter = lim })
	for range 3 {
		if _, err := c.Do(ctxT(t), Request{URL: "/x"}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	times := append([]time.Time(nil), seen...)
	mu.Unlock()
	if len(times) != 4 {
		t.Fatalf("server saw %d requests, want 4", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < every-15*time.Millisecond {
			t.Errorf("requests %d and %d only %s apart, want about %s", i, i+1, gap, every)
		}
	}

	// A limiter wait that cannot finish in time sends nothing.
	slow := rate.NewLimiter(rate.Every(time.Hour), 1)
	c, rec, _ := newClient(t, srv.URL, func(o *Options) { o.Limiter = slow })
	if _, err := c.Do(ctxT(t), Request{URL: "/x"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, Request{URL: "/x"})
	ce := wantKind(t, err, KindTimeout, true)
	if !strings.Contains(ce.Error(), "CHAT_MAX_RPS") {
		t.Errorf("error: %v", ce)
	}
	if exs, _ := rec.all(); count.Load() != 5 || len(exs) != 1 {
		t.Errorf("server saw %d requests (want 5), recorded %d (want 1)", count.Load(), len(exs))
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		kind    Kind
		name    string
		harness bool
	}{
		{KindTimeout, "timeout", true},
		{KindNetwork, "network error", true},
		{KindThrottled, "throttled", true},
		{KindBodyTooLarge, "response body too large", false},
		{KindUntrustedHost, "untrusted host", false},
		{KindRequest, "invalid request", true},
		{Kind(0), "unknown", false},
	}
	for _, tt := range tests {
		inner := errors.New("boom")
		e := &Error{Kind: tt.kind, Method: "GET", URL: "http://h/x", Err: inner}
		if tt.kind.String() != tt.name || e.Harness() != tt.harness || IsHarness(fmt.Errorf("wrapped: %w", e)) != tt.harness {
			t.Errorf("%d: String %q Harness %v", tt.kind, tt.kind.String(), e.Harness())
		}
		if e.Error() != "GET http://h/x: "+tt.name+": boom" || !errors.Is(e, inner) {
			t.Errorf("Error() = %q", e.Error())
		}
	}
	if IsHarness(errors.New("plain")) || IsHarness(nil) {
		t.Error("IsHarness of a non-client error")
	}
}

func TestSecretsRegisteredOnce(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"accessToken":{"token":%q}}`, "issued-opaque-token-42")
	})
	c, _, _ := newClient(t, srv.URL, func(o *Options) { o.AccessKey = []byte("k") })
	for range 20 {
		if _, err := c.Do(ctxT(t), Follow(testToken, srv.URL+"/x")); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	c.secrets.Range(func(any, any) bool { n++; return true })
	if n != 3 { // the access key, the bearer token, the issued token
		t.Errorf("%d secrets registered, want 3", n)
	}
	if got := c.Redactor().String("x issued-opaque-token-42 " + testToken + " " + base64.StdEncoding.EncodeToString([]byte("k"))); got != "x REDACTED REDACTED "+base64.StdEncoding.EncodeToString([]byte("k")) {
		// A one-byte key encodes to 4 characters, below the redactor's minimum.
		t.Errorf("redacted: %q", got)
	}
}

// TestErrorsAreRedacted: a token in the URL of a request that fails before,
// or instead of, an answer is redacted from the *Error and the exchange.
func TestErrorsAreRedacted(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // connection refused: the dial error quotes the URL
	tests := []struct {
		name     string
		endpoint string
		url      string
		kind     Kind
		recorded bool
	}{
		{"unparsable URL", "http://127.0.0.1:1", "http://127.0.0.1:1/%zz?t=" + testToken, KindRequest, false},
		{"untrusted host", "http://127.0.0.1:1", "http://other.example/x?t=" + testToken, KindUntrustedHost, false},
		{"connection refused", down.URL, down.URL + "/x?t=" + testToken, KindNetwork, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newClient(t, tt.endpoint, nil)
			_, err := c.Do(ctxT(t), Follow(testToken, tt.url))
			ce := wantKind(t, err, tt.kind, tt.kind != KindUntrustedHost)
			if strings.Contains(ce.Error(), testToken) || !strings.Contains(ce.Error(), "REDACTED") {
				t.Errorf("error not redacted: %v", ce)
			}
			exs, _ := rec.all()
			if len(exs) != map[bool]int{false: 0, true: 1}[tt.recorded] {
				t.Fatalf("recorded %d exchanges", len(exs))
			}
			for _, ex := range exs {
				if strings.Contains(ex.String(), testToken) || !strings.Contains(ex.Err, "REDACTED") {
					t.Errorf("exchange not redacted:\n%s", ex)
				}
			}
		})
	}
}

// A context from RecordTo takes a request's exchanges, retries included,
// away from Options.Record: work done off a spec's goroutine keeps its
// transcripts for the spec it was done for.
func TestRecordToRoutesExchanges(t *testing.T) {
	srv, _ := throttler(t, 1, http.StatusTooManyRequests, func() http.Header { return http.Header{"Retry-After": {"0"}} })
	c, rec, _ := newClient(t, srv.URL, nil)
	own := &recorder{}
	if _, err := c.Do(RecordTo(ctxT(t), own.record), ListParticipants(testToken, "19:t@thread.v2", "", "")); err != nil {
		t.Fatal(err)
	}
	if exs, _ := own.all(); len(exs) != 2 || exs[0].Retried == "" {
		t.Errorf("RecordTo's recorder got %d exchanges, want the throttled attempt and its retry", len(exs))
	}
	if exs, _ := rec.all(); len(exs) != 0 {
		t.Errorf("Options.Record got %d exchanges of a request recorded elsewhere", len(exs))
	}
	if _, err := c.Do(ctxT(t), ListParticipants(testToken, "19:t@thread.v2", "", "")); err != nil {
		t.Fatal(err)
	}
	if exs, _ := rec.all(); len(exs) != 1 {
		t.Errorf("without RecordTo Options.Record got %d exchanges, want 1", len(exs))
	}
}
