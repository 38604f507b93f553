package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"
)

// HaveStatusClass succeeds when the status of the actual
// *transcript.Response is in the class: HaveStatusClass(4) is any 4xx
// (400-499). The failure shows the status and the redacted transcript.
//
//	Expect(resp).To(HaveStatusClass(4))
func HaveStatusClass(class int) types.GomegaMatcher {
	m := &statusMatcher{
		name: "HaveStatusClass",
		in:   func(status int) bool { return status/100 == class },
		want: fmt.Sprintf("a %dxx status", class), notWant: fmt.Sprintf("a status outside %dxx", class),
	}
	if class < 1 || class > 5 {
		m.mistake = fmt.Errorf("HaveStatusClass(%d): the class is the first digit of a status, 1 to 5", class)
	}
	return m
}
