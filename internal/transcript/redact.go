package transcript

import (
	"net/http"
	"regexp"
	"slices"
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
	mu sync.RWMutex
	// replacer replaces the secrets registered up to some Add in one pass
	// over a string (a run registers hundreds of tokens, and every
	// transcript is redacted); recent are those registered since, replaced
	// one by one until there are enough of them to rebuild it.
	replacer *strings.Replacer
	secrets  []string // those in replacer
	recent   []string
}

// rebuildAfter is how many recent secrets make the replacer be rebuilt:
// building one of hundreds of secrets costs about as much as a few hundred
// passes of ReplaceAll, and users are minted all through a run.
const rebuildAfter = 32

// Add registers a secret (token, access key) to be replaced wherever it
// appears. Short strings are ignored: they would mangle ordinary text.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	nested := false
	for _, s := range secrets {
		if len(s) < 8 {
			continue
		}
		// Replaced one by one, a secret inside another would leave the
		// other's ends: only the replacer gets that right.
		all := slices.Concat(r.secrets, r.recent)
		if slices.Contains(all, s) {
			continue // registered already
		}
		for _, old := range all {
			nested = nested || strings.Contains(old, s) || strings.Contains(s, old)
		}
		r.recent = append(r.recent, s)
	}
	if len(r.recent) >= rebuildAfter || (nested && len(r.recent) > 0) {
		r.secrets = append(r.secrets, r.recent...)
		r.recent = nil
		// Longest first: where one secret contains another, the longer
		// is replaced whole rather than leaving its ends.
		byLength := slices.Clone(r.secrets)
		slices.SortStableFunc(byLength, func(a, b string) int { return len(b) - len(a) })
		pairs := make([]string, 0, 2*len(byLength))
		for _, secret := range byLength {
			pairs = append(pairs, secret, Redacted)
		}
		r.replacer = strings.NewReplacer(pairs...)
	}
}

// String redacts s.
func (r *Redactor) String(s string) string {
	if r != nil {
		r.mu.RLock()
		if r.replacer != nil {
			s = r.replacer.Replace(s)
		}
		for _, secret := range r.recent {
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
