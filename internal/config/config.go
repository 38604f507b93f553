// Package config loads the suite's configuration once, from the process
// environment and an optional .env file (the environment wins), and rejects
// bad values before any spec runs with a message naming the variable.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"

	"github.com/chatconform/chatconform/internal/waivers"
	"github.com/chatconform/chatconform/internal/wire"
)

// Variables lists every variable the suite reads, in the order .env.example
// documents them. A test keeps .env.example and this list in step.
var Variables = []string{
	"CHAT_ENDPOINT", "ACS_CONNECTION_STRING", "CHAT_TOKEN", "CHAT_OUTSIDER_TOKEN",
	"CHAT_PARTICIPANT_IDS", "CHAT_API_VERSION", "CHAT_REPORT_DIR", "CHAT_TIMEOUT",
	"CHAT_STRICT", "CHAT_RATE_LIMIT_TESTS", "CHAT_SPEC", "CHAT_TRUSTED_HOSTS",
	"CHAT_CA_FILE", "CHAT_INSECURE_SKIP_VERIFY", "CHAT_MAX_RPS", "CHAT_WAIVERS",
	"CHAT_BASELINE", "CHAT_INCOMPLETE_OK", "CHAT_SEED", "CHAT_STATEFUL_BUDGET",
	"CHAT_STATEFUL_SHRINK_BUDGET", "CHAT_ENV_FILE",
}

// STATE-01's request budgets when CHAT_STATEFUL_BUDGET and
// CHAT_STATEFUL_SHRINK_BUDGET are unset: exploring takes a few tenths of a
// second against the embedded server; shrinking is spent only once a
// sequence failed.
const (
	DefaultStatefulBudget       = 250
	DefaultStatefulShrinkBudget = 1500
)

// DefaultTrustedHostSuffixes are Azure Communication Services' own domains:
// the live service's nextLink points at a regional host under them.
var DefaultTrustedHostSuffixes = []string{".communication.azure.com", ".communication.azure.net"}

// RemoteDefaultMaxRPS is the request-rate cap against a remote endpoint when
// CHAT_MAX_RPS is unset: polite to staging, above what ACS limits allow anyway.
const RemoteDefaultMaxRPS = 20

// ConnectionString is a parsed ACS_CONNECTION_STRING.
type ConnectionString struct {
	Endpoint  *url.URL
	AccessKey []byte
	raw       string
	rawKey    string // the accesskey= value as written (a secret)
}

// String never reveals the access key.
func (c ConnectionString) String() string {
	ep := ""
	if c.Endpoint != nil {
		ep = c.Endpoint.String()
	}
	return "endpoint=" + ep + ";accesskey=" + redacted
}

// GoString keeps %#v from printing the key.
func (c ConnectionString) GoString() string { return "config.ConnectionString{" + c.String() + "}" }

// Raw is the connection string as given (a secret).
func (c ConnectionString) Raw() string { return c.raw }

const redacted = "REDACTED"

