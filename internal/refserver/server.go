// Package refserver is an in-memory reference implementation of the parts of
// the Azure Communication Services Identity and Chat APIs that the
// conformance suite exercises: identities and tokens, thread create/delete,
// and participant add/list/remove. It follows the published specs and, where
// they are silent, the live service's observed behaviour
// (shared/reference/README.md), so the suite can be developed and self-tested
// without an Azure resource.
package refserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chatconform/chatconform/internal/wire"
)

// RateLimitMode selects whether the documented chat rate limits are enforced.
type RateLimitMode int

const (
	// RateLimitsOff admits every request (the default).
	RateLimitsOff RateLimitMode = iota
	// RateLimitsACS enforces the limits documented for ACS Chat.
	RateLimitsACS
)

// String returns the flag spelling of the mode.
func (m RateLimitMode) String() string {
	switch m {
	case RateLimitsOff:
		return "off"
	case RateLimitsACS:
		return "acs"
	}
	return fmt.Sprintf("RateLimitMode(%d)", int(m))
}

// ParseRateLimitMode parses "off" or "acs".
func ParseRateLimitMode(s string) (RateLimitMode, error) {
	switch s {
	case "off":
		return RateLimitsOff, nil
	case "acs":
		return RateLimitsACS, nil
	}
	return RateLimitsOff, fmt.Errorf("unknown rate-limit mode %q (want off or acs)", s)
}

// DefaultMaxBodyBytes is the request body limit when Options.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 1 << 20

// Options configures a Server.
type Options struct {
	// AccessKey is the resource's access key: it verifies HMAC-signed
	// Identity calls and signs the user tokens. Required.
	AccessKey []byte
	// ResourceID is the GUID in raw ids 8:acs:<ResourceID>_<guid>; random
	// when empty.
	ResourceID string
	// PublicURL is the base of nextLink and Location URLs. When empty it is
	// built from each request (scheme + Host).
	PublicURL string
	// RateLimits selects RateLimitsOff (default) or RateLimitsACS.
	RateLimits RateLimitMode
	// RateLimitScale > 1 shortens every rate-limit window by that factor so
	// CI need not wait out real windows; 0 or 1 keeps the documented ones.
	RateLimitScale float64
	// Latency is added before every response.
	Latency time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// MaxBodyBytes limits request bodies (413 beyond it); DefaultMaxBodyBytes when 0.
	MaxBodyBytes int64
	// ChatAPIVersions are the chat api-versions the server lists, in this
	// order, in every chat response's api-supported-versions header (joined
	// by ", " like the live service's) and serves; nil or empty means
	// wire.SupportedChatVersions. A version the suite does not know
	// (wire.KnownChatVersion) may be listed, as a newer service would, but
	// requests at it are answered 400 like any unsupported api-version: the
	// server has no model of it. Leaving a known version out makes a server
	// that neither lists nor serves it.
	ChatAPIVersions []string
}

// Server is the reference service. All its methods are safe for concurrent use.
type Server struct {
	key        []byte
	resourceID string
	publicURL  string // without trailing slash; empty: derive from the request
	latency    time.Duration
	maxBody    int64
	now        func() time.Time
	limits     *ratePolicy // nil when rate limits are off
	handler    http.Handler
	// chatListed is Options.ChatAPIVersions (api-supported-versions);
	// chatServed the known versions among them, which requests may use.
	chatListed, chatServed []string

	// One lock guards all state: requests are small and the suite's
	// concurrency checks (ADD-05/07) need whole-request atomicity.
	mu      sync.Mutex
	users   map[string]*user   // by raw id
	threads map[string]*thread // by thread id
	repeats map[repeatKey]*recordedResponse
}

// user is an identity created through the Identity API.
type user struct {
	deleted bool
	// tokens holds the jti and expiry of every token still accepted;
	// revocation empties it, so it is exact regardless of timestamps.
	tokens map[string]time.Time
}

// thread is one chat thread.
type thread struct {
	id        string
	topic     string
	createdOn time.Time
	createdBy string
	metadata  map[string]string
	retention *retentionPolicy // nil: none
	members   []*member        // insertion order: the listing order
}

// member is one participant of a thread.
type member struct {
	id           string
	displayName  string
	shareHistory time.Time
	metadata     map[string]string
}

