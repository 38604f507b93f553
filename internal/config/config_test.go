package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/wire"
)

const (
	testKey   = "c2VjcmV0LWFjY2Vzcy1rZXktZm9yLXRlc3RzLW9ubHk=" // base64("secret-access-key-for-tests-only")
	testToken = "user-token-secret-0123456789"
	testConn  = "endpoint=https://res.communication.azure.com/;accesskey=" + testKey
	userA     = "8:acs:resource_0000-aaaa"
	userB     = "8:acs:resource_0000-bbbb"
)

// load runs Load with exactly the variables in env, from an empty working
// directory so that no stray .env is read.
func load(t *testing.T, env map[string]string) (*Config, error) {
	t.Helper()
	t.Chdir(t.TempDir())
	return Load(func(k string) string { return env[k] })
}

func mustLoad(t *testing.T, env map[string]string) *Config {
	t.Helper()
	c, err := load(t, env)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func problems(t *testing.T, err error) []string {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("want a *config.Error, got %T %v", err, err)
	}
	return ce.Problems
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name         string
		env          map[string]string
		embedded     bool
		endpoint     string
		mode         string
		rateLimit    bool
		maxRPS       float64
		hasConnction bool
	}{
		{name: "empty environment", env: nil, embedded: true, mode: "embedded reference server", rateLimit: true, maxRPS: 0},
		{name: "loopback endpoint", env: map[string]string{"CHAT_ENDPOINT": "http://127.0.0.1:8080/", "CHAT_TOKEN": testToken},
			endpoint: "http://127.0.0.1:8080", mode: "manual token", maxRPS: 0},
		{name: "localhost endpoint", env: map[string]string{"CHAT_ENDPOINT": "http://localhost:8080", "CHAT_TOKEN": testToken},
			endpoint: "http://localhost:8080", mode: "manual token", maxRPS: 0},
		{name: "ipv6 loopback endpoint", env: map[string]string{"CHAT_ENDPOINT": "http://[::1]:8080", "CHAT_TOKEN": testToken},
			endpoint: "http://[::1]:8080", mode: "manual token", maxRPS: 0},
		{name: "remote endpoint", env: map[string]string{"CHAT_ENDPOINT": "https://res.communication.azure.com/", "CHAT_TOKEN": testToken},
			endpoint: "https://res.communication.azure.com", mode: "manual token", maxRPS: RemoteDefaultMaxRPS},
		{name: "connection string only", env: map[string]string{"ACS_CONNECTION_STRING": testConn},
			endpoint: "https://res.communication.azure.com", mode: "connection string", maxRPS: RemoteDefaultMaxRPS, hasConnction: true},
		{name: "explicit rate-limit tests and rps against a remote endpoint",
			env:      map[string]string{"ACS_CONNECTION_STRING": testConn, "CHAT_RATE_LIMIT_TESTS": "yes", "CHAT_MAX_RPS": "0"},
			endpoint: "https://res.communication.azure.com", mode: "connection string", rateLimit: true, maxRPS: 0, hasConnction: true},
		{name: "embedded with rate-limit tests off", env: map[string]string{"CHAT_RATE_LIMIT_TESTS": "0", "CHAT_MAX_RPS": "2.5"},
			embedded: true, mode: "embedded reference server", rateLimit: false, maxRPS: 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, tt.env)
			if c.Embedded() != tt.embedded {
				t.Errorf("Embedded() = %v, want %v", c.Embedded(), tt.embedded)
			}
			got := ""
			if c.Endpoint != nil {
				got = c.Endpoint.String()
			}
			if got != tt.endpoint {
				t.Errorf("Endpoint = %q, want %q", got, tt.endpoint)
			}
			if c.Mode() != tt.mode {
				t.Errorf("Mode() = %q, want %q", c.Mode(), tt.mode)
			}
			if c.RateLimitTests != tt.rateLimit {
				t.Errorf("RateLimitTests = %v, want %v", c.RateLimitTests, tt.rateLimit)
			}
			if c.MaxRPS != tt.maxRPS {
				t.Errorf("MaxRPS = %v, want %v", c.MaxRPS, tt.maxRPS)
			}
			if (c.Connection != nil) != tt.hasConnction {
				t.Errorf("Connection = %v, want set=%v", c.Connection, tt.hasConnction)
			}
			if !c.DiscoverVersions || strings.Join(c.APIVersions, ",") != strings.Join(wire.SupportedChatVersions, ",") || c.APIVersion != wire.APIVersionLatest {
				t.Errorf("APIVersions = %v (discover %v), APIVersion %q: want every known version, discovered, and %s for setup", c.APIVersions, c.DiscoverVersions, c.APIVersion, wire.APIVersionLatest)
			}
			if c.Timeout != 30*time.Second {
				t.Errorf("Timeout = %s, want 30s", c.Timeout)
			}
			if c.Strict || c.InsecureSkipVerify {
				t.Errorf("Strict = %v, InsecureSkipVerify = %v, want both false", c.Strict, c.InsecureSkipVerify)
			}
			if c.ReportDir != "./reports" {
				t.Errorf("ReportDir = %q, want ./reports", c.ReportDir)
			}
			if c.EnvFile != "" {
				t.Errorf("EnvFile = %q, want none", c.EnvFile)
			}
			if c.Seed != 0 || c.StatefulBudget != DefaultStatefulBudget || c.StatefulShrinkBudget != DefaultStatefulShrinkBudget {
				t.Errorf("Seed, StatefulBudget, StatefulShrinkBudget = %d, %d, %d, want 0 (chosen by the run), %d, %d",
					c.Seed, c.StatefulBudget, c.StatefulShrinkBudget, DefaultStatefulBudget, DefaultStatefulShrinkBudget)
			}
		})
	}
}

