package report

import (
	"net/http"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
)

// t0 is when the fixture run starts; every timeline is relative to it.
var t0 = time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)

const endpoint = "https://contoso.communication.azure.com"

// specB builds one spec report the way Ginkgo fills it for the suite.
type specB struct {
	r     types.SpecReport
	order int
}

// fixtureVersion is the api-version of the fixture run.
const fixtureVersion = "2024-03-07"

// newSpec is a spec of the fixture's api-version.
func newSpec(id, container, leaf string) *specB {
	return newSpecOn(fixtureVersion, id, container, leaf)
}

// newSpecOn is a spec the framework declared for api-version v: inside a
// container named after v and labelled v:<v>.
func newSpecOn(v, id, container, leaf string) *specB {
	return &specB{r: types.SpecReport{
		ContainerHierarchyTexts:  []string{v, container},
		ContainerHierarchyLabels: [][]string{{outcome.VersionLabelPrefix + v}, {}},
		LeafNodeType:             types.NodeTypeIt,
		LeafNodeText:             leaf,
		LeafNodeLabels:           catalogue.Get(id).Labels(),
		State:                    types.SpecStatePassed,
		StartTime:                t0,
		EndTime:                  t0.Add(120 * time.Millisecond),
		RunTime:                  120 * time.Millisecond,
		LeafNodeLocation:         types.CodeLocation{FileName: "/src/suites/participants/add_test.go", LineNumber: 34},
	}}
}

// next is the next point on the spec's timeline.
func (b *specB) next() types.TimelineLocation {
	b.order++
	return types.TimelineLocation{Order: b.order, Time: t0.Add(time.Duration(b.order) * time.Millisecond)}
}

func (b *specB) entry(name string, v any) *specB {
	tl := b.next()
	b.r.ReportEntries = append(b.r.ReportEntries, types.ReportEntry{
		Name: name, Value: types.WrapEntryValue(v), Time: tl.Time, TimelineLocation: tl,
		Visibility: types.ReportEntryVisibilityNever,
	})
	return b
}

func (b *specB) exchange(ex *transcript.Exchange) *specB { return b.entry(outcome.EntryTranscript, ex) }

func (b *specB) fail(msg string) *specB {
	b.r.State = types.SpecStateFailed
	b.r.Failure = types.Failure{
		Message: msg, TimelineLocation: b.next(),
		Location: types.CodeLocation{FileName: "/src/suites/participants/add_test.go", LineNumber: 35},
	}
	return b
}

func (b *specB) skip(msg string) *specB {
	b.r.State = types.SpecStateSkipped
	b.r.Failure = types.Failure{Message: msg, TimelineLocation: b.next()}
	return b
}

func (b *specB) harnessError(msg string) *specB {
	b.entry(outcome.EntryHarnessError, msg)
	return b.fail("HARNESS ERROR (the suite could not judge the server; this is not a conformance failure): " + msg)
}

func (b *specB) build() types.SpecReport { return b.r }

// unversioned drops the version container: a spec as reports had them
// before specs were declared per api-version.
func (b *specB) unversioned() *specB {
	b.r.ContainerHierarchyTexts = b.r.ContainerHierarchyTexts[1:]
	b.r.ContainerHierarchyLabels = b.r.ContainerHierarchyLabels[1:]
	return b
}

func bearer() http.Header {
	return http.Header{"Authorization": {"Bearer REDACTED"}, "Content-Type": {"application/json"}, "User-Agent": {"chatconform/dev"}}
}

func exch(method, path string, status int, reqBody, respBody string) *transcript.Exchange {
	return &transcript.Exchange{
		Method: method, URL: endpoint + path, RequestHeader: bearer(), RequestBody: reqBody,
		Status: status, ResponseHeader: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		ResponseBody: respBody, Duration: 42 * time.Millisecond, Attempt: 1, Start: t0,
	}
}

const (
	addPath  = "/chat/threads/19:thread@thread.v2/participants/:add?api-version=2024-03-07"
	listPath = "/chat/threads/19:thread@thread.v2/participants?api-version=2024-03-07"
	// addBody has a single quote, which the curl line must survive.
	addBody = `{"participants":[{"communicationIdentifier":{"rawId":"8:acs:r_1"},"displayName":"Seán O'Brien"}]}`
)

// failingAdd is ADD-01 failing on a 500, with thread creation before and
// the thread's deletion (cleanup) after the failure.
func failingAdd() types.SpecReport {
	b := newSpec("ADD-01", "Add Chat Participants every participant is new and valid", "[ADD-01] returns 201 Created")
	b.exchange(exch("POST", "/chat/threads?api-version=2024-03-07", 201, `{"topic":"chatconform"}`, `{"chatThread":{"id":"19:thread@thread.v2"}}`))
	add := exch("POST", addPath, 500, addBody, `{"error":{"code":"InternalError","message":"boom <script>alert(1)</script>"}}`)
	b.exchange(add)
	b.fail("Expected status 201 Created, got 500 Internal Server Error\n" + add.String())
	b.exchange(exch("DELETE", "/chat/threads/19:thread@thread.v2?api-version=2024-03-07", 204, "", ""))
	return b.build()
}

