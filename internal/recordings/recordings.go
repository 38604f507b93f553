// Package recordings loads the real ACS Chat and Identity traffic recorded by
// the Azure SDK test proxies (test-proxy JSON from the Python, Java, JS and
// .NET SDKs; vcrpy YAML cassettes from azure-cli) into one normalised shape,
// classifies each exchange, and replays the recorded responses over HTTP so
// that the suite's oracles can be checked against what the service really
// sent rather than against what the spec says it sends.
package recordings

import (
	"errors"
	"fmt"
	"github.com/chatconform/chatconform/fixtures/sharedref"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Entry is one recorded exchange, normalised across formats.
type Entry struct {
	File           string // path relative to the recordings dir, slash-separated, e.g. "net/Thread_….EXCERPT.json"
	Index          int    // position in the file, from 0
	Method         string // upper case
	URL            string // absolute URL as recorded
	RequestHeader  http.Header
	RequestBody    []byte // exact bytes where recoverable; JSON stored as objects is re-encoded compactly; nil when empty
	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte // as RequestBody
}

// Operation names returned by Entry.Operation.
const (
	OpAddParticipants   = "AddParticipants"
	OpListParticipants  = "ListParticipants"
	OpRemoveParticipant = "RemoveParticipant"
	OpCreateThread      = "CreateThread"
	OpDeleteThread      = "DeleteThread"
	OpCreateIdentity    = "CreateIdentity"
	OpIssueToken        = "IssueToken"
)

// Operation classifies an entry by method and path (host and query are
// ignored): one of the Op* constants, or "" for anything else.
func (e Entry) Operation() string {
	u, err := url.Parse(e.URL)
	if err != nil {
		return ""
	}
	return classify(e.Method, pathSegments(u))
}

// classify maps a method and unescaped path segments to an operation name.
func classify(method string, seg []string) string {
	method = strings.ToUpper(method)
	switch {
	case len(seg) == 2 && seg[0] == "chat" && seg[1] == "threads":
		if method == http.MethodPost {
			return OpCreateThread
		}
	case len(seg) == 3 && seg[0] == "chat" && seg[1] == "threads":
		if method == http.MethodDelete {
			return OpDeleteThread
		}
	case len(seg) == 4 && seg[0] == "chat" && seg[1] == "threads" && seg[3] == "participants":
		if method == http.MethodGet {
			return OpListParticipants
		}
	case len(seg) == 5 && seg[0] == "chat" && seg[1] == "threads" && seg[3] == "participants":
		if method == http.MethodPost && seg[4] == ":add" {
			return OpAddParticipants
		}
		if method == http.MethodPost && seg[4] == ":remove" {
			return OpRemoveParticipant
		}
	case len(seg) == 1 && seg[0] == "identities":
		if method == http.MethodPost {
			return OpCreateIdentity
		}
	case len(seg) == 3 && seg[0] == "identities" && seg[2] == ":issueAccessToken":
		if method == http.MethodPost {
			return OpIssueToken
		}
	}
	return ""
}

// pathSegments splits the escaped path first and unescapes each segment
// afterwards, so that "19%3Aabc%40thread.v2" and "19:abc@thread.v2" compare
// equal while an encoded "/" inside a segment could not split it.
func pathSegments(u *url.URL) []string {
	p := strings.Trim(u.EscapedPath(), "/")
	if p == "" {
		return nil
	}
	seg := strings.Split(p, "/")
	for i, s := range seg {
		if un, err := url.PathUnescape(s); err == nil {
			seg[i] = un
		}
	}
	return seg
}

// Dir locates the shared recordings folder: it walks up from the working
// directory to the one holding go.mod and returns
// <that>/../shared/reference/recordings. It reports false when there is no
// module root or the folder does not exist.
func Dir() (string, bool) {
	root, err := sharedref.Root()
	if err != nil {
		return "", false
	}
	dir := filepath.Clean(filepath.Join(root, "..", "shared", "reference", "recordings"))
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return dir, true
	}
	return "", false
}

// Load reads every recording under dir (recursively; *.json as test-proxy
// recordings, *.yaml and *.yml as vcrpy cassettes) and returns all entries,
// files in lexical path order and entries in file order. Other files are
// ignored. A file that cannot be read or parsed is an error naming it.
func Load(dir string) ([]Entry, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("recordings: walking %s: %w", dir, err)
	}
	// WalkDir is already lexical per directory; sorting the slash form makes
	// the order independent of the platform separator.
	sort.Slice(files, func(i, j int) bool { return filepath.ToSlash(files[i]) < filepath.ToSlash(files[j]) })

	var all []Entry
	for _, p := range files {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			rel = p
		}
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("recordings: reading %s: %w", rel, err)
		}
		var entries []Entry
		if ext := strings.ToLower(filepath.Ext(p)); ext == ".json" {
			entries, err = parseTestProxy(data)
		} else {
			entries, err = parseCassette(data)
		}
		if err != nil {
			return nil, fmt.Errorf("recordings: parsing %s: %w", rel, err)
		}
		for i := range entries {
			entries[i].File = rel
			entries[i].Index = i
		}
		all = append(all, entries...)
	}
	return all, nil
}

// errNoEntries marks a JSON file that is not a test-proxy recording.
var errNoEntries = errors.New(`no "Entries" array: not a test-proxy recording`)
