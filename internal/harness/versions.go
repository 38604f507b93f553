package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/sanitize"
	"github.com/chatconform/chatconform/internal/wire"
)

// Discovery is what CHAT_API_VERSION=supported learned from the server's
// api-supported-versions header.
type Discovery struct {
	// Listed is the header's list as the server sent it.
	Listed []string
	// Selected are the listed versions the suite knows: the run certifies
	// them, oldest first.
	Selected []string
	// Unknown are listed but unknown to the suite; NotListed are known to
	// the suite but not listed, so not certified.
	Unknown, NotListed []string
}

// probeThread is a thread id nobody has: asking for it costs the server a
// lookup and changes nothing.
const probeThread = "19:chatconformtokencheck0000000000@thread.v2"

// DiscoverVersions asks the server which api-versions it serves: the
// api-supported-versions header of a listing of a thread nobody has (the
// live service sends it on every chat response, errors included).
func DiscoverVersions(ctx context.Context, c *client.Client, token string) (*Discovery, error) {
	resp, err := c.Do(ctx, client.ListParticipants(token, probeThread, "", ""))
	if err != nil {
		return nil, fmt.Errorf("CHAT_API_VERSION=supported: asking the server for its api-versions: %w", err)
	}
	header := resp.Header.Get("api-supported-versions")
	if strings.TrimSpace(header) == "" {
		return nil, fmt.Errorf("CHAT_API_VERSION=supported: the server sent no api-supported-versions header (GET %s answered %d): name the versions to certify, e.g. CHAT_API_VERSION=%s", resp.Exchange.URL, resp.Status, wire.APIVersionLatest)
	}
	return NewDiscovery(header), nil
}

// NewDiscovery sorts an api-supported-versions header into what the run
// certifies and what it does not.
func NewDiscovery(header string) *Discovery {
	d := &Discovery{}
	// The server's bytes are untrusted: what it listed is shown escaped
	// in the console and every report.
	for _, v := range strings.Split(sanitize.Text(header), ",") {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(d.Listed, v) {
			d.Listed = append(d.Listed, v)
			if !wire.KnownChatVersion(v) {
				d.Unknown = append(d.Unknown, v)
			}
		}
	}
	for _, v := range wire.SupportedChatVersions {
		if slices.Contains(d.Listed, v) {
			d.Selected = append(d.Selected, v)
		} else {
			d.NotListed = append(d.NotListed, v)
		}
	}
	return d
}

// Apply narrows the configuration to the discovered versions; setup then
// speaks the latest of them.
func (d *Discovery) Apply(cfg *config.Config) error {
	if len(d.Selected) == 0 {
		return fmt.Errorf("CHAT_API_VERSION=supported: the server lists %s in api-supported-versions, none of which the suite knows (%s): name the versions to certify in CHAT_API_VERSION",
			strings.Join(d.Listed, ", "), strings.Join(wire.SupportedChatVersions, ", "))
	}
	cfg.APIVersions = append([]string(nil), d.Selected...)
	cfg.APIVersion = d.Selected[len(d.Selected)-1]
	return nil
}
