// Package participants is the conformance suite for the ACS Chat
// participants API (add, list, remove). Every spec is declared by the ID of
// the catalogue row it certifies (internal/catalogue); the framework derives
// its text prefix, labels, clause and SHOULD handling from that ID.
package participants

import (
	"testing"

	"github.com/chatconform/chatconform/internal/framework"
)

func TestParticipants(t *testing.T) { framework.RunSuite(t, "Chat Participants Conformance") }
