package matchers_test

import (
	"testing"

	. "github.com/onsi/gomega"

	. "github.com/chatconform/chatconform/matchers"
)

func TestBeSameInstantAs(t *testing.T) {
	for got, want := range map[string]string{
		"2020-06-06T05:55:41Z":         "2020-06-06T05:55:41Z",
		"2020-06-06t05:55:41z":         "2020-06-06T05:55:41Z",
		"2020-06-06T11:25:41+05:30":    "2020-06-06T05:55:41Z",
		"2020-06-06T05:55:41.6460000Z": "2020-06-06T05:55:41Z",
	} {
		expectNoFailure(t, func() { Expect(got).To(BeSameInstantAs(want)) })
	}
	expectOneFailure(t, `Expected "2020-06-06T05:55:41+01:00" to be the same instant as "2020-06-06T05:55:41Z" (to the second), but "2020-06-06T05:55:41+01:00" is 2020-06-06T04:55:41Z and "2020-06-06T05:55:41Z" is 2020-06-06T05:55:41Z, 1h0m0s apart`,
		func() { Expect("2020-06-06T05:55:41+01:00").To(BeSameInstantAs("2020-06-06T05:55:41Z")) })
	expectOneFailure(t, `Expected "2020-06-06 05:55:41" to be the same instant as "2020-06-06T05:55:41Z" (to the second), but "2020-06-06 05:55:41" is not an RFC 3339 date-time (§5.6): the date and the time are separated by a space; RFC 3339 requires 'T'`,
		func() { Expect("2020-06-06 05:55:41").To(BeSameInstantAs("2020-06-06T05:55:41Z")) })
	expectOneFailure(t, `Expected "2020-06-06T05:55:41Z" not to be the same instant as "2020-06-06T05:55:41.5Z" (to the second), but it is`,
		func() { Expect("2020-06-06T05:55:41Z").NotTo(BeSameInstantAs("2020-06-06T05:55:41.5Z")) })
}

func TestBeSameInstantAsWrongActual(t *testing.T) {
	expectOneFailure(t, "BeSameInstantAs expects a string, got:\n    <int>: 1591422941",
		func() { Expect(1591422941).To(BeSameInstantAs("2020-06-06T05:55:41Z")) })
}
