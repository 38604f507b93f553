package faults

import (
	"encoding/json"
	"github.com/chatconform/chatconform/internal/wire"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/chatconform/chatconform/internal/outcome"
)

// legacy renders an error in the live service's undocumented shape.
func legacy(code, message string) string {
	b, _ := json.Marshal(map[string]any{"CommunicationError": map[string]any{"Code": code, "Message": message, "Details": []any{}}})
	return string(b)
}

// errorOf decodes a documented error envelope.
func errorOf(c *captured) (code, message string, ok bool) {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(c.body, &e) != nil || e.Error.Code == "" {
		return "", "", false
	}
	return e.Error.Code, e.Error.Message, true
}

// actingAsCreator serves requests that match as the thread's creator.
func actingAsCreator(match func(*http.Request) bool, retryOn int) func(Deps, http.Handler) http.Handler {
	creators := newThreadCreators()
	return chain(creators.track, func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !match(r) || !isChat(r) {
				next.ServeHTTP(w, r)
				return
			}
			body := readBody(r)
			c := capture(next, r)
			if auth := creators.authOf(threadOf(r)); c.status == retryOn && auth != "" {
				r.Header.Set("Authorization", auth)
				setBody(r, body)
				c = capture(next, r)
			}
			c.write(w)
		})
	})
}

