// Package matchers holds the suite's Gomega matchers. Each wraps an oracle
// of internal/contract and, when it fails, says what was expected, what was
// seen and where, in words a server implementer can act on; matchers that
// take a *transcript.Response add the redacted transcript of the exchange.
// An actual of the wrong type is an error, never a plain mismatch.
package matchers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/onsi/gomega/format"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// maxBodyShown bounds a body quoted in a failure message that has no
// transcript (the transcript has its own bound).
const maxBodyShown = 4 << 10

// bodyOf extracts the JSON body from the actuals the body matchers accept.
func bodyOf(matcher string, actual any) (body []byte, resp *transcript.Response, err error) {
	switch a := actual.(type) {
	case []byte:
		return a, nil, nil
	case json.RawMessage:
		return a, nil, nil
	case string:
		return []byte(a), nil, nil
	case *transcript.Response:
		if a == nil {
			return nil, nil, fmt.Errorf("%s got a nil *transcript.Response", matcher)
		}
		return a.Body, a, nil
	}
	return nil, nil, fmt.Errorf("%s expects a []byte, string, json.RawMessage or *transcript.Response, got:\n%s", matcher, format.Object(actual, 1))
}

// responseOf extracts a *transcript.Response that must carry its Exchange.
func responseOf(matcher string, actual any, needExchange bool) (*transcript.Response, error) {
	resp, ok := actual.(*transcript.Response)
	switch {
	case !ok:
		return nil, fmt.Errorf("%s expects a *transcript.Response, got:\n%s", matcher, format.Object(actual, 1))
	case resp == nil:
		return nil, fmt.Errorf("%s got a nil *transcript.Response", matcher)
	case needExchange && resp.Exchange == nil:
		return nil, fmt.Errorf("%s needs the request of the response: the *transcript.Response has no Exchange (method and URL)", matcher)
	}
	return resp, nil
}

// evidence renders what was seen: the transcript when there is one, else
// the body (compact JSON when it is JSON, cut at maxBodyShown).
func evidence(resp *transcript.Response, body []byte) string {
	if resp != nil && resp.Exchange != nil {
		return "Transcript:\n" + strings.TrimRight(resp.Exchange.String(), "\n")
	}
	return "Body:\n" + format.IndentString(showBody(body), 1)
}

// showBody renders a body on one line when it is JSON, quoted when it is
// not, cut at maxBodyShown.
func showBody(body []byte) string {
	if len(body) == 0 {
		return "(empty)"
	}
	var out bytes.Buffer
	s := string(body)
	if json.Compact(&out, body) == nil {
		s = out.String()
	} else {
		s = fmt.Sprintf("%q", s)
	}
	if len(s) > maxBodyShown {
		s = s[:maxBodyShown] + fmt.Sprintf("… (%d bytes in all)", len(body))
	}
	return s
}

// violationList renders violations indented, one per line.
func violationList(vs []contract.Violation) string {
	return contract.Format(vs, format.Indent)
}

// places says "in 1 place" / "in 3 places".
func places(n int) string {
	if n == 1 {
		return "in 1 place"
	}
	return fmt.Sprintf("in %d places", n)
}

// statusWords renders "201 Created".
func statusWords(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("%d", code)
}

// participantsOf extracts the participants from the actuals the
// participant matchers accept.
func participantsOf(matcher string, actual any) ([]wire.Participant, error) {
	switch a := actual.(type) {
	case []wire.Participant:
		return a, nil
	case wire.ParticipantsCollection:
		return a.Value, nil
	case *wire.ParticipantsCollection:
		if a == nil {
			return nil, fmt.Errorf("%s got a nil *wire.ParticipantsCollection", matcher)
		}
		return a.Value, nil
	}
	return nil, fmt.Errorf("%s expects a []wire.Participant or a wire.ParticipantsCollection, got:\n%s", matcher, format.Object(actual, 1))
}

// idList renders raw ids quoted, so that an empty key stays visible.
func idList(ids []string) string {
	if len(ids) == 0 {
		return "(none)"
	}
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ", ")
}

// keys lists the raw ids of participants in listing order.
func keys(ps []wire.Participant) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.CommunicationIdentifier.Key()
	}
	return out
}

// violationsMatcher is the body of the matchers that take a subject from
// the actual, run a contract oracle over it and succeed when it finds no
// violation; they differ only in the subject, the oracle and the words.
// subject is an error for an actual of the wrong type (or a matcher given
// what it cannot work with), so Match reports it as an error, never as a
// plain mismatch.
type violationsMatcher[S any] struct {
	subject    func(actual any) (S, error)
	check      func(s S) []contract.Violation
	failure    func(s S, vs []contract.Violation) string
	negated    func(s S) string
	violations []contract.Violation
}

func (m *violationsMatcher[S]) Match(actual any) (bool, error) {
	s, err := m.subject(actual)
	if err != nil {
		return false, err
	}
	m.violations = m.check(s)
	return len(m.violations) == 0, nil
}

func (m *violationsMatcher[S]) FailureMessage(actual any) string {
	s, _ := m.subject(actual)
	return m.failure(s, m.violations)
}

func (m *violationsMatcher[S]) NegatedFailureMessage(actual any) string {
	s, _ := m.subject(actual)
	return m.negated(s)
}

// stringOf is the subject of the matchers of a string.
func stringOf(matcher string) func(actual any) (string, error) {
	return func(actual any) (string, error) {
		s, ok := actual.(string)
		if !ok {
			return "", fmt.Errorf("%s expects a string, got:\n%s", matcher, format.Object(actual, 1))
		}
		return s, nil
	}
}

// stringViolations matches a string the oracle finds nothing wrong with:
// "Expected <expected>, but:" and the violations; negated, the string
// quoted into negated.
func stringViolations(matcher string, check func(string) []contract.Violation, expected, negated string) *violationsMatcher[string] {
	return &violationsMatcher[string]{
		subject: stringOf(matcher),
		check:   check,
		failure: func(_ string, vs []contract.Violation) string {
			return "Expected " + expected + ", but:\n" + violationList(vs)
		},
		negated: func(s string) string { return fmt.Sprintf(negated, s) },
	}
}

// identifierViolations matches participants whose communicationIdentifiers
// the oracle finds nothing wrong with: "Expected every
// communicationIdentifier to <expected>", where and how many; negated, the
// number of participants counted into negated.
func identifierViolations(matcher string, check func([]wire.Participant) []contract.Violation, expected, negated string) *violationsMatcher[[]wire.Participant] {
	return &violationsMatcher[[]wire.Participant]{
		subject: func(actual any) ([]wire.Participant, error) { return participantsOf(matcher, actual) },
		check:   check,
		failure: func(ps []wire.Participant, vs []contract.Violation) string {
			return fmt.Sprintf("Expected every communicationIdentifier to %s, but %s of %d participants:\n%s",
				expected, places(len(vs)), len(ps), violationList(vs))
		},
		negated: func(ps []wire.Participant) string { return fmt.Sprintf(negated, len(ps)) },
	}
}

// body is the subject of the body matchers: the body and, when the actual
// is a *transcript.Response, the response for the transcript.
type body struct {
	bytes []byte
	resp  *transcript.Response
}

func bodySubject(matcher string) func(actual any) (body, error) {
	return func(actual any) (body, error) {
		b, resp, err := bodyOf(matcher, actual)
		return body{b, resp}, err
	}
}

func (b body) evidence() string { return evidence(b.resp, b.bytes) }
