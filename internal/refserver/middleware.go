package refserver

import (
	"fmt"
	"log"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/chatconform/chatconform/internal/wire"
)

// identityAPIVersions are the Identity api-versions accepted: the one the
// suite mints with plus those current SDKs send (the live service's
// api-supported-versions list, 2025).
var identityAPIVersions = []string{
	"2021-03-07", "2021-10-31-preview", "2021-11-01", "2022-06-01", "2022-10-01",
	wire.IdentityAPIVersion, "2025-03-02-preview", "2025-06-30",
}

// IdentityAPIVersions returns the Identity api-versions the server serves
// and lists in the api-supported-versions of Identity answers.
func IdentityAPIVersions() []string { return slices.Clone(identityAPIVersions) }

// call is what the middleware learned about a request before the handler runs.
type call struct {
	apiVersion string
	user       string   // caller's raw id (chat only)
	scopes     []string // token scopes (chat only)
	body       []byte
}

// endpoint is a handler that reports failure by returning an error.
type endpoint func(w http.ResponseWriter, r *http.Request, c *call) error

// common wraps the whole API: panic safety, latency, MS-CV and CORS. The
// suite may drive browser SDKs, hence CORS like the live service's.
func (s *Server) common(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			// A bug must still answer with the envelope, not a dropped connection (ERR-09).
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Printf("refserver: panic serving %s %s: %v", r.Method, r.URL, v)
				writeError(w, http.StatusInternalServerError, errorCode(http.StatusInternalServerError), fmt.Sprintf("internal error: %v", v))
			}
		}()
		if s.latency > 0 {
			t := time.NewTimer(s.latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		h := w.Header()
		h.Set("MS-CV", newCorrelationVector())
		if origin := r.Header.Get("Origin"); origin != "" {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "*")
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS")
				if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
					h.Set("Access-Control-Allow-Headers", req)
				}
				if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
					h.Set("Access-Control-Allow-Private-Network", "true")
				}
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// routeMethods are the methods any route uses; fallback probes them to
// tell 404 from 405.
var routeMethods = []string{http.MethodGet, http.MethodPost, http.MethodDelete}

// fallback serves unmatched requests with the error envelope instead of
// ServeMux's plain-text 404 and 405. Under /chat and /identities the
// answer still lists that API's versions, as every chat (and identity)
// response does.
func (s *Server) fallback(mux *http.ServeMux) http.Handler {
	chat, identity := strings.Join(s.chatListed, ", "), strings.Join(identityAPIVersions, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		// ServeMux answers non-canonical paths (//, /./, trailing /) with a
		// redirect; the service has no such paths, so they are plain 404s.
		canonical := p == "/" || path.Clean(p) == p
		if _, pattern := mux.Handler(r); canonical && pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		switch {
		case p == "/chat" || strings.HasPrefix(p, "/chat/"):
			w.Header().Set("api-supported-versions", chat)
		case p == "/identities" || strings.HasPrefix(p, "/identities/"):
			w.Header().Set("api-supported-versions", identity)
		}
		if !canonical {
			writeError(w, http.StatusNotFound, errorCode(http.StatusNotFound),
				fmt.Sprintf("no API operation at %s %s (the path is not canonical; is an id empty?)", r.Method, p))
			return
		}
		var allowed []string
		for _, m := range routeMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, p := mux.Handler(probe); p != "" {
				allowed = append(allowed, m)
			}
		}
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeError(w, http.StatusMethodNotAllowed, errorCode(http.StatusMethodNotAllowed),
				fmt.Sprintf("method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allowed, ", ")))
			return
		}
		writeError(w, http.StatusNotFound, errorCode(http.StatusNotFound),
			fmt.Sprintf("no API operation at %s %s", r.Method, r.URL.Path))
	})
}

// identityAPI wraps an Identity operation: api-version, then the HMAC
// signature over the exact bytes received. Identity calls are never rate-limited.
func (s *Server) identityAPI(h endpoint) http.Handler {
	return s.api(identityAPIVersions, identityAPIVersions, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Request-Context", "appId=")
		// Identity echoes the client request id every time (live service).
		echoClientRequestID(w, r, true)
	}, func(w http.ResponseWriter, r *http.Request, c *call) (err error) {
		if c.body, err = s.readBody(w, r); err != nil {
			return err
		}
		return s.verifyHMAC(r, c.body)
	}, h)
}

// chatAPI wraps a Chat operation: api-version, Bearer token, body, then the
// rate limits of class.
func (s *Server) chatAPI(class limitClass, h endpoint) http.Handler {
	return s.api(s.chatListed, s.chatServed, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Expose-Headers", "*")
		echoClientRequestID(w, r, false)
	}, func(w http.ResponseWriter, r *http.Request, c *call) (err error) {
		if c.user, c.scopes, err = s.authenticateBearer(r); err != nil {
			return err
		}
		if c.body, err = s.readBody(w, r); err != nil {
			return err
		}
		return s.admit(w, class, c.user, r.PathValue("threadId"))
	}, h)
}

// api wraps an operation of an API with its versions, those it lists in
// api-supported-versions and those it serves: headers sets the headers
// every answer has, then the api-version is checked, then admit (which
// fills in the call) and h run; an error is the answer.
func (s *Server) api(listed, served []string, headers func(http.ResponseWriter, *http.Request), admit, h endpoint) http.Handler {
	supported := strings.Join(listed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("api-supported-versions", supported)
		headers(w, r)
		c := &call{}
		err := func() (err error) {
			if c.apiVersion, err = apiVersion(r, served); err != nil {
				return err
			}
			if err = admit(w, r, c); err != nil {
				return err
			}
			return h(w, r, c)
		}()
		if err != nil {
			fail(w, err)
		}
	})
}

// apiVersion returns the request's api-version if it is one of supported.
func apiVersion(r *http.Request, supported []string) (string, error) {
	q := r.URL.Query()
	if !q.Has("api-version") {
		return "", errorf(http.StatusBadRequest, "the api-version query parameter is required; supported: %s", strings.Join(supported, ", "))
	}
	v := q.Get("api-version")
	if !slices.Contains(supported, v) {
		return "", errorf(http.StatusBadRequest, "api-version %q is not supported by this operation; supported: %s", v, strings.Join(supported, ", "))
	}
	return v, nil
}

// echoClientRequestID copies x-ms-client-request-id to the response, always
// or only when the client asked with x-ms-return-client-request-id.
func echoClientRequestID(w http.ResponseWriter, r *http.Request, always bool) {
	id := r.Header.Get("x-ms-client-request-id")
	if id == "" {
		return
	}
	if always || strings.EqualFold(r.Header.Get("x-ms-return-client-request-id"), "true") {
		w.Header().Set("x-ms-client-request-id", id)
	}
}
