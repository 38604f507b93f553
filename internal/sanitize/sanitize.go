// Package sanitize makes untrusted bytes safe to display. Everything a
// server or the environment sends (bodies, headers, error messages, display
// names, nextLinks) can hold terminal escape sequences that would recolour,
// retitle or rewrite a console, NUL bytes that truncate text in viewers, and
// invalid UTF-8 that makes a report file unreadable. Escape turns each of
// those into a visible escape, so the text says what was sent without
// acting on it.
package sanitize

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every C0 control except tab and newline, DEL,
// every C1 control and every byte of invalid UTF-8 replaced by a visible
// escape: `\x1b` for a C0 control or DEL, `\u009b` for a C1 control (a
// two-byte character, so `\x9b` would read as a stray byte), `\xff` for a
// byte that is not UTF-8. An ANSI or OSC sequence is thus defused at its
// ESC (or CSI/OSC) byte and the rest of it stays legible. n counts the
// characters and bytes replaced; the result is valid UTF-8.
func Escape(s string) (string, int) {
	if clean(s) {
		return s, 0 // the common case allocates nothing
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
			n++
		case r < 0x20 && r != '\t' && r != '\n', r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
			n++
		case r >= 0x80 && r <= 0x9f:
			fmt.Fprintf(&b, `\u%04x`, r)
			n++
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String(), n
}

// Text is Escape without the count, for messages.
func Text(s string) string {
	t, _ := Escape(s)
	return t
}

// Bytes is Escape for a byte slice.
func Bytes(b []byte) ([]byte, int) {
	if clean(string(b)) {
		return b, 0
	}
	t, n := Escape(string(b))
	return []byte(t), n
}

// clean reports whether s needs no escaping.
func clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return false
		}
	}
	return true
}
