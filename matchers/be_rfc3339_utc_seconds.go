package matchers

import (
	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// BeRFC3339UTCSeconds succeeds when the actual string has exactly the
// documented form yyyy-MM-ddTHH:mm:ssZ (TIME-02,
// contract.CheckRFC3339UTCSeconds): a valid instant, UTC 'Z', whole
// seconds. The failure names each departure (fraction, offset, case).
//
//	Expect(p.ShareHistoryTime).To(BeRFC3339UTCSeconds())
func BeRFC3339UTCSeconds() types.GomegaMatcher {
	return stringViolations("BeRFC3339UTCSeconds", contract.CheckRFC3339UTCSeconds,
		"a date-time of the form yyyy-MM-ddTHH:mm:ssZ", "Expected %q not to have the form yyyy-MM-ddTHH:mm:ssZ, but it has")
}
