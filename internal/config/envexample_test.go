package config

import (
	"bufio"
	"github.com/chatconform/chatconform/fixtures/sharedref"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/joho/godotenv"
)

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := sharedref.Root()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

var (
	// NAME= or # NAME= at the start of a line: a variable the file sets or
	// shows commented out.
	assignment = regexp.MustCompile(`^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$`)
	// Anything named like a suite variable, anywhere in the file.
	mention = regexp.MustCompile(`\b(?:CHAT|ACS)_[A-Z0-9_]+\b`)
)

// TestEnvExampleDocumentsEveryVariable keeps .env.example and Variables in
// step: every variable appears once, in the order of Variables, with a
// comment above it giving its meaning, default and an example; nothing else
// is mentioned; and no value is filled in.
func TestEnvExampleDocumentsEveryVariable(t *testing.T) {
	path := filepath.Join(repoRoot(t), ".env.example")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf(".env.example: %v", err)
	}
	defer f.Close()

	var (
		order   []string
		comment []string // comment lines since the last blank line or assignment
		known   = map[string]bool{}
	)
	for _, v := range Variables {
		known[v] = true
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		for _, m := range mention.FindAllString(line, -1) {
			if !known[m] {
				t.Errorf(".env.example:%d mentions %s, which is not in config.Variables", n, m)
			}
		}
		m := assignment.FindStringSubmatch(line)
		switch {
		case m != nil:
			name, value := m[2], m[3]
			order = append(order, name)
			if !known[name] {
				t.Errorf(".env.example:%d sets %s, which is not in config.Variables", n, name)
			}
			if value != "" {
				t.Errorf(".env.example:%d gives %s a value (%q): leave values empty, put examples in the comment", n, name, value)
			}
			doc := strings.ToLower(strings.Join(comment, "\n"))
			if len(comment) == 0 {
				t.Errorf(".env.example:%d: %s has no comment above it", n, name)
			} else {
				for _, want := range []string{"default:", "example:"} {
					if !strings.Contains(doc, want) {
						t.Errorf(".env.example:%d: the comment above %s has no %q line", n, name, want)
					}
				}
			}
			comment = nil
		case line == "":
			comment = nil
		case strings.HasPrefix(line, "#"):
			comment = append(comment, line)
		default:
			t.Errorf(".env.example:%d is neither a comment nor NAME=: %q", n, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, Variables) {
		t.Errorf(".env.example documents\n  %v\nwant config.Variables in order\n  %v", order, Variables)
	}

	// Copied as is to .env it is a valid configuration: the embedded server.
	file, err := godotenv.Read(path)
	if err != nil {
		t.Fatalf("godotenv cannot read .env.example: %v", err)
	}
	for k, v := range file {
		if v != "" {
			t.Errorf(".env.example sets %s=%q", k, v)
		}
	}
	t.Chdir(t.TempDir())
	c, err := Load(func(k string) string {
		if k == "CHAT_ENV_FILE" {
			return path
		}
		return ""
	})
	if err != nil {
		t.Fatalf("loading .env.example: %v", err)
	}
	if !c.Embedded() || c.EnvFile != path {
		t.Errorf("loading .env.example: mode %s, EnvFile %q", c.Mode(), c.EnvFile)
	}
}
