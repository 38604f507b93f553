package framework

import (
	"net/url"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

const versionLabelPrefix = outcome.VersionLabelPrefix

// VersionLabel is the label of the specs of api-version v.
func VersionLabel(v string) string { return versionLabelPrefix + v }

// Certify declares a container of specs once per api-version the run
// certifies (CHAT_API_VERSION), each labelled v:<version> and named with
// it: every version gets its own specs, threads and data, and the
// versions share the run's processes. The body runs once per version, so
// variables it declares are that version's own.
func Certify(text string, body func()) bool {
	return Describe(text, func() {
		for _, v := range declaredVersions() {
			Describe("api-version "+v, Label(VersionLabel(v)), body)
		}
	})
}

// declaredVersions are the versions the spec tree is built for. With
// CHAT_API_VERSION=supported that is every version the suite knows: which
// of them the server lists is learnt at suite start, and the others'
// specs are skipped (see versionSkip). A bad configuration has already
// stopped RunSuite; the dry-run tools still see every version.
func declaredVersions() []string {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return wire.SupportedChatVersions
	}
	return cfg.APIVersions
}

// Version is the api-version of the running spec; outside a spec (suite
// setup) it is the setup version.
func Version() string {
	for _, l := range CurrentSpecReport().Labels() {
		if v, ok := strings.CutPrefix(l, versionLabelPrefix); ok {
			return v
		}
	}
	return Env.Config.APIVersion
}

// Client is the client of the running spec's api-version.
func Client() *client.Client {
	if c := Env.Clients[Version()]; c != nil {
		return c
	}
	return Env.Client
}

// Spec is the OpenAPI document of the running spec's api-version.
func Spec() *openapi.Spec {
	if s := Env.Specs[Version()]; s != nil {
		return s
	}
	return Env.Spec
}

// versionSkip says why the running spec of a does not apply to its
// api-version ("" when it does): a version the server does not list
// (CHAT_API_VERSION=supported), or a row about a feature the version does
// not document.
func versionSkip(a catalogue.Assertion) string {
	v := Version()
	if Env.Clients[v] == nil {
		return "api-version " + v + " is not certified in this run: the server does not list it in api-supported-versions (CHAT_API_VERSION=supported); name it in CHAT_API_VERSION to certify it anyway"
	}
	return catalogue.NotInVersion(a, v)
}

// servedVersion is VER-01 evidence from any response to a request at the
// running spec's api-version (not those that ask for another on purpose).
func servedVersion(resp *transcript.Response) []contract.Violation {
	if resp == nil || resp.Exchange == nil {
		return nil
	}
	u, err := url.Parse(resp.Exchange.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/chat/") || u.Query().Get("api-version") != Version() {
		return nil
	}
	return contract.CheckSupportedVersions(resp.Header, Version())
}