// Config is the whole configuration of a run.
type Config struct {
	// Endpoint is the server under test; nil means the embedded reference server.
	Endpoint *url.URL
	// Connection is set when ACS_CONNECTION_STRING is: the suite mints users and tokens.
	Connection *ConnectionString
	// Token and OutsiderToken are manual-mode user access tokens (secrets).
	Token, OutsiderToken string
	// ParticipantIDs are raw ids of existing users to add (manual mode).
	ParticipantIDs []string
	// APIVersions are the chat api-versions the run certifies, oldest first
	// (CHAT_API_VERSION: one, a list, all or supported). With supported they
	// are every version the suite knows until the server has been asked;
	// DiscoverVersions says so.
	APIVersions      []string
	DiscoverVersions bool
	// APIVersion is the api-version of requests no spec owns (setup): the
	// latest selected one.
	APIVersion string
	ReportDir  string
	Timeout    time.Duration
	Strict     bool
	// RateLimitTests enables ERR-07; on by default only for the embedded server.
	RateLimitTests bool
	// SpecPath is CHAT_SPEC: another OpenAPI/Swagger document to validate against.
	SpecPath string
	// TrustedHosts are hosts (host or host:port; a leading dot means any
	// subdomain) that may receive the bearer token besides the endpoint's.
	TrustedHosts       []string
	CAFile             string
	InsecureSkipVerify bool
	// MaxRPS caps the request rate; 0 is unlimited.
	MaxRPS float64
	// WaiversFile is CHAT_WAIVERS; Waivers are its validated entries.
	WaiversFile string
	Waivers     []waivers.Waiver
	// Baseline is CHAT_BASELINE: an earlier results.json to compare with.
	Baseline string
	// IncompleteOK is CHAT_INCOMPLETE_OK: `chatconform status` exits 0 for
	// an INCOMPLETE run.
	IncompleteOK bool
	// Seed is CHAT_SEED: STATE-01's generator seed; 0 lets the run choose one.
	Seed uint64
	// StatefulBudget is CHAT_STATEFUL_BUDGET: the requests STATE-01 may send
	// exploring generated sequences.
	StatefulBudget int
	// StatefulShrinkBudget is CHAT_STATEFUL_SHRINK_BUDGET: the requests
	// STATE-01 may send shrinking a failing sequence (0: report it as found).
	StatefulShrinkBudget int
	// EnvFile is the .env file that was read, if any.
	EnvFile string
	// embedded stays true after AttachEmbedded points Endpoint at the
	// reference server the suite started.
	embedded bool
}

// Embedded reports whether the suite must start its own reference server.
func (c *Config) Embedded() bool { return c.embedded || c.Endpoint == nil }

// Mode names how users and tokens are obtained, for messages and reports.
func (c *Config) Mode() string {
	switch {
	case c.Embedded():
		return "embedded reference server"
	case c.Connection != nil:
		return "connection string"
	default:
		return "manual token"
	}
}

// Error is one or more configuration problems, each naming its variable.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "configuration: " + e.Problems[0]
	}
	return "configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// Load reads the configuration. getenv is the process environment
