// Command refserver serves the in-memory ACS Chat and Identity reference
// implementation (internal/refserver) so the suite and the official SDKs
// can run against it without an Azure resource.
//
// On start it prints exactly one line to stdout,
//
//	ACS_CONNECTION_STRING=endpoint=http://127.0.0.1:PORT/;accesskey=KEY
//
// and serves until SIGINT or SIGTERM. Everything else goes to stderr.
//
// It serves every chat api-version the suite knows (wire.SupportedChatVersions),
// each with its own differences, unless -chat-api-versions names fewer (or
// more, which are listed but refused), and the Identity api-versions of
// refserver.IdentityAPIVersions.
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/wire"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}

// usageError is a bad command line (exit status 2).
type usageError struct{ error }

// shutdownGrace bounds how long in-flight requests may finish on shutdown.
const shutdownGrace = 5 * time.Second

// run parses args, serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address; port 0 picks a free port")
	accessKey := fs.String("access-key", "", "base64 access key (random 32 bytes when empty)")
	publicURL := fs.String("public-url", "", "base URL for nextLink and Location (default: from each request)")
	rateLimits := fs.String("rate-limits", "off", "rate limits: off or acs (the documented ACS Chat limits)")
	scale := fs.Float64("rate-limit-scale", 1, "divide every rate-limit window by this factor (>1 for CI)")
	latency := fs.Duration("latency", 0, "delay added before every response, e.g. 50ms")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a fresh self-signed certificate for 127.0.0.1, ::1 and localhost")
	certOut := fs.String("cert-out", "", "write the certificate PEM to this file (for NODE_EXTRA_CA_CERTS / CHAT_CA_FILE)")
	chatVersions := fs.String("chat-api-versions", strings.Join(wire.SupportedChatVersions, ","),
		"comma-separated chat api-versions to serve and list in api-supported-versions, in that order;\n"+
			"one the server does not model is listed but answered 400")
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: refserver [flags]\n\n"+
			"Serves the in-memory ACS Identity and Chat reference server and prints its\n"+
			"connection string on stdout.\n\n"+
			"Chat api-versions served: %s\n"+
			"(-chat-api-versions chooses). Each answers as it documents: participant and\n"+
			"thread metadata and the create-thread retentionPolicy only on %s and\n"+
			"%s (kind none only on %s); identifier sub-objects a version does not\n"+
			"define are ignored there.\n"+
			"Identity api-versions served: %s.\n\nFlags:\n",
			strings.Join(wire.SupportedChatVersions, ", "), wire.APIVersionPreview, wire.APIVersion20250315,
			wire.APIVersion20250315, strings.Join(refserver.IdentityAPIVersions(), ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}

	key, err := decodeKey(*accessKey)
	if err != nil {
		return usageError{err}
	}
	mode, err := refserver.ParseRateLimitMode(*rateLimits)
	if err != nil {
		return usageError{err}
	}
	if *scale <= 0 {
		return usageError{fmt.Errorf("-rate-limit-scale must be positive, got %v", *scale)}
	}
	if *certOut != "" && !*useTLS {
		return usageError{errors.New("-cert-out needs -tls")}
	}
	versions, err := parseVersions(*chatVersions)
	if err != nil {
		return usageError{err}
	}
	srv, err := refserver.New(refserver.Options{
		AccessKey:       key,
		PublicURL:       *publicURL,
		RateLimits:      mode,
		RateLimitScale:  *scale,
		Latency:         *latency,
		ChatAPIVersions: versions,
	})
	if err != nil {
		return usageError{err}
	}

	logger := log.New(stderr, "refserver: ", log.LstdFlags)
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          logger,
	}
	scheme := "http"
	if *useTLS {
		cert, pemBytes, err := refserver.SelfSignedCert()
		if err != nil {
			return err
		}
		if *certOut != "" {
			// Written before the connection string appears, so a client that
			// waits for that line can trust the certificate at once.
			if err := os.WriteFile(*certOut, pemBytes, 0o644); err != nil {
				return fmt.Errorf("writing -cert-out: %w", err)
			}
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	endpoint := scheme + "://" + dialableAddr(ln.Addr().(*net.TCPAddr)) + "/"
	logger.Printf("serving %s (rate limits %s, scale %v, latency %v, resource %s)", endpoint, mode, *scale, *latency, srv.ResourceID())
	logger.Printf("chat api-versions %s", strings.Join(versions, ", "))
	for _, v := range versions {
		if !wire.KnownChatVersion(v) {
			logger.Printf("chat api-version %s is listed but not served (this server does not model it): requests at it get 400", v)
		}
	}
	fmt.Fprintf(stdout, "ACS_CONNECTION_STRING=endpoint=%s;accesskey=%s\n", endpoint, base64.StdEncoding.EncodeToString(key))

	served := make(chan error, 1)
	go func() {
		if *useTLS {
			served <- hs.ServeTLS(ln, "", "")
		} else {
			served <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// parseVersions splits -chat-api-versions at commas, trimming spaces.
func parseVersions(s string) ([]string, error) {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v == "" {
			return nil, fmt.Errorf("-chat-api-versions %q has an empty entry; want versions separated by commas, e.g. %s", s, strings.Join(wire.SupportedChatVersions, ","))
		}
		out = append(out, v)
	}
	return out, nil
}

// decodeKey decodes -access-key, or makes a random 32-byte key.
func decodeKey(s string) ([]byte, error) {
	if s == "" {
		key := make([]byte, 32)
		_, err := rand.Read(key)
		return key, err
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("-access-key is not valid base64: %v", err)
	}
	if len(key) == 0 {
		return nil, errors.New("-access-key decodes to an empty key")
	}
	return key, nil
}

// dialableAddr is the address a local client should use: a wildcard bind
// (":0", "0.0.0.0", "::") is reached through 127.0.0.1.
func dialableAddr(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(a.Port))
}
