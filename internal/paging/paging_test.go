package paging

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// server fakes a listing of n ids at page size k, with a mutation applied
// to the page about to be returned.
func server(n, k int, mutate func(page int, c *wire.ParticipantsCollection)) Fetch {
	return func(_ context.Context, link string) (*transcript.Response, error) {
		skip := 0
		if link != "" {
			skip, _ = strconv.Atoi(link[len("https://h/p?skip="):])
		}
		c := wire.ParticipantsCollection{Value: []wire.Participant{}}
		for i := skip; i < min(n, skip+k); i++ {
			c.Value = append(c.Value, wire.Participant{CommunicationIdentifier: wire.UserIdentifier(fmt.Sprintf("8:acs:r_%d", i))})
		}
		if skip+k < n {
			c.NextLink = fmt.Sprintf("https://h/p?skip=%d", skip+k)
		}
		if mutate != nil {
			mutate(skip/k, &c)
		}
		b, _ := json.Marshal(c)
		return &transcript.Response{Status: 200, Body: b, Exchange: &transcript.Exchange{}}, nil
	}
}

func all(n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("8:acs:r_%d", i))
	}
	return ids
}

func TestCorrectChainsPassEveryCheck(t *testing.T) {
	for _, tc := range []struct{ n, k int }{{6, 1}, {6, 2}, {6, 4}, {6, 6}, {6, 7}, {1, 1}, {250, 100}} {
		w, err := Follow(context.Background(), server(tc.n, tc.k, nil), Bound(tc.n, tc.k))
		if err != nil {
			t.Fatal(err)
		}
		findings := slices.Concat(CheckPageSizes(w, tc.k), CheckExactlyOnce(w, all(tc.n)), CheckNextLinks(w, tc.n, tc.k))
		if len(findings) > 0 {
			t.Errorf("n=%d k=%d: %v", tc.n, tc.k, findings)
		}
	}
}

func TestDefectsAreFound(t *testing.T) {
	cases := map[string]struct {
		mutate func(int, *wire.ParticipantsCollection)
		check  func(Walk) []string
		want   string
	}{
		"oversized page": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 0 {
					c.Value = append(c.Value, c.Value[0])
				}
			},
			func(w Walk) []string { return CheckPageSizes(w, 2) },
			"page 1 has 3 participants but maxPageSize is 2",
		},
		"overlap": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 1 {
					c.Value[0] = wire.Participant{CommunicationIdentifier: wire.UserIdentifier("8:acs:r_1")}
				}
			},
			func(w Walk) []string { return CheckExactlyOnce(w, all(6)) },
			"8:acs:r_1 appears 2 times, on pages [1 2] (pages overlap)",
		},
		"dropped nextLink": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 1 {
					c.NextLink = ""
				}
			},
			func(w Walk) []string { return CheckNextLinks(w, 6, 2) },
			"page 2 has no nextLink although only 4 of 6 participants were returned so far",
		},
		"cycle": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 2 {
					c.NextLink = "https://h/p?skip=0"
				}
			},
			func(w Walk) []string { return CheckNextLinks(w, 6, 2) },
			"the nextLink chain did not end within 4 pages (6 participants at maxPageSize=2 need 3): an endless chain or a cycle",
		},
		"link without api-version": {
			nil,
			func(w Walk) []string { return CheckLinkForm(w, "2024-03-07") },
			`page 1: nextLink "https://h/p?skip=2" carries no api-version`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w, err := Follow(context.Background(), server(6, 2, tc.mutate), Bound(6, 2))
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.check(w); !slices.Contains(got, tc.want) {
				t.Errorf("findings %q\nwant one to be %q", got, tc.want)
			}
		})
	}
}

func TestFollowStopsOnNonCollection(t *testing.T) {
	fetch := func(context.Context, string) (*transcript.Response, error) {
		return &transcript.Response{Status: 200, Body: []byte("null garbage"), Exchange: &transcript.Exchange{}}, nil
	}
	if _, err := Follow(context.Background(), fetch, 3); err == nil {
		t.Fatal("a body that is not JSON must end the walk with an error")
	}
}

// BenchmarkPagingOracle judges a 250-participant listing walked at
// maxPageSize=2 (125 pages).
func BenchmarkPagingOracle(b *testing.B) {
	w, err := Follow(context.Background(), server(250, 2, nil), Bound(250, 2))
	if err != nil {
		b.Fatal(err)
	}
	want := all(250)
	b.ReportAllocs()
	for b.Loop() {
		_ = CheckPageSizes(w, 2)
		_ = CheckExactlyOnce(w, want)
		_ = CheckNextLinks(w, 250, 2)
		_ = CheckLinkForm(w, "")
	}
}
