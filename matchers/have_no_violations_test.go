package matchers_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/contract"
	. "github.com/chatconform/chatconform/matchers"
)

func TestHaveNoViolations(t *testing.T) {
	expectNoFailure(t, func() { Expect([]contract.Violation(nil)).To(HaveNoViolations()) })
	vs := []contract.Violation{
		{Assertion: "PAGE-01", Pointer: "page 2", Message: "3 participants on the page, but maxPageSize is 2"},
		{Assertion: "ADD-04", Message: "8:acs:x was added but is not listed"},
	}
	expectOneFailure(t, "The server breaks the contract in 2 places:\n    [PAGE-01] page 2: 3 participants on the page, but maxPageSize is 2\n    [ADD-04] 8:acs:x was added but is not listed",
		func() { Expect(vs).To(HaveNoViolations()) })
	expectOneFailure(t, "Expected a violation of the contract, but the oracle found none",
		func() { Expect([]contract.Violation{}).NotTo(HaveNoViolations()) })
	expectOneFailure(t, "HaveNoViolations expects a []contract.Violation, got:\n    <string>: x",
		func() { Expect("x").To(HaveNoViolations()) })
}
