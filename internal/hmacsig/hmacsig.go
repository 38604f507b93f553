// Package hmacsig signs and verifies requests the way Azure Communication
// Services authenticates its access-key callers (HMAC-SHA256 over the verb,
// the path and query, the date, the host and the body hash).
package hmacsig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// SignedHeaders is the fixed list ACS signs, in order.
const SignedHeaders = "x-ms-date;host;x-ms-content-sha256"

// Scheme prefixes the Authorization header value.
const Scheme = "HMAC-SHA256"

// MaxSkew is how far x-ms-date may be from the verifier's clock.
const MaxSkew = 15 * time.Minute

// ContentHash is base64(SHA-256(body)), the x-ms-content-sha256 value.
func ContentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// StringToSign is VERB\n<path?query>\n<date>;<host>;<hash>.
func StringToSign(method, pathAndQuery, date, host, contentHash string) string {
	return strings.ToUpper(method) + "\n" + pathAndQuery + "\n" + date + ";" + host + ";" + contentHash
}

// Signature is base64(HMAC-SHA256(key, stringToSign)).
func Signature(key []byte, stringToSign string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Authorization is the Authorization header value for a signature.
func Authorization(signature string) string {
	return Scheme + " SignedHeaders=" + SignedHeaders + "&Signature=" + signature
}

// Sign sets x-ms-date, x-ms-content-sha256 and Authorization on req for body.
// The path and query are taken as they will go on the wire.
func Sign(req *http.Request, body []byte, key []byte, now time.Time) {
	date := now.UTC().Format(http.TimeFormat)
	hash := ContentHash(body)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	sts := StringToSign(req.Method, req.URL.RequestURI(), date, host, hash)
	req.Header.Set("x-ms-date", date)
	req.Header.Set("x-ms-content-sha256", hash)
	req.Header.Set("Authorization", Authorization(Signature(key, sts)))
}

// Verification failures, wrapped with detail by Verify.
var (
	ErrMissing   = errors.New("missing HMAC authentication")
	ErrMalformed = errors.New("malformed HMAC Authorization header")
	ErrStale     = errors.New("x-ms-date is missing, unparsable or too far from the server clock")
	ErrBodyHash  = errors.New("x-ms-content-sha256 does not match the body")
	ErrSignature = errors.New("HMAC signature does not match")
)

// Verify checks a request signed by Sign (or by an Azure SDK) against key.
// requestURI is the request target exactly as received (r.RequestURI on a
// server), because the signer signed those bytes.
func Verify(req *http.Request, requestURI string, body []byte, key []byte, now time.Time) error {
	auth := req.Header.Get("Authorization")
	if auth == "" {
		return ErrMissing
	}
	rest, ok := strings.CutPrefix(auth, Scheme+" ")
	if !ok {
		return fmt.Errorf("%w: scheme is not %s", ErrMalformed, Scheme)
	}
	var signed, sig string
	for _, part := range strings.Split(rest, "&") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	if !strings.EqualFold(signed, SignedHeaders) || sig == "" {
		return fmt.Errorf("%w: want SignedHeaders=%s and a Signature", ErrMalformed, SignedHeaders)
	}
	date := req.Header.Get("x-ms-date")
	t, err := http.ParseTime(date)
	if err != nil || now.Sub(t) > MaxSkew || t.Sub(now) > MaxSkew {
		return ErrStale
	}
	hash := req.Header.Get("x-ms-content-sha256")
	if hash != ContentHash(body) {
		return ErrBodyHash
	}
	want := Signature(key, StringToSign(req.Method, requestURI, date, req.Host, hash))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return ErrSignature
	}
	return nil
}
