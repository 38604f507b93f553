package realworld

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/fixtures/sharedref"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/recordings"
	"github.com/chatconform/chatconform/internal/wire"
	"github.com/chatconform/chatconform/matchers"
)

// What the oracles must say about a recorded response.
type verdictKind string

const (
	// identityCall: an Identity API response. It belongs to another
	// document; the chat oracles must not find a chat operation for it.
	identityCall verdictKind = "identity call, outside the chat documents"
	// createOK: 201 CreateChatThreadResult, conformant.
	createOK verdictKind = "create thread 201, conformant"
	// addOK: 201 with exactly {} (Content-Length 2), conformant.
	addOK verdictKind = "add 201 {}, conformant"
	// addPartial: 201 with invalidParticipants, conformant.
	addPartial verdictKind = "add 201 with invalidParticipants, conformant"
	// listOK: 200 ChatParticipantsCollection without metadata, conformant
	// to the schema, but every identifier lacks kind (LIST-03 flags it).
	listOK verdictKind = "list 200, conformant schema, kind absent"
	// listMeta: as listOK, with participant metadata: also conformant to
	// the document of the version recorded at, which documents metadata.
	listMeta verdictKind = "list 200 with metadata, conformant to stable and preview, kind absent"
	// noContent: 204 without body (remove, delete thread), conformant.
	noContent verdictKind = "204 without body, conformant"
	// legacyError: a 4xx in the live service's legacy shape, rejected by
	// CheckErrorEnvelope naming that shape.
	legacyError verdictKind = "legacy error envelope, rejected"
)

type verdict struct {
	kind verdictKind
	// code is the legacy CommunicationError.Code of a legacyError.
	code string
}

var (
	vIdentity = verdict{kind: identityCall}
	vCreate   = verdict{kind: createOK}
	vAdd      = verdict{kind: addOK}
	vPartial  = verdict{kind: addPartial}
	vList     = verdict{kind: listOK}
	vListMeta = verdict{kind: listMeta}
	v204      = verdict{kind: noContent}
)

func vLegacy(code string) verdict { return verdict{kind: legacyError, code: code} }

// recordedVerdicts is the expected verdict of every recorded response, by
// file and index. A recording added to ../shared must be added here.
var recordedVerdicts = map[string][]verdict{
	cliBadUser:   {vIdentity, vCreate, vPartial, vLegacy("BadRequest")},
	cliBadThread: {vIdentity, vLegacy("NotFound")},
	cliRemove:    {vIdentity, vIdentity, vCreate, vAdd, v204, vLegacy("BadRequest"), v204, vLegacy("Forbidden")},
	javaAsync:    {vIdentity, vIdentity, vIdentity, vCreate, vIdentity, vAdd, vListMeta},
	javaSync:     {vIdentity, vIdentity, vIdentity, vIdentity, vIdentity, vCreate, vIdentity, vIdentity, vAdd, vList, v204, v204},
	jsAdd:        {vIdentity, vAdd},
	jsDelete:     {v204},
	jsList:       {vListMeta},
	netExcerpt:   {vIdentity, vIdentity, vCreate, vAdd, vListMeta, vList, vList, v204, v204},
	pyAdd:        {vCreate, vAdd},
	pyList:       {vCreate, vAdd, vList},
	pyRemove:     {vCreate, vAdd, v204},
}

