// Package transcript records HTTP exchanges for failure messages and
// reports. An Exchange is redacted as it is built (NewExchange, SetResponse,
// Fail), so nothing downstream (matchers, reports, curl lines) can leak a
// secret.
package transcript

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatconform/chatconform/internal/sanitize"
)

// MaxRecordedBody bounds the body bytes kept in a transcript; the client
// still hands the full (size-bounded) body to the spec.
const MaxRecordedBody = 64 << 10

// Exchange is one redacted request/response pair.
type Exchange struct {
	Method        string      `json:"method"`
	URL           string      `json:"url"`
	RequestHeader http.Header `json:"requestHeader,omitempty"`
	RequestBody   string      `json:"requestBody,omitempty"`
	// RequestSize and ResponseSize are the bodies' full lengths in bytes;
	// the recorded bodies are cut at MaxRecordedBody.
	RequestSize    int         `json:"requestSize,omitempty"`
	ResponseSize   int         `json:"responseSize,omitempty"`
	Status         int         `json:"status,omitempty"`
	ResponseHeader http.Header `json:"responseHeader,omitempty"`
	ResponseBody   string      `json:"responseBody,omitempty"`
	// BodyTruncated says ResponseBody holds only the first MaxRecordedBody bytes.
	BodyTruncated bool          `json:"bodyTruncated,omitempty"`
	Duration      time.Duration `json:"durationNs"`
	// Attempt counts from 1; retries of the same request carry 2, 3, ...
	Attempt int `json:"attempt,omitempty"`
	// Err is the transport error, if the exchange did not complete.
	Err string `json:"error,omitempty"`
	// Retried says why this attempt was followed by another (429/503 on a
	// request that was not the subject of a check).
	Retried string    `json:"retried,omitempty"`
	Start   time.Time `json:"start"`
	// ForSpec is set on a request the harness sent off a spec's own
	// goroutine on that spec's behalf: its thread, created ahead of it, or
	// the thread's deletion after it. It holds the spec's full text
	// (harness.Unclaimed for a thread created ahead that no spec took).
	// The exchange is recorded where it can be (the spec's report, or the
	// suite's teardown); internal/perf counts it in that spec's chain,
	// not in the work its process did one request after another.
	ForSpec string `json:"forSpec,omitempty"`
	// Escaped counts the control characters and invalid UTF-8 bytes that
	// were replaced by visible escapes (internal/sanitize) in the recorded
	// URL, headers, bodies and error: the server's bytes are untrusted and
	// must not reach a console or report file as they are. The raw bytes
	// the oracles judge are in Response.Body.
	Escaped int `json:"escaped,omitempty"`

	// scrub and scrubHeader are the redactor NewExchange was given, so that
	// what is attached later is scrubbed of the same secrets. They are
	// funcs, not the *Redactor, because failure messages print an Exchange
	// by reflection (Gomega's format.Object), which would list the secrets
	// a *Redactor holds; a func prints as its address.
	scrub       func(string) string
	scrubHeader func(http.Header) http.Header
}

// NewExchange starts the record of one request at the current time. Every
// field it sets from its arguments is redacted by r (nil: secret-shaped
// strings only), the body before it is cut.
func NewExchange(r *Redactor, method, url string, header http.Header, body []byte) *Exchange {
	e := &Exchange{
		Method:      method,
		RequestSize: len(body),
		Start:       time.Now(),
		scrub:       r.String,
		scrubHeader: r.Header,
	}
	// A URL can be a nextLink the server chose.
	e.URL = e.string(url)
	e.RequestHeader = e.header(header)
	e.RequestBody = Cut(e.string(string(body)))
	return e
}

// SetResponse records the response, redacted. Redact first, then cut:
// cutting first could leave the head of a secret that straddles the cut
// unrecognised.
func (e *Exchange) SetResponse(status int, header http.Header, body []byte) {
	e.Status = status
	e.ResponseHeader = e.header(header)
	recorded := e.string(string(body))
	if len(recorded) > MaxRecordedBody {
		recorded, e.BodyTruncated = recorded[:MaxRecordedBody], true
	}
	e.ResponseBody = recorded
	e.ResponseSize = len(body)
}

// Fail records why the exchange did not complete, redacted: a transport
// error can quote the URL.
func (e *Exchange) Fail(msg string) { e.Err = e.string(msg) }

