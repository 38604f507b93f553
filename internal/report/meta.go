// Package report renders one Ginkgo report of the conformance suite into
// the files a certification consists of: junit.xml for CI systems,
// report.json (Ginkgo's own), results.json (the machine-readable result),
// summary.md (one page for people) and report.html (one self-contained page
// with every transcript). Every file comes from the same types.Report, and
// Write refuses to leave a known secret in any of them.
package report

import (
	"net/url"
	"strings"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/waivers"
	"github.com/chatconform/chatconform/internal/wire"
)

// Version is the suite's version, set at build time with
// -ldflags "-X github.com/chatconform/chatconform/internal/report.Version=v1.2.3".
var Version = "dev"

// The files Write produces, in the order a reader usually wants them.
const (
	FileHTML    = "report.html"
	FileSummary = "summary.md"
	FileResults = "results.json"
	FileJUnit   = "junit.xml"
	FileGinkgo  = "report.json"
)

// Files lists every file Write produces.
var Files = []string{FileHTML, FileSummary, FileResults, FileJUnit, FileGinkgo}

// Meta is what the reports say about the run besides the Ginkgo report.
type Meta struct {
	// SuiteVersion defaults to Version.
	SuiteVersion string
	// APIVersions are the chat api-versions the run certifies, in order
	// (oldest first, as config.Config.APIVersions). Every spec belongs to
	// the version its "v:<api-version>" label names; a spec without one
	// belongs to the only version of a single-version run. Specs labelled
	// with a version not listed here (one the server did not list, under
	// CHAT_API_VERSION=supported) are not part of any verdict.
	APIVersions []string
	// Discovery is what the server's api-supported-versions header said,
	// under CHAT_API_VERSION=supported (nil otherwise).
	Discovery *Discovery
	// Endpoint is scheme://host only; Write drops any path, query or
	// credentials defensively (see Origin).
	Endpoint string
	// Mode says how users and tokens were obtained (config.Config.Mode).
	Mode string
	// SpecSource and SpecDigest name the OpenAPI document that judged the
	// run (openapi.Spec.Source and .Digest).
	SpecSource, SpecDigest string
	// Config is the configuration with every secret already redacted
	// (config.Config.Redacted).
	Config map[string]string
	Strict bool
	// Secrets must never appear in any file: Write replaces them and
	// returns an error naming the files it had to scrub.
	Secrets []string
	// ReportDir is where the files were written, for PrintSummary; Write
	// does not need it.
	ReportDir string
	// Waivers are CHAT_WAIVERS' entries, for the stale ones.
	Waivers []waivers.Waiver
	// Baseline is CHAT_BASELINE, an earlier results.json to compare with.
	Baseline string
	// NotChosen maps a capability the user did not opt in to onto the
	// setting that would (rate-limit → CHAT_RATE_LIMIT_TESTS=1): its
	// checks are "not run by choice", not missing.
	NotChosen map[string]string
}

// MetaFrom fills a Meta from the run's configuration; the caller adds the
// OpenAPI document's source and digest, which the harness loaded. Under
// CHAT_API_VERSION=supported (c.DiscoverVersions) APIVersions is every
// version the suite knows until the server has been asked: the caller
// then sets Discovery and APIVersions from Discover.
func MetaFrom(c *config.Config) Meta {
	m := Meta{
		APIVersions: append([]string(nil), c.APIVersions...),
		Mode:        c.Mode(),
		Config:      c.Redacted(),
		Strict:      c.Strict,
		Secrets:     c.Secrets(),
		ReportDir:   c.ReportDir,
		Waivers:     c.Waivers,
		Baseline:    c.Baseline,
	}
	if !c.RateLimitTests {
		m.NotChosen = map[string]string{catalogue.CapRateLimit: "CHAT_RATE_LIMIT_TESTS=1"}
	}
	if c.Endpoint != nil {
		m.Endpoint = Origin(c.Endpoint.String())
	}
	return m
}

// Discovery is what CHAT_API_VERSION=supported learnt from the server.
type Discovery struct {
	// Listed is what the server's api-supported-versions header listed,
	// each entry as given (chat versions and any other), in its order.
	Listed []string `json:"listed"`
	// Unknown are listed entries the suite does not know as chat
	// api-versions: not certified.
	Unknown []string `json:"unknown"`
	// NotListed are versions the suite knows (and the run selected) that
	// the server did not list: not certified, their specs skipped.
	NotListed []string `json:"notListed"`
}

// Discover is the selection of CHAT_API_VERSION=supported: of selected
// (config.Config.APIVersions, oldest first) the versions the server lists
// are certified, in selected's order; the rest are NotListed. listed are the
// values of the api-supported-versions header(s), each a comma-separated
// list; the entries are kept as given (trimmed, each once).
func Discover(selected, listed []string) (certified []string, d *Discovery) {
	d = &Discovery{Listed: []string{}, Unknown: []string{}, NotListed: []string{}}
	seen := map[string]bool{}
	for _, h := range listed {
		for _, v := range strings.Split(h, ",") {
			if v = strings.TrimSpace(v); v != "" && !seen[v] {
				seen[v] = true
				d.Listed = append(d.Listed, v)
				if !wire.KnownChatVersion(v) {
					d.Unknown = append(d.Unknown, v)
				}
			}
		}
	}
	for _, v := range selected {
		if seen[v] {
			certified = append(certified, v)
		} else {
			d.NotListed = append(d.NotListed, v)
		}
	}
	return certified, d
}

// Origin reduces an endpoint URL to scheme://host[:port]: a path can name a
// tenant, a query can carry a key, and neither belongs in a certificate.
func Origin(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (m Meta) version() string {
	if m.SuiteVersion != "" {
		return m.SuiteVersion
	}
	return Version
}