// TestRecordingVectors puts every recorded response through the oracles
// and holds each to its verdict in recordedVerdicts.
func TestRecordingVectors(t *testing.T) {
	entries := loadRecordings(t)
	specs := embeddedSpecs(t)
	stable := specs[wire.APIVersionStable]

	seen := map[string]int{}
	for _, e := range entries {
		seen[e.File]++
	}
	for f, vs := range recordedVerdicts {
		if seen[f] != len(vs) {
			t.Errorf("%s: %d recorded exchanges, the verdict table has %d", f, seen[f], len(vs))
		}
	}
	for f := range seen {
		if _, ok := recordedVerdicts[f]; !ok {
			t.Errorf("%s: a recording without verdicts; add it to recordedVerdicts", f)
		}
	}

	counts := map[verdictKind]int{}
	for _, e := range entries {
		vs := recordedVerdicts[e.File]
		if e.Index >= len(vs) {
			continue // reported above
		}
		v := vs[e.Index]
		counts[v.kind]++
		t.Run(fmt.Sprintf("%s#%d %s", e.File, e.Index, v.kind), func(t *testing.T) {
			g := NewWithT(t)
			path := requestPath(t, e)
			// Also judged by the document of the version it was recorded
			// at; a preview the suite does not know, by the latest.
			own := specs[wire.APIVersionLatest]
			if u, err := url.Parse(e.URL); err == nil && specs[u.Query().Get("api-version")] != nil {
				own = specs[u.Query().Get("api-version")]
			}
			judge := func(spec *openapi.Spec) []contract.Violation {
				return contract.ValidateResponse(spec, e.Method, path, e.Status, e.ResponseHeader, e.ResponseBody)
			}
			switch v.kind {
			case identityCall:
				g.Expect(e.Operation()).To(BeElementOf(recordings.OpCreateIdentity, recordings.OpIssueToken))
				_, _, err := stable.FindRoute(e.Method, path)
				g.Expect(err).To(MatchError(ContainSubstring("documents no operation")), "the chat document must not claim an Identity call")
				for _, exp := range stringsAt(e.ResponseBody, "expiresOn") {
					g.Expect(contract.CheckRFC3339(exp)).To(BeEmpty(), "Identity expiresOn")
				}

			case createOK:
				g.Expect(e.Operation()).To(Equal(recordings.OpCreateThread))
				g.Expect(e.Status).To(Equal(http.StatusCreated))
				g.Expect(judge(stable)).To(BeEmpty())
				g.Expect(judge(own)).To(BeEmpty())
				g.Expect(e.ResponseBody).To(matchers.ConformToSchema(stable, "CreateChatThreadResult"))
				var res wire.CreateThreadResult
				g.Expect(json.Unmarshal(e.ResponseBody, &res)).To(Succeed())
				g.Expect(res.ChatThread).NotTo(BeNil())
				g.Expect(res.ChatThread.CreatedOn).To(matchers.BeRFC3339UTCSeconds(), "createdOn has second precision and Z")
				g.Expect(res.ChatThread.CreatedByCommunicationIdentifier.Kind).To(BeEmpty(), "no recorded chat response carries kind")
				g.Expect(res.ChatThread.CreatedByCommunicationIdentifier.RawID).NotTo(BeEmpty())

			case addOK, addPartial:
				g.Expect(e.Operation()).To(Equal(recordings.OpAddParticipants))
				g.Expect(e.Status).To(Equal(http.StatusCreated))
				g.Expect(judge(stable)).To(BeEmpty())
				g.Expect(judge(own)).To(BeEmpty())
				g.Expect(e.ResponseBody).To(matchers.ConformToSchema(stable, "AddChatParticipantsResult"))
				g.Expect(e.ResponseBody).To(matchers.ConformToSchema(own, "AddChatParticipantsResult"))
				var res wire.AddParticipantsResult
				g.Expect(json.Unmarshal(e.ResponseBody, &res)).To(Succeed())
				if v.kind == addOK {
					g.Expect(string(e.ResponseBody)).To(Equal("{}"), "full success is exactly {}")
					g.Expect(res.InvalidParticipants).To(BeEmpty())
					break
				}
				g.Expect(res.InvalidParticipants).To(HaveLen(1))
				ip := res.InvalidParticipants[0]
				g.Expect(ip.Code).To(Equal("403"), "code is a string holding an HTTP status")
				g.Expect(ip.Message).To(Equal("Permissions check failed"))
				g.Expect(ip.Target).NotTo(BeEmpty())

			case listOK, listMeta:
				g.Expect(e.Operation()).To(Equal(recordings.OpListParticipants))
				g.Expect(e.Status).To(Equal(http.StatusOK))
				g.Expect(judge(stable)).To(BeEmpty())
				g.Expect(e.ResponseBody).To(matchers.ConformToSchema(stable, "ChatParticipantsCollection"))
				var page wire.ParticipantsCollection
				g.Expect(json.Unmarshal(e.ResponseBody, &page)).To(Succeed())
				g.Expect(page.Value).NotTo(BeEmpty())
				withMeta := slices.ContainsFunc(page.Value, func(p wire.Participant) bool { return p.Metadata != nil })
				g.Expect(withMeta).To(Equal(v.kind == listMeta), "metadata present")
				if withMeta {
					g.Expect(judge(own)).To(BeEmpty())
					g.Expect(e.ResponseBody).To(matchers.ConformToSchema(own, "ChatParticipantsCollection"))
				}
				for i, p := range page.Value {
					id := p.CommunicationIdentifier
					g.Expect(id.RawID).NotTo(BeEmpty(), "LIST-02: value[%d].rawId", i)
					g.Expect(id.CommunicationUser).NotTo(BeNil(), "value[%d].communicationUser", i)
					g.Expect(id.CommunicationUser.ID).To(Equal(id.RawID), "LIST-02: value[%d]", i)
				}
				// LIST-03 (SHOULD): the live service omits kind everywhere;
				// the suite's logic must flag every participant.
				g.Expect(contract.CheckIdentifierKinds(page.Value, stable.APIVersion)).To(HaveLen(len(page.Value)))
				g.Expect(hasKey(e.ResponseBody, "kind")).To(BeFalse())

			case noContent:
				g.Expect(e.Operation()).To(BeElementOf(recordings.OpRemoveParticipant, recordings.OpDeleteThread))
				g.Expect(e.Status).To(Equal(http.StatusNoContent))
				g.Expect(e.ResponseBody).To(BeEmpty())
				g.Expect(e.ResponseHeader.Get("Content-Type")).To(BeEmpty())
				g.Expect(judge(stable)).To(BeEmpty())

			case legacyError:
				g.Expect(e.Status).To(BeNumerically(">=", 400))
				// The status and the legacy code agree with the documented
				// table: only the shape differs.
				g.Expect(wire.ErrorCodes[e.Status]).To(Equal(v.code))
				g.Expect(e.ResponseHeader.Get("Content-Type")).To(Equal("application/json"), "errors come without charset")
				g.Expect(e.ResponseHeader.Get("Transfer-Encoding")).To(Equal("chunked"), "errors come chunked")
				vs := contract.CheckErrorEnvelope(e.ResponseHeader, e.ResponseBody)
				g.Expect(vs).To(HaveLen(1), contract.Format(vs, "  "))
				g.Expect(vs[0].Assertion).To(Equal("ERR-05"))
				g.Expect(vs[0].Pointer).To(Equal("/error"))
				g.Expect(vs[0].Message).To(ContainSubstring(`legacy ACS shape {"CommunicationError"`))
				g.Expect(vs[0].Message).To(ContainSubstring(`Code "` + v.code + `"`))
				g.Expect(e.ResponseBody).NotTo(matchers.HaveErrorEnvelope(""))
				envelope := matchers.HaveErrorEnvelope("")
				g.Expect(envelope.Match(e.ResponseBody)).To(BeFalse())
				g.Expect(envelope.FailureMessage(e.ResponseBody)).To(ContainSubstring("legacy ACS shape"))
				codes := contract.CheckErrorCode(e.Status, e.ResponseBody)
				g.Expect(contract.Format(codes, "")).To(ContainSubstring("legacy shape, whose CommunicationError.Code is \"" + v.code + "\""))
				// The operation oracle says the same, against both documents.
				for _, spec := range []*openapi.Spec{stable, own} {
					vs := judge(spec)
					g.Expect(vs).To(HaveLen(1), contract.Format(vs, "  "))
					g.Expect(vs[0].Message).To(ContainSubstring("legacy ACS shape"))
				}

			default:
				t.Fatalf("no check for verdict %q", v.kind)
			}
		})
	}
	// The table's shape, so that a change to the data is noticed here.
	want := map[verdictKind]int{identityCall: 18, createOK: 8, addOK: 8, addPartial: 1, listOK: 4, listMeta: 3, noContent: 8, legacyError: 4}
	if !maps.Equal(counts, want) {
		t.Errorf("verdicts per kind %v, want %v", counts, want)
	}
}

