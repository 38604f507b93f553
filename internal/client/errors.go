package client

import (
	"errors"
	"fmt"
)

// Kind classifies why an exchange did not produce a usable response. It
// decides whether a spec blames the server (non-conformance) or the harness
// (a flaky network, the suite's own timeout, throttling during setup).
type Kind int

// Kinds of client errors.
const (
	// KindTimeout: no complete response within CHAT_TIMEOUT.
	KindTimeout Kind = iota + 1
	// KindNetwork: connection refused, reset, TLS failure, DNS.
	KindNetwork
	// KindThrottled: still 429/503 after the retry budget, on a setup request.
	KindThrottled
	// KindBodyTooLarge: the server sent more than the body bound.
	KindBodyTooLarge
	// KindUntrustedHost: a URL the server handed us points at a host the
	// user did not trust with the token; the request was not sent.
	KindUntrustedHost
	// KindRequest: the suite could not even build the request.
	KindRequest
	// KindDropped: the server closed the connection without a complete
	// answer to the request under test.
	KindDropped
)

func (k Kind) String() string {
	switch k {
	case KindTimeout:
		return "timeout"
	case KindNetwork:
		return "network error"
	case KindThrottled:
		return "throttled"
	case KindBodyTooLarge:
		return "response body too large"
	case KindUntrustedHost:
		return "untrusted host"
	case KindRequest:
		return "invalid request"
	case KindDropped:
		return "connection dropped"
	}
	return "unknown"
}

// Error is the error type of every failed exchange.
type Error struct {
	Kind   Kind
	Method string
	URL    string // redacted
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %s: %v", e.Method, e.URL, e.Kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Harness reports whether the failure is the harness's or the environment's
// rather than evidence about the server's conformance.
func (e *Error) Harness() bool {
	switch e.Kind {
	case KindTimeout, KindNetwork, KindThrottled, KindRequest:
		return true
	}
	return false
}

// IsHarness reports whether err is a client error that the harness, not the
// server, is to blame for.
func IsHarness(err error) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.Harness()
}
