package contract

import (
	"fmt"

	"github.com/chatconform/chatconform/internal/wire"
)

// CheckIdentifierKinds is LIST-03: every communicationIdentifier of a
// listing carries kind ("only required in responses"), naming its populated
// sub-object. One finding per participant that breaks it.
func CheckIdentifierKinds(ps []wire.Participant) []string {
	var out []string
	for i, p := range ps {
		id := p.CommunicationIdentifier
		switch want := id.PopulatedKind(); {
		case id.Kind == "":
			out = append(out, fmt.Sprintf("value[%d].communicationIdentifier.kind is missing (documented as required in responses; the live service omits it)", i))
		case id.Kind != want:
			out = append(out, fmt.Sprintf("value[%d].communicationIdentifier.kind is %s but the populated sub-object is %s", i, id.Kind, want))
		}
	}
	return out
}