// TestLIST03LogicControls proves the LIST-03 logic used above tells the
// cases apart: the live service's identifiers (no kind) are flagged, the
// reference server's (kind communicationUser) are not, and a kind that
// names the wrong sub-object is flagged.
func TestLIST03LogicControls(t *testing.T) {
	const raw = "8:acs:00000000-0000-0000-0000-000000000000_0000"
	live := wire.Participant{CommunicationIdentifier: wire.UserIdentifier(raw)}
	ref := wire.Participant{CommunicationIdentifier: wire.ResponseIdentifier(raw)}
	wrong := ref
	wrong.CommunicationIdentifier.Kind = "phoneNumber"
	g := NewWithT(t)
	g.Expect(contract.CheckIdentifierKinds([]wire.Participant{live}, wire.APIVersionStable)).To(ConsistOf(HaveField("Message", HavePrefix("missing"))))
	g.Expect(contract.CheckIdentifierKinds([]wire.Participant{ref}, wire.APIVersionStable)).To(BeEmpty())
	g.Expect(contract.CheckIdentifierKinds([]wire.Participant{wrong}, wire.APIVersionStable)).To(ConsistOf(HaveField("Message", ContainSubstring("populated sub-object is communicationUser"))))
}

// TestRecordedNextLinks holds every real nextLink to PAGE-04 and to the
// trust policy: absolute, on an ACS host that is not the endpoint called,
// trusted only because of the default ACS suffixes.
func TestRecordedNextLinks(t *testing.T) {
	entries := loadRecordings(t)
	type link struct {
		e    recordings.Entry
		link string
	}
	var links []link
	for _, e := range entries {
		for _, l := range stringsAt(e.ResponseBody, "nextLink") {
			links = append(links, link{e, l})
		}
	}
	// Only the .NET listing pages with maxPageSize=2 (pages 1 and 2 of 3).
	if len(links) != 2 {
		t.Fatalf("%d recorded nextLinks, want 2 (the .NET excerpt's first two pages)", len(links))
	}
	for i, l := range links {
		t.Run(fmt.Sprintf("%s#%d", l.e.File, l.e.Index), func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(l.e.File).To(Equal(netExcerpt))
			req, err := url.Parse(l.e.URL)
			g.Expect(err).NotTo(HaveOccurred())
			endpoint := &url.URL{Scheme: req.Scheme, Host: req.Host}
			u, err := url.Parse(l.link)
			g.Expect(err).NotTo(HaveOccurred())

			trust := client.NewTrust(endpoint, config.DefaultTrustedHostSuffixes...)
			ok, why := trust.Allows(u)
			g.Expect(ok).To(BeTrue(), "trusted with the default ACS suffixes: %s", why)
			ok, _ = client.NewTrust(endpoint).Allows(u)
			g.Expect(ok).To(BeFalse(), "the link's host %s is not the endpoint's %s: only the ACS suffix rule trusts it", u.Host, endpoint.Host)
			g.Expect(u.Host).To(HaveSuffix(".communication.azure.net"))

			apiVersion := req.Query().Get("api-version")
			g.Expect(apiVersion).To(Equal("2025-03-15"))
			walk := contract.Walk{Pages: []contract.Page{{NextLink: l.link}}}
			g.Expect(contract.CheckLinkForm(walk, apiVersion)).To(BeEmpty())

			// The observed form: raw thread id, skip counting the items
			// returned so far, query order skip, maxPageSize, api-version.
			g.Expect(u.RawPath).To(BeEmpty())
			g.Expect(u.Path).To(MatchRegexp(`^/chat/threads/19:[^/]+@thread\.v2/participants$`))
			g.Expect(u.RawQuery).To(Equal(fmt.Sprintf("skip=%d&maxPageSize=2&api-version=2025-03-15", 2*(i+1))))
		})
	}
}

