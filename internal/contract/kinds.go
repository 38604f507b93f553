package contract

import (
	"fmt"
	"strconv"

	"github.com/chatconform/chatconform/internal/wire"
)

// CheckIdentifierKinds is LIST-03: every communicationIdentifier of a
// listing carries kind ("only required in responses"), naming its populated
// sub-object. One violation per participant that breaks it, at
// /value/<i>/communicationIdentifier/kind.
func CheckIdentifierKinds(ps []wire.Participant) []Violation {
	var vs []Violation
	for i, p := range ps {
		id := p.CommunicationIdentifier
		pointer := Pointer("value", strconv.Itoa(i), "communicationIdentifier", "kind")
		switch want := id.PopulatedKind(); {
		case id.Kind == "":
			vs = append(vs, Violation{Assertion: "LIST-03", Pointer: pointer, Message: "missing (documented as required in responses; the live service omits it)"})
		case id.Kind != want:
			vs = append(vs, Violation{Assertion: "LIST-03", Pointer: pointer, Message: fmt.Sprintf("is %s but the populated sub-object is %s", id.Kind, want)})
		}
	}
	return vs
}
