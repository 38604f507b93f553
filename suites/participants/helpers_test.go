package participants

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/harness"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// As returns the Labels of an assertion: its ID, area and tier.
func As(id string) Labels { return Label(catalogue.Get(id).Labels()...) }

func assertionOf(labels []string) (catalogue.Assertion, bool) {
	for _, l := range labels {
		if a, ok := catalogue.Lookup(l); ok {
			return a, true
		}
	}
	return catalogue.Assertion{}, false
}

// recordExchange attaches every exchange to the running node's report, so
// JUnit, JSON and HTML reports all come from one source.
func recordExchange(ex *transcript.Exchange) {
	AddReportEntry(outcome.EntryTranscript, ex, ReportEntryVisibilityNever)
}

// harnessFailure fails the spec as an error of the harness (timeout,
// network, throttling during setup), which is not non-conformance.
func harnessFailure(err error) {
	AddReportEntry(outcome.EntryHarnessError, err.Error(), ReportEntryVisibilityNever)
	Fail("HARNESS ERROR (the suite could not judge the server; this is not a conformance failure): "+err.Error(), 1)
}

// should runs a SHOULD-tier judgement: under CHAT_STRICT=1 a failure fails
// the spec, otherwise it is a warning shown in every report.
func should(id string, judge func()) {
	msg := InterceptGomegaFailure(judge)
	if msg == nil {
		return
	}
	text := fmt.Sprintf("[%s] SHOULD: %s", id, msg.Error())
	if env.Config.Strict {
		Fail(text+"\n(CHAT_STRICT=1 makes SHOULD-tier findings failures)", 1)
	}
	AddReportEntry(outcome.EntryWarning, text, ReportEntryVisibilityAlways)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// send performs a request; a transport failure the harness is to blame for
// becomes a harness error, any other failure a spec failure. A subject that
// is throttled (429, or 503 with Retry-After) cannot be judged, so that too
// is a harness error.
func send(ctx context.Context, req client.Request) *transcript.Response {
	GinkgoHelper()
	resp, err := env.Client.Do(ctx, req)
	if err != nil {
		transportFailure(resp, err)
	}
	if req.Subject && throttled(resp) {
		harnessFailure(fmt.Errorf("the request under test was throttled (%d, Retry-After %q), so it could not be judged; lower CHAT_MAX_RPS\n%s",
			resp.Status, resp.Header.Get("Retry-After"), resp.Exchange))
	}
	return resp
}

// throttled says the server asked the client to come back later: 429, or
// 503 with Retry-After. A 503 without it is an answer to judge.
func throttled(resp *transcript.Response) bool {
	return resp.Status == http.StatusTooManyRequests ||
		resp.Status == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != ""
}

// transportFailure fails the spec for a request that got no usable answer:
// as a harness error when the harness is to blame, else as the server's.
func transportFailure(resp *transcript.Response, err error) {
	GinkgoHelper()
	var ce *client.Error
	switch {
	case client.IsHarness(err):
		harnessFailure(err)
	case errors.As(err, &ce) && ce.Kind == client.KindUntrustedHost:
		Fail("the server sent the suite to a URL it must not send the token to: " + err.Error() +
			"\nIf that host is yours, list it in CHAT_TRUSTED_HOSTS.")
	default:
		msg := err.Error()
		if resp != nil && resp.Exchange != nil {
			msg += "\n" + resp.Exchange.String()
		}
		Fail(msg)
	}
}

// judge sends the request whose answer the spec judges: never retried.
func judge(ctx context.Context, req client.Request) *transcript.Response {
	GinkgoHelper()
	return send(ctx, req.NoRetry())
}

// setupErr ends a spec whose setup failed: the check could not run, which
// is an error of the run (INCOMPLETE), not a finding about the clause; the
// specs that judge the failing operation report it.
func setupErr(what string, err error) {
	GinkgoHelper()
	if err == nil {
		return
	}
	AddReportEntry(outcome.EntrySetupError, err.Error(), ReportEntryVisibilityNever)
	Fail(fmt.Sprintf("SETUP FAILED, so the check could not run: %s: %v", what, err), 1)
}

// thread is a spec's own chat thread and the user acting in it.
type thread struct {
	ID   string
	Host client.User
}

// newThread creates a fresh thread for the spec and schedules its deletion
// (also on failure and interrupt) right away.
func newThread(ctx context.Context) thread {
	GinkgoHelper()
	return newThreads(ctx, 1)[0]
}

// newThreads creates n threads concurrently, each with its deletion
// scheduled; a spec that needs many (ERR-09) is not n round trips deep.
func newThreads(ctx context.Context, n int) []thread {
	GinkgoHelper()
	ts := make([]thread, n)
	for i := range ts {
		ts[i].Host = env.Host()
	}
	topic := "chatconform " + CurrentSpecReport().LeafNodeText
	err := harness.Parallel(n, n, func(i int) error {
		var err error
		ts[i].ID, err = env.NewThread(ctx, ts[i].Host, topic)
		return err
	})
	// One cleanup deletes them all at once, whatever happens to the spec.
	DeferCleanup(func() {
		errs := make([]error, n)
		_ = harness.Parallel(n, n, func(i int) error {
			if ts[i].ID != "" {
				errs[i] = env.DeleteThread(ts[i].Host, ts[i].ID)
			}
			return nil
		})
		for i, err := range errs {
			if err != nil {
				AddReportEntry(outcome.EntryCleanupError, fmt.Sprintf("thread %s was not deleted: %v", ts[i].ID, err), ReportEntryVisibilityAlways)
			}
		}
	})
	setupErr("creating the spec's thread", err)
	return ts
}

// members returns n participants to add, each with a unique displayName and
// an explicit shareHistoryTime, taken from offset in the process's pool.
func members(offset, n int) []wire.Participant {
	GinkgoHelper()
	if why := env.NeedMembers(offset + n); why != "" {
		Skip(why)
	}
	ps := make([]wire.Participant, n)
	for i := range ps {
		ps[i] = fixtures.NewParticipant(env.Members[offset+i].RawID,
			fixtures.WithShareHistoryTime(time.Date(2024, 3, 7, 10, i, 0, 0, time.UTC)))
	}
	return ps
}

// add adds participants as a setup step: any 2xx will do, since judging the
// add is the ADD specs' business.
func add(ctx context.Context, t thread, ps ...wire.Participant) {
	GinkgoHelper()
	resp, err := env.Client.Do(ctx, client.AddParticipants(t.Host.Token, t.ID, ps...))
	if err == nil && (resp.Status < 200 || resp.Status > 299) {
		err = fmt.Errorf("POST participants/:add answered %d, want 201\n%s", resp.Status, resp.Exchange)
	}
	setupErr("adding participants", err)
}

// listAll returns the thread's whole listing, following nextLinks (bounded).
func listAll(ctx context.Context, t thread) []wire.Participant {
	GinkgoHelper()
	w := walk(ctx, t, "", 20)
	Expect(w.Cut).To(BeFalse(), "the unpaged listing's nextLink chain did not end within 20 pages")
	return w.Items()
}

// walk lists with maxPageSize (or none) and follows nextLinks. The pages
// are what the calling spec judges, so none is retried.
func walk(ctx context.Context, t thread, maxPageSize string, maxPages int) contract.Walk {
	GinkgoHelper()
	w, err := contract.Follow(ctx, func(ctx context.Context, link string) (*transcript.Response, error) {
		req := client.ListParticipants(t.Host.Token, t.ID, maxPageSize, "")
		if link != "" {
			req = client.Follow(t.Host.Token, absolute(link))
		}
		resp, err := env.Client.Do(ctx, req.NoRetry())
		if err == nil && throttled(resp) {
			err = &client.Error{Kind: client.KindThrottled, Method: req.Method, URL: resp.Exchange.URL,
				Err: fmt.Errorf("a listing page under test was throttled (%d, Retry-After %q), so it could not be judged", resp.Status, resp.Header.Get("Retry-After"))}
		}
		return resp, err
	}, maxPages)
	if err != nil {
		var se *contract.StatusError
		if errors.As(err, &se) {
			Fail("listing participants: " + err.Error())
		}
		transportFailure(nil, err)
	}
	return w
}

// ids are the raw ids of participants, in order.
func ids(ps []wire.Participant) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.CommunicationIdentifier.Key()
	}
	return out
}

