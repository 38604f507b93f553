package framework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/limits"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	"github.com/chatconform/chatconform/matchers"
)

// sent judges the outcome of a request: a transport failure the harness
// is to blame for becomes a harness error, any other failure a spec
// failure, and a request under test that is throttled (429, or 503 with
// Retry-After) cannot be judged, so that too is a harness error. A request
// sent off the spec goroutine (Together) is judged through it afterwards.
func sent(req client.Request, resp *transcript.Response, err error) *transcript.Response {
	GinkgoHelper()
	if err != nil {
		transportFailure(resp, err)
	}
	if vs := servedVersion(resp); len(vs) > 0 {
		CheckViolations(vs, "VER-01", resp.Exchange.String())
	}
	if req.Subject && Throttled(resp) {
		HarnessFailure(fmt.Errorf("the request under test was throttled (%d, Retry-After %q), so it could not be judged; lower CHAT_MAX_RPS\n%s",
			resp.Status, resp.Header.Get("Retry-After"), resp.Exchange))
	}
	return resp
}

// Judge sends the request whose answer the spec judges: never retried.
// Every error answer is also judged as an error body (ERR-05, ERR-06),
// whichever spec provoked it.
func Judge(ctx context.Context, req client.Request) *transcript.Response {
	GinkgoHelper()
	req = req.NoRetry()
	var resp *transcript.Response
	var err error
	inFlight(ctx, func() { resp, err = Client().Do(ctx, req) })
	return judgeSent(req, resp, err)
}

// judgeSent is Judge's verdict on a request already sent.
func judgeSent(req client.Request, resp *transcript.Response, err error) *transcript.Response {
	GinkgoHelper()
	resp = sent(req, resp, err)
	if resp.Status >= 400 {
		envelope := contract.CheckErrorEnvelope(resp.Header, resp.Body)
		CheckViolations(envelope, "ERR-05", resp.Exchange.String())
		if code, ok := wire.ErrorCodes[resp.Status]; ok && len(envelope) == 0 {
			CheckViolations(contract.CheckErrorCodeIs(resp.Body, code), "ERR-06", resp.Exchange.String())
		}
	}
	return resp
}

// Thread is a spec's own chat thread, the user acting in it, and what the
// suite added to it: every listing read through ListAll is checked against
// that (ADD-04), whichever spec reads it.
type Thread struct {
	ID   string
	Host client.User

	mu    sync.Mutex
	added []member
}

// member is a participant the thread must list. Details are judged only
// while known: after a re-add with other details the contract says "no
// change occurs", which is ADD-08's (SHOULD) business, not ADD-04's.
type member struct {
	sent    wire.Participant
	details bool
}

// Added records participants the server accepted (a 2xx add naming them as
// valid), so that every later listing must show each once, with the
// displayName and shareHistoryTime sent. A participant already recorded
// keeps its first details, which become unknown if these differ.
func (t *Thread) Added(ps ...wire.Participant) {
	t.mu.Lock()
	defer t.mu.Unlock()
next:
	for _, p := range ps {
		key := p.CommunicationIdentifier.Key()
		for i, m := range t.added {
			if m.sent.CommunicationIdentifier.Key() == key {
				if m.sent.DisplayName != p.DisplayName || m.sent.ShareHistoryTime != p.ShareHistoryTime {
					t.added[i].details = false
				}
				continue next
			}
		}
		t.added = append(t.added, member{sent: p, details: true})
	}
}

// Removed forgets participants the server removed.
func (t *Thread) Removed(rawIDs ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range rawIDs {
		for i, m := range t.added {
			if m.sent.CommunicationIdentifier.Key() == id {
				t.added = append(t.added[:i], t.added[i+1:]...)
				break
			}
		}
	}
}

// NewThread creates a fresh thread for the spec and schedules its deletion
// (also on failure and interrupt) right away.
func NewThread(ctx context.Context) *Thread {
	GinkgoHelper()
	return NewThreads(ctx, 1)[0]
}