// (os.Getenv in production). The .env file is CHAT_ENV_FILE when set (it must
// exist), otherwise ".env" in the working directory when present.
func Load(getenv func(string) string) (*Config, error) {
	env, envFile, err := merge(getenv)
	if err != nil {
		return nil, &Error{Problems: []string{err.Error()}}
	}
	p := &parser{env: env}
	c := &Config{EnvFile: envFile}
	// Whether a variable was given at all, so that a bad value is reported
	// once (by its own parser) and not again as "missing" by the checks below.
	endpointGiven := p.str("CHAT_ENDPOINT") != ""
	connGiven := p.str("ACS_CONNECTION_STRING") != ""
	c.Connection = p.connectionString("ACS_CONNECTION_STRING")
	c.Endpoint = p.endpoint("CHAT_ENDPOINT")
	if c.Endpoint == nil && c.Connection != nil {
		c.Endpoint = c.Connection.Endpoint
	}
	c.Token = p.str("CHAT_TOKEN")
	c.OutsiderToken = p.str("CHAT_OUTSIDER_TOKEN")
	c.ParticipantIDs = p.rawIDs("CHAT_PARTICIPANT_IDS")
	c.APIVersions, c.DiscoverVersions = p.apiVersions("CHAT_API_VERSION")
	c.APIVersion = c.APIVersions[len(c.APIVersions)-1]
	c.ReportDir = p.strDefault("CHAT_REPORT_DIR", "./reports")
	c.Timeout = p.duration("CHAT_TIMEOUT", 30*time.Second)
	c.Strict = p.boolean("CHAT_STRICT", false)
	c.RateLimitTests = p.boolean("CHAT_RATE_LIMIT_TESTS", c.Endpoint == nil)
	if c.SpecPath = p.file("CHAT_SPEC"); c.SpecPath != "" && len(c.APIVersions) > 1 {
		p.fail("CHAT_SPEC", "replaces the document of one api-version, but CHAT_API_VERSION selects %s: set CHAT_API_VERSION to the document's version", strings.Join(c.APIVersions, ", "))
	}
	c.TrustedHosts = p.hosts("CHAT_TRUSTED_HOSTS")
	c.CAFile = p.file("CHAT_CA_FILE")
	c.InsecureSkipVerify = p.boolean("CHAT_INSECURE_SKIP_VERIFY", false)
	defaultRPS := 0.0
	if c.Endpoint != nil && !isLoopback(c.Endpoint.Hostname()) {
		defaultRPS = RemoteDefaultMaxRPS
	}
	c.MaxRPS = p.float("CHAT_MAX_RPS", defaultRPS)
	if c.WaiversFile = p.file("CHAT_WAIVERS"); c.WaiversFile != "" {
		ws, err := waivers.Load(c.WaiversFile)
		if err != nil {
			// The message already starts with CHAT_WAIVERS=file:line.
			p.problems = append(p.problems, err.Error())
		}
		c.Waivers = ws
	}
	c.Baseline = p.file("CHAT_BASELINE")
	c.IncompleteOK = p.boolean("CHAT_INCOMPLETE_OK", false)
	c.Seed = uint64(p.count("CHAT_SEED", 0, 0, "a seed, a whole number (0 or empty: chosen by the run)"))
	c.StatefulBudget = int(p.count("CHAT_STATEFUL_BUDGET", DefaultStatefulBudget, 1, "a number of requests, at least 1"))
	c.StatefulShrinkBudget = int(p.count("CHAT_STATEFUL_SHRINK_BUDGET", DefaultStatefulShrinkBudget, 0, "a number of requests (0: no shrinking)"))

	if c.Endpoint != nil && !connGiven && c.Token == "" {
		p.fail("CHAT_TOKEN", "is empty: with CHAT_ENDPOINT set and no ACS_CONNECTION_STRING the suite needs a user access token (or set ACS_CONNECTION_STRING so it can mint its own)")
	}
	if !endpointGiven && !connGiven && (c.Token != "" || len(c.ParticipantIDs) > 0 || c.OutsiderToken != "") {
		p.fail("CHAT_ENDPOINT", "is empty but CHAT_TOKEN, CHAT_OUTSIDER_TOKEN or CHAT_PARTICIPANT_IDS is set: tokens only make sense for a server you name; set CHAT_ENDPOINT or unset them")
	}
	if len(p.problems) > 0 {
		return nil, &Error{Problems: p.problems}
	}
	return c, nil
}

// Redacted returns the configuration as variable → value with every secret
// replaced, for reports and the console.
func (c *Config) Redacted() map[string]string {
	m := map[string]string{
		"mode":                        c.Mode(),
		"CHAT_API_VERSION":            c.apiVersionSetting(),
		"CHAT_REPORT_DIR":             c.ReportDir,
		"CHAT_TIMEOUT":                c.Timeout.String(),
		"CHAT_STRICT":                 strconv.FormatBool(c.Strict),
		"CHAT_RATE_LIMIT_TESTS":       strconv.FormatBool(c.RateLimitTests),
		"CHAT_INSECURE_SKIP_VERIFY":   strconv.FormatBool(c.InsecureSkipVerify),
		"CHAT_MAX_RPS":                strconv.FormatFloat(c.MaxRPS, 'g', -1, 64),
		"CHAT_STATEFUL_BUDGET":        strconv.Itoa(c.StatefulBudget),
		"CHAT_STATEFUL_SHRINK_BUDGET": strconv.Itoa(c.StatefulShrinkBudget),
	}
	if c.Seed != 0 {
		m["CHAT_SEED"] = strconv.FormatUint(c.Seed, 10)
	}
	if c.Endpoint != nil {
		m["CHAT_ENDPOINT"] = c.Endpoint.String()
	}
	if c.Connection != nil {
		m["ACS_CONNECTION_STRING"] = c.Connection.String()
	}
	for k, v := range map[string]string{"CHAT_TOKEN": c.Token, "CHAT_OUTSIDER_TOKEN": c.OutsiderToken} {
		if v != "" {
			m[k] = redacted
		}
	}
	if len(c.ParticipantIDs) > 0 {
		m["CHAT_PARTICIPANT_IDS"] = strings.Join(c.ParticipantIDs, ",")
	}
	for k, v := range map[string]string{"CHAT_SPEC": c.SpecPath, "CHAT_CA_FILE": c.CAFile, "CHAT_ENV_FILE": c.EnvFile,
		"CHAT_WAIVERS": c.WaiversFile, "CHAT_BASELINE": c.Baseline} {
		if v != "" {
			m[k] = v
		}
	}
	if len(c.TrustedHosts) > 0 {
		m["CHAT_TRUSTED_HOSTS"] = strings.Join(c.TrustedHosts, ",")
	}
	return m
}

