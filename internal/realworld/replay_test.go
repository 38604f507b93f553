package realworld

import (
	"context"
	"encoding/json"
	"github.com/chatconform/chatconform/internal/contract"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/recordings"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
	"github.com/chatconform/chatconform/matchers"
)

// replayed serves entries with recordings.ReplayHandler on 127.0.0.1 and
// counts the requests per method and path it answered.
type replayed struct {
	URL    *url.URL
	Client *client.Client

	mu   sync.Mutex
	hits []string
}

func serveReplay(t *testing.T, entries []recordings.Entry, apiVersion string) *replayed {
	t.Helper()
	r := &replayed{}
	h := recordings.ReplayHandler(entries)
	srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits = append(r.hits, req.Method+" "+req.URL.RequestURI())
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	}))
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	r.URL = u
	// The real client, trust policy included: the replay rewrites nextLinks
	// to its own host, which is the endpoint.
	r.Client = client.New(client.Options{Endpoint: u, APIVersion: apiVersion, Timeout: 5 * time.Second})
	return r
}

func (r *replayed) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.hits...)
}

// fetcher walks a listing of thread with maxPageSize (empty: unpaged).
func (r *replayed) fetcher(thread, maxPageSize string) contract.Fetch {
	const token = "replayed-token" // the replay ignores credentials
	return func(ctx context.Context, link string) (*transcript.Response, error) {
		if link == "" {
			return r.Client.Do(ctx, client.ListParticipants(token, thread, maxPageSize, ""))
		}
		return r.Client.Do(ctx, client.Follow(token, link))
	}
}

// add replays the add of body to thread through the client and judges it
// as the suite judges it: 201, conformant to spec.
func (r *replayed) add(ctx context.Context, g *WithT, thread string, body []byte, spec *openapi.Spec) *transcript.Response {
	resp, err := r.Client.Do(ctx, client.AddRaw("replayed-token", thread, body))
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	g.ExpectWithOffset(1, resp).To(matchers.HaveStatus(http.StatusCreated))
	g.ExpectWithOffset(1, resp).To(matchers.ConformToOperation(spec))
	return resp
}