// NewThreads gives the spec n threads of its own, each with its deletion
// scheduled (also on failure and interrupt). They come from the process's
// reservoir of threads created ahead (harness.Env.Prepare), and whatever it
// does not hold is created now, concurrently: a spec that needs many
// (ERR-09) is not n round trips deep. A thread created ahead shows its
// creation in the spec's report (marked as sent in the background, for
// this spec). The deletion happens in the background after the spec;
// the suite's teardown waits for it and reports a thread it could not
// delete.
func NewThreads(ctx context.Context, n int) []*Thread {
	GinkgoHelper()
	spec := CurrentSpecReport().FullText()
	ps, err := Env.Threads(ctx, n, "chatconform "+CurrentSpecReport().LeafNodeText)
	ts := make([]*Thread, len(ps))
	for i, p := range ps {
		ts[i] = &Thread{ID: p.ID, Host: p.Host}
		for _, ex := range p.Exchanges {
			ex.ForSpec = spec
			recordExchange(ex)
		}
	}
	// One cleanup hands them all to the background deleter, whatever
	// happens to the spec.
	DeferCleanup(func() {
		for _, t := range ts {
			if t.ID != "" {
				Env.DeleteLater(t.Host, t.ID, spec)
			}
		}
	})
	SetupErr("creating the spec's thread", err)
	return ts
}

// Members returns n participants to add, from offset in the run's pool,
// each with a unique displayName and an explicit shareHistoryTime, drawn
// across the forms a server must accept (fixtures.Ordinary) so that no spec relies on one
// convenient shape.
func Members(offset, n int) []wire.Participant {
	GinkgoHelper()
	if why := Env.NeedMembers(offset + n); why != "" {
		Skip(why)
	}
	ps := make([]wire.Participant, n)
	for i := range ps {
		ps[i] = fixtures.Ordinary(offset+i, Env.Members[offset+i].RawID)
	}
	return ps
}

// Add adds participants as a setup step: any 2xx will do, since judging the
// add is the ADD specs' business. They are recorded on the thread.
func Add(ctx context.Context, t *Thread, ps ...wire.Participant) {
	GinkgoHelper()
	resp, err := Client().Do(ctx, client.AddParticipants(t.Host.Token, t.ID, ps...))
	if err == nil && (resp.Status < 200 || resp.Status > 299) {
		err = fmt.Errorf("POST participants/:add answered %d, want 201\n%s", resp.Status, resp.Exchange)
	}
	SetupErr("adding participants", err)
	t.Added(accepted(resp, ps)...)
}

// Remove removes a participant as a setup step (any 2xx will do).
func Remove(ctx context.Context, t *Thread, rawID string) {
	GinkgoHelper()
	resp, err := Client().Do(ctx, client.RemoveParticipant(t.Host.Token, t.ID, rawID))
	if err == nil && (resp.Status < 200 || resp.Status > 299) {
		err = fmt.Errorf("POST participants/:remove answered %d, want 204\n%s", resp.Status, resp.Exchange)
	}
	SetupErr("removing a participant", err)
	t.Removed(rawID)
}

// accepted are the participants of an add the server did not name in
// invalidParticipants.
func accepted(resp *transcript.Response, ps []wire.Participant) []wire.Participant {
	var result wire.AddParticipantsResult
	if resp == nil || json.Unmarshal(resp.Body, &result) != nil || len(result.InvalidParticipants) == 0 {
		return ps
	}
	invalid := map[string]bool{}
	for _, e := range result.InvalidParticipants {
		invalid[e.Target] = true
	}
	var out []wire.Participant
	for _, p := range ps {
		if !invalid[p.CommunicationIdentifier.Key()] && !invalid[p.CommunicationIdentifier.RawID] {
			out = append(out, p)
		}
	}
	return out
}

