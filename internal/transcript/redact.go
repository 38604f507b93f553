package transcript

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// Redacted replaces every secret in transcripts and messages.
const Redacted = "REDACTED"

// jwtPattern matches anything shaped like a JWT (three base64url parts, the
// first starting with the encoding of `{"`), so tokens the suite never saw
// as secrets (issued inside a response body) are caught too.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// hmacSignature matches the Signature= part of an HMAC Authorization value.
var hmacSignature = regexp.MustCompile(`(Signature=)[A-Za-z0-9+/=%]+`)

// Redactor removes known secrets and secret-shaped strings. The zero value
// is ready; it is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// Add registers a secret (token, access key) to be replaced wherever it
// appears. Short strings are ignored: they would mangle ordinary text.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= 8 {
			r.secrets = append(r.secrets, s)
		}
	}
}

// String redacts s.
func (r *Redactor) String(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, secret := range r.secrets {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
		r.mu.RUnlock()
	}
	s = jwtPattern.ReplaceAllString(s, Redacted)
	return hmacSignature.ReplaceAllString(s, "${1}"+Redacted)
}

// Header returns a redacted copy of h: Authorization keeps only its scheme
// (and, for HMAC, the signed-header list), other values are scrubbed.
func (r *Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			if strings.EqualFold(k, "Authorization") {
				v = redactAuthorization(v)
			}
			out[k] = append(out[k], r.String(v))
		}
	}
	return out
}

func redactAuthorization(v string) string {
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok {
		return Redacted
	}
	if strings.EqualFold(scheme, "HMAC-SHA256") {
		return scheme + " " + hmacSignature.ReplaceAllString(rest, "${1}"+Redacted) // keep SignedHeaders for debugging
	}
	return scheme + " " + Redacted
}
