package faults

import (
	"net/http"
	"strings"

	"github.com/chatconform/chatconform/internal/limits"
)

const preview = "2024-03-15-preview"

func metadataFaults() []Fault {
	return []Fault{
		{
			Name:       "metadata-dropped",
			Mistake:    "accepts participant metadata but never stores it",
			Trips:      []string{"META-01"},
			APIVersion: preview,
			Wrap:       editListed(func(p map[string]any) { delete(p, "metadata") }),
		},
		{
			Name:       "metadata-values-trimmed",
			Mistake:    "trims whitespace and lower-cases metadata values before storing them",
			Trips:      []string{"META-01"},
			APIVersion: preview,
			Wrap: editListed(func(p map[string]any) {
				if md, ok := p["metadata"].(map[string]any); ok {
					for k, v := range md {
						s, _ := v.(string)
						md[k] = strings.ToLower(strings.TrimSpace(s))
					}
				}
			}),
		},
		{
			Name:       "metadata-limit-unchecked",
			Mistake:    "does not enforce the 1 KB metadata limit (the oversized metadata is silently dropped)",
			Trips:      []string{"META-02"},
			APIVersion: preview,
			Wrap: before(func(r *http.Request) {
				editAdd(r, func(_ map[string]any, ps []any) bool {
					objects(ps, func(p map[string]any) {
						if md, ok := p["metadata"].(map[string]any); ok && metadataSize(md) > limits.MetadataBytes {
							delete(p, "metadata")
						}
					})
					return true // encoded again, changed or not
				})
			}),
		},
	}
}

func metadataSize(md map[string]any) int {
	n := 0
	for k, v := range md {
		s, _ := v.(string)
		n += len(k) + len(s)
	}
	return n
}
