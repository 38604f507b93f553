package contract

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

const (
	wantRFC3339 = "an RFC 3339 date-time (§5.6)"
	wantUTCSecs = "a date-time in the documented form yyyy-MM-ddTHH:mm:ssZ (UTC, whole seconds, e.g. 2020-10-30T10:50:50Z)"
)

func timeViolation(id, value, want, reason string) []Violation {
	return []Violation{{Assertion: id, Message: fmt.Sprintf("%q is not %s: %s", value, want, reason)}}
}

// CheckRFC3339 reports whether s is a date-time as RFC 3339 §5.6 defines it
// (TIME-01): full-date, 'T' (or 't'), hh:mm:ss with seconds required, an
// optional fraction, and 'Z' (or 'z') or a numeric offset ±hh:mm. Dates
// must exist (no 2021-02-29), hours stop at 23 (no 24:00), and second 60 is
// accepted only for a leap second at 23:59:60 UTC. nil means it is one.
func CheckRFC3339(s string) []Violation {
	if p := rfc3339Problem(s); p != "" {
		return timeViolation("TIME-01", s, wantRFC3339, p)
	}
	return nil
}

// CheckRFC3339UTCSeconds reports whether s has exactly the documented form
// yyyy-MM-ddTHH:mm:ssZ (TIME-02): a valid RFC 3339 instant in UTC with 'Z',
// whole seconds, upper-case 'T' and 'Z'. The one violation names every
// departure.
func CheckRFC3339UTCSeconds(s string) []Violation {
	if p := rfc3339Problem(s); p != "" {
		return timeViolation("TIME-02", s, wantUTCSecs, "it is not even an RFC 3339 date-time: "+p)
	}
	var problems []string
	if s[10] == 't' {
		problems = append(problems, "it uses a lower-case 't' separator")
	}
	rest := s[19:]
	if strings.HasPrefix(rest, ".") {
		end := 1
		for end < len(rest) && isDigit(rest[end]) {
			end++
		}
		problems = append(problems, fmt.Sprintf("it has fractional seconds (%s)", rest[:end]))
		rest = rest[end:]
	}
	switch rest {
	case "Z":
	case "z":
		problems = append(problems, "it uses a lower-case 'z'")
	default:
		problems = append(problems, fmt.Sprintf("it has the offset %s instead of 'Z' (UTC)", rest))
	}
	if len(problems) > 0 {
		return timeViolation("TIME-02", s, wantUTCSecs, strings.Join(problems, "; "))
	}
	return nil
}

// ParseRFC3339 parses exactly what CheckRFC3339 accepts, which Go's
// time.RFC3339 layout does not all accept: lower-case 't' and 'z' (RFC 3339
// §5.6 NOTE) and the leap second 23:59:60, read as the next second since
// Go has no leap seconds. The error says what is wrong, as CheckRFC3339.
func ParseRFC3339(s string) (time.Time, error) {
	if p := rfc3339Problem(s); p != "" {
		return time.Time{}, fmt.Errorf("%q is not %s: %s", s, wantRFC3339, p)
	}
	b := []byte(s)
	b[10] = 'T'
	if last := len(b) - 1; b[last] == 'z' {
		b[last] = 'Z'
	}
	leap := b[17] == '6' && b[18] == '0'
	if leap {
		b[17], b[18] = '5', '9'
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		// rfc3339Problem and time.Parse disagree: a bug here, not in s.
		return time.Time{}, errors.New("contract: ParseRFC3339: " + err.Error())
	}
	if leap {
		t = t.Add(time.Second)
	}
	return t, nil
}

// SameInstant reports whether a and b are RFC 3339 date-times naming the
// same instant at second precision (fractions are cut, not rounded: the
// documented form has whole seconds), whatever their offsets and case. When
// they are not, why says so for people: the difference, or which one is
// not a date-time.
func SameInstant(a, b string) (same bool, why string) {
	ta, errA := ParseRFC3339(a)
	tb, errB := ParseRFC3339(b)
	switch {
	case errA != nil:
		return false, errA.Error()
	case errB != nil:
		return false, errB.Error()
	}
	ta, tb = ta.Truncate(time.Second), tb.Truncate(time.Second)
	if ta.Equal(tb) {
		return true, ""
	}
	return false, fmt.Sprintf("%q is %s and %q is %s, %s apart",
		a, ta.UTC().Format(time.RFC3339), b, tb.UTC().Format(time.RFC3339), tb.Sub(ta).Abs())
}

