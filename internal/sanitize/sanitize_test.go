package sanitize

import (
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct {
		in, want string
		n        int
	}{
		{"plain text, tabs\tand\nnewlines", "plain text, tabs\tand\nnewlines", 0},
		{"héllo ✓ 日本", "héllo ✓ 日本", 0},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, 2},
		{"\x1b]0;title\x07", `\x1b]0;title\x07`, 2},
		{"a\x00b", `a\x00b`, 1},
		{"cr\r\n", `cr\x0d` + "\n", 1},
		{"del\x7f", `del\x7f`, 1},
		{"c1 \u009b31m \u0085", `c1 \u009b31m \u0085`, 2},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`, 2},
		{"cut \xe6\x97", `cut \xe6\x97`, 2},
		{"replacement \ufffd is fine", "replacement \ufffd is fine", 0},
	} {
		got, n := Escape(c.in)
		if got != c.want || n != c.n {
			t.Errorf("Escape(%q) = %q, %d; want %q, %d", c.in, got, n, c.want, c.n)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Escape(%q) is not valid UTF-8", c.in)
		}
		if again, m := Escape(got); again != got || m != 0 {
			t.Errorf("Escape is not idempotent on %q: %q", got, again)
		}
	}
}

func TestEveryByteSafe(t *testing.T) {
	for b := 0; b < 256; b++ {
		got, _ := Escape("x" + string([]byte{byte(b)}) + "y")
		for i := 0; i < len(got); i++ {
			c := got[i]
			if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
				t.Errorf("byte %#x left control byte %#x in %q", b, c, got)
			}
		}
		if !utf8.ValidString(got) {
			t.Errorf("byte %#x: invalid UTF-8 %q", b, got)
		}
	}
}