func TestValidValues(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, filepath.Join(dir, "spec.json"), "{}")
	ca := writeFile(t, filepath.Join(dir, "ca.pem"), "pem")
	c := mustLoad(t, map[string]string{
		"CHAT_ENDPOINT":               "  https://chat.example.com/base/  ",
		"CHAT_TOKEN":                  testToken,
		"CHAT_OUTSIDER_TOKEN":         "outsider-token-secret-987",
		"CHAT_PARTICIPANT_IDS":        userA + " , " + userB + ",",
		"CHAT_API_VERSION":            wire.APIVersionPreview,
		"CHAT_REPORT_DIR":             "/tmp/out",
		"CHAT_TIMEOUT":                "1m30s",
		"CHAT_STRICT":                 "TRUE",
		"CHAT_RATE_LIMIT_TESTS":       "on",
		"CHAT_SPEC":                   spec,
		"CHAT_TRUSTED_HOSTS":          "Gw.Example.com:8443, .internal.example.com,,a.example.com",
		"CHAT_CA_FILE":                ca,
		"CHAT_INSECURE_SKIP_VERIFY":   "1",
		"CHAT_MAX_RPS":                "7",
		"CHAT_SEED":                   " 18446744073709551 ",
		"CHAT_STATEFUL_BUDGET":        "600",
		"CHAT_STATEFUL_SHRINK_BUDGET": "0",
	})
	checks := []struct {
		name      string
		got, want any
	}{
		{"Endpoint", c.Endpoint.String(), "https://chat.example.com/base"},
		{"Token", c.Token, testToken},
		{"OutsiderToken", c.OutsiderToken, "outsider-token-secret-987"},
		{"ParticipantIDs", fmt.Sprint(c.ParticipantIDs), fmt.Sprint([]string{userA, userB})},
		{"APIVersion", c.APIVersion, wire.APIVersionPreview},
		{"ReportDir", c.ReportDir, "/tmp/out"},
		{"Timeout", c.Timeout, 90 * time.Second},
		{"Strict", c.Strict, true},
		{"RateLimitTests", c.RateLimitTests, true},
		{"SpecPath", c.SpecPath, spec},
		{"TrustedHosts", fmt.Sprint(c.TrustedHosts), fmt.Sprint([]string{".internal.example.com", "a.example.com", "gw.example.com:8443"})},
		{"CAFile", c.CAFile, ca},
		{"InsecureSkipVerify", c.InsecureSkipVerify, true},
		{"MaxRPS", c.MaxRPS, 7.0},
		{"Seed", c.Seed, uint64(18446744073709551)},
		{"StatefulBudget", c.StatefulBudget, 600},
		{"StatefulShrinkBudget", c.StatefulShrinkBudget, 0},
		{"Mode", c.Mode(), "manual token"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestConnectionString(t *testing.T) {
	c := mustLoad(t, map[string]string{
		"ACS_CONNECTION_STRING": "Endpoint=https://res.communication.azure.com;AccessKey=" + testKey + ";",
	})
	if got := string(c.Connection.AccessKey); got != "secret-access-key-for-tests-only" {
		t.Errorf("AccessKey = %q", got)
	}
	if got := c.Connection.Endpoint.String(); got != "https://res.communication.azure.com" {
		t.Errorf("Connection.Endpoint = %q", got)
	}
	// CHAT_ENDPOINT wins over the connection string's endpoint for chat calls.
	c = mustLoad(t, map[string]string{"ACS_CONNECTION_STRING": testConn, "CHAT_ENDPOINT": "http://127.0.0.1:9"})
	if c.Endpoint.String() != "http://127.0.0.1:9" || c.Connection == nil || c.MaxRPS != 0 {
		t.Errorf("Endpoint = %s, Connection = %v, MaxRPS = %v", c.Endpoint, c.Connection, c.MaxRPS)
	}
}

func TestAPIVersions(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"all", strings.Join(wire.SupportedChatVersions, ",")},
		{"2025-03-15", "2025-03-15"},
		{" 2025-03-15 ,2021-09-07,2025-03-15", "2021-09-07,2025-03-15"}, // oldest first, once each
	} {
		c := mustLoad(t, map[string]string{"CHAT_API_VERSION": tt.in})
		if got := strings.Join(c.APIVersions, ","); got != tt.want || c.DiscoverVersions {
			t.Errorf("CHAT_API_VERSION=%q: %s (discover %v), want %s", tt.in, got, c.DiscoverVersions, tt.want)
		}
		if c.APIVersion != c.APIVersions[len(c.APIVersions)-1] {
			t.Errorf("CHAT_API_VERSION=%q: setup version %s", tt.in, c.APIVersion)
		}
	}
}