// find returns the listed participant with that raw id.
func find(ps []wire.Participant, rawID string) (wire.Participant, bool) {
	for _, p := range ps {
		if p.CommunicationIdentifier.Key() == rawID {
			return p, true
		}
	}
	return wire.Participant{}, false
}

// decode unmarshals a response body or fails with the transcript.
func decode(resp *transcript.Response, v any) {
	GinkgoHelper()
	if err := json.Unmarshal(resp.Body, v); err != nil {
		Fail(fmt.Sprintf("the body is not the JSON the API documents: %v\n%s", err, resp.Exchange))
	}
}

// no5xx fails when a response is a server error.
func no5xx(resp *transcript.Response, what string) {
	GinkgoHelper()
	Expect(resp.Status).To(BeNumerically("<", 500), "%s must never yield a 5xx\n%s", what, resp.Exchange)
}

// expected is the membership a listing must have: the given raw ids, plus
// the thread's creator when the server lists it. Whether it must be listed
// is LIST-04's business alone, so no other spec fails over it.
func expected(t thread, listed []wire.Participant, rawIDs ...string) []string {
	if _, ok := find(listed, t.Host.RawID); ok {
		return append([]string{t.Host.RawID}, rawIDs...)
	}
	return rawIDs
}

// sameInstant compares two RFC 3339 times at second precision; text that
// does not parse is only the same as identical text.
func sameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ta.Truncate(time.Second).Equal(tb.Truncate(time.Second))
}

// absolute resolves a relative nextLink against the endpoint, as a browser
// would, so that the other paging checks can still judge the chain; PAGE-04
// alone fails a nextLink that is not absolute.
func absolute(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.IsAbs() {
		return link
	}
	return env.Client.Endpoint().ResolveReference(u).String()
}
