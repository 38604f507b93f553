package realworld

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/wire"
)

const (
	ccThread = "/chat/threads/19:abc@thread.v2"
	ccAdd    = ccThread + "/participants/:add?api-version=2024-03-07"
	ccList   = ccThread + "/participants?api-version=2024-03-07"
	ccValid  = `{"participants":[{"communicationIdentifier":{"rawId":"8:acs:r_1","communicationUser":{"id":"8:acs:r_1"}}}]}`
)

// stub answers every request with a fixed response and records the body
// it was given.
type stub struct {
	status int
	ctype  string
	body   string
	flush  bool
	got    []string
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.got = append(s.got, string(b))
	if s.ctype != "" {
		w.Header().Set("Content-Type", s.ctype)
	}
	w.Header().Set("X-Stub", "1")
	w.WriteHeader(s.status)
	if s.flush {
		w.(http.Flusher).Flush()
	}
	_, _ = io.WriteString(w, s.body)
}

// exchange sends one request through the check and returns what the
// client received.
func exchange(t *testing.T, h http.Handler, method, target, auth, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The validator must record, never interfere, and judge requests by the
// answer they got. It is checked here on the embedded document, which
// needs no reference data.
func TestContractCheckRecordsWithoutInterfering(t *testing.T) {
	spec := embeddedSpecs(t)[wire.APIVersionStable]
	newCheck := func() *ContractCheck {
		c, err := NewContractCheck(spec.Doc, "/identities")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("a conformant exchange passes untouched", func(t *testing.T) {
		g := NewWithT(t)
		c, s := newCheck(), &stub{status: 201, ctype: "application/json; charset=utf-8", body: "{}"}
		rec := exchange(t, c.Wrap(s), "POST", ccAdd, "Bearer x", ccValid)
		g.Expect(rec.Code).To(Equal(201))
		g.Expect(rec.Body.String()).To(Equal("{}"))
		g.Expect(rec.Header().Get("X-Stub")).To(Equal("1"))
		g.Expect(s.got).To(Equal([]string{ccValid}), "the handler reads the body as sent")
		g.Expect(c.Findings()).To(BeEmpty())
		g.Expect(c.Refused()).To(BeEmpty())
		g.Expect(c.Operations()).To(Equal(map[string]int{opAdd: 1}))
	})

	t.Run("a 2xx to an invalid request is a finding", func(t *testing.T) {
		g := NewWithT(t)
		c, s := newCheck(), &stub{status: 201, ctype: "application/json", body: "{}"}
		exchange(t, c.Wrap(s), "POST", ccAdd, "Bearer x", `{"participants":"everyone"}`)
		fs := c.Findings()
		g.Expect(fs).To(HaveLen(1))
		g.Expect(fs[0].Side).To(Equal(SideRequest))
		g.Expect(fs[0].Operation).To(Equal(opAdd))
		g.Expect(fs[0].Err).To(ContainSubstring(`"/participants"`))
		g.Expect(fs[0].String()).To(ContainSubstring(`request body: "{\"participants\":\"everyone\"}"`))
	})

	t.Run("an invalid request the server refused is not a finding", func(t *testing.T) {
		g := NewWithT(t)
		c, s := newCheck(), &stub{status: 401, ctype: "application/json", body: `{"error":{"code":"Unauthorized","message":"no"}}`}
		exchange(t, c.Wrap(s), "GET", ccList, "", "")
		g.Expect(c.Findings()).To(BeEmpty())
		g.Expect(c.Refused()).To(ConsistOf(HaveField("Err", ContainSubstring(`"Authorization" is missing`))))
	})

	t.Run("a bad response is a finding whatever the request", func(t *testing.T) {
		g := NewWithT(t)
		c, s := newCheck(), &stub{status: 200, ctype: "application/json", body: `{"value":null}`, flush: true}
		rec := exchange(t, c.Wrap(s), "GET", ccList, "Bearer x", "")
		g.Expect(rec.Body.String()).To(Equal(`{"value":null}`), "served as written")
		g.Expect(rec.Flushed).To(BeTrue(), "Flush reaches the real writer")
		g.Expect(c.Findings()).To(ConsistOf(And(HaveField("Side", SideResponse), HaveField("Err", ContainSubstring("value")))))
	})

	t.Run("an undocumented status is a finding", func(t *testing.T) {
		g := NewWithT(t)
		c, s := newCheck(), &stub{status: 418, ctype: "text/plain", body: "teapot"}
		exchange(t, c.Wrap(s), "POST", ccAdd, "Bearer x", ccValid)
		// The embedded document has a default error response; a 418 falls
		// to it and its text/plain body breaks it.
		g.Expect(c.Findings()).To(ConsistOf(HaveField("Side", SideResponse)))
	})

	t.Run("undocumented paths are findings, passthrough paths are not judged", func(t *testing.T) {
		g := NewWithT(t)
		c, s := newCheck(), &stub{status: 200, ctype: "application/json", body: "{}"}
		exchange(t, c.Wrap(s), "GET", "/chat/threads/x/messages?api-version=2024-03-07", "Bearer x", "")
		exchange(t, c.Wrap(s), "POST", "/identities?api-version=2023-10-01", "", "{}")
		g.Expect(c.Findings()).To(ConsistOf(And(HaveField("Side", SideRoute), HaveField("Path", "/chat/threads/x/messages"))))
		validated, passed := c.Counts()
		g.Expect(validated).To(Equal(0))
		g.Expect(passed).To(Equal(1))
		g.Expect(s.got).To(Equal([]string{"", "{}"}))
	})
}