func TestBadValues(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "does-not-exist.json")
	dir := t.TempDir()
	specFile := filepath.Join(dir, "chat.json")
	if err := os.WriteFile(specFile, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	withToken := func(kv ...string) map[string]string {
		m := map[string]string{"CHAT_ENDPOINT": "https://chat.example.com", "CHAT_TOKEN": testToken}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name     string
		env      map[string]string
		variable string // the one problem must start with it
		contains string
	}{
		{"endpoint not a URL", withToken("CHAT_ENDPOINT", "chat.example.com"), "CHAT_ENDPOINT", "absolute http(s) URL"},
		{"endpoint relative", withToken("CHAT_ENDPOINT", "/chat"), "CHAT_ENDPOINT", "absolute http(s) URL"},
		{"endpoint ftp", withToken("CHAT_ENDPOINT", "ftp://chat.example.com"), "CHAT_ENDPOINT", "absolute http(s) URL"},
		{"endpoint without host", withToken("CHAT_ENDPOINT", "https:///chat"), "CHAT_ENDPOINT", "absolute http(s) URL"},
		{"endpoint unparsable", withToken("CHAT_ENDPOINT", "https://exa mple.com:x"), "CHAT_ENDPOINT", "absolute http(s) URL"},
		{"endpoint with query", withToken("CHAT_ENDPOINT", "https://chat.example.com/?api-version=1"), "CHAT_ENDPOINT", "without query"},
		{"endpoint with fragment", withToken("CHAT_ENDPOINT", "https://chat.example.com/#x"), "CHAT_ENDPOINT", "without query"},
		{"endpoint with credentials", withToken("CHAT_ENDPOINT", "https://u:p@chat.example.com/"), "CHAT_ENDPOINT", "credentials"},
		{"connection string without endpoint", map[string]string{"ACS_CONNECTION_STRING": "accesskey=" + testKey}, "ACS_CONNECTION_STRING", "no endpoint="},
		{"connection string without accesskey", map[string]string{"ACS_CONNECTION_STRING": "endpoint=https://res.communication.azure.com/"}, "ACS_CONNECTION_STRING", "no accesskey="},
		{"connection string with empty accesskey", map[string]string{"ACS_CONNECTION_STRING": "endpoint=https://res.communication.azure.com/;accesskey="}, "ACS_CONNECTION_STRING", "no accesskey="},
		{"connection string accesskey not base64", map[string]string{"ACS_CONNECTION_STRING": "endpoint=https://res.communication.azure.com/;accesskey=not*base64!"}, "ACS_CONNECTION_STRING", "not base64"},
		{"connection string part without =", map[string]string{"ACS_CONNECTION_STRING": "https://res.communication.azure.com/"}, "ACS_CONNECTION_STRING", "without '='"},
		{"connection string bad endpoint", map[string]string{"ACS_CONNECTION_STRING": "endpoint=res.communication.azure.com;accesskey=" + testKey}, "ACS_CONNECTION_STRING", "endpoint="},
		{"api version", map[string]string{"CHAT_API_VERSION": "2020-09-21-preview"}, "CHAT_API_VERSION", `(the suite does not know "2020-09-21-preview"): want supported, all, or one or more of 2021-03-07, 2021-09-07`},
		{"api version list", map[string]string{"CHAT_API_VERSION": "2025-03-15, 2024-3-7"}, "CHAT_API_VERSION", `does not know "2024-3-7"`},
		{"empty api version list", map[string]string{"CHAT_API_VERSION": " , "}, "CHAT_API_VERSION", "names no api-version"},
		{"spec with several versions", map[string]string{"CHAT_API_VERSION": "all", "CHAT_SPEC": specFile}, "CHAT_SPEC", "replaces the document of one api-version"},
		{"timeout without unit", map[string]string{"CHAT_TIMEOUT": "30"}, "CHAT_TIMEOUT", "positive duration"},
		{"timeout negative", map[string]string{"CHAT_TIMEOUT": "-1s"}, "CHAT_TIMEOUT", "positive duration"},
		{"timeout zero", map[string]string{"CHAT_TIMEOUT": "0s"}, "CHAT_TIMEOUT", "positive duration"},
		{"strict", map[string]string{"CHAT_STRICT": "maybe"}, "CHAT_STRICT", "want 1 or 0"},
		{"rate limit tests", map[string]string{"CHAT_RATE_LIMIT_TESTS": "2"}, "CHAT_RATE_LIMIT_TESTS", "want 1 or 0"},
		{"insecure", map[string]string{"CHAT_INSECURE_SKIP_VERIFY": "y"}, "CHAT_INSECURE_SKIP_VERIFY", "want 1 or 0"},
		{"max rps negative", map[string]string{"CHAT_MAX_RPS": "-1"}, "CHAT_MAX_RPS", "requests per second"},
		{"max rps word", map[string]string{"CHAT_MAX_RPS": "fast"}, "CHAT_MAX_RPS", "requests per second"},
		{"max rps NaN", map[string]string{"CHAT_MAX_RPS": "NaN"}, "CHAT_MAX_RPS", "requests per second"},
		{"max rps Inf", map[string]string{"CHAT_MAX_RPS": "+Inf"}, "CHAT_MAX_RPS", "requests per second"},
		{"seed negative", map[string]string{"CHAT_SEED": "-3"}, "CHAT_SEED", "whole number"},
		{"seed word", map[string]string{"CHAT_SEED": "lucky"}, "CHAT_SEED", "whole number"},
		{"stateful budget zero", map[string]string{"CHAT_STATEFUL_BUDGET": "0"}, "CHAT_STATEFUL_BUDGET", "at least 1"},
		{"stateful budget fraction", map[string]string{"CHAT_STATEFUL_BUDGET": "1.5"}, "CHAT_STATEFUL_BUDGET", "at least 1"},
		{"shrink budget negative", map[string]string{"CHAT_STATEFUL_SHRINK_BUDGET": "-1"}, "CHAT_STATEFUL_SHRINK_BUDGET", "no shrinking"},
		{"participant ids", withToken("CHAT_PARTICIPANT_IDS", userA+",bob"), "CHAT_PARTICIPANT_IDS", `"bob"`},
		{"participant id with bad characters", withToken("CHAT_PARTICIPANT_IDS", "8:acs:res_a/b"), "CHAT_PARTICIPANT_IDS", "8:acs:"},
		{"spec missing", map[string]string{"CHAT_SPEC": missing}, "CHAT_SPEC", "no such file"},
		{"spec is a directory", map[string]string{"CHAT_SPEC": dir}, "CHAT_SPEC", "directory"},
		{"ca file missing", map[string]string{"CHAT_CA_FILE": missing}, "CHAT_CA_FILE", "no such file"},
		{"trusted hosts are URLs", map[string]string{"CHAT_TRUSTED_HOSTS": "https://gw.example.com/"}, "CHAT_TRUSTED_HOSTS", "not URLs"},
		{"endpoint without token nor connection string", map[string]string{"CHAT_ENDPOINT": "https://chat.example.com"}, "CHAT_TOKEN", "CHAT_ENDPOINT"},
		{"token without endpoint", map[string]string{"CHAT_TOKEN": testToken}, "CHAT_ENDPOINT", "CHAT_TOKEN"},
		{"outsider token without endpoint", map[string]string{"CHAT_OUTSIDER_TOKEN": testToken}, "CHAT_ENDPOINT", "is empty"},
		{"participant ids without endpoint", map[string]string{"CHAT_PARTICIPANT_IDS": userA}, "CHAT_ENDPOINT", "is empty"},
		// A bad value is reported once, not again as "missing" by the cross-checks.
		{"bad endpoint with a token", map[string]string{"CHAT_ENDPOINT": "nope", "CHAT_TOKEN": testToken}, "CHAT_ENDPOINT", `"nope"`},
		{"bad connection string with an endpoint and no token", map[string]string{"CHAT_ENDPOINT": "https://chat.example.com", "ACS_CONNECTION_STRING": "endpoint=https://x/"}, "ACS_CONNECTION_STRING", "no accesskey="},
		{"bad connection string with a token and no endpoint", map[string]string{"CHAT_TOKEN": testToken, "ACS_CONNECTION_STRING": "accesskey=" + testKey}, "ACS_CONNECTION_STRING", "no endpoint="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.env)
			if err == nil {
				t.Fatalf("Load accepted it: %+v", c)
			}
			if c != nil {
				t.Errorf("Load returned a config along with the error")
			}
			ps := problems(t, err)
			if len(ps) != 1 {
				t.Fatalf("want exactly one problem, got %d:\n%v", len(ps), err)
			}
			if !strings.HasPrefix(ps[0], tt.variable+" ") {
				t.Errorf("the problem does not start with %s: %q", tt.variable, ps[0])
			}
			if !strings.Contains(ps[0], tt.contains) {
				t.Errorf("the problem does not mention %q: %q", tt.contains, ps[0])
			}
			if want := "configuration: " + ps[0]; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			for _, secret := range []string{testToken, testKey} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error reveals a secret: %v", err)
				}
			}
		})
	}
}