// ListAll returns the thread's whole listing, following nextLinks, and
// checks it against what the suite added (ADD-04) and, as every walk, the
// paging properties.
func ListAll(ctx context.Context, t *Thread) []wire.Participant {
	GinkgoHelper()
	_, listed := listAll(ctx, t)
	return listed
}

// listAll is ListAll keeping the walk, whose exchanges STATE-01 replays.
func listAll(ctx context.Context, t *Thread) (contract.Walk, []wire.Participant) {
	GinkgoHelper()
	w := Walk(ctx, t, 0, 0)
	listed := w.Items()
	CheckAdded(t, listed)
	// The unpaged listing is its own reference, so exactly-once (PAGE-02)
	// cannot be judged here: a duplicate in it is the ADD rows' business.
	var vs []contract.Violation
	for _, v := range contract.CheckWalk(w, contract.WalkWant{Unpaged: contract.IDsOf(listed), APIVersion: Version()}) {
		if v.Assertion != "PAGE-02" {
			vs = append(vs, v)
		}
	}
	CheckViolations(vs, "", describeWalk(w, contract.WalkWant{}))
	return w, listed
}

// CheckAdded is ADD-04 on a listing: every participant recorded as added is
// listed exactly once, with the displayName and shareHistoryTime sent.
func CheckAdded(t *Thread, listed []wire.Participant) {
	GinkgoHelper()
	t.mu.Lock()
	want := append([]member(nil), t.added...)
	t.mu.Unlock()
	if len(want) == 0 {
		return
	}
	Check("ADD-04", func() {
		var problems []contract.Violation
		problem := func(format string, args ...any) {
			problems = append(problems, contract.Violation{Assertion: "ADD-04", Message: fmt.Sprintf(format, args...)})
		}
		for _, m := range want {
			key := m.sent.CommunicationIdentifier.Key()
			var found []wire.Participant
			for _, p := range listed {
				if p.CommunicationIdentifier.Key() == key {
					found = append(found, p)
				}
			}
			switch {
			case len(found) == 0:
				problem("%s was added but is not listed", key)
			case len(found) > 1:
				problem("%s is listed %d times", key, len(found))
			case m.details && m.sent.DisplayName != "" && found[0].DisplayName != m.sent.DisplayName:
				problem("%s: displayName sent %s, listed %s (a name the server accepts must come back byte for byte)",
					key, strconv.Quote(m.sent.DisplayName), strconv.Quote(found[0].DisplayName))
			case m.details && m.sent.ShareHistoryTime != "":
				if same, why := contract.SameInstant(m.sent.ShareHistoryTime, found[0].ShareHistoryTime); !same {
					problem("%s: shareHistoryTime sent %q, listed %q: %s", key, m.sent.ShareHistoryTime, found[0].ShareHistoryTime, why)
				}
			}
		}
		headline := ""
		if len(problems) > 0 {
			headline = problems[0].Message
			if len(problems) > 1 {
				headline += fmt.Sprintf(" (and %d more)", len(problems)-1)
			}
		}
		Expect(problems).To(matchers.HaveNoViolations(), "%s\nThe listing after %d participants were added:\n%s", headline, len(want), idLines(listed))
	})
}

func idLines(ps []wire.Participant) string {
	var b strings.Builder
	for i, p := range ps {
		fmt.Fprintf(&b, "  %d. %s %s\n", i+1, p.CommunicationIdentifier.Key(), strconv.Quote(p.DisplayName))
	}
	return b.String()
}

// Walk lists with maxPageSize n (0: none) from skip k (0: none) and
// follows nextLinks, within a bound that a conformant server returning one
// participant a page still meets. The pages are what the calling spec
// judges, so none is retried.
func Walk(ctx context.Context, t *Thread, n, k int) contract.Walk {
	GinkgoHelper()
	w, err := follow(ctx, t, n, k)
	return walked(w, err)
}

