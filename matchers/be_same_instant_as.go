package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
)

// BeSameInstantAs succeeds when the actual string and want are RFC 3339
// date-times of the same instant at second precision, whatever their
// offsets, case or fractions (contract.SameInstant, as TIME-03 and ADD-08
// compare). The failure shows both values and why they differ.
//
//	Expect(got.ShareHistoryTime).To(BeSameInstantAs(sent))
func BeSameInstantAs(want string) types.GomegaMatcher {
	return &beSameInstantAsMatcher{want: want}
}

type beSameInstantAsMatcher struct {
	want string
	why  string
}

func (m *beSameInstantAsMatcher) Match(actual any) (bool, error) {
	s, err := stringOf("BeSameInstantAs")(actual)
	if err != nil {
		return false, err
	}
	same, why := contract.SameInstant(s, m.want)
	m.why = why
	return same, nil
}

func (m *beSameInstantAsMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("Expected %q to be the same instant as %q (to the second), but %s", actual, m.want, m.why)
}

func (m *beSameInstantAsMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("Expected %q not to be the same instant as %q (to the second), but it is", actual, m.want)
}
