package contract

import (
	"strings"
	"testing"
	"time"
)

func TestCheckRFC3339Accepts(t *testing.T) {
	for _, s := range []string{
		"1970-01-01T00:00:00Z",
		"2020-06-06T05:55:41Z",
		"2020-06-06T05:55:41.6460000Z",
		"2020-06-06T05:55:41.1Z",
		"2020-06-06t05:55:41z",
		"2020-06-06T05:55:41+01:00",
		"2020-06-06T05:55:41-00:00",
		"2025-06-11T22:20:17.0404706+00:00",
		"2024-02-29T23:59:59Z",
		"2000-02-29T00:00:00Z",
		"2016-12-31T23:59:60Z",
		"2016-12-31T18:59:60-05:00",
		"0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59.999999999+23:59",
	} {
		if err := CheckRFC3339(s); err != nil {
			t.Errorf("CheckRFC3339(%q) = %v", s, err)
		}
	}
}

func TestCheckRFC3339Rejects(t *testing.T) {
	const pre = "TIME-01: "
	for s, want := range map[string]string{
		"":                           `"" is not an RFC 3339 date-time (§5.6): it is empty`,
		"yesterday":                  `"yesterday" is not an RFC 3339 date-time (§5.6): it does not start with a full date yyyy-MM-dd`,
		"2020-06-06 05:55:41":        `"2020-06-06 05:55:41" is not an RFC 3339 date-time (§5.6): the date and the time are separated by a space; RFC 3339 requires 'T'`,
		"2020-06-06T05:55:41":        `"2020-06-06T05:55:41" is not an RFC 3339 date-time (§5.6): there is no time zone; RFC 3339 requires 'Z' or an offset ±hh:mm`,
		"2020-06-06T05:55Z":          `"2020-06-06T05:55Z" is not an RFC 3339 date-time (§5.6): the seconds are missing; RFC 3339 requires hh:mm:ss`,
		"2020-06-06":                 `"2020-06-06" is not an RFC 3339 date-time (§5.6): it is a date without a time; a date-time needs 'T' and hh:mm:ss after the date`,
		"2020-13-45T25:61:00Z":       `"2020-13-45T25:61:00Z" is not an RFC 3339 date-time (§5.6): month 13 does not exist (01-12)`,
		"2021-02-29T00:00:00Z":       `"2021-02-29T00:00:00Z" is not an RFC 3339 date-time (§5.6): day 29 does not exist in 2021-02`,
		"1900-02-29T00:00:00Z":       `"1900-02-29T00:00:00Z" is not an RFC 3339 date-time (§5.6): day 29 does not exist in 1900-02`,
		"2020-04-31T00:00:00Z":       `"2020-04-31T00:00:00Z" is not an RFC 3339 date-time (§5.6): day 31 does not exist in 2020-04`,
		"2020-06-00T00:00:00Z":       `"2020-06-00T00:00:00Z" is not an RFC 3339 date-time (§5.6): day 00 does not exist in 2020-06`,
		"2020-06-06T24:00:00Z":       `"2020-06-06T24:00:00Z" is not an RFC 3339 date-time (§5.6): hour 24 does not exist (00-23; 24:00 is not RFC 3339)`,
		"2020-06-06T05:60:00Z":       `"2020-06-06T05:60:00Z" is not an RFC 3339 date-time (§5.6): minute 60 does not exist (00-59)`,
		"2020-06-06T05:55:61Z":       `"2020-06-06T05:55:61Z" is not an RFC 3339 date-time (§5.6): second 61 does not exist (00-59, or 60 for a leap second)`,
		"2020-06-06T05:55:60Z":       `"2020-06-06T05:55:60Z" is not an RFC 3339 date-time (§5.6): second 60 is only valid for a leap second, at 23:59:60 UTC`,
		"2020-06-06T05:55:41.Z":      `"2020-06-06T05:55:41.Z" is not an RFC 3339 date-time (§5.6): the '.' must be followed by at least one digit of fractional seconds`,
		"2020-06-06T05:55:41,5Z":     `"2020-06-06T05:55:41,5Z" is not an RFC 3339 date-time (§5.6): fractional seconds must follow a '.', not a ','`,
		"2020-06-06T05:55:41+0100":   `"2020-06-06T05:55:41+0100" is not an RFC 3339 date-time (§5.6): the offset +0100 lacks the colon; RFC 3339 requires ±hh:mm`,
		"2020-06-06T05:55:41+01":     `"2020-06-06T05:55:41+01" is not an RFC 3339 date-time (§5.6): the offset +01 is not ±hh:mm`,
		"2020-06-06T05:55:41+24:00":  `"2020-06-06T05:55:41+24:00" is not an RFC 3339 date-time (§5.6): the offset +24:00 is out of range (hours 00-23, minutes 00-59)`,
		"2020-06-06T05:55:41ZZ":      `"2020-06-06T05:55:41ZZ" is not an RFC 3339 date-time (§5.6): unexpected "Z" after the time zone`,
		"2020-06-06T05:55:41+01:00Z": `"2020-06-06T05:55:41+01:00Z" is not an RFC 3339 date-time (§5.6): unexpected "Z" after the time zone`,
		"2020-06-06T05:55:41 UTC":    `"2020-06-06T05:55:41 UTC" is not an RFC 3339 date-time (§5.6): the time zone " UTC" is neither 'Z' nor an offset ±hh:mm`,
		"2020-06-06X05:55:41Z":       `"2020-06-06X05:55:41Z" is not an RFC 3339 date-time (§5.6): the date must be followed by 'T', not "X"`,
		"2020-6-6T05:55:41Z":         `"2020-6-6T05:55:41Z" is not an RFC 3339 date-time (§5.6): it does not start with a full date yyyy-MM-dd`,
		"2020-06-06T5:55:41Z":        `"2020-06-06T5:55:41Z" is not an RFC 3339 date-time (§5.6): the time must be hh:mm:ss after the 'T'`,
		"1591422941":                 `"1591422941" is not an RFC 3339 date-time (§5.6): it does not start with a full date yyyy-MM-dd`,
		"6/6/2020 5:55:41 AM +00:00": `"6/6/2020 5:55:41 AM +00:00" is not an RFC 3339 date-time (§5.6): it does not start with a full date yyyy-MM-dd`,
	} {
		err := CheckRFC3339(s)
		if err == nil {
			t.Errorf("CheckRFC3339(%q) accepted it", s)
			continue
		}
		if err.Error() != pre+want {
			t.Errorf("CheckRFC3339(%q)\n got: %s\nwant: %s", s, err, pre+want)
		}
	}
}