// rfc3339Problem returns "" when s is an RFC 3339 date-time, else what is
// wrong with it, for people: the first problem found, left to right.
func rfc3339Problem(s string) string {
	if len(s) == 0 {
		return "it is empty"
	}
	// full-date = yyyy-MM-dd
	if len(s) < 10 || !digits(s[0:4]) || s[4] != '-' || !digits(s[5:7]) || s[7] != '-' || !digits(s[8:10]) {
		return "it does not start with a full date yyyy-MM-dd"
	}
	year, month, day := atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10])
	if month < 1 || month > 12 {
		return fmt.Sprintf("month %02d does not exist (01-12)", month)
	}
	if day < 1 || day > daysIn(year, month) {
		return fmt.Sprintf("day %02d does not exist in %04d-%02d", day, year, month)
	}
	if len(s) == 10 {
		return "it is a date without a time; a date-time needs 'T' and hh:mm:ss after the date"
	}
	switch s[10] {
	case 'T', 't':
	case ' ':
		return "the date and the time are separated by a space; RFC 3339 requires 'T'"
	default:
		return fmt.Sprintf("the date must be followed by 'T', not %q", s[10:11])
	}
	// partial-time = hh:mm:ss[.frac]
	t := s[11:]
	if len(t) < 5 || !digits(t[0:2]) || t[2] != ':' || !digits(t[3:5]) {
		return "the time must be hh:mm:ss after the 'T'"
	}
	if len(t) < 8 || t[5] != ':' || !digits(t[6:8]) {
		return "the seconds are missing; RFC 3339 requires hh:mm:ss"
	}
	hour, minute, second := atoi(t[0:2]), atoi(t[3:5]), atoi(t[6:8])
	if hour > 23 {
		return fmt.Sprintf("hour %02d does not exist (00-23; 24:00 is not RFC 3339)", hour)
	}
	if minute > 59 {
		return fmt.Sprintf("minute %02d does not exist (00-59)", minute)
	}
	if second > 60 {
		return fmt.Sprintf("second %02d does not exist (00-59, or 60 for a leap second)", second)
	}
	rest := t[8:]
	if len(rest) > 0 && rest[0] == ',' {
		return "fractional seconds must follow a '.', not a ','"
	}
	if len(rest) > 0 && rest[0] == '.' {
		end := 1
		for end < len(rest) && isDigit(rest[end]) {
			end++
		}
		if end == 1 {
			return "the '.' must be followed by at least one digit of fractional seconds"
		}
		rest = rest[end:]
	}
	// time-offset = Z / ±hh:mm
	offsetMinutes := 0
	switch {
	case len(rest) == 0:
		return "there is no time zone; RFC 3339 requires 'Z' or an offset ±hh:mm"
	case rest[0] == 'Z' || rest[0] == 'z':
		if len(rest) > 1 {
			return fmt.Sprintf("unexpected %q after the time zone", rest[1:])
		}
	case rest[0] == '+' || rest[0] == '-':
		off := rest[1:]
		if len(off) < 5 || !digits(off[0:2]) || off[2] != ':' || !digits(off[3:5]) {
			if len(off) >= 4 && digits(off[0:4]) {
				return fmt.Sprintf("the offset %s lacks the colon; RFC 3339 requires ±hh:mm", rest)
			}
			return fmt.Sprintf("the offset %s is not ±hh:mm", rest)
		}
		oh, om := atoi(off[0:2]), atoi(off[3:5])
		if oh > 23 || om > 59 {
			return fmt.Sprintf("the offset %s is out of range (hours 00-23, minutes 00-59)", rest[:6])
		}
		if len(off) > 5 {
			return fmt.Sprintf("unexpected %q after the time zone", off[5:])
		}
		offsetMinutes = oh*60 + om
		if rest[0] == '-' {
			offsetMinutes = -offsetMinutes
		}
	default:
		return fmt.Sprintf("the time zone %q is neither 'Z' nor an offset ±hh:mm", rest)
	}
	if second == 60 {
		utc := ((hour*60+minute-offsetMinutes)%1440 + 1440) % 1440
		if utc != 23*60+59 {
			return "second 60 is only valid for a leap second, at 23:59:60 UTC"
		}
	}
	return ""
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) != 0
}

// atoi converts a string of ASCII digits (already checked).
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
