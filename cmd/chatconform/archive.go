package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/chatconform/chatconform/internal/report"
)

// Manifest is the archive's digest list, in sha256sum's format so that
// `sha256sum -c SHA256SUMS` checks an extracted archive without this tool.
const Manifest = "SHA256SUMS"

// archived is every file a certification archive holds besides the manifest.
var archived = report.Files

// maxArchivedFile bounds each file read from an archive, so a hostile
// archive cannot exhaust memory (report.json of a large run is a few MB).
const maxArchivedFile = 256 << 20

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// manifestOf renders SHA256SUMS for the files, sorted by name.
func manifestOf(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", digest(files[n]), n)
	}
	return []byte(b.String())
}

var manifestLine = regexp.MustCompile(`^([0-9a-fA-F]{64}) [ *](.+)$`)

// parseManifest reads SHA256SUMS: name → lower-case hex digest.
func parseManifest(b []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		m := manifestLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s line %d is not \"<sha256>  <file>\": %q", Manifest, n, line)
		}
		if _, dup := out[m[2]]; dup {
			return nil, fmt.Errorf("%s lists %s twice", Manifest, m[2])
		}
		out[m[2]] = strings.ToLower(m[1])
	}
	return out, sc.Err()
}

// safeName accepts only the plain file names an archive of ours holds: no
// directories, no "..", nothing that could land outside the directory it is
// extracted into.
func safeName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`) && !strings.HasPrefix(name, "-")
}
