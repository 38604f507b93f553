package matchers_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	. "github.com/chatconform/chatconform/matchers"
)

func TestBeRFC3339(t *testing.T) {
	for _, s := range []string{
		"1970-01-01T00:00:00Z", // the service default, seen in every recording
		"2020-06-06T05:55:41Z",
		"2020-06-06T05:55:41.6460000Z", // the spec example's createdOn
		"2025-06-11T22:20:17.0404706+00:00",
		"2020-06-06t05:55:41z",
	} {
		expectNoFailure(t, func() { Expect(s).To(BeRFC3339()) })
	}
	for s, want := range map[string]string{
		"2020-06-06 05:55:41": `Expected an RFC 3339 date-time, but:
    [TIME-01] "2020-06-06 05:55:41" is not an RFC 3339 date-time (§5.6): the date and the time are separated by a space; RFC 3339 requires 'T'`,
		"yesterday": `Expected an RFC 3339 date-time, but:
    [TIME-01] "yesterday" is not an RFC 3339 date-time (§5.6): it does not start with a full date yyyy-MM-dd`,
		"2020-13-45T25:61:00Z": `Expected an RFC 3339 date-time, but:
    [TIME-01] "2020-13-45T25:61:00Z" is not an RFC 3339 date-time (§5.6): month 13 does not exist (01-12)`,
		"2020-06-06T05:55:41": `Expected an RFC 3339 date-time, but:
    [TIME-01] "2020-06-06T05:55:41" is not an RFC 3339 date-time (§5.6): there is no time zone; RFC 3339 requires 'Z' or an offset ±hh:mm`,
		"2020-06-06T24:00:00Z": `Expected an RFC 3339 date-time, but:
    [TIME-01] "2020-06-06T24:00:00Z" is not an RFC 3339 date-time (§5.6): hour 24 does not exist (00-23; 24:00 is not RFC 3339)`,
	} {
		expectOneFailure(t, want, func() { Expect(s).To(BeRFC3339()) })
	}
	expectOneFailure(t, `Expected "1970-01-01T00:00:00Z" not to be an RFC 3339 date-time, but it is one`,
		func() { Expect("1970-01-01T00:00:00Z").NotTo(BeRFC3339()) })
	expectNoFailure(t, func() { Expect("2020-06-06 05:55:41").NotTo(BeRFC3339()) })
}

func TestBeRFC3339WrongActual(t *testing.T) {
	expectOneFailure(t, "BeRFC3339 expects a string, got:\n    <int>: 1591422941", func() { Expect(1591422941).To(BeRFC3339()) })
	s := "1970-01-01T00:00:00Z"
	got := failures(func() { Expect(&s).To(BeRFC3339()) })
	if len(got) != 1 || !strings.HasPrefix(got[0], "BeRFC3339 expects a string, got:\n    <*string | 0x") {
		t.Errorf("pointer actual: %q", got)
	}
}
