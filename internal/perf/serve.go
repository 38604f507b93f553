package perf

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/harness"
	"github.com/chatconform/chatconform/internal/limits"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/wire"
)

// Server is a reference server on a loopback port, with a Counter in front
// when it enforces rate limits.
type Server struct {
	Ref     *refserver.Server
	HTTP    *httptest.Server
	Key     []byte
	Counter *Counter // nil when opts.RateLimits is off
}

// Serve starts a reference server with opts (AccessKey is filled in when
// empty) on 127.0.0.1.
func Serve(opts refserver.Options) (*Server, error) {
	if len(opts.AccessKey) == 0 {
		opts.AccessKey = make([]byte, 32)
		if _, err := rand.Read(opts.AccessKey); err != nil {
			return nil, err
		}
	}
	rs, err := refserver.New(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{Ref: rs, Key: opts.AccessKey}
	h := rs.Handler()
	if opts.RateLimits == refserver.RateLimitsACS {
		s.Counter = NewCounter(limits.ACS(opts.RateLimitScale))
		h = s.Counter.Wrap(h)
	}
	s.HTTP = httptest.NewServer(h)
	return s, nil
}

// ConnectionString is the ACS_CONNECTION_STRING of the server.
func (s *Server) ConnectionString() string {
	return fmt.Sprintf("endpoint=%s/;accesskey=%s", s.HTTP.URL, base64.StdEncoding.EncodeToString(s.Key))
}

// Close stops the server.
func (s *Server) Close() { s.HTTP.Close() }

// Manual is what a user who has no connection string gives the suite: one
// acting user's token, an outsider's token and raw ids of users to add
// (CHAT_TOKEN, CHAT_OUTSIDER_TOKEN, CHAT_PARTICIPANT_IDS).
type Manual struct {
	Endpoint      string
	Token         string
	OutsiderToken string
	Participants  []string
}

// Env returns the suite's environment for manual-token mode.
func (m Manual) Env() map[string]string {
	return map[string]string{
		"CHAT_ENDPOINT":        m.Endpoint,
		"CHAT_TOKEN":           m.Token,
		"CHAT_OUTSIDER_TOKEN":  m.OutsiderToken,
		"CHAT_PARTICIPANT_IDS": strings.Join(m.Participants, ","),
	}
}

// MintManual mints, through the server's Identity API (HMAC-signed with
// its access key), an acting user and an outsider with chat tokens and
// harness.PoolMembers users to add: what a person running the suite
// in manual-token mode would have made by hand.
func (s *Server) MintManual(ctx context.Context) (Manual, error) {
	ep, err := url.Parse(s.HTTP.URL)
	if err != nil {
		return Manual{}, err
	}
	c := client.New(client.Options{Endpoint: ep, APIVersion: wire.APIVersionStable, AccessKey: s.Key})
	m := Manual{Endpoint: s.HTTP.URL}
	host, err := c.NewUser(ctx)
	if err != nil {
		return m, fmt.Errorf("minting the acting user: %w", err)
	}
	outsider, err := c.NewUser(ctx)
	if err != nil {
		return m, fmt.Errorf("minting the outsider: %w", err)
	}
	m.Token, m.OutsiderToken = host.Token, outsider.Token
	for range harness.PoolMembers {
		u, err := c.NewIdentity(ctx)
		if err != nil {
			return m, fmt.Errorf("minting a participant: %w", err)
		}
		m.Participants = append(m.Participants, u.RawID)
	}
	return m, nil
}