// find returns the index of the member with that raw id, or -1.
func (t *thread) find(id string) int {
	for i, m := range t.members {
		if m.id == id {
			return i
		}
	}
	return -1
}

// repeatKey scopes repeatability-request-id to the caller, so one user's id
// cannot replay another user's thread.
type repeatKey struct{ user, requestID string }

// recordedResponse is a create-thread response kept for replay.
type recordedResponse struct {
	location string
	body     any
}

// New validates opts and returns a Server with empty state.
func New(opts Options) (*Server, error) {
	if len(opts.AccessKey) == 0 {
		return nil, errors.New("refserver: Options.AccessKey is required")
	}
	s := &Server{
		key:        append([]byte(nil), opts.AccessKey...),
		resourceID: opts.ResourceID,
		latency:    opts.Latency,
		maxBody:    opts.MaxBodyBytes,
		now:        opts.Now,
		users:      map[string]*user{},
		threads:    map[string]*thread{},
		repeats:    map[repeatKey]*recordedResponse{},
	}
	if err := s.setChatVersions(opts.ChatAPIVersions); err != nil {
		return nil, err
	}
	if s.resourceID == "" {
		s.resourceID = newGUID()
	} else if !isResourceID(s.resourceID) {
		return nil, fmt.Errorf("refserver: ResourceID %q must be letters, digits and '-' (a GUID)", s.resourceID)
	}
	if opts.PublicURL != "" {
		u, err := url.Parse(opts.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return nil, fmt.Errorf("refserver: PublicURL %q must be an absolute http(s) URL without a query", opts.PublicURL)
		}
		s.publicURL = strings.TrimRight(opts.PublicURL, "/")
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	switch opts.RateLimits {
	case RateLimitsOff:
	case RateLimitsACS:
		if opts.RateLimitScale < 0 {
			return nil, fmt.Errorf("refserver: RateLimitScale %v must not be negative", opts.RateLimitScale)
		}
		s.limits = newRatePolicy(opts.RateLimitScale)
	default:
		return nil, fmt.Errorf("refserver: unknown RateLimitMode %d", opts.RateLimits)
	}
	s.handler = s.routes()
	return s, nil
}

// setChatVersions validates Options.ChatAPIVersions: each a non-empty token
// without commas or spaces (the header could not be split back otherwise),
// none twice.
func (s *Server) setChatVersions(versions []string) error {
	if len(versions) == 0 {
		versions = wire.SupportedChatVersions
	}
	seen := map[string]bool{}
	for _, v := range versions {
		if v == "" || strings.ContainsAny(v, ", \t") {
			return fmt.Errorf("refserver: ChatAPIVersions entry %q must be a non-empty api-version without commas or spaces", v)
		}
		if seen[v] {
			return fmt.Errorf("refserver: ChatAPIVersions lists %q twice", v)
		}
		seen[v] = true
		if wire.KnownChatVersion(v) {
			s.chatServed = append(s.chatServed, v)
		}
	}
	s.chatListed = slices.Clone(versions)
	return nil
}

// Handler returns the HTTP handler serving the whole API.
func (s *Server) Handler() http.Handler { return s.handler }

// ResourceID returns the resource GUID used in raw ids.
func (s *Server) ResourceID() string { return s.resourceID }

// baseURL is the scheme and authority nextLink and Location start with.
func (s *Server) baseURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

func isResourceID(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return s != ""
}

// randomBytes panics on failure: crypto/rand does not fail on supported platforms.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// newGUID returns a random version-4 GUID in lower-case 8-4-4-4-12 form.
func newGUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newThreadID returns an id shaped like the live service's
// (19:acsV1_<44 base64url chars>@thread.v2).
func newThreadID() string {
	return "19:acsV1_" + base64.RawURLEncoding.EncodeToString(randomBytes(33)) + "@thread.v2"
}

// newCorrelationVector returns an MS-CV value like the live service's:
// 22 base64 characters plus ".0".
func newCorrelationVector() string {
	return base64.RawStdEncoding.EncodeToString(randomBytes(16)) + ".0"
}

// Threads reports how many threads exist: the fault matrix checks that a
// run deletes every thread it created, even when its specs fail.
func (s *Server) Threads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.threads)
}
