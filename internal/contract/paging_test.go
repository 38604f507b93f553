package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

const linkBase = "https://h/chat/threads/19%3Aabc%40thread.v2/participants?"

// server fakes a listing of n ids at page size k, with a mutation applied
// to the page about to be returned. Its nextLinks carry skip first, then
// api-version.
func server(n, k int, mutate func(page int, c *wire.ParticipantsCollection)) Fetch {
	return func(_ context.Context, link string) (*transcript.Response, error) {
		skip := 0
		if link != "" {
			rest := strings.TrimPrefix(link, linkBase+"skip=")
			skip, _ = strconv.Atoi(rest[:strings.IndexByte(rest, '&')])
		}
		c := wire.ParticipantsCollection{Value: []wire.Participant{}}
		for i := skip; i < min(n, skip+k); i++ {
			c.Value = append(c.Value, wire.Participant{CommunicationIdentifier: wire.UserIdentifier(fmt.Sprintf("8:acs:r_%d", i))})
		}
		if skip+k < n {
			c.NextLink = fmt.Sprintf("%sskip=%d&api-version=2024-03-07", linkBase, skip+k)
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

func want(n, k int) WalkWant {
	return WalkWant{MaxPageSize: k, Unpaged: all(n), APIVersion: "2024-03-07"}
}

func walkOf(t testing.TB, fetch Fetch, n, k int) Walk {
	t.Helper()
	w, err := Follow(context.Background(), fetch, Bound(n, k))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestCorrectChainsPassEveryCheck(t *testing.T) {
	for _, tc := range []struct{ n, k int }{{6, 1}, {6, 2}, {6, 4}, {6, 6}, {6, 7}, {1, 1}, {0, 2}, {250, 100}} {
		w := walkOf(t, server(tc.n, tc.k, nil), tc.n, tc.k)
		if vs := CheckWalk(w, want(tc.n, tc.k)); vs != nil {
			t.Errorf("n=%d k=%d:\n%s", tc.n, tc.k, Format(vs, "  "))
		}
		if vs := CheckOrder(w, all(tc.n)); vs != nil {
			t.Errorf("n=%d k=%d: %v", tc.n, tc.k, vs)
		}
	}
}

// TestPermittedVariations: what the contract leaves to the server is never
// a violation.
func TestPermittedVariations(t *testing.T) {
	// One item per page although maxPageSize is 2: maxPageSize is a
	// maximum, and Bound leaves room for it.
	w := walkOf(t, server(6, 1, nil), 6, 2)
	if len(w.Pages) != 6 || w.Cut {
		t.Fatalf("pages = %d, cut = %v", len(w.Pages), w.Cut)
	}
	if vs := CheckWalk(w, want(6, 2)); vs != nil {
		t.Errorf("smaller pages:\n%s", Format(vs, "  "))
	}
	// Other query orders and opaque tokens, on another host.
	links := []string{
		"https://other.example/chat/threads/19:abc@thread.v2/participants?api-version=2024-03-07&skip=2",
		"http://127.0.0.1:8080/chat/threads/19%3Aabc%40thread.v2/participants?continuationToken=eyJvIjo0fQ&maxPageSize=2&api-version=2024-03-07",
	}
	w = Walk{Pages: []Page{
		{IDs: all(6)[0:2], Items: make([]wire.Participant, 2), NextLink: links[0]},
		{IDs: all(6)[2:4], Items: make([]wire.Participant, 2), NextLink: links[1]},
		{IDs: all(6)[4:6], Items: make([]wire.Participant, 2)},
	}}
	if vs := CheckWalk(w, want(6, 2)); vs != nil {
		t.Errorf("link variations:\n%s", Format(vs, "  "))
	}
}

func TestDefectsAreFound(t *testing.T) {
	cases := map[string]struct {
		mutate func(int, *wire.ParticipantsCollection)
		want   []string
	}{
		"oversized page": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 0 {
					c.Value = append(c.Value, wire.Participant{CommunicationIdentifier: wire.UserIdentifier("8:acs:r_2")})
				}
			},
			[]string{
				"[PAGE-01] page 1: 3 participants on the page, but maxPageSize is 2",
				"[PAGE-02] 8:acs:r_2 appears 2 times, on pages [1 2] (pages overlap)",
			},
		},
		"overlap": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 1 {
					c.Value[0] = wire.Participant{CommunicationIdentifier: wire.UserIdentifier("8:acs:r_1")}
				}
			},
			[]string{
				"[PAGE-02] 8:acs:r_1 appears 2 times, on pages [1 2] (pages overlap)",
				"[PAGE-02] 8:acs:r_2 is missing from every page (a gap)",
			},
		},
		"foreign id": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 2 {
					c.Value[1] = wire.Participant{CommunicationIdentifier: wire.UserIdentifier("8:acs:r_x")}
				}
			},
			[]string{
				"[PAGE-02] 8:acs:r_5 is missing from every page (a gap)",
				"[PAGE-02] 8:acs:r_x appears on pages [3] but is not in the unpaged listing",
			},
		},
		"dropped nextLink": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 1 {
					c.NextLink = ""
				}
			},
			[]string{
				"[PAGE-02] 8:acs:r_4 is missing from every page (a gap)",
				"[PAGE-02] 8:acs:r_5 is missing from every page (a gap)",
				"[PAGE-03] page 2: no nextLink, although only 4 of 6 participants were returned so far",
			},
		},
		"cycle": {
			func(p int, c *wire.ParticipantsCollection) {
				if p == 2 {
					c.NextLink = linkBase + "skip=0&api-version=2024-03-07"
				}
			},
			[]string{
				"[PAGE-02] 8:acs:r_0 appears 3 times, on pages [1 4 7] (pages overlap)",
				"[PAGE-02] 8:acs:r_1 appears 3 times, on pages [1 4 7] (pages overlap)",
				"[PAGE-02] 8:acs:r_2 appears 2 times, on pages [2 5] (pages overlap)",
				"[PAGE-02] 8:acs:r_3 appears 2 times, on pages [2 5] (pages overlap)",
				"[PAGE-02] 8:acs:r_4 appears 2 times, on pages [3 6] (pages overlap)",
				"[PAGE-02] 8:acs:r_5 appears 2 times, on pages [3 6] (pages overlap)",
				"[PAGE-03] page 3: still a nextLink (https://h/chat/threads/19%3Aabc%40thread.v2/participants?skip=0&api-version=2024-03-07), although all 6 participants were returned",
				"[PAGE-03] the nextLink chain did not end within 7 pages (6 participants at maxPageSize=2 need at most 6, even at one per page): an endless chain or a cycle",
			},
		},
		"link form": {
			func(p int, c *wire.ParticipantsCollection) {
				switch p {
				case 0:
					c.NextLink = strings.Replace(c.NextLink, "api-version=2024-03-07", "api-version=2023-11-07", 1)
				case 1:
					c.NextLink = strings.Replace(c.NextLink, "&api-version=2024-03-07", "", 1) + "&x=1"
				}
			},
			[]string{
				`[PAGE-04] page 1: nextLink "https://h/chat/threads/19%3Aabc%40thread.v2/participants?skip=2&api-version=2023-11-07" carries api-version=2023-11-07, the listing was asked with 2024-03-07`,
				`[PAGE-04] page 2: nextLink "https://h/chat/threads/19%3Aabc%40thread.v2/participants?skip=4&x=1" carries no api-version`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := walkOf(t, server(6, 2, tc.mutate), 6, 2)
			var got []string
			for _, v := range CheckWalk(w, want(6, 2)) {
				got = append(got, v.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("violations\n got: %q\nwant: %q", got, tc.want)
			}
		})
	}
}