// TestRecordedShareHistoryTimes holds every shareHistoryTime the service
// returned to TIME-01 and TIME-02, and the one sent with microseconds to
// its truncation.
func TestRecordedShareHistoryTimes(t *testing.T) {
	entries := loadRecordings(t)
	g := NewWithT(t)
	var got []string
	for _, e := range entries {
		if e.Operation() == recordings.OpCreateIdentity || e.Operation() == recordings.OpIssueToken {
			continue
		}
		got = append(got, stringsAt(e.ResponseBody, "shareHistoryTime")...)
	}
	g.Expect(got).To(HaveLen(16), "Java async 3, Java sync 4, JS 3, .NET 5, Python 1")
	distinct := slices.Compact(slices.Sorted(slices.Values(got)))
	g.Expect(distinct).To(Equal([]string{"1970-01-01T00:00:00Z", "2023-05-27T01:38:21Z"}))
	for _, s := range got {
		g.Expect(contract.CheckRFC3339(s)).To(BeEmpty())
		g.Expect(contract.CheckRFC3339UTCSeconds(s)).To(BeEmpty())
		g.Expect(s).To(matchers.BeRFC3339())
		g.Expect(s).To(matchers.BeRFC3339UTCSeconds())
	}

	// Python sent 01:38:21.237353Z and got 01:38:21Z back: TIME-03's
	// second-precision comparison; the sent form is RFC 3339 but not the
	// documented one.
	py := inFile(entries, pyList)
	sent := stringsAt(py[1].RequestBody, "shareHistoryTime")
	back := stringsAt(py[2].ResponseBody, "shareHistoryTime")
	g.Expect(sent).To(Equal([]string{"2023-05-27T01:38:21.237353Z"}))
	g.Expect(back).To(Equal([]string{"2023-05-27T01:38:21Z"}))
	g.Expect(contract.CheckRFC3339(sent[0])).To(BeEmpty())
	g.Expect(contract.CheckRFC3339UTCSeconds(sent[0])).To(ConsistOf(HaveField("Message", ContainSubstring("fractional seconds (.237353)"))))
	g.Expect(back[0]).To(matchers.BeSameInstantAs(sent[0]))
}

