// Package contract holds the oracles of the conformance suite: plain Go
// functions that judge one response, one value or one paged walk against
// the documented contract (schemas, the error envelope, RFC 3339 times,
// identifier kinds, participants, paging) and say, in words a server
// implementer can act on, what is wrong and where. Every oracle returns
// []Violation, nil when the subject conforms. The Gomega matchers in package
// matchers wrap them; nothing here depends on Ginkgo or Gomega.
package contract

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Violation is one way a response breaks the contract.
type Violation struct {
	// Assertion is the catalogue ID the finding is evidence against (for
	// example "ERR-05"), or "" when that depends on what the caller checks.
	Assertion string
	// Pointer locates the offending value in the JSON body (RFC 6901, e.g.
	// /value/2/shareHistoryTime); "" is the body as a whole, or a header.
	// Paging findings are located by page instead ("page 3"), or "" for
	// the walk as a whole.
	Pointer string
	// Message says what is wrong, with the value seen.
	Message string
}

// String renders the violation on one line: "[ID] /pointer: message" or
// "[ID] page 3: message".
func (v Violation) String() string {
	var b strings.Builder
	if v.Assertion != "" {
		b.WriteString("[" + v.Assertion + "] ")
	}
	if v.Pointer != "" {
		b.WriteString(v.Pointer + ": ")
	}
	b.WriteString(v.Message)
	return b.String()
}

// Format renders violations one per line, each prefixed by indent.
func Format(vs []Violation, indent string) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(indent)
		b.WriteString(v.String())
	}
	return b.String()
}

// Pointer builds an RFC 6901 JSON pointer from reference tokens, escaping
// "~" and "/".
func Pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// sortViolations orders by pointer, array indexes numerically (/value/2
// before /value/10), keeping the order of findings at the same place.
func sortViolations(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool { return pointerLess(vs[i].Pointer, vs[j].Pointer) })
}

func pointerLess(a, b string) bool {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for k := 0; k < len(as) && k < len(bs); k++ {
		if as[k] == bs[k] {
			continue
		}
		ai, aerr := strconv.Atoi(as[k])
		bi, berr := strconv.Atoi(bs[k])
		if aerr == nil && berr == nil {
			return ai < bi
		}
		return as[k] < bs[k]
	}
	return len(as) < len(bs)
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64, int, int64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// maxShown bounds how much of a value a message quotes.
const maxShown = 80

// show renders a decoded value as short JSON for a message.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return truncate(string(b), maxShown)
}

// kindAndValue says "a number (42)" or "null".
func kindAndValue(v any) string {
	k := jsonKind(v)
	if v == nil {
		return k
	}
	article := "a"
	if k == "array" || k == "object" {
		article = "an"
	}
	return fmt.Sprintf("%s %s (%s)", article, k, show(v))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the message stays valid UTF-8.
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// bodyExcerpt quotes the start of a raw body for a message.
func bodyExcerpt(body []byte) string {
	return strconv.Quote(truncate(string(body), maxShown))
}
