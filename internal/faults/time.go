package faults

import (
	"net/http"
	"time"
)

// editTimes rewrites every shareHistoryTime in listings.
func editTimes(edit func(s string) string) func(Deps, http.Handler) http.Handler {
	return editListed(func(p map[string]any) {
		if s, ok := p["shareHistoryTime"].(string); ok {
			p["shareHistoryTime"] = edit(s)
		}
	})
}

// editInstants rewrites every shareHistoryTime that is an RFC 3339
// date-time in listings: f writes its instant.
func editInstants(f func(t time.Time) string) func(Deps, http.Handler) http.Handler {
	return editTimes(func(s string) string { return parsed(s, f) })
}

func parsed(s string, f func(t time.Time) string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return f(t)
}

// A time that is not RFC 3339 also breaks the listing's schema (LIST-01:
// format date-time) and everything that reads the instant.
var timeCollateral = []string{"TIME-02", "TIME-03", "ADD-08", "LIST-01"}

func timeFaults() []Fault {
	return []Fault{
		{
			Name:       "time-without-zone",
			Mistake:    "formats shareHistoryTime with a layout that drops the zone",
			Trips:      []string{"TIME-01"},
			Collateral: timeCollateral,
			Wrap:       editInstants(func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }),
		},
		{
			Name:       "time-space-separator",
			Mistake:    "formats shareHistoryTime as 2020-06-06 05:55:41 (a database's default)",
			Trips:      []string{"TIME-01"},
			Collateral: timeCollateral,
			Wrap:       editInstants(func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }),
		},
		{
			Name:    "time-fractional-seconds",
			Mistake: "returns shareHistoryTime with seven fractional digits, as .NET's round-trip format does",
			Trips:   []string{"TIME-02"},
			Wrap:    editInstants(func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }),
		},
		{
			Name:    "time-local-offset",
			Mistake: "returns shareHistoryTime in the server's local zone (+01:00) instead of UTC",
			Trips:   []string{"TIME-02"},
			Wrap:    editInstants(func(t time.Time) string { return t.In(time.FixedZone("CET", 3600)).Format(time.RFC3339) }),
		},
		{
			Name:    "time-shifted-an-hour",
			Mistake: "stores shareHistoryTime as local time and returns it as UTC, an hour off",
			// ADD-04 judges the shareHistoryTime sent on every listing after an add.
			Trips:      []string{"TIME-03", "ADD-04"},
			Collateral: []string{"ADD-08"},
			Wrap: editTimes(func(s string) string {
				return parsed(s, func(t time.Time) string {
					if t.Unix() == 0 {
						return s
					}
					return t.Add(time.Hour).UTC().Format(time.RFC3339)
				})
			}),
		},
		{
			Name:       "time-ignores-sent-value",
			Mistake:    "ignores the shareHistoryTime sent and always stores the default",
			Trips:      []string{"TIME-03"},
			Collateral: []string{"ADD-08"},
			Wrap:       editTimes(func(string) string { return "1970-01-01T00:00:00Z" }),
		},
		{
			Name:    "time-invalid-stored-and-echoed",
			Mistake: "stores shareHistoryTime as an opaque string without validating it",
			Trips:   []string{"TIME-04"},
			Wrap:    invalidTimeEchoed(),
		},
		{
			Name:       "time-invalid-500",
			Mistake:    "crashes parsing a shareHistoryTime that is not RFC 3339",
			Trips:      []string{"TIME-04"},
			Collateral: []string{"ERR-09"}, // the corpus has invalid times too
			Wrap: rewrite(isAdd, func(r *http.Request, c *captured) {
				if c.status == http.StatusBadRequest && hasInvalidTime(readBody(r)) {
					answered(http.StatusInternalServerError, envelope("InternalServerError", "parsing time"))(c)
				}
			}),
		},
	}
}

func hasInvalidTime(body []byte) bool {
	for _, p := range addRequest(body) {
		if s, ok := p["shareHistoryTime"].(string); ok {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return true
			}
		}
	}
	return false
}

// invalidTimeEchoed lets an invalid time through (the reference server gets
// the default instead) and echoes the invalid text in listings.
func invalidTimeEchoed() func(Deps, http.Handler) http.Handler {
	stored := newMemory()
	return chain(before(func(r *http.Request) {
		editAdd(r, func(_ map[string]any, ps []any) bool {
			if !hasInvalidTime(readBody(r)) {
				return false
			}
			objects(ps, func(p map[string]any) {
				if s, ok := p["shareHistoryTime"].(string); ok {
					if _, err := time.Parse(time.RFC3339, s); err != nil {
						stored.set(threadOf(r), rawID(p), s)
						delete(p, "shareHistoryTime")
					}
				}
			})
			return true
		})
	}), rewrite(isList, func(r *http.Request, c *captured) {
		participants(c, func(p map[string]any) {
			if s, ok := stored.get(threadOf(r), rawID(p)); ok {
				p["shareHistoryTime"] = s
			}
		})
	}))
}
