// Package report renders one Ginkgo report of the conformance suite into
// the files a certification consists of: junit.xml for CI systems,
// report.json (Ginkgo's own), results.json (the machine-readable result),
// summary.md (one page for people) and report.html (one self-contained page
// with every transcript). Every file comes from the same types.Report, and
// Write refuses to leave a known secret in any of them.
package report

import (
	"net/url"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/waivers"
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
	// under CHAT_API_VERSION=supported (nil otherwise): the framework sets
	// it from harness.Discovery, and APIVersions to its Selected.
	Discovery *Discovery
	// Endpoint is scheme://host only; Write drops any path, query or
	// credentials defensively (see Origin).
	Endpoint string
	// Mode says how users and tokens were obtained (config.Config.Mode).
	Mode string
	// SpecSource and SpecDigest name the OpenAPI document that judged the
	// run (openapi.Spec.Source and .Digest).
	SpecSource, SpecDigest string
	// Specs names the document that judged each api-version (SpecSource
	// and SpecDigest are the setup version's).
	Specs map[string]SpecDocument
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
// CHAT_API_VERSION=supported (c.DiscoverVersions) APIVersions is what c
// says: every version the suite knows until harness.Discovery.Apply has
// narrowed it to the listed ones; the caller sets Discovery.
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
	// NotListed are versions the suite knows that the server did not
	// list: not certified, their specs skipped.
	NotListed []string `json:"notListed"`
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
