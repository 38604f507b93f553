package matchers_test

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/wire"
	. "github.com/chatconform/chatconform/matchers"
)

func TestHaveConsistentIdentifiers(t *testing.T) {
	good := []wire.Participant{{CommunicationIdentifier: wire.UserIdentifier("8:acs:r_a")}, {CommunicationIdentifier: wire.Identifier{RawID: "8:acs:r_b"}}}
	expectNoFailure(t, func() { Expect(good).To(HaveConsistentIdentifiers()) })
	bad := []wire.Participant{
		{CommunicationIdentifier: wire.Identifier{CommunicationUser: &wire.CommunicationUser{ID: "8:acs:r_a"}}},
		{CommunicationIdentifier: wire.Identifier{RawID: "8:acs:r_b", CommunicationUser: &wire.CommunicationUser{ID: "8:acs:r_c"}}},
	}
	expectOneFailure(t, `Expected every communicationIdentifier to carry a rawId that communicationUser.id repeats, but in 2 places of 2 participants:
    [LIST-02] /value/0/communicationIdentifier/rawId: missing or empty (rawId is required in responses)
    [LIST-02] /value/1/communicationIdentifier/communicationUser/id: is "8:acs:r_c" but rawId is "8:acs:r_b": the two must name the same user`,
		func() { Expect(bad).To(HaveConsistentIdentifiers()) })
	expectOneFailure(t, "HaveConsistentIdentifiers expects a []wire.Participant or a wire.ParticipantsCollection, got:\n    <string>: x",
		func() { Expect("x").To(HaveConsistentIdentifiers()) })
}

func TestHaveIdentifierKinds(t *testing.T) {
	good := []wire.Participant{{CommunicationIdentifier: wire.Identifier{Kind: "communicationUser", RawID: "8:acs:r_a", CommunicationUser: &wire.CommunicationUser{ID: "8:acs:r_a"}}}}
	expectNoFailure(t, func() { Expect(good).To(HaveIdentifierKinds(wire.APIVersionStable)) })
	bad := []wire.Participant{{CommunicationIdentifier: wire.UserIdentifier("8:acs:r_a")}}
	got := failures(func() { Expect(bad).To(HaveIdentifierKinds(wire.APIVersionStable)) })
	if len(got) != 1 || !strings.Contains(got[0], "Expected every communicationIdentifier to carry a kind api-version 2024-03-07 defines, naming its populated sub-object, but in 1 place of 1 participants:\n    [LIST-03] /value/0/communicationIdentifier/kind") {
		t.Errorf("failure: %q", got)
	}
	extension := []wire.Participant{{CommunicationIdentifier: wire.Identifier{Kind: "teamsExtensionUser", RawID: "8:acs:r_u", TeamsExtensionUser: &wire.TeamsExtensionUser{UserID: "u", TenantID: "t", ResourceID: "r"}}}}
	expectNoFailure(t, func() { Expect(extension).To(HaveIdentifierKinds(wire.APIVersion20250315)) })
	expectOneFailure(t, `Expected every communicationIdentifier to carry a kind api-version 2023-11-07 defines, naming its populated sub-object, but in 1 place of 1 participants:
    [LIST-03] /value/0/communicationIdentifier/kind: is teamsExtensionUser, which api-version 2023-11-07 does not define; it defines unknown, communicationUser, phoneNumber, microsoftTeamsUser`,
		func() { Expect(extension).To(HaveIdentifierKinds(wire.APIVersion20231107)) })
	expectOneFailure(t, "HaveIdentifierKinds expects a []wire.Participant or a wire.ParticipantsCollection, got:\n    <int>: 1",
		func() { Expect(1).To(HaveIdentifierKinds(wire.APIVersionStable)) })
}

func TestHaveInvalidParticipant(t *testing.T) {
	expectNoFailure(t, func() {
		Expect(`{"invalidParticipants":[{"code":"404","message":"not found","target":"8:acs:x"}]}`).To(HaveInvalidParticipant("8:acs:x"))
	})
	expectOneFailure(t, "Expected invalidParticipants to name \"8:acs:x\" with a non-empty string code and message, but:\n    /invalidParticipants/0/code: must be a non-empty string, but is a number (404)\nBody:\n    {\"invalidParticipants\":[{\"code\":404,\"message\":\"m\",\"target\":\"8:acs:x\"}]}",
		func() {
			Expect(`{"invalidParticipants":[{"code":404,"message":"m","target":"8:acs:x"}]}`).To(HaveInvalidParticipant("8:acs:x"))
		})
	expectOneFailure(t, "Expected invalidParticipants to name \"8:acs:x\" with a non-empty string code and message, but:\n    /invalidParticipants: no entry has target \"8:acs:x\" (targets: [])\nBody:\n    {}",
		func() { Expect(`{}`).To(HaveInvalidParticipant("8:acs:x")) })
	expectOneFailure(t, "HaveInvalidParticipant expects a []byte, string, json.RawMessage or *transcript.Response, got:\n    <int>: 3",
		func() { Expect(3).To(HaveInvalidParticipant("8:acs:x")) })
}

func TestHaveJSONContentType(t *testing.T) {
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/problem+json"} {
		resp := response(http.MethodGet, "http://h/x", 200, http.Header{"Content-Type": {ct}}, `{}`)
		expectNoFailure(t, func() { Expect(resp).To(HaveJSONContentType()) })
	}
	resp := response(http.MethodGet, "http://h/x", 200, http.Header{"Content-Type": {"text/plain"}}, `{}`)
	got := failures(func() { Expect(resp).To(HaveJSONContentType()) })
	if len(got) != 1 || !strings.Contains(got[0], `Expected a JSON Content-Type (application/json), got "text/plain".`) {
		t.Errorf("failure: %q", got)
	}
	expectOneFailure(t, "HaveJSONContentType expects a *transcript.Response, got:\n    <string>: x",
		func() { Expect("x").To(HaveJSONContentType()) })
}