// Secrets lists the values that must never appear in any output.
func (c *Config) Secrets() []string {
	var s []string
	for _, v := range []string{c.Token, c.OutsiderToken} {
		if v != "" {
			s = append(s, v)
		}
	}
	if c.Connection != nil {
		s = append(s, c.Connection.raw, base64.StdEncoding.EncodeToString(c.Connection.AccessKey))
		if c.Connection.rawKey != "" && !slices.Contains(s, c.Connection.rawKey) {
			s = append(s, c.Connection.rawKey) // a non-canonical encoding still decodes
		}
	}
	return s
}

// merge overlays the process environment on the .env file.
func merge(getenv func(string) string) (map[string]string, string, error) {
	env := map[string]string{}
	path, explicit := getenv("CHAT_ENV_FILE"), true
	if path == "" {
		path, explicit = ".env", false
	}
	file, err := godotenv.Read(path)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !explicit:
		path = ""
	case errors.Is(err, os.ErrNotExist):
		return nil, "", fmt.Errorf("CHAT_ENV_FILE=%s: no such file", path)
	case explicit:
		return nil, "", fmt.Errorf("CHAT_ENV_FILE=%s: cannot read it: %v", path, err)
	default:
		return nil, "", fmt.Errorf("CHAT_ENV_FILE is unset and %s in the working directory cannot be read: %v (fix it, or point CHAT_ENV_FILE at another file)", path, err)
	}
	for k, v := range file {
		env[k] = v
	}
	for _, k := range Variables {
		if v := getenv(k); v != "" {
			env[k] = v
		}
	}
	return env, path, nil
}

type parser struct {
	env      map[string]string
	problems []string
}

func (p *parser) fail(name, format string, args ...any) {
	p.problems = append(p.problems, name+" "+fmt.Sprintf(format, args...))
}

func (p *parser) str(name string) string { return strings.TrimSpace(p.env[name]) }

func (p *parser) strDefault(name, def string) string {
	if v := p.str(name); v != "" {
		return v
	}
	return def
}

func (p *parser) endpoint(name string) *url.URL {
	v := p.str(name)
	if v == "" {
		return nil
	}
	u, err := parseEndpoint(v)
	if err != nil {
		p.fail(name, "%v", err)
		return nil
	}
	return u
}

func parseEndpoint(v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("is %q: want an absolute http(s) URL such as https://my-resource.communication.azure.com/", v)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("is %q: want a base URL without query, fragment or credentials", v)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func (p *parser) connectionString(name string) *ConnectionString {
	v := p.str(name)
	if v == "" {
		return nil
	}
	fields := map[string]string{}
	for _, part := range strings.Split(v, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			p.fail(name, "has a part without '=': want endpoint=https://…/;accesskey=BASE64")
			return nil
		}
		fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(val)
	}
	ep, key := fields["endpoint"], fields["accesskey"]
	if ep == "" {
		p.fail(name, "has no endpoint=: want endpoint=https://…/;accesskey=BASE64")
		return nil
	}
	if key == "" {
		p.fail(name, "has no accesskey=: want endpoint=https://…/;accesskey=BASE64")
		return nil
	}
	u, err := parseEndpoint(ep)
	if err != nil {
		p.fail(name, "endpoint= %v", err)
		return nil
	}
	k, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(k) == 0 {
		p.fail(name, "accesskey= is not base64 (the access key is shown as Keys → Primary key on the resource)")
		return nil
	}
	return &ConnectionString{Endpoint: u, AccessKey: k, raw: v, rawKey: key}
}