func TestCheckLinkFormRelative(t *testing.T) {
	w := Walk{Pages: []Page{{NextLink: "/chat/threads/t/participants?skip=2&api-version=2024-03-07"}}}
	got := CheckLinkForm(w, "")
	if len(got) != 1 || got[0].String() != `[PAGE-04] page 1: nextLink "/chat/threads/t/participants?skip=2&api-version=2024-03-07" is not an absolute http(s) URL` {
		t.Errorf("got %v", got)
	}
}

func TestPageSizeNotJudgedWithoutMaxPageSize(t *testing.T) {
	w := walkOf(t, server(6, 6, nil), 6, 0)
	if vs := CheckWalk(w, WalkWant{Unpaged: all(6), APIVersion: "2024-03-07"}); vs != nil {
		t.Error(vs)
	}
}

func TestCheckOrder(t *testing.T) {
	w := walkOf(t, server(4, 2, func(p int, c *wire.ParticipantsCollection) {
		if p == 1 {
			c.Value[0], c.Value[1] = c.Value[1], c.Value[0]
		}
	}), 4, 2)
	got := CheckOrder(w, all(4))
	if len(got) != 1 || got[0].String() != "[PAGE-06] page 2: item 3 of the walk is 8:acs:r_3, but the unpaged listing has 8:acs:r_2 there" {
		t.Errorf("got %v", got)
	}
	if vs := CheckWalk(w, want(4, 2)); vs != nil {
		t.Errorf("order is PAGE-06 only: %v", vs)
	}
	short := Walk{Pages: w.Pages[:1]}
	got = CheckOrder(short, all(4))
	if len(got) != 1 || got[0].String() != "[PAGE-06] the walk ends after 2 items, but the unpaged listing goes on with 8:acs:r_2" {
		t.Errorf("got %v", got)
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
	w := walkOf(b, server(250, 2, nil), 250, 2)
	wnt := want(250, 2)
	b.ReportAllocs()
	for b.Loop() {
		_ = CheckWalk(w, wnt)
	}
}

// A chain that repeats its items, or hands out empty pages with nextLinks,
// is cut by the item and empty-page limits long before its page bound.
func TestFollowWithinCutsRepeatingAndEmptyChains(t *testing.T) {
	for name, body := range map[string]string{
		"repeating": `{"value":[{"communicationIdentifier":{"rawId":"8:acs:a"}}],"nextLink":"http://h/next"}`,
		"empty":     `{"value":[],"nextLink":"http://h/next"}`,
	} {
		calls := 0
		fetch := func(context.Context, string) (*transcript.Response, error) {
			calls++
			return &transcript.Response{Status: 200, Body: []byte(body), Exchange: &transcript.Exchange{}}, nil
		}
		w, err := FollowWithin(context.Background(), fetch, Limits{Pages: 100, Items: 3, EmptyPages: 2})
		if err != nil || !w.Cut || calls > 4 {
			t.Errorf("%s: cut %v after %d pages (err %v), want cut within 4", name, w.Cut, calls, err)
		}
	}
}
