package contract

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chatconform/chatconform/internal/wire"
)

// CheckIdentifierKinds is LIST-03: every communicationIdentifier of a
// listing carries kind ("only required in responses"), a value that
// apiVersion defines (wire.IdentifierKinds), naming its populated
// sub-object. A sub-object the version does not define is an unknown field
// there, so an identifier that populates only such one names kind unknown.
// One violation per participant that breaks it, at
// /value/<i>/communicationIdentifier/kind.
func CheckIdentifierKinds(ps []wire.Participant, apiVersion string) []Violation {
	kinds := wire.IdentifierKinds(apiVersion)
	var vs []Violation
	for i, p := range ps {
		id := p.CommunicationIdentifier
		pointer := Pointer("value", strconv.Itoa(i), "communicationIdentifier", "kind")
		populated := id.PopulatedKind()
		switch {
		case id.Kind == "":
			vs = append(vs, Violation{Assertion: "LIST-03", Pointer: pointer, Message: "missing (documented as required in responses; the live service omits it)"})
		case !slices.Contains(kinds, id.Kind):
			vs = append(vs, Violation{Assertion: "LIST-03", Pointer: pointer, Message: fmt.Sprintf("is %s, which api-version %s does not define; it defines %s", id.Kind, apiVersion, strings.Join(kinds, ", "))})
		case !slices.Contains(kinds, populated) && id.Kind != "unknown":
			vs = append(vs, Violation{Assertion: "LIST-03", Pointer: pointer, Message: fmt.Sprintf("is %s but the only populated sub-object is %s, which api-version %s does not define (an unknown field there), so the kind is unknown", id.Kind, populated, apiVersion)})
		case slices.Contains(kinds, populated) && id.Kind != populated:
			vs = append(vs, Violation{Assertion: "LIST-03", Pointer: pointer, Message: fmt.Sprintf("is %s but the populated sub-object is %s", id.Kind, populated)})
		}
	}
	return vs
}