func errorFaults() []Fault {
	all := []string{"ERR-01", "ERR-02", "ERR-03", "ERR-04", "ERR-05", "ERR-06", "ERR-07", "ERR-08",
		"ADD-10", "ADD-11", "ADD-12", "PAGE-07", "TIME-04", "META-02"}
	return []Fault{
		{
			Name:       "no-token-accepted",
			Mistake:    "skips authentication when no Authorization header is sent",
			Trips:      []string{"ERR-01"},
			Collateral: []string{"ERR-05", "ERR-06"},
			Wrap:       actingAsCreator(func(r *http.Request) bool { return r.Header.Get("Authorization") == "" }, http.StatusUnauthorized),
		},
		{
			Name:       "unauthenticated-is-403",
			Mistake:    "answers every authentication failure with 403 Forbidden instead of 401",
			Trips:      []string{"ERR-01", "ERR-02", "ERR-03"},
			Collateral: []string{"ERR-05", "ERR-06"},
			Wrap:       onStatus(isChat, http.StatusUnauthorized, answered(http.StatusForbidden, envelope("Forbidden", "Access denied"))),
		},
		{
			Name:    "tampered-token-accepted",
			Mistake: "decodes the token's claims without verifying its signature",
			Trips:   []string{"ERR-02"},
			Wrap:    signatureUnchecked(),
		},
		{
			Name:    "malformed-token-500",
			Mistake: "crashes splitting a bearer token that is not a JWT",
			Trips:   []string{"ERR-02"},
			Wrap: intercept(func(r *http.Request) bool {
				tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				return ok && isChat(r) && strings.Count(tok, ".") != 2
			}, crash("index out of range [1]")),
		},
		{
			Name:    "revoke-ignored",
			Mistake: "answers 204 to :revokeAccessTokens but keeps accepting the tokens",
			Trips:   []string{"ERR-03"},
			Wrap: intercept(func(r *http.Request) bool {
				return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/:revokeAccessTokens")
			}, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNoContent)
			}),
		},
		{
			Name:       "outsider-can-list",
			Mistake:    "checks that the caller is a valid user, not that it is a participant, before listing",
			Trips:      []string{"ERR-04"},
			Collateral: []string{"ERR-05", "ERR-06"},
			Wrap:       actingAsCreator(isList, http.StatusForbidden),
		},
		{
			Name:       "outsider-gets-401",
			Mistake:    "answers a valid user who is not a participant with 401 instead of 403",
			Trips:      []string{"ERR-04"},
			Collateral: []string{"ERR-06"},
			Wrap:       onStatus(isChat, http.StatusForbidden, answered(http.StatusUnauthorized, envelope("Unauthorized", "Not a participant"))),
		},
		{
			Name:       "legacy-error-envelope",
			Mistake:    `sends errors as {"CommunicationError":{"Code":…}}, as the live service does, not the documented {"error":{"code":…}}`,
			Trips:      []string{"ERR-05"},
			Collateral: all,
			Wrap: rewrite(isChat, func(_ *http.Request, c *captured) {
				if code, msg, ok := errorOf(c); ok {
					c.body = []byte(legacy(code, msg))
					c.header.Set("Content-Type", "application/json")
				}
			}),
		},
		{
			Name:       "not-found-text-plain",
			Mistake:    "lets the router's plain-text 404 page answer for an unknown thread",
			Trips:      []string{"ERR-05"},
			Collateral: []string{"ADD-12", "ERR-06"},
			Wrap: onStatus(isChat, http.StatusNotFound, func(c *captured) {
				c.body = []byte("404 page not found\n")
				c.header.Set("Content-Type", "text/plain; charset=utf-8")
			}),
		},
		{
			Name:    "error-code-lower-case",
			Mistake: "spells error.code in lower camel case (badRequest, unauthorized)",
			Trips:   []string{"ERR-06"},
			Wrap: rewrite(isChat, func(_ *http.Request, c *captured) {
				if code, msg, ok := errorOf(c); ok {
					c.body = []byte(envelope(strings.ToLower(code[:1])+code[1:], msg))
				}
			}),
		},
		{
			Name:    "error-code-generic",
			Mistake: "uses one error.code, \"Error\", for every status",
			Trips:   []string{"ERR-06"},
			Wrap: rewrite(isChat, func(_ *http.Request, c *captured) {
				if _, msg, ok := errorOf(c); ok {
					c.body = []byte(envelope("Error", msg))
				}
			}),
		},
		{
			Name:    "no-rate-limit",
			Mistake: "has no rate limiting at all",
			Trips:   []string{"ERR-07"},
			Wrap: onStatus(isAdd, http.StatusTooManyRequests, func(c *captured) {
				answered(http.StatusCreated, "{}")(c)
				c.header.Del("Retry-After")
			}),
		},
		{
			Name:    "rate-limit-without-envelope",
			Mistake: "answers 429 from the gateway with an empty body",
			Trips:   []string{"ERR-07"},
			Wrap: onStatus(isChat, http.StatusTooManyRequests, func(c *captured) {
				c.body = nil
				c.header.Del("Content-Type")
			}),
		},
		{
			Name:    "rate-limit-without-retry-after",
			Mistake: "answers 429 without saying when to retry",
			Trips:   []string{"ERR-07"},
			Expect:  outcome.Warned, // Retry-After is the clause's SHOULD half
			Wrap: rewrite(isChat, func(_ *http.Request, c *captured) {
				c.header.Del("Retry-After")
			}),
		},
		{
			Name:    "missing-api-version-accepted",
			Mistake: "falls back to a default api-version when none is sent",
			Trips:   []string{"ERR-08"},
			Wrap: before(func(r *http.Request) {
				if isChat(r) && r.URL.Query().Get("api-version") == "" {
					q := r.URL.Query()
					q.Set("api-version", "2024-03-07")
					r.URL.RawQuery = q.Encode()
				}
			}),
		},
		{
			Name:    "unsupported-api-version-500",
			Mistake: "looks the api-version up in a map and crashes on an unknown one",
			Trips:   []string{"ERR-08"},
			Wrap: intercept(func(r *http.Request) bool {
				v := r.URL.Query().Get("api-version")
				return isChat(r) && v != "" && !wire.KnownChatVersion(v)
			}, crash("nil map entry")),
		},
		{
			Name:    "deep-nesting-500",
			Mistake: "decodes JSON recursively without a depth limit and dies on deep nesting",
			Trips:   []string{"ERR-09"},
			Wrap:    intercept(func(r *http.Request) bool { return isAdd(r) && strings.Count(string(readBody(r)), "[") > 1000 }, crash("stack overflow")),
		},
		{
			Name:    "too-many-participants-500",
			Mistake: "does not check the 200-participants-per-request limit and fails deep inside",
			Trips:   []string{"ERR-09"},
			Wrap: intercept(func(r *http.Request) bool { return isAdd(r) && len(addRequest(readBody(r))) > 200 }, func(w http.ResponseWriter, r *http.Request) {
				errorBody(w, http.StatusServiceUnavailable, "application/json", envelope("ServiceUnavailable", "batch too large"))
			}),
		},
		{
			Name:    "invalid-utf8-drops-connection",
			Mistake: "panics in a handler on invalid UTF-8, and the connection is dropped",
			Trips:   []string{"ERR-09"},
			Wrap: intercept(func(r *http.Request) bool { return isAdd(r) && !utf8.Valid(readBody(r)) }, func(w http.ResponseWriter, r *http.Request) {
				hijackAndClose(w)
			}),
		},
	}
}

// signatureUnchecked accepts a token whose header and claims match a token
// seen before, whatever its signature, by substituting the genuine one.
func signatureUnchecked() func(Deps, http.Handler) http.Handler {
	var mu sync.Mutex
	genuine := map[string]string{} // header.payload → token
	return func(_ Deps, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if ok && strings.Count(tok, ".") == 2 {
				signed := tok[:strings.LastIndex(tok, ".")]
				mu.Lock()
				if g, seen := genuine[signed]; seen && g != tok {
					r.Header.Set("Authorization", "Bearer "+g)
				} else if !seen {
					genuine[signed] = tok
				}
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
}

func hijackAndClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
