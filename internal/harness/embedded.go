package harness

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/chatconform/chatconform/internal/refserver"
)

// Embedded is a reference server the suite started for itself.
type Embedded struct {
	// ConnectionString is endpoint=http://127.0.0.1:PORT/;accesskey=KEY.
	ConnectionString string
	srv              *http.Server
}

// StartEmbedded serves the reference server on a free loopback port with the
// documented ACS rate limits on: the embedded server is faithful, and the
// suite must cope with limits the way it must against the real service.
func StartEmbedded() (*Embedded, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	rs, err := refserver.New(refserver.Options{AccessKey: key, RateLimits: refserver.RateLimitsACS})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("embedded reference server: %w", err)
	}
	srv := &http.Server{Handler: rs.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err)
		}
	}()
	return &Embedded{
		ConnectionString: fmt.Sprintf("endpoint=http://%s/;accesskey=%s", ln.Addr(), base64.StdEncoding.EncodeToString(key)),
		srv:              srv,
	}, nil
}

// Stop shuts the server down. Every process has finished its requests by
// then, so connections still open are idle keep-alives of other processes,
// or connections a client dialled and never used, which a graceful
// Shutdown would wait for until its deadline (it treats a new connection
// as busy for 5 s): close them all at once.
func (e *Embedded) Stop() error {
	if err := e.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