// follow reads the walk without judging it: it calls neither Ginkgo nor
// Gomega, so it may run off the spec goroutine (Together).
func follow(ctx context.Context, t *Thread, n, k int) (contract.Walk, error) {
	maxPageSize, skip := "", ""
	if n > 0 {
		maxPageSize = strconv.Itoa(n)
	}
	if k > 0 {
		skip = strconv.Itoa(k)
	}
	return contract.FollowWithin(ctx, func(ctx context.Context, link string) (*transcript.Response, error) {
		req := client.ListParticipants(t.Host.Token, t.ID, maxPageSize, skip)
		if link != "" {
			req = client.Follow(t.Host.Token, absolute(link))
		}
		var resp *transcript.Response
		var err error
		inFlight(ctx, func() { resp, err = Client().Do(ctx, req.NoRetry()) })
		if err == nil && Throttled(resp) {
			err = &client.Error{Kind: client.KindThrottled, Method: req.Method, URL: resp.Exchange.URL,
				Err: fmt.Errorf("a listing page under test was throttled (%d, Retry-After %q), so it could not be judged", resp.Status, resp.Header.Get("Retry-After"))}
		}
		return resp, err
	}, walkLimits(t, n, k))
}

// walked judges a walk follow read, on the spec goroutine.
func walked(w contract.Walk, err error) contract.Walk {
	GinkgoHelper()
	if err != nil {
		var se *contract.StatusError
		if errors.As(err, &se) {
			Fail("listing participants: " + err.Error())
		}
		transportFailure(nil, err)
	}
	checkPages(w)
	return w
}

// checkPages judges every page of a walk against every property of a
// listing page, each under its own ID: the documented schema (LIST-01, and
// TIME-01 for a shareHistoryTime that is no date-time), identifiers
// (LIST-02, LIST-03) and the documented time form (TIME-02).
func checkPages(w contract.Walk) {
	GinkgoHelper()
	var vs []contract.Violation
	for i, p := range w.Pages {
		if p.Resp == nil || p.Resp.Exchange == nil {
			continue
		}
		for _, v := range contract.ValidateResponse(Spec(), p.Resp.Exchange.Method, p.Resp.Exchange.URL, p.Resp.Status, p.Resp.Header, p.Resp.Body) {
			if v.Assertion == "" {
				v.Assertion = "LIST-01"
			}
			v.Pointer = fmt.Sprintf("page %d %s", i+1, v.Pointer)
			vs = append(vs, v)
		}
		for _, v := range servedVersion(p.Resp) {
			v.Pointer = fmt.Sprintf("page %d", i+1)
			vs = append(vs, v)
		}
		vs = append(vs, contract.CheckIdentifiers(p.Items)...)
		vs = append(vs, contract.CheckIdentifierKinds(p.Items, Version())...)
		vs = append(vs, contract.CheckNoMetadata(p.Items, Version())...)
		for j, it := range p.Items {
			if it.ShareHistoryTime != "" {
				for _, v := range contract.CheckRFC3339UTCSeconds(it.ShareHistoryTime) {
					if v.Assertion == "TIME-02" {
						v.Pointer = fmt.Sprintf("page %d /value/%d/shareHistoryTime", i+1, j)
						vs = append(vs, v)
					}
				}
			}
		}
	}
	CheckViolations(vs, "", describeWalk(w, contract.WalkWant{}))
}

// CheckViolations sends each oracle finding to the assertion it is evidence
// against (Check), or all of them to as when as is set; evidence (a
// transcript, a walk) is shown with them.
func CheckViolations(vs []contract.Violation, as, evidence string) {
	GinkgoHelper()
	var order []string
	by := map[string][]contract.Violation{}
	for _, v := range vs {
		id := v.Assertion
		if as != "" {
			id = as
		}
		if _, ok := by[id]; !ok {
			order = append(order, id)
		}
		by[id] = append(by[id], v)
	}
	for _, id := range order {
		Check(id, func() {
			Expect(by[id]).To(matchers.HaveNoViolations(), "%s", evidence)
		})
	}
}