func TestCheckRFC3339UTCSeconds(t *testing.T) {
	for _, s := range []string{"1970-01-01T00:00:00Z", "2020-10-30T10:50:50Z", "2016-12-31T23:59:60Z"} {
		if err := CheckRFC3339UTCSeconds(s); err != nil {
			t.Errorf("CheckRFC3339UTCSeconds(%q) = %v", s, err)
		}
	}
	const form = `is not a date-time in the documented form yyyy-MM-ddTHH:mm:ssZ (UTC, whole seconds, e.g. 2020-10-30T10:50:50Z): `
	for s, want := range map[string]string{
		"2020-06-06T05:55:41.6460000Z":      `TIME-02: "2020-06-06T05:55:41.6460000Z" ` + form + `it has fractional seconds (.6460000)`,
		"2020-06-06T05:55:41+00:00":         `TIME-02: "2020-06-06T05:55:41+00:00" ` + form + `it has the offset +00:00 instead of 'Z' (UTC)`,
		"2020-06-06t05:55:41z":              `TIME-02: "2020-06-06t05:55:41z" ` + form + `it uses a lower-case 't' separator; it uses a lower-case 'z'`,
		"2025-06-11T22:20:17.0404706+00:00": `TIME-02: "2025-06-11T22:20:17.0404706+00:00" ` + form + `it has fractional seconds (.0404706); it has the offset +00:00 instead of 'Z' (UTC)`,
		"2020-06-06 05:55:41":               `TIME-02: "2020-06-06 05:55:41" is not a date-time in the documented form yyyy-MM-ddTHH:mm:ssZ (UTC, whole seconds, e.g. 2020-10-30T10:50:50Z): it is not even an RFC 3339 date-time: the date and the time are separated by a space; RFC 3339 requires 'T'`,
		"2021-02-29T00:00:00Z":              `TIME-02: "2021-02-29T00:00:00Z" is not a date-time in the documented form yyyy-MM-ddTHH:mm:ssZ (UTC, whole seconds, e.g. 2020-10-30T10:50:50Z): it is not even an RFC 3339 date-time: day 29 does not exist in 2021-02`,
	} {
		err := CheckRFC3339UTCSeconds(s)
		if err == nil || err.Error() != want {
			t.Errorf("CheckRFC3339UTCSeconds(%q)\n got: %v\nwant: %s", s, err, want)
		}
	}
}

// FuzzCheckRFC3339 cross-checks the checker with time.Parse: whatever it
// accepts, Go must parse too, except where RFC 3339 allows what Go refuses
// (lower-case t/z, leap seconds). Go is laxer elsewhere (one-digit hours, a
// ',' before the fraction), so the converse is not required.
func FuzzCheckRFC3339(f *testing.F) {
	for _, s := range []string{"2020-06-06T05:55:41Z", "2020-06-06T05:55:41.5+01:00", "2016-12-31T23:59:60Z", "2020-06-06 05:55:41", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckRFC3339(s) != nil || strings.ContainsAny(s, "tz") || s[17:19] == "60" {
			return
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			t.Fatalf("CheckRFC3339 accepts %q, time.Parse refuses it: %v", s, err)
		}
	})
}