func TestSeveralProblemsReportedTogether(t *testing.T) {
	_, err := load(t, map[string]string{
		"CHAT_ENDPOINT":    "https://chat.example.com",
		"CHAT_API_VERSION": "v1",
		"CHAT_TIMEOUT":     "soon",
		"CHAT_STRICT":      "perhaps",
		"CHAT_SPEC":        "/nonexistent/spec.json",
		"CHAT_MAX_RPS":     "-3",
	})
	ps := problems(t, err)
	want := []string{"CHAT_API_VERSION", "CHAT_TIMEOUT", "CHAT_STRICT", "CHAT_SPEC", "CHAT_MAX_RPS", "CHAT_TOKEN"}
	if len(ps) != len(want) {
		t.Fatalf("want %d problems, got %d:\n%v", len(want), len(ps), err)
	}
	for i, v := range want {
		if !strings.HasPrefix(ps[i], v+" ") {
			t.Errorf("problem %d = %q, want it about %s", i, ps[i], v)
		}
		if !strings.Contains(err.Error(), "\n  - "+ps[i]) {
			t.Errorf("Error() does not list %q on its own line:\n%v", ps[i], err)
		}
	}
}

func TestEnvFile(t *testing.T) {
	t.Run("working directory .env is read when present", func(t *testing.T) {
		t.Chdir(t.TempDir())
		writeFile(t, ".env", "# comment\nCHAT_TIMEOUT=5s\nCHAT_STRICT=1\nexport CHAT_API_VERSION=\"2024-03-15-preview\"\nUNRELATED=x\n")
		c, err := Load(func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if c.Timeout != 5*time.Second || !c.Strict || c.APIVersion != wire.APIVersionPreview || c.EnvFile != ".env" {
			t.Errorf("Timeout=%s Strict=%v APIVersion=%s EnvFile=%q", c.Timeout, c.Strict, c.APIVersion, c.EnvFile)
		}
	})
	t.Run("environment beats .env", func(t *testing.T) {
		t.Chdir(t.TempDir())
		writeFile(t, ".env", "CHAT_TIMEOUT=5s\nCHAT_STRICT=1\nCHAT_REPORT_DIR=from-file\n")
		env := map[string]string{"CHAT_TIMEOUT": "7s", "CHAT_STRICT": "0"}
		c, err := Load(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if c.Timeout != 7*time.Second || c.Strict || c.ReportDir != "from-file" {
			t.Errorf("Timeout=%s Strict=%v ReportDir=%q", c.Timeout, c.Strict, c.ReportDir)
		}
	})
	t.Run("a bad value in .env names its variable", func(t *testing.T) {
		t.Chdir(t.TempDir())
		writeFile(t, ".env", "CHAT_TIMEOUT=forever\n")
		_, err := Load(func(string) string { return "" })
		if ps := problems(t, err); len(ps) != 1 || !strings.HasPrefix(ps[0], "CHAT_TIMEOUT ") {
			t.Errorf("problems: %q", ps)
		}
	})
	t.Run("CHAT_ENV_FILE names another file and the working directory .env is ignored", func(t *testing.T) {
		t.Chdir(t.TempDir())
		writeFile(t, ".env", "CHAT_TIMEOUT=5s\n")
		other := writeFile(t, filepath.Join(t.TempDir(), "staging.env"), "CHAT_TIMEOUT=9s\nCHAT_REPORT_DIR=staging\n")
		env := map[string]string{"CHAT_ENV_FILE": other}
		c, err := Load(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if c.Timeout != 9*time.Second || c.ReportDir != "staging" || c.EnvFile != other {
			t.Errorf("Timeout=%s ReportDir=%q EnvFile=%q", c.Timeout, c.ReportDir, c.EnvFile)
		}
		if c.Redacted()["CHAT_ENV_FILE"] != other {
			t.Errorf("Redacted does not show the file read: %v", c.Redacted())
		}
	})
	t.Run("CHAT_ENV_FILE missing", func(t *testing.T) {
		t.Chdir(t.TempDir())
		path := filepath.Join(t.TempDir(), "nope.env")
		env := map[string]string{"CHAT_ENV_FILE": path, "CHAT_TIMEOUT": "bad"}
		_, err := Load(func(k string) string { return env[k] })
		ps := problems(t, err)
		if len(ps) != 1 || !strings.HasPrefix(ps[0], "CHAT_ENV_FILE=") || !strings.Contains(ps[0], path) || !strings.Contains(ps[0], "no such file") {
			t.Errorf("problems: %q", ps)
		}
	})
	t.Run("CHAT_ENV_FILE unreadable", func(t *testing.T) {
		t.Chdir(t.TempDir())
		env := map[string]string{"CHAT_ENV_FILE": t.TempDir()} // a directory
		_, err := Load(func(k string) string { return env[k] })
		if ps := problems(t, err); len(ps) != 1 || !strings.HasPrefix(ps[0], "CHAT_ENV_FILE=") {
			t.Errorf("problems: %q", ps)
		}
	})
	t.Run("unreadable working directory .env", func(t *testing.T) {
		t.Chdir(t.TempDir())
		if err := os.Mkdir(".env", 0o700); err != nil {
			t.Fatal(err)
		}
		_, err := Load(func(string) string { return "" })
		if ps := problems(t, err); len(ps) != 1 || !strings.Contains(ps[0], ".env") || !strings.Contains(ps[0], "CHAT_ENV_FILE") {
			t.Errorf("problems: %q", ps)
		}
	})
}

func TestSecretsNeverShown(t *testing.T) {
	const outsider = "outsider-token-secret-987"
	c := mustLoad(t, map[string]string{
		"ACS_CONNECTION_STRING": testConn,
		"CHAT_TOKEN":            testToken,
		"CHAT_OUTSIDER_TOKEN":   outsider,
		"CHAT_PARTICIPANT_IDS":  userA,
	})
	secrets := c.Secrets()
	for _, want := range []string{testToken, outsider, testConn, testKey} {
		found := false
		for _, s := range secrets {
			found = found || s == want
		}
		if !found {
			t.Errorf("Secrets() = %q lacks %q", secrets, want)
		}
	}
	red := c.Redacted()
	if red["CHAT_TOKEN"] != redacted || red["CHAT_OUTSIDER_TOKEN"] != redacted {
		t.Errorf("tokens not marked redacted: %v", red)
	}
	if red["ACS_CONNECTION_STRING"] != "endpoint=https://res.communication.azure.com;accesskey=REDACTED" {
		t.Errorf("ACS_CONNECTION_STRING = %q", red["ACS_CONNECTION_STRING"])
	}
	if red["CHAT_PARTICIPANT_IDS"] != userA || red["mode"] != "connection string" {
		t.Errorf("Redacted() = %v", red)
	}
	shown := []string{
		fmt.Sprint(red),
		c.Connection.String(),
		fmt.Sprint(c.Connection),
		fmt.Sprint(*c.Connection),
		fmt.Sprintf("%v %+v %s %#v", *c.Connection, *c.Connection, c.Connection, *c.Connection),
	}
	for _, s := range shown {
		for _, secret := range append(secrets, "secret-access-key-for-tests-only") {
			if strings.Contains(s, secret) {
				t.Errorf("%q reveals the secret %q", s, secret)
			}
		}
	}
	if c.Connection.Raw() != testConn {
		t.Errorf("Raw() = %q", c.Connection.Raw())
	}
	if n := len(mustLoad(t, nil).Secrets()); n != 0 {
		t.Errorf("an empty config has %d secrets", n)
	}
}

func TestSecretsIncludeTheKeyAsWritten(t *testing.T) {
	// "YQ" and "YR" both decode to "a" without padding checks; "YR==" is the
	// spelling the user wrote and the one that would leak.
	const conn = "endpoint=https://res.communication.azure.com/;accesskey=YR=="
	c := mustLoad(t, map[string]string{"ACS_CONNECTION_STRING": conn})
	if string(c.Connection.AccessKey) != "a" {
		t.Fatalf("AccessKey = %q", c.Connection.AccessKey)
	}
	found := false
	for _, s := range c.Secrets() {
		found = found || s == "YR=="
	}
	if !found {
		t.Errorf("Secrets() = %q lacks the key as written", c.Secrets())
	}
}
