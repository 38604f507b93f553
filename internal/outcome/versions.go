package outcome

import (
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// VersionLabelPrefix starts the label that names a spec's api-version
// (v:2025-03-15): the framework declares every spec once per version.
const VersionLabelPrefix = "v:"

// VersionOf is the api-version a spec report is labelled with, "" for a
// node of no version (suite setup and teardown, reports).
func VersionOf(sr types.SpecReport) string {
	for _, l := range sr.Labels() {
		if v, ok := strings.CutPrefix(l, VersionLabelPrefix); ok {
			return v
		}
	}
	return ""
}

// Versions are the api-versions a report's specs are labelled with, in
// the order given by order (versions it does not name follow, sorted).
func Versions(r types.Report, order []string) []string {
	seen := map[string]bool{}
	for _, sr := range r.SpecReports {
		if v := VersionOf(sr); v != "" {
			seen[v] = true
		}
	}
	var out []string
	for _, v := range order {
		if seen[v] {
			out = append(out, v)
			delete(seen, v)
		}
	}
	var rest []string
	for v := range seen {
		rest = append(rest, v)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// OfVersion is the part of a run that certifies api-version v: its own
// specs, and every node of no version, so that a failed suite setup counts
// against every version.
func OfVersion(r types.Report, v string) types.Report {
	out := r
	out.SpecReports = nil
	for _, sr := range r.SpecReports {
		if sv := VersionOf(sr); sv == "" || sv == v {
			out.SpecReports = append(out.SpecReports, sr)
		}
	}
	return out
}
