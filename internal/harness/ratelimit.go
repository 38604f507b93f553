package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// RateServer shares one rate.Limiter among the parallel processes of a run,
// so that CHAT_MAX_RPS caps the whole run: a process that is busy may use
// what an idle one does not. Process 1 serves it on loopback; every process
// (process 1 too) waits on it through a RateClient.
type RateServer struct {
	URL string
	srv *http.Server
}

// StartRateServer serves a limiter of rps requests per second.
func StartRateServer(rps float64) (*RateServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("CHAT_MAX_RPS: cannot serve the shared limiter: %w", err)
	}
	lim := rate.NewLimiter(rate.Limit(rps), max(1, int(rps+0.5)))
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := lim.Wait(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = srv.Serve(ln) }()
	return &RateServer{URL: "http://" + ln.Addr().String(), srv: srv}, nil
}

// Stop ends the server.
func (s *RateServer) Stop() { _ = s.srv.Close() }

// RateClient waits on a RateServer.
type RateClient struct {
	URL  string
	http http.Client
}

// Wait blocks until the shared limiter lets one request go.
func (c *RateClient) Wait(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("the shared CHAT_MAX_RPS limiter (process 1) is gone: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return errors.New("the shared CHAT_MAX_RPS limiter refused the wait")
	}
	return nil
}
