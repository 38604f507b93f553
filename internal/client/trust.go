package client

import (
	"net"
	"net/url"
	"strings"
)

// Trust decides which URLs may receive the bearer token: the endpoint's own
// host, hosts the user listed (CHAT_TRUSTED_HOSTS), and ACS's own domains,
// because the live service's nextLink points at a regional host.
type Trust struct {
	endpoint *url.URL
	hosts    []string // host, host:port, or .suffix
}

// NewTrust builds the policy for endpoint plus extra hosts (and, unless
// noDefaults, config.DefaultTrustedHostSuffixes passed in by the caller).
func NewTrust(endpoint *url.URL, hosts ...string) *Trust {
	hs := make([]string, 0, len(hosts))
	for _, h := range hosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			hs = append(hs, h)
		}
	}
	return &Trust{endpoint: endpoint, hosts: hs}
}

// Allows reports whether u may receive the token, and why not.
func (t *Trust) Allows(u *url.URL) (bool, string) {
	if u.Scheme != "https" && u.Scheme != "http" {
		return false, "scheme " + u.Scheme + " is not http(s)"
	}
	if t.endpoint.Scheme == "https" && u.Scheme == "http" {
		return false, "it downgrades from https to plain http, which would expose the token"
	}
	if u.Hostname() == "" {
		return false, "it has no host"
	}
	// https://h and https://h:443 are the same origin.
	if strings.EqualFold(u.Host, t.endpoint.Host) || canonicalHost(u) == canonicalHost(t.endpoint) {
		return true, ""
	}
	host := strings.ToLower(u.Hostname())
	hostPort := strings.ToLower(u.Host)
	canonical := canonicalHost(u)
	for _, h := range t.hosts {
		switch {
		case strings.HasPrefix(h, "."):
			if strings.HasSuffix(host, h) && u.Scheme == "https" {
				return true, ""
			}
		case h == host || h == hostPort || h == canonical || strings.Trim(h, "[]") == host:
			return true, ""
		}
	}
	return false, "host " + u.Host + " is neither the endpoint's (" + t.endpoint.Host + ") nor listed in CHAT_TRUSTED_HOSTS"
}

// canonicalHost is host:port in lower case with the scheme's default port
// filled in.
func canonicalHost(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
