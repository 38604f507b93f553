package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"
)

// NewHTTP returns an *http.Client that verifies TLS against the system roots
// plus caFile (CHAT_CA_FILE), skips verification only when asked
// (CHAT_INSECURE_SKIP_VERIFY), and honours the standard proxy variables.
func NewHTTP(caFile string, insecure bool) (*http.Client, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	t.MaxIdleConnsPerHost = 64
	t.ResponseHeaderTimeout = 0 // the per-attempt context bounds it
	t.TLSHandshakeTimeout = 15 * time.Second
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("CHAT_CA_FILE: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CHAT_CA_FILE=%s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	cfg.InsecureSkipVerify = insecure //nolint:gosec // opt-in, warned about by the suite
	t.TLSClientConfig = cfg
	return &http.Client{Transport: t}, nil
}
