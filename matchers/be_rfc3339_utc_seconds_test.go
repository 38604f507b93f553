package matchers_test

import (
	"testing"

	. "github.com/onsi/gomega"

	. "github.com/chatconform/chatconform/matchers"
)

func TestBeRFC3339UTCSeconds(t *testing.T) {
	for _, s := range []string{"1970-01-01T00:00:00Z", "2020-10-30T10:50:50Z", "2016-12-31T23:59:60Z"} {
		expectNoFailure(t, func() { Expect(s).To(BeRFC3339UTCSeconds()) })
	}
	const want = "Expected a date-time of the form yyyy-MM-ddTHH:mm:ssZ, but:\n    [TIME-02] "
	const form = " is not a date-time in the documented form yyyy-MM-ddTHH:mm:ssZ (UTC, whole seconds, e.g. 2020-10-30T10:50:50Z): "
	for s, why := range map[string]string{
		"2020-06-06T05:55:41.6460000Z":      `"2020-06-06T05:55:41.6460000Z"` + form + `it has fractional seconds (.6460000)`,
		"2020-06-06T05:55:41+00:00":         `"2020-06-06T05:55:41+00:00"` + form + `it has the offset +00:00 instead of 'Z' (UTC)`,
		"2025-06-11T22:20:17.0404706+00:00": `"2025-06-11T22:20:17.0404706+00:00"` + form + `it has fractional seconds (.0404706); it has the offset +00:00 instead of 'Z' (UTC)`,
		"2020-06-06 05:55:41":               `"2020-06-06 05:55:41"` + form + `it is not even an RFC 3339 date-time: the date and the time are separated by a space; RFC 3339 requires 'T'`,
	} {
		expectOneFailure(t, want+why, func() { Expect(s).To(BeRFC3339UTCSeconds()) })
	}
	expectOneFailure(t, `Expected "1970-01-01T00:00:00Z" not to have the form yyyy-MM-ddTHH:mm:ssZ, but it has`,
		func() { Expect("1970-01-01T00:00:00Z").NotTo(BeRFC3339UTCSeconds()) })
	expectNoFailure(t, func() { Expect("2020-06-06T05:55:41.5Z").NotTo(BeRFC3339UTCSeconds()) })
}

func TestBeRFC3339UTCSecondsWrongActual(t *testing.T) {
	expectOneFailure(t, "BeRFC3339UTCSeconds expects a string, got:\n    <[]uint8 | len:20, cap:20>: \"1970-01-01T00:00:00Z\"",
		func() { Expect([]byte("1970-01-01T00:00:00Z")).To(BeRFC3339UTCSeconds()) })
}
