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
		if vs := CheckRFC3339(s); vs != nil {
			t.Errorf("CheckRFC3339(%q) = %v", s, vs)
		}
		if _, err := ParseRFC3339(s); err != nil {
			t.Errorf("ParseRFC3339(%q) = %v", s, err)
		}
	}
}

func TestCheckRFC3339Rejects(t *testing.T) {
	const pre = "[TIME-01] "
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
		vs := CheckRFC3339(s)
		if vs == nil {
			t.Errorf("CheckRFC3339(%q) accepted it", s)
			continue
		}
		if got := Format(vs, ""); got != pre+want {
			t.Errorf("CheckRFC3339(%q)\n got: %s\nwant: %s", s, got, pre+want)
		}
		if _, err := ParseRFC3339(s); err == nil || err.Error() != want {
			t.Errorf("ParseRFC3339(%q) error\n got: %v\nwant: %s", s, err, want)
		}
	}
}

func TestCheckRFC3339UTCSeconds(t *testing.T) {
	for _, s := range []string{"1970-01-01T00:00:00Z", "2020-10-30T10:50:50Z", "2016-12-31T23:59:60Z"} {
		if vs := CheckRFC3339UTCSeconds(s); vs != nil {
			t.Errorf("CheckRFC3339UTCSeconds(%q) = %v", s, vs)
		}
	}
	const form = `is not a date-time in the documented form yyyy-MM-ddTHH:mm:ssZ (UTC, whole seconds, e.g. 2020-10-30T10:50:50Z): `
	for s, want := range map[string]string{
		"2020-06-06T05:55:41.6460000Z":      `[TIME-02] "2020-06-06T05:55:41.6460000Z" ` + form + `it has fractional seconds (.6460000)`,
		"2020-06-06T05:55:41+00:00":         `[TIME-02] "2020-06-06T05:55:41+00:00" ` + form + `it has the offset +00:00 instead of 'Z' (UTC)`,
		"2020-06-06t05:55:41z":              `[TIME-02] "2020-06-06t05:55:41z" ` + form + `it uses a lower-case 't' separator; it uses a lower-case 'z'`,
		"2025-06-11T22:20:17.0404706+00:00": `[TIME-02] "2025-06-11T22:20:17.0404706+00:00" ` + form + `it has fractional seconds (.0404706); it has the offset +00:00 instead of 'Z' (UTC)`,
		"2020-06-06 05:55:41":               `[TIME-02] "2020-06-06 05:55:41" is not a date-time in the documented form yyyy-MM-ddTHH:mm:ssZ (UTC, whole seconds, e.g. 2020-10-30T10:50:50Z): it is not even an RFC 3339 date-time: the date and the time are separated by a space; RFC 3339 requires 'T'`,
		"2021-02-29T00:00:00Z":              `[TIME-02] "2021-02-29T00:00:00Z" is not a date-time in the documented form yyyy-MM-ddTHH:mm:ssZ (UTC, whole seconds, e.g. 2020-10-30T10:50:50Z): it is not even an RFC 3339 date-time: day 29 does not exist in 2021-02`,
	} {
		if got := Format(CheckRFC3339UTCSeconds(s), ""); got != want {
			t.Errorf("CheckRFC3339UTCSeconds(%q)\n got: %v\nwant: %s", s, got, want)
		}
	}
}

func TestParseRFC3339(t *testing.T) {
	for s, want := range map[string]string{
		"2020-06-06t05:55:41z":           "2020-06-06T05:55:41Z",
		"2020-06-06T05:55:41+05:30":      "2020-06-06T00:25:41Z",
		"2020-06-06T05:55:41.123456789Z": "2020-06-06T05:55:41.123456789Z",
		"2016-12-31T23:59:60Z":           "2017-01-01T00:00:00Z",
		"2016-12-31T18:59:60-05:00":      "2017-01-01T00:00:00Z",
	} {
		got, err := ParseRFC3339(s)
		if err != nil || got.UTC().Format(time.RFC3339Nano) != want {
			t.Errorf("ParseRFC3339(%q) = %v, %v; want %s", s, got, err, want)
		}
	}
}

func TestSameInstant(t *testing.T) {
	for _, c := range [][2]string{
		{"2020-06-06T05:55:41Z", "2020-06-06T05:55:41Z"},
		{"2020-06-06t05:55:41z", "2020-06-06T05:55:41Z"},
		{"2020-06-06T11:25:41+05:30", "2020-06-06T05:55:41Z"},
		{"2020-06-06T05:55:41.9990000Z", "2020-06-06T05:55:41Z"},
		{"2020-06-06T00:55:41.5-05:00", "2020-06-06t05:55:41.0z"},
	} {
		if same, why := SameInstant(c[0], c[1]); !same {
			t.Errorf("SameInstant(%q, %q) = false: %s", c[0], c[1], why)
		}
	}
	for _, c := range [][3]string{
		{"2020-06-06T05:55:42Z", "2020-06-06T05:55:41.999Z", `"2020-06-06T05:55:42Z" is 2020-06-06T05:55:42Z and "2020-06-06T05:55:41.999Z" is 2020-06-06T05:55:41Z, 1s apart`},
		{"2020-06-06T05:55:41+01:00", "2020-06-06T05:55:41Z", `"2020-06-06T05:55:41+01:00" is 2020-06-06T04:55:41Z and "2020-06-06T05:55:41Z" is 2020-06-06T05:55:41Z, 1h0m0s apart`},
		{"2020-06-06 05:55:41", "2020-06-06T05:55:41Z", `"2020-06-06 05:55:41" is not an RFC 3339 date-time (§5.6): the date and the time are separated by a space; RFC 3339 requires 'T'`},
		{"2020-06-06T05:55:41Z", "", `"" is not an RFC 3339 date-time (§5.6): it is empty`},
	} {
		if same, why := SameInstant(c[0], c[1]); same || why != c[2] {
			t.Errorf("SameInstant(%q, %q) = %v\n got: %s\nwant: %s", c[0], c[1], same, why, c[2])
		}
	}
}

// FuzzCheckRFC3339 cross-checks the checker with ParseRFC3339 (they accept
// the same) and time.Parse: whatever it accepts, Go must parse too, except
// where RFC 3339 allows what Go refuses (lower-case t/z, leap seconds). Go is laxer elsewhere (one-digit hours, a
// ',' before the fraction), so the converse is not required.
func FuzzCheckRFC3339(f *testing.F) {
	for _, s := range []string{"2020-06-06T05:55:41Z", "2020-06-06T05:55:41.5+01:00", "2016-12-31T23:59:60Z", "2020-06-06 05:55:41", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := ParseRFC3339(s)
		if (CheckRFC3339(s) == nil) != (err == nil) {
			t.Fatalf("CheckRFC3339 and ParseRFC3339 disagree on %q: %v", s, err)
		}
		if CheckRFC3339(s) != nil || strings.ContainsAny(s, "tz") || s[17:19] == "60" {
			return
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			t.Fatalf("CheckRFC3339 accepts %q, time.Parse refuses it: %v", s, err)
		}
	})
}
