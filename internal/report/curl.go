package report

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/chatconform/chatconform/internal/transcript"
)

// Headers a curl line leaves out: curl sets them itself, or they only
// describe the recorded transport.
var curlSkipHeaders = map[string]bool{
	"Authorization":   true, // added back below with a variable
	"Content-Length":  true,
	"Host":            true,
	"Accept-Encoding": true,
	"Connection":      true,
	"User-Agent":      true,
}

// Headers of an HMAC-signed request that are only valid with the signature
// they were computed for.
var hmacHeaders = map[string]bool{"X-Ms-Date": true, "X-Ms-Content-Sha256": true, "Date": true}

// Curl renders a recorded exchange as a curl command that repeats it. The
// transcript holds no credentials, so a bearer token becomes
// "Authorization: Bearer $CHAT_TOKEN" (set CHAT_TOKEN first); an
// HMAC-signed Identity call cannot be repeated without signing it again,
// which the command says in a comment. Every value is single-quoted for a
// POSIX shell; a body with control bytes or invalid UTF-8 uses bash's $'…'.
func Curl(ex *transcript.Exchange) string {
	if ex == nil {
		return ""
	}
	var lines []string
	if ex.RequestSize > len(ex.RequestBody) {
		lines = append(lines, fmt.Sprintf("# The transcript kept %d of the body's %d bytes: this sends only that part.", len(ex.RequestBody), ex.RequestSize))
	}
	auth := ex.RequestHeader.Get("Authorization")
	scheme, _, _ := strings.Cut(auth, " ")
	hmac := strings.EqualFold(scheme, "HMAC-SHA256")
	if hmac {
		lines = append(lines, "# HMAC-signed (Identity API): curl cannot sign. Recompute x-ms-date, x-ms-content-sha256 and the",
			"# Signature with the access key of ACS_CONNECTION_STRING (see internal/hmacsig), then set X_MS_DATE, X_MS_CONTENT_SHA256 and SIGNATURE.")
	}
	cmd := "curl -sS -i"
	if ex.Method != http.MethodGet {
		cmd += " -X " + ex.Method
	}
	parts := []string{cmd + " " + shellQuote(ex.URL)}
	keys := make([]string, 0, len(ex.RequestHeader))
	for k := range ex.RequestHeader {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ck := http.CanonicalHeaderKey(k)
		if curlSkipHeaders[ck] || (hmac && hmacHeaders[ck]) {
			continue
		}
		for _, v := range ex.RequestHeader[k] {
			parts = append(parts, "-H "+shellQuote(k+": "+v))
		}
	}
	switch {
	case auth == "":
		// The request had none (ERR-01): neither does the repetition.
	case strings.EqualFold(scheme, "Bearer"):
		parts = append(parts, `-H "Authorization: Bearer $CHAT_TOKEN"`)
	case hmac:
		signed := ""
		if i := strings.Index(auth, "SignedHeaders="); i >= 0 {
			signed, _, _ = strings.Cut(auth[i+len("SignedHeaders="):], "&")
		}
		// Double quotes: the shell must expand these variables.
		parts = append(parts,
			`-H "x-ms-date: $X_MS_DATE"`,
			`-H "x-ms-content-sha256: $X_MS_CONTENT_SHA256"`,
			fmt.Sprintf(`-H "Authorization: HMAC-SHA256 SignedHeaders=%s&Signature=$SIGNATURE"`, shellDQ(signed)))
	default:
		// Another scheme (a deliberately malformed value in ERR-02) was
		// recorded redacted; send it as recorded.
		parts = append(parts, "-H "+shellQuote("Authorization: "+auth))
	}
	if ex.RequestBody != "" {
		parts = append(parts, "--data-binary "+shellQuote(ex.RequestBody))
	}
	lines = append(lines, strings.Join(parts, " \\\n  "))
	return strings.Join(lines, "\n")
}

// shellDQ escapes s for the inside of a double-quoted shell word.
func shellDQ(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s)
}

// shellQuote quotes s as one shell word. Single quotes keep everything
// literal ($, `, \, !); a single quote inside closes the quotes, adds an
// escaped quote and reopens them. Bytes a
// terminal or a copy-paste would mangle (control characters, invalid UTF-8)
// make it a bash ANSI-C string $'…' instead, which spells every byte.
func shellQuote(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unsafeRune) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

// unsafeRune reports characters that do not survive a terminal: control
// characters other than newline and tab, and the Unicode line separators.
func unsafeRune(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || r == 0x2028 || r == 0x2029 || (r >= 0x80 && r < 0xa0)
}
