package contract

import (
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/wire"
)

func TestCheckIdentifierKinds(t *testing.T) {
	live := wire.Participant{CommunicationIdentifier: wire.UserIdentifier("8:acs:r_1")}
	documented := wire.Participant{CommunicationIdentifier: wire.ResponseIdentifier("8:acs:r_1")}
	wrong := documented
	wrong.CommunicationIdentifier.Kind = "phoneNumber"
	if got := CheckIdentifierKinds([]wire.Participant{documented}); len(got) != 0 {
		t.Errorf("documented identifier: %v", got)
	}
	if got := Format(CheckIdentifierKinds([]wire.Participant{live, wrong}), ""); got != strings.Join([]string{
		"[LIST-03] /value/0/communicationIdentifier/kind: missing (documented as required in responses; the live service omits it)",
		"[LIST-03] /value/1/communicationIdentifier/kind: is phoneNumber but the populated sub-object is communicationUser",
	}, "\n") {
		t.Errorf("findings: %q", got)
	}
}
