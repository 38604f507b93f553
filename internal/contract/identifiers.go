package contract

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/chatconform/chatconform/internal/wire"
)

// IDsOf are the raw ids of participants (rawId, else communicationUser.id),
// in order.
func IDsOf(ps []wire.Participant) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.CommunicationIdentifier.Key()
	}
	return out
}

// CheckIdentifiers is LIST-02: every listed communicationIdentifier has a
// rawId, and where communicationUser is present its id equals rawId.
func CheckIdentifiers(ps []wire.Participant) []Violation {
	var vs []Violation
	for i, p := range ps {
		id := p.CommunicationIdentifier
		at := Pointer("value", strconv.Itoa(i), "communicationIdentifier")
		switch {
		case id.RawID == "":
			vs = append(vs, Violation{Assertion: "LIST-02", Pointer: at + "/rawId", Message: "missing or empty (rawId is required in responses)"})
		case id.CommunicationUser != nil && id.CommunicationUser.ID != id.RawID:
			vs = append(vs, Violation{Assertion: "LIST-02", Pointer: at + "/communicationUser/id",
				Message: fmt.Sprintf("is %q but rawId is %q: the two must name the same user", id.CommunicationUser.ID, id.RawID)})
		}
	}
	return vs
}

// CheckInvalidParticipant judges an add result that must name target in
// invalidParticipants (ADD-09, ADD-11): an entry whose target is that raw
// id, with a non-empty string code and message. assertion is the row the
// violations are evidence against.
func CheckInvalidParticipant(assertion string, body []byte, target string) []Violation {
	var result struct {
		InvalidParticipants []struct {
			Code    any    `json:"code"`
			Message any    `json:"message"`
			Target  string `json:"target"`
		} `json:"invalidParticipants"`
	}
	if err := json.Unmarshal(body, &result); err != nil {
		return []Violation{{Assertion: assertion, Message: "the body is not an AddChatParticipantsResult JSON object: " + err.Error()}}
	}
	for i, e := range result.InvalidParticipants {
		if e.Target != target {
			continue
		}
		var vs []Violation
		at := Pointer("invalidParticipants", strconv.Itoa(i))
		if s, ok := e.Code.(string); !ok || s == "" {
			vs = append(vs, Violation{Assertion: assertion, Pointer: at + "/code", Message: "must be a non-empty string, but is " + kindAndValue(e.Code)})
		}
		if s, ok := e.Message.(string); !ok || s == "" {
			vs = append(vs, Violation{Assertion: assertion, Pointer: at + "/message", Message: "must be a non-empty string, but is " + kindAndValue(e.Message)})
		}
		return vs
	}
	targets := make([]string, len(result.InvalidParticipants))
	for i, e := range result.InvalidParticipants {
		targets[i] = strconv.Quote(e.Target)
	}
	return []Violation{{Assertion: assertion, Pointer: "/invalidParticipants",
		Message: fmt.Sprintf("no entry has target %q (targets: %v)", target, targets)}}
}