// participantIDs are the raw ids (wire.Identifier.Key) of the
// participants of a create or add request body.
func participantIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var req struct {
		Participants []wire.Participant `json:"participants"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("request body %q: %v", body, err)
	}
	var ids []string
	for _, p := range req.Participants {
		ids = append(ids, p.CommunicationIdentifier.Key())
	}
	return ids
}

func only(entries []recordings.Entry, ops ...string) []recordings.Entry {
	var out []recordings.Entry
	for _, e := range entries {
		for _, op := range ops {
			if e.Operation() == op {
				out = append(out, e)
			}
		}
	}
	return out
}

// The .NET excerpt's thread, 5 participants listed two per page. user1-3
// come from the create request, user4 from the excerpt's :add; user5 was
// added by an entry the excerpt leaves out.
const (
	netThread = "19:acsV1_foL-mUK9P66jE9T-ZxMBTfvWBH3ae7HOxCS__D4TtrA1@thread.v2"
	netUser5  = "8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b3cc-a381-094822006994"
)

// TestReplayNetPaging serves the .NET excerpt's add and list exchanges and
// walks the real three-page listing (maxPageSize=2) with contract.Follow and
// the suite's client, through the real nextLinks (rewritten to the replay
// host): the paging oracles must accept the live service's contract.
func TestReplayNetPaging(t *testing.T) {
	all := inFile(loadRecordings(t), netExcerpt)
	g := NewWithT(t)
	g.Expect(all).To(HaveLen(9))
	create, add := all[2], all[3]
	g.Expect(create.Operation()).To(Equal(recordings.OpCreateThread))
	g.Expect(add.Operation()).To(Equal(recordings.OpAddParticipants))
	stable := embeddedSpecs(t)[wire.APIVersionStable]

	rp := serveReplay(t, only(all, recordings.OpAddParticipants, recordings.OpListParticipants), "2025-03-15")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// The add, replayed through the client, judged as the suite judges it.
	resp := rp.add(ctx, g, netThread, add.RequestBody, stable)
	g.Expect(string(resp.Body)).To(Equal("{}"))

	// The expected members, from the recorded requests themselves.
	var createRes wire.CreateThreadResult
	g.Expect(json.Unmarshal(create.ResponseBody, &createRes)).To(Succeed())
	g.Expect(createRes.ChatThread.ID).To(Equal(netThread))
	want := append(participantIDs(t, create.RequestBody), participantIDs(t, add.RequestBody)...)
	g.Expect(want).To(ContainElement(createRes.ChatThread.CreatedByCommunicationIdentifier.RawID), "the creator is among the create request's participants")
	g.Expect(want).To(HaveLen(4))
	want = append(want, netUser5)

	const n = 2
	walk, err := contract.Follow(ctx, rp.fetcher(netThread, "2"), contract.Bound(len(want), n))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(walk.Cut).To(BeFalse())
	g.Expect(walk.Pages).To(HaveLen(3))
	sizes := []int{}
	for _, p := range walk.Pages {
		sizes = append(sizes, len(p.Items))
		g.Expect(p.Resp).To(matchers.ConformToOperation(stable))
		// Followed on the replay host: the walk really used the links.
		g.Expect(p.Resp.Exchange.URL).To(HavePrefix(rp.URL.String() + "/chat/threads/"))
	}
	g.Expect(sizes).To(Equal([]int{2, 2, 1}))

	g.Expect(contract.CheckPageSizes(walk, n)).To(BeEmpty())
	g.Expect(contract.CheckExactlyOnce(walk, want)).To(BeEmpty())
	g.Expect(contract.CheckNextLinks(walk, len(want), n)).To(BeEmpty())
	g.Expect(contract.CheckLinkForm(walk, "2025-03-15")).To(BeEmpty())
	g.Expect(walk).To(matchers.ConformToPaging(contract.WalkWant{MaxPageSize: n, Unpaged: want, APIVersion: "2025-03-15"}))
	g.Expect(contract.CheckOrder(walk, want)).To(BeEmpty())
	g.Expect(walk.IDs()).To(HaveExactElements(want[0], want[1], want[2], want[3], want[4]), "listing order: creation order")

	// Each recorded page was served once, in order, with the recorded query.
	g.Expect(rp.requests()).To(HaveExactElements(
		HavePrefix("POST /chat/threads/19:acsV1_"),
		MatchRegexp(`^GET /chat/threads/19:acsV1_[^/]+@thread\.v2/participants\?(maxPageSize=2&api-version=2025-03-15|api-version=2025-03-15&maxPageSize=2)$`),
		MatchRegexp(`^GET /chat/threads/19:acsV1_[^/]+@thread\.v2/participants\?skip=2&maxPageSize=2&api-version=2025-03-15$`),
		MatchRegexp(`^GET /chat/threads/19:acsV1_[^/]+@thread\.v2/participants\?skip=4&maxPageSize=2&api-version=2025-03-15$`),
	))

	// A control: the oracles are not vacuous on this walk. Drop page 2 and
	// they report the gap, the missing nextLink is not claimed, and a
	// smaller maxPageSize is exceeded.
	cut := contract.Walk{Pages: []contract.Page{walk.Pages[0], walk.Pages[2]}}
	g.Expect(contract.CheckExactlyOnce(cut, want)).To(HaveLen(2))
	g.Expect(contract.CheckPageSizes(walk, 1)).To(HaveLen(2))
}

// TestReplayJavaListing serves the Java recording's add and unpaged listing:
// one page, no nextLink, exactly the members its requests created.
func TestReplayJavaListing(t *testing.T) {
	all := inFile(loadRecordings(t), javaSync)
	g := NewWithT(t)
	g.Expect(all).To(HaveLen(12))
	create, add, list := all[5], all[8], all[9]
	g.Expect([]string{create.Operation(), add.Operation(), list.Operation()}).To(Equal(
		[]string{recordings.OpCreateThread, recordings.OpAddParticipants, recordings.OpListParticipants}))
	stable := embeddedSpecs(t)[wire.APIVersionStable]

	var createRes wire.CreateThreadResult
	g.Expect(json.Unmarshal(create.ResponseBody, &createRes)).To(Succeed())
	thread := createRes.ChatThread.ID
	// Java sends only communicationUser (no rawId): Key() falls back to it.
	want := append(participantIDs(t, create.RequestBody), participantIDs(t, add.RequestBody)...)
	g.Expect(want).To(HaveLen(4))
	g.Expect(want).To(ContainElement(createRes.ChatThread.CreatedByCommunicationIdentifier.RawID))

	rp := serveReplay(t, []recordings.Entry{add, list}, "2023-11-07")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	rp.add(ctx, g, thread, add.RequestBody, stable)

	walk, err := contract.Follow(ctx, rp.fetcher(thread, ""), contract.Bound(len(want), len(want)))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(walk.Cut).To(BeFalse())
	g.Expect(walk.Pages).To(HaveLen(1))
	g.Expect(walk.Pages[0].NextLink).To(BeEmpty())
	g.Expect(walk.Pages[0].Resp).To(matchers.ConformToOperation(stable))
	g.Expect(walk.Items()).To(matchers.ConsistOfParticipants(want...))

	g.Expect(contract.CheckPageSizes(walk, len(want))).To(BeEmpty())
	g.Expect(contract.CheckExactlyOnce(walk, want)).To(BeEmpty())
	g.Expect(contract.CheckNextLinks(walk, len(want), len(want))).To(BeEmpty())
	g.Expect(contract.CheckLinkForm(walk, "2023-11-07")).To(BeEmpty())
	g.Expect(walk).To(matchers.ConformToPaging(contract.WalkWant{Unpaged: want, APIVersion: "2023-11-07"}))
	g.Expect(contract.CheckIdentifierKinds(walk.Items(), "2023-11-07")).To(HaveLen(len(want)), "LIST-03: the live service sends no kind")
	for _, p := range walk.Items() {
		g.Expect(p.ShareHistoryTime).To(Equal("1970-01-01T00:00:00Z"), "no shareHistoryTime was sent")
	}
	g.Expect(rp.requests()).To(HaveLen(2))
}
