package recordings

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// compactJSON re-encodes a JSON value without whitespace, keeping key order
// and number literals. Strings are re-escaped minimally (only '"', '\\' and
// control characters), as the service and the proxy's relaxed encoder send
// them: the recording files escape '+' as \u002B, which the wire did not.
func compactJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var buf bytes.Buffer
	if err := writeValue(dec, &buf); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON value")
	}
	return buf.Bytes(), nil
}

func writeValue(dec *json.Decoder, buf *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		open, close := byte(v), byte('}')
		if v == '[' {
			close = ']'
		}
		buf.WriteByte(open)
		for first := true; dec.More(); first = false {
			if !first {
				buf.WriteByte(',')
			}
			if open == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				writeString(buf, k.(string))
				buf.WriteByte(':')
			}
			if err := writeValue(dec, buf); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return err
		}
		buf.WriteByte(close)
	case string:
		writeString(buf, v)
	case json.Number:
		buf.WriteString(string(v))
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case nil:
		buf.WriteString("null")
	}
	return nil
}

// writeString writes s as a JSON string literal with minimal escaping.
func writeString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				buf.WriteString(`\ufffd`)
			} else {
				buf.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		default:
			if c < 0x20 {
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&0xf])
			} else {
				buf.WriteByte(c)
			}
		}
		i++
	}
	buf.WriteByte('"')
}

// rewriteStringValues returns body with every string value whose object key
// satisfies match replaced by fn(value). Only those literals change; every
// other byte is kept, so a recorded body stays byte-exact apart from the
// rewritten links. Bodies that are not JSON come back unchanged.
func rewriteStringValues(body []byte, match func(key string) bool, fn func(string) string) []byte {
	if !json.Valid(body) {
		return body
	}
	type frame struct {
		obj       bool
		expectKey bool
		key       string
	}
	type span struct {
		start, end int
		repl       string
	}
	var (
		stack []frame
		spans []span
	)
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].expectKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			break // io.EOF; anything else cannot happen on valid JSON
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{obj: true, expectKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			top := len(stack) - 1
			if top >= 0 && stack[top].obj && stack[top].expectKey {
				stack[top].key, stack[top].expectKey = v, false
				continue
			}
			if top >= 0 && stack[top].obj && match(stack[top].key) {
				if nv := fn(v); nv != v {
					after := int(dec.InputOffset())
					// The span read by Token may start with ':' and blanks.
					start := int(before) + bytes.IndexByte(body[before:after], '"')
					var b bytes.Buffer
					writeString(&b, nv)
					spans = append(spans, span{start, after, b.String()})
				}
			}
			valueDone()
		default:
			valueDone()
		}
	}
	if len(spans) == 0 {
		return body
	}
	out := make([]byte, 0, len(body)+64)
	last := 0
	for _, s := range spans {
		out = append(out, body[last:s.start]...)
		out = append(out, s.repl...)
		last = s.end
	}
	return append(out, body[last:]...)
}

// sameBody reports whether two request bodies are equal: as JSON values when
// both parse (so whitespace and escaping do not matter), else byte for byte.
func sameBody(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&va) != nil || db.Decode(&vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
