package faults

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/chatconform/chatconform/internal/outcome"
)

// Hostile faults misbehave at the HTTP level. Each hits only the listing
// with maxPageSize=3 (one PAGE-01 spec), so the matrix shows that the rest
// of the suite carries on unharmed.
func hostileTarget(r *http.Request) bool {
	return isList(r) && r.URL.Query().Get("maxPageSize") == "3"
}

// hostileAnswer answers the target with status 200 and a body.
func hostileAnswer(contentType, body string) func(Deps, http.Handler) http.Handler {
	return intercept(hostileTarget, func(w http.ResponseWriter, _ *http.Request) {
		errorBody(w, http.StatusOK, contentType, body)
	})
}

// hang waits for the client to give up (or a minute).
func hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

// hostileEnv bounds the per-request timeout so hangs end quickly.
var hostileEnv = map[string]string{"CHAT_TIMEOUT": "2s"}

func hostileFaults() []Fault {
	return []Fault{
		{
			Name:    "hostile-never-answers",
			Mistake: "never answers (a deadlock behind the handler)",
			Trips:   []string{"PAGE-01"}, Expect: outcome.Error, Env: hostileEnv,
			Wrap: intercept(hostileTarget, func(_ http.ResponseWriter, r *http.Request) { hang(r) }),
		},
		{
			Name:    "hostile-stalls-body",
			Mistake: "sends headers and half a body, then stalls",
			Trips:   []string{"PAGE-01"}, Expect: outcome.Error, Env: hostileEnv,
			Wrap: intercept(hostileTarget, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "1000")
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(`{"value":[`))
				w.(http.Flusher).Flush()
				hang(r)
			}),
		},
		{
			Name:    "hostile-resets-connection",
			Mistake: "drops the connection without answering",
			Trips:   []string{"PAGE-01"}, // a reset under test is the server's failure, not the harness's
			Wrap:    intercept(hostileTarget, func(w http.ResponseWriter, _ *http.Request) { hijackAndClose(w) }),
		},
		{
			Name:    "hostile-100mb-body",
			Mistake: "streams a 100 MB body",
			Trips:   []string{"PAGE-01"},
			Wrap: intercept(hostileTarget, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(100<<20))
				w.WriteHeader(http.StatusOK)
				chunk := bytes.Repeat([]byte(" "), 1<<20)
				for range 100 {
					if _, err := w.Write(chunk); err != nil {
						return // the client stopped reading, as it should
					}
				}
			}),
		},
		{
			Name:    "hostile-html-body",
			Mistake: "answers with an HTML error page and status 200",
			Trips:   []string{"PAGE-01"},
			Wrap:    hostileAnswer("text/html", "<html><body>Service temporarily unavailable</body></html>"),
		},
		{
			Name:    "hostile-truncated-json",
			Mistake: "cuts the JSON body short",
			Trips:   []string{"PAGE-01"},
			Wrap:    hostileAnswer("application/json", `{"value":[{"communicationIdentifier":{"rawId":"8:acs:x`),
		},
		{
			Name:    "hostile-json-null",
			Mistake: "answers with the JSON literal null",
			Trips:   []string{"PAGE-01"},
			Wrap:    hostileAnswer("application/json", "null"),
		},
		{
			Name:    "hostile-endless-next-link",
			Mistake: "hands out a nextLink on every page, forever",
			Trips:   []string{"PAGE-03"},
			// The chain jumps past the participants after the first page.
			Collateral: []string{"PAGE-02", "PAGE-06"},
			Wrap: editNextLink(func(r *http.Request, _ *url.URL, m map[string]any) {
				q := r.URL.Query()
				k, _ := strconv.Atoi(q.Get("skip"))
				q.Set("skip", strconv.Itoa(k+1000))
				m["nextLink"] = "http://" + r.Host + r.URL.Path + "?" + q.Encode()
			}),
		},
	}
}