// walkLimits bound a walk from skip k before it counts as endless: one page
// per participant the thread should hold past k (a conformant server may
// return a single item a page) plus one, no more than twice those items
// plus a page, and no two empty pages in a row that still hand out a
// nextLink. The estimate is what the suite added plus the creator. This
// keeps a repeating or endless chain from running into the list rate
// limits before it is cut (and judged under PAGE-03).
func walkLimits(t *Thread, n, k int) contract.Limits {
	t.mu.Lock()
	total := min(len(t.added)+1, limits.ParticipantsPerThread)
	t.mu.Unlock()
	rest := max(total-k, 0)
	return contract.Limits{Pages: contract.Bound(rest, max(n, 1)), Items: 2*rest + max(n, 1), EmptyPages: 2}
}

// CheckPaging judges one walk against every paging property that applies
// (PAGE-01…PAGE-04), each under its own ID, whichever spec walked it; as,
// when set, reports them all under that ID instead (REM-05: paging after a
// remove).
func CheckPaging(w contract.Walk, want contract.WalkWant, as string) {
	GinkgoHelper()
	CheckViolations(contract.CheckWalk(w, want), as, describeWalk(w, want))
}

func describeWalk(w contract.Walk, want contract.WalkWant) string {
	var b strings.Builder
	if want.MaxPageSize > 0 {
		fmt.Fprintf(&b, "at maxPageSize=%d ", want.MaxPageSize)
	}
	fmt.Fprintf(&b, "(%d participants expected, %d pages):", len(want.Unpaged), len(w.Pages))
	for i, p := range w.Pages {
		u := ""
		if p.Resp != nil && p.Resp.Exchange != nil {
			u = p.Resp.Exchange.URL
		}
		fmt.Fprintf(&b, "\n  page %d: %d items %v %s", i+1, len(p.IDs), p.IDs, u)
	}
	return b.String()
}

// IDs are the raw ids of participants, in order.
func IDs(ps []wire.Participant) []string { return contract.IDsOf(ps) }

// Find returns the listed participant with that raw id.
func Find(ps []wire.Participant, rawID string) (wire.Participant, bool) {
	for _, p := range ps {
		if p.CommunicationIdentifier.Key() == rawID {
			return p, true
		}
	}
	return wire.Participant{}, false
}

// Decode unmarshals a response body or fails with the transcript.
func Decode(resp *transcript.Response, v any) {
	GinkgoHelper()
	if err := json.Unmarshal(resp.Body, v); err != nil {
		Fail(fmt.Sprintf("the body is not the JSON the API documents: %v\n%s", err, resp.Exchange))
	}
}

// Expected is the membership a listing must have: the given raw ids, plus
// the thread's creator when the server lists it. Whether it must be listed
// is LIST-04's business alone, so no other spec fails over it.
func Expected(t *Thread, listed []wire.Participant, rawIDs ...string) []string {
	if _, ok := Find(listed, t.Host.RawID); ok {
		return append([]string{t.Host.RawID}, rawIDs...)
	}
	return rawIDs
}

// MissingThread makes a well-formed thread id that no server has, shaped
// like like so that a server cannot reject it on format alone. Each call
// makes a new one: ACS limits adds and removes per thread, so specs (and
// api-versions) sharing one missing thread would throttle each other.
func MissingThread(like string) string {
	const suffix = "@thread.v2"
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := "chatconformmissing" + hex.EncodeToString(b)
	if i := strings.Index(like, "_"); i > 0 && strings.HasSuffix(like, suffix) {
		return like[:i+1] + name + suffix
	}
	return "19:" + name + suffix
}

// absolute resolves a relative nextLink against the endpoint, as a browser
// would, so that the other paging checks can still judge the chain; PAGE-04
// alone fails a nextLink that is not absolute.
func absolute(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.IsAbs() {
		return link
	}
	return Env.Client.Endpoint().ResolveReference(u).String()
}