// fixtureReport is a small run with one spec of each outcome; every other
// assertion did not run.
func fixtureReport() types.Report {
	passed := newSpec("ADD-02", "Add Chat Participants every participant is new and valid", "[ADD-02] returns a JSON object valid against AddChatParticipantsResult")
	throttled := exch("GET", listPath, 429, "", `{"error":{"code":"TooManyRequests","message":"slow down"}}`)
	throttled.Retried = "429 Too Many Requests, waited 1s before attempt 2"
	passed.exchange(throttled)
	second := exch("GET", listPath, 200, "", `{"value":[]}`)
	second.Attempt = 2
	passed.exchange(second)

	warned := newSpec("LIST-03", "List Chat Participants", "[LIST-03] gives every communicationIdentifier a kind matching its populated sub-object")
	warned.exchange(exch("GET", listPath, 200, "", `{"value":[{"communicationIdentifier":{"rawId":"8:acs:r_1"}}]}`))
	warned.entry(outcome.EntryWarning, "[LIST-03] SHOULD: communicationIdentifier.kind is missing on 1 participant")

	skipped := newSpec("ERR-03", "Authentication, authorisation and errors", "[ERR-03] answers a revoked token with 401 and the error envelope")
	skipped.skip("[ERR-03] needs the Identity API to mint and revoke a token: set ACS_CONNECTION_STRING (or run against the embedded server)")

	errored := newSpec("PAGE-01", "List Chat Participants with paging [PAGE-01] never puts more than maxPageSize participants on a page", "maxPageSize=2")
	errored.exchange(exch("POST", "/chat/threads?api-version=2024-03-07", 201, `{"topic":"x"}`, `{}`))
	errored.exchange(&transcript.Exchange{Method: "GET", URL: endpoint + listPath + "&maxPageSize=2", RequestHeader: bearer(), Err: "read: connection reset by peer", Attempt: 1, Start: t0})
	errored.harnessError("listing participants: read: connection reset by peer")

	return types.Report{
		SuitePath:        "/src/suites/participants",
		SuiteDescription: "Chat Participants Conformance",
		SuiteSucceeded:   false,
		StartTime:        t0,
		EndTime:          t0.Add(3 * time.Second),
		RunTime:          3 * time.Second,
		SpecReports: types.SpecReports{
			{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStatePassed},
			failingAdd(), passed.build(), warned.build(), skipped.build(), errored.build(),
		},
	}
}

// allPassing is a run of the fixture's api-version in which every
// assertion has one passing spec.
func allPassing() types.Report { return allPassingOn(fixtureVersion) }

// allPassingOn is a run of the api-versions in which every assertion has
// one passing spec per version (the metadata ones only where the version
// has metadata, META-03 only where it has none; elsewhere they are skipped,
// as the framework skips them).
func allPassingOn(versions ...string) types.Report {
	r := types.Report{SuiteDescription: "Chat Participants Conformance", SuiteSucceeded: true, StartTime: t0, EndTime: t0.Add(time.Second), RunTime: time.Second}
	for _, v := range versions {
		for _, a := range catalogue.All() {
			b := newSpecOn(v, a.ID, "Area "+a.Area, "["+a.ID+"] "+a.Behavior)
			if why := catalogue.NotInVersion(a, v); why != "" {
				b.skip("[" + a.ID + "] " + why)
			} else {
				b.exchange(exch("GET", listPath, 200, "", `{"value":[]}`))
			}
			r.SpecReports = append(r.SpecReports, b.build())
		}
	}
	return r
}

// replace swaps the spec of one assertion (of the same api-version) in a
// report.
func replace(r types.Report, sr types.SpecReport) types.Report {
	id, v := sr.LeafNodeLabels[0], outcome.VersionOf(sr)
	out := r
	out.SpecReports = nil
	for _, s := range r.SpecReports {
		if len(s.LeafNodeLabels) > 0 && s.LeafNodeLabels[0] == id && outcome.VersionOf(s) == v {
			s = sr
		}
		out.SpecReports = append(out.SpecReports, s)
	}
	return out
}

func fixtureMeta() Meta {
	return Meta{
		SuiteVersion: "v1.2.3",
		APIVersions:  []string{fixtureVersion},
		Endpoint:     endpoint + "/some/path?key=x",
		Mode:         "connection string",
		SpecSource:   "embedded:chat-2024-03-07.yaml",
		SpecDigest:   "sha256:0123456789abcdef",
		Config: map[string]string{
			"CHAT_ENDPOINT":         endpoint,
			"CHAT_API_VERSION":      "2024-03-07",
			"ACS_CONNECTION_STRING": "endpoint=" + endpoint + "/;accesskey=REDACTED",
			"CHAT_STRICT":           "false",
		},
	}
}

// The versions of the two-version fixture: one without metadata, one with.
const (
	noMetaVersion = "2024-03-07"
	metaVersion   = "2025-03-15"
)

// twoVersions is a run of 2024-03-07 and 2025-03-15 in which every
// assertion passes on both (META only on 2025-03-15, which has metadata)
// except ADD-01, which fails on 2025-03-15.
func twoVersions() types.Report {
	r := allPassingOn(noMetaVersion, metaVersion)
	return replace(r, failingAddOn(metaVersion))
}

// failingAddOn is failingAdd declared for api-version v.
func failingAddOn(v string) types.SpecReport {
	sr := failingAdd()
	sr.ContainerHierarchyTexts[0] = v
	sr.ContainerHierarchyLabels[0] = []string{outcome.VersionLabelPrefix + v}
	return sr
}

func twoVersionMeta() Meta {
	m := fixtureMeta()
	m.APIVersions = []string{noMetaVersion, metaVersion}
	m.Config["CHAT_API_VERSION"] = noMetaVersion + "," + metaVersion
	return m
}
