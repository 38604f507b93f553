package participants

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"golang.org/x/sync/errgroup"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/client"
	. "github.com/chatconform/chatconform/internal/framework"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

// Both operations under test, as the same user, so every auth check covers both.
func bothOperations(token, threadID, rawID string) map[string]client.Request {
	return map[string]client.Request{
		"add":  client.AddParticipants(token, threadID, fixtures.NewParticipant(rawID)),
		"list": client.ListParticipants(token, threadID, "", ""),
	}
}

func expectRejected(ctx SpecContext, reqs map[string]client.Request, status int, why string) {
	GinkgoHelper()
	for _, op := range []string{"add", "list"} {
		resp := Judge(ctx, reqs[op])
		Expect(resp).To(HaveStatus(status), "%s: %s", op, why)
		Expect(resp).To(HaveErrorEnvelope(""), "%s: %s", op, why)
	}
}

var _ = Certify("Authentication, authorisation and errors", func() {
	var t *Thread

	BeforeEach(func(ctx SpecContext) {
		t = NewThread(ctx)
	})

	Assert("ERR-01", "answers a request without Authorization with 401 and the error envelope", func(ctx SpecContext) {
		reqs := bothOperations("", t.ID, Members(0, 1)[0].CommunicationIdentifier.RawID)
		for op, r := range reqs {
			r.Auth = client.NoAuth
			reqs[op] = r
		}
		expectRejected(ctx, reqs, http.StatusUnauthorized, "no Authorization header")
	})

	Assert("ERR-02", "answers a malformed or tampered token with 401 and the error envelope", func(ctx SpecContext) {
		rawID := Members(0, 1)[0].CommunicationIdentifier.RawID
		expectRejected(ctx, bothOperations("not-a-token", t.ID, rawID), http.StatusUnauthorized, "a malformed token")
		expectRejected(ctx, bothOperations(tamper(t.Host.Token), t.ID, rawID), http.StatusUnauthorized,
			"a token whose signature was altered (accepting it is an authentication bypass)")
	})

	Assert("ERR-03", "answers a revoked token with 401 and the error envelope", func(ctx SpecContext) {
		u, err := Env.MintUser(ctx)
		SetupErr("minting a user whose token will be revoked", err)
		Add(ctx, t, fixtures.NewParticipant(u.RawID))
		before := Judge(ctx, client.ListParticipants(u.Token, t.ID, "", ""))
		Expect(before).To(HaveStatus(http.StatusOK), "setup: the user's token must work before it is revoked")

		_, err = Client().Expect(ctx, client.RevokeTokens(u.RawID), http.StatusNoContent, nil)
		SetupErr("revoking the user's tokens", err)
		expectRejected(ctx, bothOperations(u.Token, t.ID, Members(0, 1)[0].CommunicationIdentifier.RawID), http.StatusUnauthorized,
			"the token was revoked through POST /identities/{id}/:revokeAccessTokens")
	})

	Assert("ERR-04", "answers a user who is not a participant with 403 and the error envelope", func(ctx SpecContext) {
		expectRejected(ctx, bothOperations(Env.Outsider.Token, t.ID, Members(0, 1)[0].CommunicationIdentifier.RawID), http.StatusForbidden,
			"the caller is a valid user who is not a participant of the thread")
	})

	When("requests fail", func() {
		// failures are the answers that are errors (4xx or 5xx): requests
		// meant to fail that did not are other assertions' business.
		var failures []*transcript.Response

		BeforeEach(func(ctx SpecContext) {
			p := Members(0, 1)[0]
			reqs := []client.Request{
				client.AddRaw(t.Host.Token, t.ID, []byte(`{"participants":`)),                             // 400
				bothOperations("", t.ID, p.CommunicationIdentifier.RawID)["list"].WithAuth(client.NoAuth), // 401
				client.ListParticipants(t.Host.Token, MissingThread(t.ID), "", ""),                        // 404
			}
			if Env.Outsider != nil {
				reqs = append(reqs, client.ListParticipants(Env.Outsider.Token, t.ID, "", "")) // 403
			}
			failures = nil
			for _, r := range reqs {
				if resp := Judge(ctx, r); resp.Status >= 400 {
					failures = append(failures, resp)
				}
			}
			if len(failures) == 0 {
				SetupErr("provoking errors", fmt.Errorf("no request meant to fail (malformed body, no token, unknown thread, outsider) got a 4xx or 5xx, so there is no error body to judge"))
			}
		})

		Assert("ERR-05", "sends every 4xx as a CommunicationErrorResponse", func() {
			for _, resp := range failures {
				Expect(resp).To(HaveErrorEnvelope(""))
			}
		})

		Assert("ERR-06", "uses the error.code that matches the status", func() {
			for _, resp := range failures {
				if code, documented := wire.ErrorCodes[resp.Status]; documented {
					Expect(resp).To(HaveErrorEnvelope(code))
				}
			}
		})
	})

	Assert("ERR-07", "answers a burst beyond the rate limit with 429 and the error envelope", func(ctx SpecContext) {
		// ACS documents 10 adds per 10 s and 30 per minute per thread; 40
		// quick adds exceed both.
		const burst = 40
		p := Members(0, 1)[0]
		var throttled *transcript.Response
		for i := 0; i < burst && throttled == nil; i++ {
			resp, err := Client().Do(ctx, client.AddParticipants(t.Host.Token, t.ID, p).NoRetry())
			if err != nil {
				HarnessFailure(err)
			}
			Expect(resp).NotTo(HaveStatusClass(5), "a burst of adds")
			if resp.Status == http.StatusTooManyRequests {
				throttled = resp
			}
		}
		Expect(throttled).NotTo(BeNil(), "%d adds to one thread, beyond the documented 10 per 10 s and 30 per minute, got no 429", burst)
		Expect(throttled).To(HaveErrorEnvelope(""))
		Should(func() {
			Expect(validRetryAfter(throttled.Header.Get("Retry-After"))).To(Succeed(), "a 429 SHOULD say when to retry\n%s", throttled.Exchange)
		})
	})

	Assert("ERR-08", "rejects a missing or unsupported api-version with a 4xx and the error envelope", func(ctx SpecContext) {
		rawID := Members(0, 1)[0].CommunicationIdentifier.RawID
		for _, version := range []string{"", "1999-01-01"} {
			for op, r := range bothOperations(t.Host.Token, t.ID, rawID) {
				if version == "" {
					r.NoAPIVersion = true
				} else {
					r.APIVersion = version
				}
				resp := Judge(ctx, r)
				Expect(resp).To(HaveStatusClass(4), "%s with api-version %q", op, version)
				Expect(resp).To(HaveErrorEnvelope(""), "%s with api-version %q", op, version)
			}
		}
	})

	// The corpus is split into entries so that parallel processes share it
	// (and share CHAT_MAX_RPS); each entry spreads its probes over threads.
	AssertTable("ERR-09", "survives the negative corpus without a 5xx or a dropped connection",
		func(ctx SpecContext, from, to int) {
			corpus := negativeProbes(Members(0, 1)[0].CommunicationIdentifier.RawID)
			if len(corpus) != fixtures.NegativeCorpusSize {
				HarnessFailure(fmt.Errorf("the negative corpus holds %d requests, not fixtures.NegativeCorpusSize=%d", len(corpus), fixtures.NegativeCorpusSize))
			}
			probes := corpus[from:to]
			// Spread over threads so the per-thread limits (10 adds or lists
			// per 10 s) are not what the corpus measures; the probes are
			// independent, so they go concurrently and are judged afterwards.
			threads := append([]*Thread{t}, NewThreads(ctx, (len(probes)-1)/probesPerThread)...)
			type answer struct {
				resp *transcript.Response
				err  error
			}
			answers := make([]answer, len(probes))
			var g errgroup.Group
			for i := range probes {
				g.Go(func() error {
					answers[i].resp, answers[i].err = Client().Do(ctx, probes[i].req(threads[i/probesPerThread]))
					return nil
				})
			}
			_ = g.Wait()
			var findings []string
			for i, a := range answers {
				findings = append(findings, Blame(probes[i].name, a.resp, a.err)...)
			}
			Expect(findings).To(BeEmpty(), "requests of the negative corpus that broke the server")
		},
		corpusEntries(),
	)
})

