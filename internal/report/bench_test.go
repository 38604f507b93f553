package report

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/transcript"
)

// benchVersions are six api-versions, as a CHAT_API_VERSION=supported run
// against the reference server certifies.
var benchVersions = []string{"2021-03-07", "2021-09-07", "2023-11-07", "2024-03-07", "2024-03-15-preview", "2025-03-15"}

// realisticReport is a run of about the shape and size the suite's 16
// processes hand ReportAfterSuite against the reference server: every
// assertion of every version with one spec, each spec with its thread's
// creation, adds, list pages of about ten participants and the deletion
// (13 exchanges, 1.6 KB of JSON each). One process in sixteen
// recorded its exchanges itself (the entry holds the *transcript.Exchange);
// the rest arrive decoded from JSON, as Ginkgo hands them over.
func realisticReport(versions ...string) types.Report {
	r := types.Report{SuitePath: "/src/suites/participants", SuiteDescription: "Chat Participants Conformance", SuiteSucceeded: true,
		StartTime: t0, EndTime: t0.Add(20 * time.Second), RunTime: 20 * time.Second}
	r.SpecReports = append(r.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStatePassed})
	var own, others types.SpecReports
	n := 0
	for _, v := range versions {
		for _, a := range catalogue.All() {
			b := newSpecOn(v, a.ID, "Area "+a.Area, "["+a.ID+"] "+a.Behavior)
			if why := catalogue.NotInVersion(a, v); why != "" {
				b.skip("[" + a.ID + "] " + why)
			} else {
				for _, ex := range benchExchanges(v, n) {
					b.exchange(ex)
				}
			}
			if n%16 == 0 {
				own = append(own, b.build())
			} else {
				others = append(others, b.build())
			}
			n++
		}
	}
	// What the other processes sent went through JSON.
	data, err := json.Marshal(types.Report{SpecReports: others})
	if err != nil {
		panic(err)
	}
	var decoded types.Report
	if err := json.Unmarshal(data, &decoded); err != nil {
		panic(err)
	}
	r.SpecReports = append(append(r.SpecReports, own...), decoded.SpecReports...)
	r.SpecReports = append(r.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeSynchronizedAfterSuite, State: types.SpecStatePassed})
	return r
}

// benchExchanges are one spec's exchanges: create, two adds, list pages,
// delete.
func benchExchanges(v string, n int) []*transcript.Exchange {
	thread := fmt.Sprintf("19:%032x@thread.v2", n)
	q := "?api-version=" + v
	var participants []string
	for i := 0; i < 10; i++ {
		participants = append(participants, fmt.Sprintf(`{"communicationIdentifier":{"rawId":"8:acs:1b5cc06b-f352-4571-b1e6-d9b259b7c776_%08d-0000-0000-0000-%012d","communicationUser":{"id":"8:acs:1b5cc06b-f352-4571-b1e6-d9b259b7c776_%08d-0000-0000-0000-%012d"}},"displayName":"participant %d","shareHistoryTime":"2026-12-02T04:16:44Z"}`, n, i, n, i, i))
	}
	page := `{"value":[` + strings.Join(participants, ",") + `]}`
	add := `{"participants":[` + strings.Join(participants[:3], ",") + `]}`
	exs := []*transcript.Exchange{
		exch(http.MethodPost, "/chat/threads"+q, 201, `{"topic":"chatconform"}`, `{"chatThread":{"id":"`+thread+`","topic":"chatconform","createdOn":"2026-12-02T04:16:44Z","createdByCommunicationIdentifier":{"rawId":"8:acs:x"}}}`),
		exch(http.MethodPost, "/chat/threads/"+thread+"/participants/:add"+q, 201, add, `{}`),
		exch(http.MethodPost, "/chat/threads/"+thread+"/participants/:add"+q, 201, add, `{}`),
	}
	for i := 0; i < 9; i++ {
		exs = append(exs, exch(http.MethodGet, "/chat/threads/"+thread+"/participants"+q+"&maxPageSize=10", 200, "", page))
	}
	exs = append(exs, exch(http.MethodDelete, "/chat/threads/"+thread+q, 204, "", ""))
	for i, ex := range exs {
		ex.Start = t0.Add(time.Duration(n*20+i) * time.Millisecond)
		ex.ResponseHeader = http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Ms-Cv": {"0123456789abcdef.0"}, "Api-Supported-Versions": {strings.Join(benchVersions, ", ")}}
	}
	return exs
}

// benchMeta is the Meta of a run with a connection string: its secrets
// are what Write scrubs every file of.
func benchMeta(versions ...string) Meta {
	m := fixtureMeta()
	m.APIVersions = versions
	key := "q8Xw3nJ0Zk1c2Vb5LmN7pRt9sUv4yAaBcDeFgHiJkLm="
	m.Secrets = []string{"endpoint=" + endpoint + "/;accesskey=" + key, key}
	return m
}

// BenchmarkWrite is report.Write of a one-version and a six-version run of
// the sizes the suite produces (report.json about 5 and 29 MB).
func BenchmarkWrite(b *testing.B) {
	for _, vs := range [][]string{benchVersions[5:], benchVersions} {
		r, m := realisticReport(vs...), benchMeta(vs...)
		b.Run(fmt.Sprintf("versions=%d", len(vs)), func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "reports")
			for i := 0; i < b.N; i++ {
				if err := Write(dir, r, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
