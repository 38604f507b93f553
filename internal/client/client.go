// Package client is the thin HTTP client the specs use. It hides nothing of
// the wire: every call returns a transcript.Response snapshot (status,
// headers, the whole size-bounded body) and records one redacted
// transcript.Exchange per attempt. It adds only what a polite, safe client
// needs: a per-request timeout, a rate cap, retries of throttled setup
// requests, and a trust policy that keeps the token on trusted hosts.
package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatconform/chatconform/internal/hmacsig"
	"github.com/chatconform/chatconform/internal/transcript"
)

// DefaultMaxBody bounds a response body; the API never sends more than a
// 250-participant page, a few tens of KB.
const DefaultMaxBody = 8 << 20

// Options configures a Client.
type Options struct {
	Endpoint   *url.URL
	APIVersion string
	// Timeout bounds one attempt: connect, headers and the whole body.
	Timeout time.Duration
	// MaxBody bounds a response body (DefaultMaxBody when 0).
	MaxBody int64
	// HTTP is the underlying client; its redirect policy is replaced so that
	// redirects are reported, never followed with the token.
	HTTP *http.Client
	// Limiter caps the request rate; nil is unlimited. A *rate.Limiter, or
	// one shared by the parallel processes of a run.
	Limiter Waiter
	Trust   *Trust
	// Redactor scrubs secrets from transcripts; the client registers every
	// token it is given.
	Redactor *transcript.Redactor
	// Record receives every attempt's redacted exchange.
	Record func(*transcript.Exchange)
	// Retry bounds retries of throttled requests that are not the subject of
	// a check.
	Retry RetryPolicy
	// AccessKey signs Identity API calls (HMAC-SHA256); nil disables them.
	AccessKey []byte
	// Now is the clock for HMAC dates; time.Now when nil.
	Now func() time.Time
}

// RetryPolicy bounds retries of 429/503 answers.
type RetryPolicy struct {
	// MaxAttempts includes the first attempt (default 6).
	MaxAttempts int
	// MaxWait caps a single wait, Retry-After included (default 65s: the
	// longest documented ACS window is a minute).
	MaxWait time.Duration
	// Base is the first backoff when Retry-After is absent (default 500ms).
	Base time.Duration
	// Sleep waits; a test can replace it (default: a context-aware timer).
	Sleep func(context.Context, time.Duration) error
}

// Waiter is what Do waits on before each attempt (*rate.Limiter is one).
type Waiter interface {
	Wait(ctx context.Context) error
}

// Client talks to one endpoint.
type Client struct {
	o        Options
	requests atomic.Int64
	retries  atomic.Int64
	// secrets the client has registered with the redactor, so that a token
	// used for thousands of requests is registered once: Redactor.Add keeps
	// duplicates, and every redaction scans the whole list.
	secrets sync.Map
}