// The official examples copied with the published documents.
var officialExamples = []struct {
	file, method, suffix string
	statuses             []string
}{
	{"Participants_AddChatParticipants.json", http.MethodPost, "/participants/:add", []string{"201", "401", "403", "429", "503"}},
	{"Participants_ListChatParticipantsWithPageSize.json", http.MethodGet, "/participants", []string{"200", "401", "403", "429", "503"}},
}

// TestOfficialExamples holds every response body of the add and list
// examples to the operation and schema oracles, against the embedded
// document and the published Swagger 2.0 document of its api-version.
func TestOfficialExamples(t *testing.T) {
	specsDir := sharedref.Dir(t, "reference", "specs")
	embedded := embeddedSpecs(t)
	for version, doc := range publishedDocs {
		published := loadPublished(t, version)
		for _, ex := range officialExamples {
			path := filepath.Join(specsDir, filepath.Dir(filepath.FromSlash(doc)), "examples", ex.file)
			t.Run(version+"/"+ex.file, func(t *testing.T) {
				g := NewWithT(t)
				data, err := os.ReadFile(path)
				g.Expect(err).NotTo(HaveOccurred())
				var example struct {
					Parameters struct {
						APIVersion   string `json:"api-version"`
						ChatThreadID string `json:"chatThreadId"`
					} `json:"parameters"`
					Responses map[string]struct {
						Body json.RawMessage `json:"body"`
					} `json:"responses"`
				}
				g.Expect(json.Unmarshal(data, &example)).To(Succeed())
				g.Expect(example.Parameters.APIVersion).To(Equal(version))
				g.Expect(slices.Sorted(maps.Keys(example.Responses))).To(Equal(ex.statuses))
				reqPath := "/chat/threads/" + url.PathEscape(example.Parameters.ChatThreadID) + ex.suffix
				header := http.Header{"Content-Type": {"application/json"}}
				for code, resp := range example.Responses {
					status, err := strconv.Atoi(code)
					g.Expect(err).NotTo(HaveOccurred())
					for _, spec := range []*openapi.Spec{embedded[version], published} {
						vs := contract.ValidateResponse(spec, ex.method, reqPath, status, header, resp.Body)
						g.Expect(vs).To(BeEmpty(), "%s %s example against %s:\n%s", code, ex.file, spec.Source, contract.Format(vs, "  "))
					}
					if status >= 400 {
						g.Expect(contract.CheckErrorEnvelope(header, resp.Body)).To(BeEmpty())
						g.Expect(contract.CheckErrorCode(status, resp.Body)).To(BeEmpty())
						continue
					}
					schema := "AddChatParticipantsResult"
					if ex.method == http.MethodGet {
						schema = "ChatParticipantsCollection"
						var page wire.ParticipantsCollection
						g.Expect(json.Unmarshal(resp.Body, &page)).To(Succeed())
						walk := contract.Walk{Pages: []contract.Page{{NextLink: page.NextLink}}}
						g.Expect(page.NextLink).NotTo(BeEmpty())
						g.Expect(contract.CheckLinkForm(walk, version)).To(BeEmpty())
						for _, p := range page.Value {
							g.Expect(p.ShareHistoryTime).To(matchers.BeRFC3339UTCSeconds())
						}
						// The examples, like the service, carry no kind.
						g.Expect(contract.CheckIdentifierKinds(page.Value, version)).To(HaveLen(len(page.Value)))
					}
					g.Expect(resp.Body).To(matchers.ConformToSchema(embedded[version], schema))
					g.Expect(resp.Body).To(matchers.ConformToSchema(published, schema))
				}
			})
		}
	}
}
