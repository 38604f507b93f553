package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chatconform/chatconform/internal/hmacsig"
	"github.com/chatconform/chatconform/internal/wire"
)

var lineRE = regexp.MustCompile(`^ACS_CONNECTION_STRING=endpoint=(https?://127\.0\.0\.1:\d+/);accesskey=([A-Za-z0-9+/=]+)$`)

// started is a run() in a goroutine with its connection string parsed.
type started struct {
	endpoint string
	key      []byte
	cancel   context.CancelFunc
	done     chan error
	once     sync.Once
	err      error
}

// stop cancels run and returns its result (once; later calls repeat it).
func (s *started) stop(t *testing.T) error {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		select {
		case s.err = <-s.done:
		case <-time.After(10 * time.Second):
			s.err = errors.New("run did not return within 10s of cancel")
		}
	})
	return s.err
}

// start runs the command with args and waits for its one stdout line.
func start(t *testing.T, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{cancel: cancel, done: make(chan error, 1)}
	var stderr bytes.Buffer
	go func() {
		err := run(ctx, args, pw, &stderr)
		pw.CloseWithError(errors.New("run returned"))
		s.done <- err
	}()
	t.Cleanup(func() {
		if err := s.stop(t); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the connection string: %v", err)
	}
	go io.Copy(io.Discard, pr) // nothing else is expected, but never block run
	m := lineRE.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
	if m == nil {
		t.Fatalf("stdout line %q does not match %s", line, lineRE)
	}
	s.endpoint = m[1]
	if s.key, err = base64.StdEncoding.DecodeString(m[2]); err != nil {
		t.Fatal(err)
	}
	return s
}

// createUser calls the Identity API with HMAC and returns id and token.
func createUser(t *testing.T, client *http.Client, s *started) wire.IdentityAccessTokenResult {
	t.Helper()
	body := []byte(`{"createTokenWithScopes":["chat"]}`)
	req, _ := http.NewRequest("POST", s.endpoint+"identities?api-version="+wire.IdentityAPIVersion, bytes.NewReader(body))
	hmacsig.Sign(req, body, s.key, time.Now())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res wire.IdentityAccessTokenResult
	if resp.StatusCode != 201 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("create identity: %d %s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunServesAndStopsOnCancel(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("a key the test knows"))
	s := start(t, "-addr", "127.0.0.1:0", "-access-key", key)
	if base64.StdEncoding.EncodeToString(s.key) != key {
		t.Errorf("accesskey %q, want %q", base64.StdEncoding.EncodeToString(s.key), key)
	}
	u := createUser(t, http.DefaultClient, s)
	req, _ := http.NewRequest("POST", s.endpoint+"chat/threads?api-version="+wire.APIVersionStable, strings.NewReader(`{"topic":"t"}`))
	req.Header.Set("Authorization", "Bearer "+u.AccessToken.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || !strings.HasPrefix(resp.Header.Get("Location"), s.endpoint+"chat/threads/19%3A") {
		t.Fatalf("create thread: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, want := resp.Header.Get("api-supported-versions"), strings.Join(wire.SupportedChatVersions, ", "); got != want {
		t.Errorf("api-supported-versions %q, want %q", got, want)
	}

	if err := s.stop(t); err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
	if resp, err := http.Get(s.endpoint); err == nil {
		resp.Body.Close()
		t.Error("still serving after shutdown")
	}
}

func TestRunRandomKey(t *testing.T) {
	s := start(t, "-addr", "127.0.0.1:0")
	if len(s.key) != 32 {
		t.Errorf("random key has %d bytes, want 32", len(s.key))
	}
	createUser(t, http.DefaultClient, s)
}

func TestRunTLS(t *testing.T) {
	certFile := filepath.Join(t.TempDir(), "refserver.pem")
	s := start(t, "-addr", "127.0.0.1:0", "-tls", "-cert-out", certFile, "-rate-limits", "acs", "-rate-limit-scale", "10", "-latency", "1ms")
	if !strings.HasPrefix(s.endpoint, "https://") {
		t.Fatalf("endpoint %q is not https", s.endpoint)
	}
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("-cert-out is not a PEM certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	createUser(t, client, s)
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"key not base64", []string{"-access-key", "not base64!"}, "base64"},
		{"empty key", []string{"-access-key", "===="}, "access-key"},
		{"rate limits", []string{"-rate-limits", "fast"}, "rate-limit"},
		{"scale", []string{"-rate-limit-scale", "0"}, "rate-limit-scale"},
		{"latency", []string{"-latency", "soon"}, "latency"},
		{"public url", []string{"-public-url", "not a url"}, "PublicURL"},
		{"cert-out without tls", []string{"-cert-out", "x.pem"}, "-tls"},
		{"unknown flag", []string{"-nope"}, "nope"},
		{"extra argument", []string{"serve"}, "unexpected"},
		{"empty chat api-version", []string{"-chat-api-versions", "2024-03-07,,2025-03-15"}, "empty entry"},
		{"no chat api-version", []string{"-chat-api-versions", ""}, "chat-api-versions"},
		{"chat api-version twice", []string{"-chat-api-versions", "2024-03-07, 2024-03-07"}, "twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, c.args...), &stdout, &stderr)
			var usage usageError
			if !errors.As(err, &usage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if !strings.Contains(err.Error()+stderr.String(), c.want) {
				t.Errorf("error %q (stderr %q) does not mention %q", err, stderr.String(), c.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q on a usage error", stdout.String())
			}
		})
	}
}

// -h says which versions are served, chat and Identity.
func TestRunHelpNamesVersions(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	help := stderr.String()
	for _, v := range append(append([]string{}, wire.SupportedChatVersions...), wire.IdentityAPIVersion20221001, wire.IdentityAPIVersion, "-chat-api-versions") {
		if !strings.Contains(help, v) {
			t.Errorf("help does not name %s:\n%s", v, help)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("help printed %q on stdout", stdout.String())
	}
}

// -chat-api-versions chooses what is listed and served.
func TestRunChatAPIVersions(t *testing.T) {
	s := start(t, "-addr", "127.0.0.1:0", "-chat-api-versions", "2024-03-07, 2025-03-15,2099-01-01")
	u := createUser(t, http.DefaultClient, s)
	for v, status := range map[string]int{
		wire.APIVersion20240307: 201, wire.APIVersion20250315: 201,
		wire.APIVersion20210307: 400, wire.APIVersionPreview: 400, "2099-01-01": 400,
	} {
		req, _ := http.NewRequest("POST", s.endpoint+"chat/threads?api-version="+v, strings.NewReader(`{"topic":"t"}`))
		req.Header.Set("Authorization", "Bearer "+u.AccessToken.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("create at %s: %d, want %d", v, resp.StatusCode, status)
		}
		if got := resp.Header.Get("api-supported-versions"); got != "2024-03-07, 2025-03-15, 2099-01-01" {
			t.Errorf("create at %s: api-supported-versions %q", v, got)
		}
	}
}

func TestRunReportsListenErrors(t *testing.T) {
	err := run(context.Background(), []string{"-addr", "256.0.0.1:0"}, io.Discard, io.Discard)
	var usage usageError
	if err == nil || errors.As(err, &usage) {
		t.Fatalf("err = %v, want a runtime (exit 1) error", err)
	}
}

// The real binary: exit status 2 on a bad flag, 0 on SIGTERM.
func TestMainProcess(t *testing.T) {
	if os.Getenv("REFSERVER_TEST_MAIN") == "1" {
		os.Args = append([]string{"refserver"}, strings.Fields(os.Getenv("REFSERVER_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	command := func(args string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
		cmd.Env = append(os.Environ(), "REFSERVER_TEST_MAIN=1", "REFSERVER_TEST_ARGS="+args)
		return cmd
	}

	var exit *exec.ExitError
	if err := command("-access-key not-base64!").Run(); !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("bad key: %v, want exit status 2", err)
	}

	cmd := command("-addr 127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !lineRE.MatchString(strings.TrimSpace(line)) {
		cmd.Process.Kill()
		t.Fatalf("first line %q, %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no exit after SIGTERM")
	}
}

func TestDialableAddr(t *testing.T) {
	for _, c := range []struct {
		ip   net.IP
		want string
	}{
		{net.IPv4(127, 0, 0, 1), "127.0.0.1:8080"},
		{net.IPv4zero, "127.0.0.1:8080"},
		{net.IPv6unspecified, "127.0.0.1:8080"},
		{net.IPv6loopback, "[::1]:8080"},
	} {
		if got := dialableAddr(&net.TCPAddr{IP: c.ip, Port: 8080}); got != c.want {
			t.Errorf("dialableAddr(%v) = %q, want %q", c.ip, got, c.want)
		}
	}
}