// string and header scrub with the Exchange's redactor, or, for an Exchange
// built by hand, as a nil *Redactor does (secret-shaped strings only), and
// then escape what is not displayable, counting it in Escaped. Redact
// first: an escape inside a secret would hide it from the redactor.
func (e *Exchange) string(s string) string {
	if e.scrub == nil {
		s = (*Redactor)(nil).String(s)
	} else {
		s = e.scrub(s)
	}
	s, n := sanitize.Escape(s)
	e.Escaped += n
	return s
}

func (e *Exchange) header(h http.Header) http.Header {
	if e.scrubHeader == nil {
		h = (*Redactor)(nil).Header(h)
	} else {
		h = e.scrubHeader(h)
	}
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		k, n := sanitize.Escape(k)
		e.Escaped += n
		for _, v := range vs {
			v, n := sanitize.Escape(v)
			e.Escaped += n
			out[k] = append(out[k], v)
		}
	}
	return out
}

// Response is a snapshot of one HTTP response: status, headers and the whole
// (size-bounded) body, so a body can be read any number of times.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Exchange is the redacted record of the request that got this response.
	Exchange *Exchange
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// String renders the exchange as a readable transcript, JSON bodies indented.
// ColorableString is the exchange's Representation in a Ginkgo report
// entry: its request line and status only. Ginkgo renders it each time a
// spec report is encoded (every process sends its reports to the CLI, the
// CLI hands them all to process 1, which writes report.json), and the
// entry's AsJSON holds the whole exchange, which is what the reports read;
// rendering the full text each time was much of a parallel run's CPU.
func (e *Exchange) ColorableString() string {
	s := e.Method + " " + e.URL
	switch {
	case e.Err != "":
		return s + " ! " + e.Err
	case e.Status != 0:
		return s + " → " + strconv.Itoa(e.Status)
	}
	return s
}

func (e *Exchange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", e.Method, e.URL)
	WriteHeaders(&b, "> ", e.RequestHeader)
	if e.RequestBody != "" {
		b.WriteString(indentBlock(prettyJSON(e.RequestBody), "> "))
	}
	if e.RequestSize > len(e.RequestBody) {
		fmt.Fprintf(&b, "> … (%d-byte body cut at %d bytes in this transcript)\n", e.RequestSize, len(e.RequestBody))
	}
	if e.Err != "" {
		fmt.Fprintf(&b, "! %s (after %s)\n", e.Err, e.Duration.Round(time.Millisecond))
		e.writeEscaped(&b)
		return b.String()
	}
	fmt.Fprintf(&b, "< %d %s (%s)\n", e.Status, http.StatusText(e.Status), e.Duration.Round(time.Millisecond))
	WriteHeaders(&b, "< ", e.ResponseHeader)
	if e.ResponseBody != "" {
		b.WriteString(indentBlock(prettyJSON(e.ResponseBody), "< "))
	}
	if e.BodyTruncated {
		fmt.Fprintf(&b, "< … (%d-byte body cut at %d bytes in this transcript)\n", e.ResponseSize, MaxRecordedBody)
	}
	if e.Retried != "" {
		fmt.Fprintf(&b, "~ retried: %s\n", e.Retried)
	}
	if e.ForSpec != "" {
		fmt.Fprintf(&b, "~ sent by the harness in the background, for: %s\n", e.ForSpec)
	}
	e.writeEscaped(&b)
	return b.String()
}

// writeEscaped says that the transcript is not byte-exact, so nobody
// mistakes an escape for what the server sent.
func (e *Exchange) writeEscaped(b *strings.Builder) {
	if e.Escaped > 0 {
		fmt.Fprintf(b, "! (%d bytes escaped: control characters or invalid UTF-8 the server sent are shown as \\xNN or \\uNNNN)\n", e.Escaped)
	}
}

// WriteHeaders writes h into b, one line a value after prefix, sorted by
// name.
func WriteHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

// prettyLimit bounds what prettyJSON expands: indenting a deeply nested
// body grows quadratically (10 000 levels would take 100 MB).
const prettyLimit = 16 << 10

// prettyJSON indents s when it is small JSON and returns it unchanged
// otherwise.
func prettyJSON(s string) string {
	var out bytes.Buffer
	if len(s) <= prettyLimit && json.Indent(&out, []byte(s), "", "  ") == nil && out.Len() <= 4*prettyLimit {
		return out.String()
	}
	return s
}

// Cut returns at most MaxRecordedBody bytes of s, on a UTF-8 boundary.
func Cut(s string) string {
	if len(s) <= MaxRecordedBody {
		return s
	}
	s = s[:MaxRecordedBody]
	for len(s) > 0 && !utf8.RuneStart(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func indentBlock(s, prefix string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(prefix)
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}
