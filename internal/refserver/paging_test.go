package refserver

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/wire"
)

// pagingThread makes a thread with total members (the creator included).
func pagingThread(t *testing.T, f *fixture, total int) (account, string, []string) {
	t.Helper()
	owner := f.newUser()
	thread := f.createThread(owner, f.seedUsers(total-1)...)
	all := memberIDs(f.members(owner, thread))
	if len(all) != total {
		t.Fatalf("setup: %d members, want %d", len(all), total)
	}
	return owner, thread, all
}

// PAGE-01..06: for every page size, the nextLink chain yields everything
// exactly once, in order, with pages no larger than asked and a nextLink
// of the live form exactly while items remain.
func TestPagingWalk(t *testing.T) {
	for _, total := range []int{6, 7} {
		f := newFixture(t, Options{})
		owner, thread, all := pagingThread(t, f, total)
		for _, size := range []int{1, 2, 3, total - 1, total, total + 1, 250} {
			t.Run(fmt.Sprintf("total=%d/maxPageSize=%d", total, size), func(t *testing.T) {
				link := f.ts.URL + threadPath(thread, "/participants", stable) + fmt.Sprintf("&maxPageSize=%d", size)
				var got []string
				skip := 0
				for pages := 0; link != ""; pages++ {
					if limit := (total+size-1)/size + 1; pages >= limit {
						t.Fatalf("no end after %d pages", pages)
					}
					r := f.chat("GET", strings.TrimPrefix(link, f.ts.URL), owner.token, "").wantStatus(t, 200)
					var page wire.ParticipantsCollection
					r.decode(t, &page)
					if len(page.Value) == 0 || len(page.Value) > size {
						t.Fatalf("page %d has %d items, want 1..%d", pages, len(page.Value), size)
					}
					got = append(got, memberIDs(page.Value)...)
					skip += len(page.Value)
					link = page.NextLink
					if skip < total {
						want := fmt.Sprintf("%s/chat/threads/%s/participants?skip=%d&maxPageSize=%d&api-version=%s", f.ts.URL, thread, skip, size, stable)
						if link != want {
							t.Fatalf("nextLink\n got %q\nwant %q", link, want)
						}
					} else if bytes.Contains(r.body, []byte("nextLink")) {
						t.Fatalf("last page carries a nextLink key: %s", r.body)
					}
				}
				if !slices.Equal(got, all) {
					t.Errorf("walk yielded %v, want %v", got, all)
				}
			})
		}
	}
}

func TestPagingSkip(t *testing.T) {
	f := newFixture(t, Options{})
	owner, thread, all := pagingThread(t, f, 5)
	for _, c := range []struct {
		query    string
		want     []string
		nextLink bool
	}{
		{"", all, false},
		{"&skip=0", all, false},
		{"&skip=2", all[2:], false},
		{"&skip=4", all[4:], false},
		{"&skip=1&maxPageSize=2", all[1:3], true},
		{"&skip=3&maxPageSize=2", all[3:5], false},
		{"&skip=5", nil, false},
		{"&skip=6&maxPageSize=1", nil, false},
		{"&skip=2147483647", nil, false},
	} {
		t.Run(c.query, func(t *testing.T) {
			r := f.chat("GET", threadPath(thread, "/participants", stable)+c.query, owner.token, "").wantStatus(t, 200)
			var page wire.ParticipantsCollection
			r.decode(t, &page)
			if got := memberIDs(page.Value); !slices.Equal(got, c.want) && len(got)+len(c.want) > 0 {
				t.Errorf("value %v, want %v", got, c.want)
			}
			if len(c.want) == 0 && !bytes.Contains(r.body, []byte(`"value":[]`)) {
				t.Errorf("empty page must be \"value\":[], got %s", r.body)
			}
			if (page.NextLink != "") != c.nextLink {
				t.Errorf("nextLink %q, want present=%v", page.NextLink, c.nextLink)
			}
		})
	}
}

// PAGE-07: bad paging parameters are 400 with the envelope.
func TestPagingRejectsBadParameters(t *testing.T) {
	f := newFixture(t, Options{})
	owner := f.newUser()
	thread := f.createThread(owner)
	for _, q := range []string{
		"maxPageSize=0", "maxPageSize=-1", "maxPageSize=abc", "maxPageSize=", "maxPageSize=1.5",
		"maxPageSize=99999999999999999999", "maxPageSize=2147483648",
		"skip=-1", "skip=abc", "skip=", "skip=99999999999999999999",
	} {
		t.Run(q, func(t *testing.T) {
			e := f.chat("GET", threadPath(thread, "/participants", stable)+"&"+q, owner.token, "").wantError(t, 400)
			name, _, _ := strings.Cut(q, "=")
			if !strings.Contains(e.Message, name) {
				t.Errorf("message %q does not name %s", e.Message, name)
			}
		})
	}
}

func TestDefaultPageSizeIs100(t *testing.T) {
	f := newFixture(t, Options{})
	owner, thread, all := pagingThread(t, f, 101)
	var page wire.ParticipantsCollection
	f.chat("GET", threadPath(thread, "/participants", preview), owner.token, "").wantStatus(t, 200).decode(t, &page)
	if len(page.Value) != 100 || !slices.Equal(memberIDs(page.Value), all[:100]) {
		t.Errorf("first page has %d items", len(page.Value))
	}
	want := fmt.Sprintf("%s/chat/threads/%s/participants?skip=100&maxPageSize=100&api-version=%s", f.ts.URL, thread, url.QueryEscape(preview))
	if page.NextLink != want {
		t.Errorf("nextLink %q, want %q", page.NextLink, want)
	}
}

// nextLink may point at another host (the live service uses a regional
// one); PublicURL models that and also sets Location.
func TestPublicURL(t *testing.T) {
	f := newFixture(t, Options{PublicURL: "https://acs-chat.example.test/"})
	owner, thread, _ := pagingThread(t, f, 3)
	var page wire.ParticipantsCollection
	f.chat("GET", threadPath(thread, "/participants", stable)+"&maxPageSize=1", owner.token, "").wantStatus(t, 200).decode(t, &page)
	if !regexp.MustCompile(`^https://acs-chat\.example\.test/chat/threads/19:acsV1_[^/]+@thread\.v2/participants\?skip=1&maxPageSize=1&api-version=2024-03-07$`).MatchString(page.NextLink) {
		t.Errorf("nextLink %q", page.NextLink)
	}
	r := f.chat("POST", "/chat/threads?api-version="+stable, owner.token, `{"topic":"t"}`).wantStatus(t, 201)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "https://acs-chat.example.test/chat/threads/19%3AacsV1_") {
		t.Errorf("Location %q", loc)
	}
}

// PAGE-06: the same listing twice is the same sequence.
func TestListingOrderIsStable(t *testing.T) {
	f := newFixture(t, Options{})
	owner, thread, all := pagingThread(t, f, 20)
	for range 3 {
		if got := memberIDs(f.members(owner, thread)); !slices.Equal(got, all) {
			t.Fatalf("order changed: %v vs %v", got, all)
		}
	}
}