func (p *parser) rawIDs(name string) []string {
	var ids []string
	for _, s := range strings.Split(p.str(name), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !wire.IsACSUserRawID(s) {
			p.fail(name, "has %q: want raw ACS user ids such as 8:acs:<resource>_<guid>, comma-separated", s)
			continue
		}
		ids = append(ids, s)
	}
	return ids
}

// DefaultAPIVersions is CHAT_API_VERSION's default: every version the server
// lists in api-supported-versions that the suite knows.
const DefaultAPIVersions = "supported"

// apiVersions parses CHAT_API_VERSION: one version, a comma-separated list,
// "all" (every version the suite knows) or "supported" (those the server
// lists, decided on a first request; until then every known version).
func (p *parser) apiVersions(name string) ([]string, bool) {
	v := strings.TrimSpace(p.strDefault(name, DefaultAPIVersions))
	switch v {
	case "all":
		return append([]string(nil), wire.SupportedChatVersions...), false
	case "supported":
		return append([]string(nil), wire.SupportedChatVersions...), true
	}
	chosen := map[string]bool{}
	var bad []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		switch {
		case wire.KnownChatVersion(part):
			chosen[part] = true
		case part != "":
			bad = append(bad, strconv.Quote(part))
		}
	}
	if len(bad) > 0 || len(chosen) == 0 {
		why := "names no api-version"
		if len(bad) > 0 {
			why = "the suite does not know " + strings.Join(bad, ", ")
		}
		p.fail(name, "is %q (%s): want supported, all, or one or more of %s separated by commas", v, why, strings.Join(wire.SupportedChatVersions, ", "))
		return []string{wire.APIVersionLatest}, false
	}
	var out []string
	for _, k := range wire.SupportedChatVersions { // oldest first, each once
		if chosen[k] {
			out = append(out, k)
		}
	}
	return out, false
}

// apiVersionSetting is CHAT_API_VERSION as the run understood it.
func (c *Config) apiVersionSetting() string {
	if c.DiscoverVersions {
		return "supported (" + strings.Join(c.APIVersions, ", ") + ")"
	}
	return strings.Join(c.APIVersions, ",")
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := p.str(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(name, "is %q: want a positive duration such as 30s or 1m", v)
		return def
	}
	return d
}

func (p *parser) boolean(name string, def bool) bool {
	switch strings.ToLower(p.str(name)) {
	case "":
		return def
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	p.fail(name, "is %q: want 1 or 0 (true/false, yes/no and on/off also work)", p.str(name))
	return def
}

func (p *parser) float(name string, def float64) float64 {
	v := p.str(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		p.fail(name, "is %q: want a number of requests per second, 0 for unlimited", v)
		return def
	}
	return f
}

// count parses a whole number of at least least; want describes it.
func (p *parser) count(name string, def, least uint64, want string) uint64 {
	v := p.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil || n < least {
		p.fail(name, "is %q: want %s", v, want)
		return def
	}
	return n
}

func (p *parser) file(name string) string {
	v := p.str(name)
	if v == "" {
		return ""
	}
	st, err := os.Stat(v)
	if err != nil {
		p.fail(name, "is %q: %v", v, errors.Unwrap(err))
		return ""
	}
	if st.IsDir() {
		p.fail(name, "is %q: a directory, want a file", v)
		return ""
	}
	return v
}

func (p *parser) hosts(name string) []string {
	var hs []string
	for _, h := range strings.Split(p.str(name), ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if strings.ContainsAny(h, "/ ") {
			p.fail(name, "has %q: want host names (or host:port, or .suffix for a domain), not URLs", h)
			continue
		}
		hs = append(hs, h)
	}
	sort.Strings(hs)
	return hs
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}
