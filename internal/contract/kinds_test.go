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
	if got := CheckIdentifierKinds([]wire.Participant{documented}, wire.APIVersionStable); len(got) != 0 {
		t.Errorf("documented identifier: %v", got)
	}
	if got := Format(CheckIdentifierKinds([]wire.Participant{live, wrong}, wire.APIVersionStable), ""); got != strings.Join([]string{
		"[LIST-03] /value/0/communicationIdentifier/kind: missing (documented as required in responses; the live service omits it)",
		"[LIST-03] /value/1/communicationIdentifier/kind: is phoneNumber but the populated sub-object is communicationUser",
	}, "\n") {
		t.Errorf("findings: %q", got)
	}
}

// TestCheckIdentifierKindsPerVersion: a kind must be one the api-version
// defines; a sub-object it does not define is an unknown field there.
func TestCheckIdentifierKindsPerVersion(t *testing.T) {
	extension := wire.Participant{CommunicationIdentifier: wire.Identifier{
		Kind: "teamsExtensionUser", RawID: "8:acs:r_u",
		TeamsExtensionUser: &wire.TeamsExtensionUser{UserID: "u", TenantID: "t", ResourceID: "r"},
	}}
	app := wire.Participant{CommunicationIdentifier: wire.Identifier{
		Kind: "microsoftTeamsApp", RawID: "28:orgid:a", MicrosoftTeamsApp: &wire.MicrosoftTeamsApp{AppID: "a"},
	}}
	extensionAsUnknown := extension
	extensionAsUnknown.CommunicationIdentifier.Kind = "unknown"
	extensionAsUser := extension
	extensionAsUser.CommunicationIdentifier.Kind = "communicationUser"

	if got := CheckIdentifierKinds([]wire.Participant{extension, app}, wire.APIVersion20250315); len(got) != 0 {
		t.Errorf("2025-03-15 defines both kinds: %v", got)
	}
	if got := CheckIdentifierKinds([]wire.Participant{app}, wire.APIVersion20240307); len(got) != 0 {
		t.Errorf("2024-03-07 defines microsoftTeamsApp: %v", got)
	}
	if got := CheckIdentifierKinds([]wire.Participant{extensionAsUnknown}, wire.APIVersion20231107); len(got) != 0 {
		t.Errorf("at 2023-11-07 teamsExtensionUser is an unknown field, kind unknown is right: %v", got)
	}
	if got := Format(CheckIdentifierKinds([]wire.Participant{extension, app, extensionAsUser}, wire.APIVersion20231107), ""); got != strings.Join([]string{
		"[LIST-03] /value/0/communicationIdentifier/kind: is teamsExtensionUser, which api-version 2023-11-07 does not define; it defines unknown, communicationUser, phoneNumber, microsoftTeamsUser",
		"[LIST-03] /value/1/communicationIdentifier/kind: is microsoftTeamsApp, which api-version 2023-11-07 does not define; it defines unknown, communicationUser, phoneNumber, microsoftTeamsUser",
		"[LIST-03] /value/2/communicationIdentifier/kind: is communicationUser but the only populated sub-object is teamsExtensionUser, which api-version 2023-11-07 does not define (an unknown field there), so the kind is unknown",
	}, "\n") {
		t.Errorf("findings: %q", got)
	}
	if got := Format(CheckIdentifierKinds([]wire.Participant{extension}, wire.APIVersion20240307), ""); got != "[LIST-03] /value/0/communicationIdentifier/kind: is teamsExtensionUser, which api-version 2024-03-07 does not define; it defines unknown, communicationUser, phoneNumber, microsoftTeamsUser, microsoftTeamsApp" {
		t.Errorf("findings: %q", got)
	}
}