// probesPerThread keeps each thread under ACS's per-thread limits (10 adds
// and 10 lists per 10 s); probesPerEntry sizes the ERR-09 entries.
const (
	probesPerThread = 8
	probesPerEntry  = 24
)

// probe is one request of the negative corpus, built for a thread.
type probe struct {
	name string
	req  func(t *Thread) client.Request
}

// probesByID keeps each corpus built: every ERR-09 entry takes its slice
// of it, at every api-version, and some of its bodies are large.
var probesByID sync.Map // valid raw id → []probe

// negativeProbes is the corpus in a fixed order (the fixtures are
// deterministic), addressed to valid where an identifier is not the point.
func negativeProbes(valid string) []probe {
	if ps, ok := probesByID.Load(valid); ok {
		return ps.([]probe)
	}
	ps, _ := probesByID.LoadOrStore(valid, buildProbes(valid))
	return ps.([]probe)
}

func buildProbes(valid string) []probe {
	var probes []probe
	for _, c := range fixtures.NegativeAddBodies(valid) {
		probes = append(probes, probe{c.Name, func(t *Thread) client.Request {
			r := client.AddRaw(t.Host.Token, t.ID, c.Body)
			if c.ContentType != "" {
				r = r.WithHeader("Content-Type", c.ContentType)
			}
			return r.NoRetry()
		}})
	}
	for _, q := range fixtures.NegativeListQueries() {
		probes = append(probes, probe{"list with " + q.Name, func(t *Thread) client.Request {
			return client.ListRaw(t.Host.Token, t.ID, q.RawQuery).NoRetry()
		}})
	}
	return probes
}

// corpusEntries cuts the corpus into table entries at tree construction,
// by its declared size: the corpus itself is built when an entry runs.
func corpusEntries() []TableEntry {
	n := fixtures.NegativeCorpusSize
	var entries []TableEntry
	for from := 0; from < n; from += probesPerEntry {
		to := min(n, from+probesPerEntry)
		entries = append(entries, Entry(fmt.Sprintf("with negative requests %d to %d of %d", from+1, to, n), from, to))
	}
	return entries
}

// tamper alters one character in the middle of a JWT's signature: the token
// stays well-formed, but no longer verifies.
func tamper(token string) string {
	i := strings.LastIndex(token, ".") + (len(token)-strings.LastIndex(token, "."))/2
	if i <= 0 || i >= len(token) {
		return token + "x"
	}
	c := byte('A')
	if token[i] == 'A' {
		c = 'B'
	}
	return token[:i] + string(c) + token[i+1:]
}

// validRetryAfter accepts delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func validRetryAfter(v string) error {
	if v == "" {
		return errors.New("no Retry-After header")
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return nil
	}
	if _, err := time.Parse(http.TimeFormat, v); err == nil {
		return nil
	}
	return fmt.Errorf("Retry-After %q is neither seconds nor an HTTP date", v)
}
