// Package waivers reads CHAT_WAIVERS: known deviations of the server under
// test, each tied to one catalogue assertion, with a reason and an expiry
// date. A finding a waiver covers is reported as waived, not failed; an
// expired waiver turns its findings back into failures that name it.
package waivers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/chatconform/chatconform/internal/catalogue"
)

// Waiver is one entry of the file.
type Waiver struct {
	ID     string
	Reason string
	// Expires is the last day (UTC) the waiver holds.
	Expires time.Time
	// Match, when set, limits the waiver to findings whose message it
	// matches; MatchText is the expression as written.
	Match     *regexp.Regexp
	MatchText string
	File      string
	Line      int
}

// Where is file:line of the entry, which every message about it names.
func (w Waiver) Where() string { return fmt.Sprintf("%s:%d", w.File, w.Line) }

// ExpiryDate is Expires as written (YYYY-MM-DD).
func (w Waiver) ExpiryDate() string { return w.Expires.Format(time.DateOnly) }

// Expired reports whether the waiver no longer holds at now: it holds
// through the whole of its expiry day.
func (w Waiver) Expired(now time.Time) bool {
	return !now.UTC().Before(w.Expires.AddDate(0, 0, 1))
}

// Covers reports whether the waiver applies to a finding of assertion id
// with that message (expired or not).
func (w Waiver) Covers(id, message string) bool {
	return w.ID == id && (w.Match == nil || w.Match.MatchString(message))
}

// Variable is the setting that names the file.
const Variable = "CHAT_WAIVERS"

// Load reads and validates the file. Every problem names the variable, the
// file and the line, so the message points at what to edit.
func Load(path string) ([]Waiver, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %v", Variable, path, errors.Unwrap(err))
	}
	return Parse(path, data)
}

// Parse is Load for data already read from path.
func Parse(path string, data []byte) ([]Waiver, error) {
	var problems []string
	fail := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s=%s:%d: %s", Variable, path, line, fmt.Sprintf(format, args...)))
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s=%s: the file is empty; want a top-level waivers: list", Variable, path)
	} else if err != nil {
		// yaml's own messages carry "line N".
		return nil, fmt.Errorf("%s=%s: not valid YAML: %v", Variable, path, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s=%s: the file is empty; want a top-level waivers: list", Variable, path)
	}
	root := doc.Content[0]
	list := mapValue(root, "waivers")
	if root.Kind != yaml.MappingNode || list == nil {
		fail(root.Line, "want a mapping with a waivers: list at the top")
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	if list.Kind != yaml.SequenceNode {
		fail(list.Line, "waivers: must be a list of entries (- id: …)")
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	var out []Waiver
	for _, e := range list.Content {
		if e.Kind != yaml.MappingNode {
			fail(e.Line, "an entry must be a mapping with id, reason and expires")
			continue
		}
		w := Waiver{File: path, Line: e.Line}
		ok := true
		for i := 0; i+1 < len(e.Content); i += 2 {
			k, v := e.Content[i], e.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				fail(v.Line, "%s must be a single value", k.Value)
				ok = false
				continue
			}
			switch k.Value {
			case "id":
				w.ID = strings.TrimSpace(v.Value)
			case "reason":
				w.Reason = strings.TrimSpace(v.Value)
			case "expires":
				t, err := time.Parse(time.DateOnly, strings.TrimSpace(v.Value))
				if err != nil {
					fail(v.Line, "expires is %q: want a date YYYY-MM-DD", v.Value)
					ok = false
					continue
				}
				w.Expires = t
			case "match":
				re, err := regexp.Compile(v.Value)
				if err != nil {
					fail(v.Line, "match is not a regular expression: %v", err)
					ok = false
					continue
				}
				w.Match, w.MatchText = re, v.Value
			default:
				fail(k.Line, "unknown key %q: want id, reason, expires and optionally match", k.Value)
				ok = false
			}
		}
		switch {
		case w.ID == "":
			fail(e.Line, "the entry has no id (a catalogue assertion ID such as ERR-05)")
			ok = false
		default:
			if _, known := catalogue.Lookup(w.ID); !known {
				fail(e.Line, "id %q is not an assertion of the catalogue", w.ID)
				ok = false
			}
		}
		if w.Reason == "" {
			fail(e.Line, "the %s waiver has no reason: say why the deviation is accepted (and its ticket)", w.ID)
			ok = false
		}
		if w.Expires.IsZero() && mapValue(e, "expires") == nil {
			fail(e.Line, "the %s waiver has no expires: date: every waiver must end", w.ID)
			ok = false
		}
		if ok {
			out = append(out, w)
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return out, nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// cited matches the tagged lines of a failure ("  [ERR-05] /error: …"),
// never transcript lines, which start with > or <.
var cited = regexp.MustCompile(`(?m)^[ \t]*\[([A-Z]+-[0-9]+)\] (MUST:|SHOULD:)?`)

// Cited returns the single assertion ID that every tagged violation in a
// failure message names, or "": a failure of ADD-11 whose only fault is the
// error envelope is ERR-05 evidence, and an ERR-05 waiver covers it. The
// clause lines ("[ADD-11] MUST: …") name the failing row, not evidence.
func Cited(message string) string {
	id := ""
	for _, m := range cited.FindAllStringSubmatch(message, -1) {
		if m[2] != "" {
			continue
		}
		if id != "" && m[1] != id {
			return ""
		}
		id = m[1]
	}
	return id
}

// Find returns the waiver covering a finding of assertion id with that
// message: a waiver of id itself, or of the one assertion the message's
// violations cite. An unexpired waiver wins over an expired one; nil when
// none covers it.
func Find(ws []Waiver, id, message string, now time.Time) *Waiver {
	var expired *Waiver
	for _, cand := range []string{id, Cited(message)} {
		if cand == "" {
			continue
		}
		for i := range ws {
			if !ws[i].Covers(cand, message) {
				continue
			}
			if !ws[i].Expired(now) {
				return &ws[i]
			}
			if expired == nil {
				expired = &ws[i]
			}
		}
	}
	return expired
}
