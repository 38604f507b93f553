package faults

import (
	"bytes"
	"net/http"
	"slices"
	"strings"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/wire"
)

// versionFaults mix api-versions up: each runs at the version it concerns.
func versionFaults() []Fault {
	return []Fault{
		{
			Name:       "nextlink-switches-api-version",
			Mistake:    "builds nextLink with the api-version it was written for (2025-03-15), not the one the listing was asked with",
			Trips:      []string{"PAGE-04"},
			Collateral: []string{"REM-05"}, // its walks are PAGE-04's too
			APIVersion: wire.APIVersion20210907,
			Wrap: rewrite(isList, func(r *http.Request, c *captured) {
				c.body = bytes.ReplaceAll(c.body, []byte("api-version="+wire.APIVersion20210907), []byte("api-version="+wire.APIVersionLatest))
			}),
		},
		{
			Name:       "metadata-only-on-preview",
			Mistake:    "implements participant metadata for 2024-03-15-preview only and drops it at 2025-03-15, which documents it too",
			Trips:      []string{"META-01", "META-02"},
			APIVersion: wire.APIVersion20250315,
			Wrap: before(func(r *http.Request) {
				editAdd(r, func(_ map[string]any, ps []any) bool {
					objects(ps, func(p map[string]any) { delete(p, "metadata") })
					return true
				})
			}),
		},
		{
			Name:       "latest-version-for-every-version",
			Mistake:    "ignores the api-version a request asks for and answers every one as 2025-03-15, participant metadata included",
			Trips:      []string{"META-03"},
			APIVersion: wire.APIVersion20240307,
			Wrap:       answerAsLatest,
		},
		{
			Name:    "supported-versions-header-missing",
			Mistake: "does not send api-supported-versions",
			Trips:   []string{"VER-01"},
			Wrap: rewrite(isChat, func(_ *http.Request, c *captured) {
				c.header.Del(contract.SupportedVersionsHeader)
			}),
		},
		{
			Name:       "supported-versions-stale",
			Mistake:    "serves 2021-03-07 but left it out of the api-supported-versions list",
			Trips:      []string{"VER-01"},
			APIVersion: wire.APIVersion20210307,
			Wrap: rewrite(isChat, func(_ *http.Request, c *captured) {
				var kept []string
				for _, v := range strings.Split(c.header.Get(contract.SupportedVersionsHeader), ",") {
					if v = strings.TrimSpace(v); v != wire.APIVersion20210307 {
						kept = append(kept, v)
					}
				}
				c.header.Set(contract.SupportedVersionsHeader, strings.Join(kept, ", "))
			}),
		},
	}
}

// withSupportedVersions makes every chat response of a fault that is not
// about api-supported-versions carry the header as the reference server
// sends it: a fault models one defect, and the answers it writes itself
// (a crash, a canned body) would otherwise lack the header and trip VER-01.
func withSupportedVersions(fs []Fault) []Fault {
	list := strings.Join(wire.SupportedChatVersions, ", ")
	for i, f := range fs {
		if slices.Contains(f.Trips, "VER-01") {
			continue
		}
		wrap := f.Wrap
		fs[i].Wrap = func(d Deps, next http.Handler) http.Handler {
			inner := wrap(d, next)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if isChat(r) {
					w.Header().Set(contract.SupportedVersionsHeader, list)
				}
				inner.ServeHTTP(w, r)
			})
		}
	}
	return fs
}

// answerAsLatest serves every chat request as api-version 2025-03-15, and
// puts the version asked for back into the nextLinks, so that only what
// the version documents differs.
func answerAsLatest(_ Deps, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked := r.URL.Query().Get("api-version")
		if !isChat(r) || !wire.KnownChatVersion(asked) {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		q.Set("api-version", wire.APIVersionLatest)
		r.URL.RawQuery = q.Encode()
		c := capture(next, r)
		c.body = bytes.ReplaceAll(c.body, []byte("api-version="+wire.APIVersionLatest), []byte("api-version="+asked))
		c.write(w)
	})
}