// New returns a client; Options.Endpoint is required.
func New(o Options) *Client {
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{}
	}
	h := *o.HTTP
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	h.Timeout = 0 // the per-attempt context bounds time, body included
	o.HTTP = &h
	if o.Trust == nil {
		o.Trust = NewTrust(o.Endpoint)
	}
	if o.Redactor == nil {
		o.Redactor = &transcript.Redactor{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &o.Retry
	if r.MaxAttempts == 0 {
		r.MaxAttempts = 6
	}
	if r.MaxWait == 0 {
		r.MaxWait = 65 * time.Second
	}
	if r.Base == 0 {
		r.Base = 500 * time.Millisecond
	}
	if r.Sleep == nil {
		r.Sleep = sleep
	}
	c := &Client{o: o}
	if len(o.AccessKey) > 0 {
		// A server that echoes the key must not get it into a transcript.
		c.addSecret(base64.StdEncoding.EncodeToString(o.AccessKey))
	}
	return c
}

// addSecret registers s with the redactor once.
func (c *Client) addSecret(s string) {
	if _, seen := c.secrets.LoadOrStore(s, struct{}{}); !seen {
		c.o.Redactor.Add(s)
	}
}

// Endpoint is the base URL of the server under test.
func (c *Client) Endpoint() *url.URL { return c.o.Endpoint }

// APIVersion is the chat api-version requests carry by default.
func (c *Client) APIVersion() string { return c.o.APIVersion }

// Redactor is the client's redactor.
func (c *Client) Redactor() *transcript.Redactor { return c.o.Redactor }

// Stats are the client's counters since it was made.
type Stats struct{ Requests, Retries int64 }

// Stats returns the request and retry counts so far.
func (c *Client) Stats() Stats { return Stats{c.requests.Load(), c.retries.Load()} }

// Auth says how a request authenticates.
type Auth struct {
	bearer string
	hmac   bool
}

// Bearer authenticates with a user access token.
func Bearer(token string) Auth { return Auth{bearer: token} }

// HMAC signs with the resource access key (Identity API).
func HMAC() Auth { return Auth{hmac: true} }

// NoAuth sends no Authorization header.
var NoAuth = Auth{}

// Request is one call. Zero fields mean "the usual": URL relative to the
// endpoint, api-version added, JSON content type when there is a body.
type Request struct {
	Method string
	// URL is a path relative to the endpoint (e.g. /chat/threads/x/participants)
	// or an absolute URL handed out by the server (nextLink), used as given.
	URL   string
	Query url.Values
	// RawQuery is appended to the query exactly as given, for negative
	// checks whose point is a value url.Values would re-encode ("%zz").
	RawQuery string
	// APIVersion overrides the client's; NoAPIVersion sends none.
	APIVersion   string
	NoAPIVersion bool
	Header       http.Header
	Body         []byte
	Auth         Auth
	// Subject marks the request whose answer a check judges: it is never
	// retried, so a 429 or 503 reaches the check as the server sent it.
	Subject bool
}

// NoRetry marks the request as the subject of a check (see Request.Subject).
func (r Request) NoRetry() Request { r.Subject = true; return r }

// Do performs req, retrying throttled answers unless req is a subject.
func (c *Client) Do(ctx context.Context, req Request) (*transcript.Response, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	// Registered first: an unparsable URL is quoted in the error.
	if req.Auth.bearer != "" {
		c.addSecret(req.Auth.bearer)
	}
	u, err := c.resolve(req)
	if err != nil {
		return nil, c.redactedError(KindRequest, req.Method, req.URL, err)
	}
	if req.Auth.bearer != "" || req.Auth.hmac || req.Header.Get("Authorization") != "" {
		// Any credential, not only a bearer token, stays on trusted hosts.
		if ok, why := c.o.Trust.Allows(u); !ok {
			return nil, c.redactedError(KindUntrustedHost, req.Method, u.String(), fmt.Errorf("the credentials were not sent: %s", why))
		}
	}
	for attempt := 1; ; attempt++ {
		resp, ex, err := c.attempt(ctx, req, u, attempt)
		if ex == nil { // nothing was sent
			return resp, err
		}
		if err != nil || req.Subject || !throttled(resp.Status) {
			c.record(ctx, ex)
			return resp, err
		}
		if attempt >= c.o.Retry.MaxAttempts {
			c.record(ctx, ex)
			return resp, c.redactedError(KindThrottled, req.Method, u.String(), fmt.Errorf("still %d after %d attempts", resp.Status, attempt))
		}
		wait := c.backoff(resp.Header.Get("Retry-After"), attempt)
		// Set before the exchange is recorded: a recorder may serialise it at once.
		ex.Retried = fmt.Sprintf("%d %s, waited %s before attempt %d", resp.Status, http.StatusText(resp.Status), wait, attempt+1)
		c.retries.Add(1)
		c.record(ctx, ex)
		if err := c.o.Retry.Sleep(ctx, wait); err != nil {
			return resp, c.redactedError(KindTimeout, req.Method, u.String(), err)
		}
	}
}

func (c *Client) record(ctx context.Context, ex *transcript.Exchange) {
	if rec, ok := ctx.Value(recorderKey{}).(func(*transcript.Exchange)); ok {
		rec(ex)
		return
	}
	if c.o.Record != nil {
		c.o.Record(ex)
	}
}

type recorderKey struct{}

// RecordTo returns a context whose requests hand their exchanges to rec
// instead of Options.Record: work the harness does off a spec's goroutine
// (a thread created ahead, a deletion after the spec) keeps its
// transcripts for the spec it was done for rather than whichever node is
// running when it completes.
func RecordTo(ctx context.Context, rec func(*transcript.Exchange)) context.Context {
	return context.WithValue(ctx, recorderKey{}, rec)
}

func throttled(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// backoff honours Retry-After (seconds or HTTP date) and falls back to
// capped exponential backoff.
func (c *Client) backoff(retryAfter string, attempt int) time.Duration {
	limit := c.o.Retry.MaxWait
	retryAfter = strings.TrimSpace(retryAfter)
	var d time.Duration
	if s, err := strconv.ParseInt(retryAfter, 10, 64); err == nil && s >= 0 {
		if s >= int64(limit/time.Second)+1 {
			return limit // also keeps a huge value from overflowing
		}
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(retryAfter); err == nil {
		d = time.Until(t)
	} else {
		// Computed in floating point: Base<<attempt overflows for a large
		// MaxAttempts and would turn into no wait at all.
		exp := float64(c.o.Retry.Base) * math.Pow(2, float64(attempt-1))
		if exp >= float64(limit) {
			return limit
		}
		d = time.Duration(exp)
	}
	return min(max(d, 0), limit)
}

func (c *Client) resolve(req Request) (*url.URL, error) {
	if hasHTTPScheme(req.URL) {
		// A URL the server handed out (nextLink) is followed exactly as
		// given: adding a missing api-version would hide a PAGE-04 defect.
		u, err := url.Parse(req.URL)
		if err == nil && len(req.Query) > 0 {
			q := u.Query()
			for k, vs := range req.Query {
				q[k] = vs
			}
			u.RawQuery = q.Encode()
		}
		return u, err
	}
	u := *c.o.Endpoint
	// Thread ids hold ':' and '@'; Go leaves both unescaped in paths, as the
	// SDKs send them.
	u.Path = strings.TrimSuffix(u.Path, "/") + req.URL
	u.RawPath = ""
	q := url.Values{}
	for k, vs := range req.Query {
		q[k] = vs
	}
	if !req.NoAPIVersion && q.Get("api-version") == "" {
		v := req.APIVersion
		if v == "" {
			v = c.o.APIVersion
		}
		q.Set("api-version", v)
	}
	u.RawQuery = q.Encode()
	if req.RawQuery != "" {
		u.RawQuery = req.RawQuery + "&" + u.RawQuery
	}
	return &u, nil
}

func hasHTTPScheme(s string) bool {
	for _, p := range []string{"http://", "https://"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// attempt sends req once. It returns the exchange to record, or a nil
// exchange when nothing was sent; Do records it once it knows whether the
// attempt is retried.
func (c *Client) attempt(ctx context.Context, req Request, u *url.URL, attempt int) (*transcript.Response, *transcript.Exchange, error) {
	if c.o.Limiter != nil {
		if err := c.o.Limiter.Wait(ctx); err != nil {
			return nil, nil, c.redactedError(KindTimeout, req.Method, u.String(), fmt.Errorf("waiting for the CHAT_MAX_RPS limiter: %w", err))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), bytes.NewReader(req.Body))
	if err != nil {
		return nil, nil, c.redactedError(KindRequest, req.Method, u.String(), err)
	}
	if req.Body == nil {
		hr.Body, hr.ContentLength = http.NoBody, 0
	}
	hr.Header.Set("User-Agent", "chatconform")
	if req.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	hr.Header.Set("Accept", "application/json")
	for k, vs := range req.Header {
		hr.Header[http.CanonicalHeaderKey(k)] = vs
	}
	switch {
	case req.Auth.bearer != "":
		hr.Header.Set("Authorization", "Bearer "+req.Auth.bearer)
	case req.Auth.hmac:
		if len(c.o.AccessKey) == 0 {
			return nil, nil, c.redactedError(KindRequest, req.Method, u.String(), errors.New("identity calls need ACS_CONNECTION_STRING"))
		}
		hmacsig.Sign(hr, req.Body, c.o.AccessKey, c.o.Now())
	}

	ex := transcript.NewExchange(c.o.Redactor, req.Method, u.String(), hr.Header, req.Body)
	ex.Attempt = attempt
	c.requests.Add(1)
	defer func() { ex.Duration = time.Since(ex.Start) }()

	hresp, err := c.o.HTTP.Do(hr)
	if err != nil {
		ce := c.classify(req, u.String(), err)
		ex.Fail(ce.Err.Error())
		return nil, ex, ce
	}
	defer hresp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(hresp.Body, c.o.MaxBody+1))
	tooLarge := int64(len(body)) > c.o.MaxBody
	if tooLarge {
		body = body[:c.o.MaxBody]
	}
	resp := &transcript.Response{Status: hresp.StatusCode, Header: hresp.Header, Body: body, Exchange: ex}
	// Before the body is recorded, so an issued token is redacted there.
	c.registerIssuedTokens(body)
	ex.SetResponse(hresp.StatusCode, hresp.Header, body)
	if tooLarge {
		ce := c.redactedError(KindBodyTooLarge, req.Method, u.String(), fmt.Errorf("response body exceeds %d bytes; stopped reading", c.o.MaxBody))
		ex.Fail(ce.Err.Error())
		return resp, ex, ce
	}
	if readErr != nil {
		ce := c.classify(req, u.String(), readErr)
		ce.Err = fmt.Errorf("reading the body after status %d: %w", hresp.StatusCode, ce.Err)
		ex.Fail(ce.Err.Error())
		return resp, ex, ce
	}
	return resp, ex, nil
}

// registerIssuedTokens adds every "token" string of a JSON body (the Identity
// API's accessToken.token and :issueAccessToken's token) to the redactor
// before the body is recorded, whatever the token's shape: the JWT pattern
// alone would miss an opaque token.
func (c *Client) registerIssuedTokens(body []byte) {
	if !bytes.Contains(body, []byte(`"token"`)) && !bytes.Contains(body, []byte(`"Token"`)) {
		return
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	var walk func(any, int)
	walk = func(v any, depth int) {
		if depth > 32 {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && strings.EqualFold(k, "token") {
					c.addSecret(s)
				}
				walk(x, depth+1)
			}
		case []any:
			for _, x := range v {
				walk(x, depth+1)
			}
		}
	}
	walk(v, 0)
}

// redactedError is how the client builds every *Error, so that its URL and
// message are redacted in one place. A message with nothing to redact keeps
// its error chain (errors.Is still sees a context error).
func (c *Client) redactedError(kind Kind, method, rawURL string, err error) *Error {
	if msg := c.o.Redactor.String(err.Error()); msg != err.Error() {
		err = errors.New(msg)
	}
	return &Error{Kind: kind, Method: method, URL: c.o.Redactor.String(rawURL), Err: err}
}

// classify names a transport failure. A connection that could be opened
// and was then dropped while the server had the request under test is the
// server's doing (KindDropped); one that could not be opened, or dropped
// during setup, is the harness's.
func (c *Client) classify(req Request, rawURL string, err error) *Error {
	var (
		ne net.Error
		oe *net.OpError
	)
	kind := KindNetwork
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		kind = KindTimeout
		err = fmt.Errorf("no complete response within CHAT_TIMEOUT=%s", c.o.Timeout)
	case req.Subject && !(errors.As(err, &oe) && oe.Op == "dial") && !errors.Is(err, context.Canceled):
		kind = KindDropped
		err = fmt.Errorf("the server dropped the connection: %s", err)
	default:
		// A transport error's chain can hold the URL; only its message is kept.
		err = errors.New(err.Error())
	}
	return c.redactedError(kind, req.Method, rawURL, err)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
