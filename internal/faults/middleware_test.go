package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/refserver"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/wire"
)

// These tests drive single middlewares over HTTP, without the suite: they
// show that a fault does what its Mistake says (and nothing worse), and
// that a variation keeps the listing and its paging intact.

// bench is the reference server, wrapped, with a client and a thread owner.
type bench struct {
	t     *testing.T
	ctx   context.Context
	c     *client.Client
	owner client.User
}

func newBench(t *testing.T, f *Fault, apiVersion string) *bench {
	t.Helper()
	srv, err := suiterun.NewServerWith(refserver.Options{}, func(h http.Handler) http.Handler {
		if f == nil {
			return h
		}
		return f.Wrap(Deps{Foreign: &url.URL{Scheme: "http", Host: "192.0.2.1"}}, h)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.HTTP.URL)
	if apiVersion == "" {
		apiVersion = wire.APIVersionStable
	}
	b := &bench{t: t, ctx: context.Background(), c: client.New(client.Options{Endpoint: u, APIVersion: apiVersion, AccessKey: srv.AccessKey})}
	if b.owner, err = b.c.NewUser(b.ctx); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bench) do(req client.Request) (int, []byte) {
	b.t.Helper()
	res, err := b.c.Do(b.ctx, req)
	if err != nil {
		b.t.Fatal(err)
	}
	return res.Status, res.Body
}

func (b *bench) user() client.User {
	b.t.Helper()
	u, err := b.c.NewUser(b.ctx)
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// thread creates a thread of the owner plus n users; it returns the thread
// and every member's raw id, owner first.
func (b *bench) thread(n int) (string, []string) {
	b.t.Helper()
	id, err := b.c.NewThread(b.ctx, b.owner.Token, "bench")
	if err != nil {
		b.t.Fatal(err)
	}
	ids := []string{b.owner.RawID}
	for range n {
		ids = append(ids, b.user().RawID)
	}
	if n > 0 {
		b.add(id, ids[1:]...)
	}
	return id, ids
}

func (b *bench) add(thread string, ids ...string) {
	b.t.Helper()
	var ps []wire.Participant
	for _, id := range ids {
		ps = append(ps, wire.Participant{CommunicationIdentifier: wire.UserIdentifier(id), DisplayName: "n " + id[len(id)-4:]})
	}
	if st, body := b.do(client.AddParticipants(b.owner.Token, thread, ps...)); st != http.StatusCreated {
		b.t.Fatalf("add: %d %s", st, body)
	}
}

func (b *bench) remove(token, thread, id string) int {
	b.t.Helper()
	st, _ := b.do(client.RemoveParticipant(token, thread, id))
	return st
}

// removeMalformed is the owner's remove of an identifier no server can parse.
func (b *bench) removeMalformed(thread string) int {
	b.t.Helper()
	st, _ := b.do(client.Request{Method: "POST", URL: client.ThreadPath(thread) + "/participants/:remove",
		Auth: client.Bearer(b.owner.Token), Body: []byte(`{"rawId":"8:acs:not===valid"}`)})
	return st
}

func keys(body []byte) ([]string, string) {
	var page wire.ParticipantsCollection
	_ = json.Unmarshal(body, &page)
	var ids []string
	for _, p := range page.Value {
		ids = append(ids, p.CommunicationIdentifier.Key())
	}
	return ids, page.NextLink
}

// list is the unpaged listing's raw ids.
func (b *bench) list(token, thread string) []string {
	b.t.Helper()
	st, body := b.do(client.ListParticipants(token, thread, "", ""))
	if st != http.StatusOK {
		b.t.Fatalf("list: %d %s", st, body)
	}
	ids, _ := keys(body)
	return ids
}

// walk follows nextLink from maxPageSize=n, skip=k; it stops after 20 pages.
func (b *bench) walk(thread string, n, k int) (ids []string, maxPage int) {
	b.t.Helper()
	skip := ""
	if k > 0 {
		skip = fmt.Sprint(k)
	}
	req := client.ListParticipants(b.owner.Token, thread, fmt.Sprint(n), skip)
	for range 20 {
		st, body := b.do(req)
		if st != http.StatusOK {
			b.t.Fatalf("walk: %d %s", st, body)
		}
		page, next := keys(body)
		ids, maxPage = append(ids, page...), max(maxPage, len(page))
		if next == "" {
			return ids, maxPage
		}
		req = client.Follow(b.owner.Token, next)
	}
	b.t.Fatalf("walk at maxPageSize=%d did not end", n)
	return nil, 0
}

func byName(name string) *Fault {
	for _, f := range slices.Concat(Catalogue(), Variations()) {
		if f.Name == name {
			return &f
		}
	}
	panic("no fault or variation " + name)
}

// Every variation keeps the membership, and every walk (from 0 and from
// skip=2, at maxPageSize 1 to 4) yields the unpaged listing.
func TestVariationsKeepListingAndPaging(t *testing.T) {
	for _, v := range Variations() {
		t.Run(v.Name, func(t *testing.T) {
			b := newBench(t, &v, "")
			thread, ids := b.thread(6)
			got := b.list(b.owner.Token, thread)
			if !sameSet(got, ids) {
				t.Fatalf("listing %v, want the set %v", got, ids)
			}
			for n := 1; n <= 4; n++ {
				for _, k := range []int{0, 2} {
					walked, most := b.walk(thread, n, k)
					if !slices.Equal(walked, got[k:]) {
						t.Errorf("walk at maxPageSize=%d from %d: %v, want %v", n, k, walked, got[k:])
					}
					if most > n {
						t.Errorf("walk at maxPageSize=%d has a page of %d", n, most)
					}
				}
			}
			if st, _ := b.do(client.ListParticipants(b.owner.Token, thread, "0", "")); st != http.StatusBadRequest {
				t.Errorf("maxPageSize=0 is %d, want 400", st)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestVariationShapes(t *testing.T) {
	t.Run("continuation token", func(t *testing.T) {
		b := newBench(t, byName("var-next-link-continuation-token"), "")
		thread, _ := b.thread(3)
		_, body := b.do(client.ListParticipants(b.owner.Token, thread, "2", ""))
		_, next := keys(body)
		u, _ := url.Parse(next)
		if q := u.Query(); q.Has("skip") || q.Has("maxPageSize") || q.Get("continuationToken") == "" || q.Get("api-version") == "" {
			t.Errorf("nextLink %s", next)
		}
		if st, _ := b.do(client.ListRaw(b.owner.Token, thread, "continuationToken=garbage")); st != http.StatusBadRequest {
			t.Errorf("a bad token is %d, want 400", st)
		}
	})
	t.Run("encoded thread id", func(t *testing.T) {
		b := newBench(t, byName("var-next-link-encoded-thread-id"), "")
		thread, _ := b.thread(3)
		_, body := b.do(client.ListParticipants(b.owner.Token, thread, "2", ""))
		if _, next := keys(body); !strings.Contains(next, "/19%3A") || !strings.Contains(next, "%40thread.v2/participants?") {
			t.Errorf("nextLink %s", next)
		}
	})
	t.Run("creator last", func(t *testing.T) {
		b := newBench(t, byName("var-creator-listed-last"), "")
		thread, ids := b.thread(3)
		if got := b.list(b.owner.Token, thread); !slices.Equal(got, append(ids[1:], ids[0])) {
			t.Errorf("listing %v", got)
		}
	})
	t.Run("half pages", func(t *testing.T) {
		b := newBench(t, byName("var-pages-half-size"), "")
		thread, _ := b.thread(6)
		if _, most := b.walk(thread, 4, 0); most != 2 {
			t.Errorf("pages of up to %d at maxPageSize=4, want 2", most)
		}
	})
	t.Run("unknown fields", func(t *testing.T) {
		b := newBench(t, byName("var-unknown-response-fields"), "")
		thread, _ := b.thread(1)
		_, body := b.do(client.ListParticipants(b.owner.Token, thread, "", ""))
		if strings.Count(string(body), extension) != 3 { // the collection and two participants
			t.Errorf("listing %s", body)
		}
		_, body = b.do(client.ListParticipants(b.owner.Token, "19:acsV1_nope@thread.v2", "", ""))
		if strings.Count(string(body), extension) != 2 {
			t.Errorf("error %s", body)
		}
	})
}

func TestRemoveFaultsDoWhatTheySay(t *testing.T) {
	const unknown = "19:acsV1_doesnotexist@thread.v2"
	t.Run("unknown thread", func(t *testing.T) {
		for name, want := range map[string]int{"unknown-thread-list-empty": 200, "unknown-thread-list-403": 403, "remove-unknown-thread-204": 404} {
			b := newBench(t, byName(name), "")
			if st, _ := b.do(client.ListParticipants(b.owner.Token, unknown, "", "")); st != want {
				t.Errorf("%s: list of an unknown thread is %d, want %d", name, st, want)
			}
		}
		b := newBench(t, byName("remove-unknown-thread-204"), "")
		if st := b.remove(b.owner.Token, unknown, b.owner.RawID); st != 204 {
			t.Errorf("remove on an unknown thread is %d", st)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		b := newBench(t, byName("remove-malformed-id-204"), "")
		thread, _ := b.thread(1)
		if st := b.removeMalformed(thread); st != 204 {
			t.Errorf("malformed remove is %d", st)
		}
	})
	t.Run("does not remove", func(t *testing.T) {
		b := newBench(t, byName("remove-does-not-remove"), "")
		thread, ids := b.thread(4)
		if st := b.remove(b.owner.Token, thread, ids[2]); st != 204 {
			t.Errorf("remove is %d", st)
		}
		if got := b.list(b.owner.Token, thread); !slices.Equal(got, ids) {
			t.Errorf("listing %v, want the unchanged %v", got, ids)
		}
		if st := b.removeMalformed(thread); st != 400 {
			t.Errorf("a malformed remove is %d, want the reference server's 400", st)
		}
	})
	t.Run("takes another", func(t *testing.T) {
		b := newBench(t, byName("remove-takes-another-member"), "")
		thread, ids := b.thread(4)
		b.remove(b.owner.Token, thread, ids[2])
		if got, want := b.list(b.owner.Token, thread), []string{ids[0], ids[1], ids[3]}; !slices.Equal(got, want) {
			t.Errorf("listing %v, want %v", got, want)
		}
	})
	t.Run("200", func(t *testing.T) {
		b := newBench(t, byName("remove-200-not-204"), "")
		thread, ids := b.thread(2)
		if st := b.remove(b.owner.Token, thread, ids[1]); st != 200 {
			t.Errorf("remove is %d", st)
		}
	})
	t.Run("re-add lost", func(t *testing.T) {
		b := newBench(t, byName("readd-after-remove-lost"), "")
		thread, ids := b.thread(3)
		b.remove(b.owner.Token, thread, ids[2])
		b.add(thread, ids[2])
		if got := b.list(b.owner.Token, thread); slices.Contains(got, ids[2]) || len(got) != 3 {
			t.Errorf("listing %v", got)
		}
	})
	t.Run("self-removed keeps access", func(t *testing.T) {
		b := newBench(t, byName("self-removed-keeps-access"), "")
		thread, _ := b.thread(1)
		me := b.user()
		b.add(thread, me.RawID)
		if st := b.remove(me.Token, thread, me.RawID); st != 204 {
			t.Fatalf("self-remove is %d", st)
		}
		if got := b.list(me.Token, thread); slices.Contains(got, me.RawID) {
			t.Errorf("the self-removed caller is still listed: %v", got)
		}
		other := b.user()
		if st, _ := b.do(client.AddParticipants(me.Token, thread, wire.Participant{CommunicationIdentifier: wire.UserIdentifier(other.RawID)})); st != 201 {
			t.Errorf("the self-removed caller's add is %d", st)
		}
		// Someone who never was a member is still refused.
		if st, _ := b.do(client.ListParticipants(b.user().Token, thread, "", "")); st != 403 {
			t.Errorf("an outsider's list is %d", st)
		}
	})
	t.Run("stale skip", func(t *testing.T) {
		b := newBench(t, byName("paging-after-remove-stale-skip"), "")
		thread, ids := b.thread(6)
		if walked, _ := b.walk(thread, 2, 0); !slices.Equal(walked, ids) {
			t.Errorf("before any remove the walk is %v", walked)
		}
		b.remove(b.owner.Token, thread, ids[3])
		b.remove(b.owner.Token, thread, ids[6])
		want := b.list(b.owner.Token, thread)
		if len(want) != 5 {
			t.Fatalf("unpaged listing %v", want)
		}
		if walked, _ := b.walk(thread, 2, 0); slices.Equal(walked, want) {
			t.Errorf("the walk after the removes is right: %v", walked)
		}
	})
}

func TestMissedFaultsDoWhatTheySay(t *testing.T) {
	t.Run("short last page", func(t *testing.T) {
		b := newBench(t, byName("short-last-page-repeats"), "")
		thread, ids := b.thread(6) // 7 members
		if walked, _ := b.walk(thread, 3, 0); !slices.Equal(walked, append(slices.Clone(ids[:6]), ids[5], ids[6])) {
			t.Errorf("walk at 3: %v", walked)
		}
		if walked, _ := b.walk(thread, 7, 0); !slices.Equal(walked, ids) {
			t.Errorf("a one-page walk changed: %v", walked)
		}
	})
	t.Run("skip start", func(t *testing.T) {
		b := newBench(t, byName("skip-start-next-link-wrong"), "")
		thread, ids := b.thread(6)
		if walked, _ := b.walk(thread, 2, 0); !slices.Equal(walked, ids) {
			t.Errorf("walk from 0: %v", walked)
		}
		if walked, _ := b.walk(thread, 2, 1); slices.Equal(walked, ids[1:]) {
			t.Errorf("walk from 1 is right: %v", walked)
		}
	})
	t.Run("batch truncated", func(t *testing.T) {
		b := newBench(t, byName("add-batch-truncated"), "")
		thread, ids := b.thread(5)
		if got := b.list(b.owner.Token, thread); !slices.Equal(got, ids[:4]) {
			t.Errorf("listing %v", got)
		}
	})
	t.Run("re-add moves", func(t *testing.T) {
		b := newBench(t, byName("readd-moves-to-end"), "")
		thread, ids := b.thread(4)
		b.add(thread, ids[1])
		got := b.list(b.owner.Token, thread)
		if want := []string{ids[0], ids[2], ids[3], ids[4], ids[1]}; !slices.Equal(got, want) {
			t.Errorf("listing %v, want %v", got, want)
		}
		if walked, _ := b.walk(thread, 2, 1); !slices.Equal(walked, got[1:]) {
			t.Errorf("paging is inconsistent with the listing: %v", walked)
		}
	})
	t.Run("communicationUser only", func(t *testing.T) {
		b := newBench(t, byName("communication-user-only-garbled"), "")
		thread, _ := b.thread(0)
		u := b.user()
		body := fmt.Sprintf(`{"participants":[{"communicationIdentifier":{"communicationUser":{"id":%q}}}]}`, u.RawID)
		if st, _ := b.do(client.AddRaw(b.owner.Token, thread, []byte(body))); st != 201 {
			t.Fatalf("add %d", st)
		}
		if got := b.list(b.owner.Token, thread); !slices.Equal(got, []string{b.owner.RawID, ""}) {
			t.Errorf("listing %q, want the owner and an empty id", got)
		}
	})
	t.Run("metadata 1024", func(t *testing.T) {
		b := newBench(t, byName("metadata-1024-rejected"), wire.APIVersionPreview)
		thread, _ := b.thread(0)
		for size, want := range map[int]int{1023: 201, 1024: 400} {
			md := fmt.Sprintf(`{"k":%q}`, strings.Repeat("v", size-1))
			body := fmt.Sprintf(`{"participants":[{"communicationIdentifier":{"rawId":%q},"metadata":%s}]}`, b.user().RawID, md)
			if st, _ := b.do(client.AddRaw(b.owner.Token, thread, []byte(body))); st != want {
				t.Errorf("%d bytes: %d, want %d", size, st, want)
			}
		}
	})
	t.Run("offset dropped", func(t *testing.T) {
		b := newBench(t, byName("time-offset-dropped"), "")
		thread, _ := b.thread(0)
		for _, sent := range []string{"2020-06-06T07:55:41+02:00", "2020-06-06T05:55:41Z"} {
			body := fmt.Sprintf(`{"participants":[{"communicationIdentifier":{"rawId":%q},"shareHistoryTime":%q}]}`, b.user().RawID, sent)
			b.do(client.AddRaw(b.owner.Token, thread, []byte(body)))
		}
		_, page := b.do(client.ListParticipants(b.owner.Token, thread, "", ""))
		if n := strings.Count(string(page), "1970-01-01T00:00:00Z"); n != 2 { // the owner's and the +02:00 one
			t.Errorf("listing %s", page)
		}
	})
}
