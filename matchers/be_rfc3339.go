package matchers

import (
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// BeRFC3339 succeeds when the actual string is an RFC 3339 §5.6 date-time
// (TIME-01, contract.CheckRFC3339): full date, 'T', hh:mm:ss, optional
// fraction, 'Z' or ±hh:mm, and a date and time that exist. The failure says
// what is wrong with the value.
//
//	Expect(p.ShareHistoryTime).To(BeRFC3339())
func BeRFC3339() types.GomegaMatcher {
	return stringViolations("BeRFC3339", contract.CheckRFC3339,
		"an RFC 3339 date-time", "Expected %q not to be an RFC 3339 date-time, but it is one")
}
