package recordings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// maxReplayBody bounds how much of an incoming request body is read for
// matching; recorded request bodies are a few hundred bytes.
const maxReplayBody = 1 << 20

// ReplayHandler serves the recorded responses of entries.
//
// A request matches the entries with the same method and path, compared
// segment by segment after percent-decoding (the SDKs send
// "19%3A…%40thread.v2" while nextLinks carry "19:…@thread.v2"); host is
// ignored. When several entries share method and path, the query picks
// among them (each agreeing parameter counts +1, each missing or differing
// one -1, best score wins), which is what tells skip/maxPageSize pages
// apart; a sole candidate is served whatever the query. Remaining ties are
// narrowed to the entries whose recorded request body equals the incoming
// one, if any does, and then served in recorded order, cycling, so
// identical requests recorded with different outcomes (e.g. :remove →
// 204, then 403) replay in sequence.
//
// Absolute URLs in the Location and Content-Location headers and in JSON
// "nextLink" values are rewritten to the replay server's own scheme and
// host (r.Host), path and query kept as recorded, so a client can follow
// them. Other response bytes are served as recorded; Content-Length is
// recomputed, and a response recorded as chunked is sent chunked.
//
// A request that matches no entry gets 404 with a JSON error body whose
// code is "RecordingNotFound".
func ReplayHandler(entries []Entry) http.Handler {
	h := &replay{byKey: map[string][]replayEntry{}, next: map[string]int{}}
	for _, e := range entries {
		u, err := url.Parse(e.URL)
		if err != nil {
			continue // unusable URL: it can never be matched
		}
		k := matchKey(e.Method, pathSegments(u))
		h.byKey[k] = append(h.byKey[k], replayEntry{Entry: e, query: u.Query()})
	}
	return h
}

type replayEntry struct {
	Entry
	query url.Values
}

type replay struct {
	byKey map[string][]replayEntry // immutable after construction

	mu   sync.Mutex
	next map[string]int // round-robin position per tie set
}

// matchKey joins method and decoded segments with a byte that cannot occur
// in either, so distinct paths never collide.
func matchKey(method string, seg []string) string {
	return strings.ToUpper(method) + "\x00" + strings.Join(seg, "\x00")
}

func (h *replay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxReplayBody))
	e, ok := h.pick(r, body)
	if !ok {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		msg := fmt.Sprintf("no recorded exchange matches %s %s", r.Method, r.URL.RequestURI())
		_ = json.NewEncoder(w).Encode(map[string]any{
			"error": map[string]string{"code": "RecordingNotFound", "message": msg},
		})
		return
	}
	h.write(w, r, e)
}

// pick chooses the entry to serve for r; see ReplayHandler for the rules.
func (h *replay) pick(r *http.Request, body []byte) (*replayEntry, bool) {
	key := matchKey(r.Method, pathSegments(r.URL))
	cands := h.byKey[key]
	if len(cands) == 0 {
		return nil, false
	}
	idx := make([]int, len(cands))
	for i := range cands {
		idx[i] = i
	}
	if len(idx) > 1 {
		q := r.URL.Query()
		best, kept := 0, idx[:0:0]
		for _, i := range idx {
			s := queryScore(q, cands[i].query)
			switch {
			case len(kept) == 0 || s > best:
				best, kept = s, []int{i}
			case s == best:
				kept = append(kept, i)
			}
		}
		idx = kept
	}
	if len(idx) > 1 {
		var same []int
		for _, i := range idx {
			if sameBody(cands[i].RequestBody, body) {
				same = append(same, i)
			}
		}
		if len(same) > 0 {
			idx = same
		}
	}
	choice := idx[0]
	if len(idx) > 1 {
		tie := fmt.Sprint(key, idx)
		h.mu.Lock()
		n := h.next[tie]
		h.next[tie] = n + 1
		h.mu.Unlock()
		choice = idx[n%len(idx)]
	}
	return &cands[choice], true
}

// queryScore counts agreeing parameters minus missing or differing ones.
func queryScore(got, rec url.Values) int {
	score := 0
	for k, rv := range rec {
		gv, ok := got[k]
		if ok && strings.Join(gv, "\x00") == strings.Join(rv, "\x00") {
			score++
		} else {
			score--
		}
	}
	for k := range got {
		if _, ok := rec[k]; !ok {
			score--
		}
	}
	return score
}

// Headers that describe the recorded connection or framing, not the
// response; net/http supplies its own.
var framingHeaders = []string{"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive"}

// Headers whose value is a URL a client may follow.
var linkHeaders = []string{"Location", "Content-Location"}

func (h *replay) write(w http.ResponseWriter, r *http.Request, e *replayEntry) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	retarget := func(s string) string { return rehost(s, scheme, r.Host) }

	hdr := w.Header()
	for k, vs := range e.ResponseHeader {
		hdr[k] = append([]string(nil), vs...)
	}
	chunked := false
	for _, v := range e.ResponseHeader.Values("Transfer-Encoding") {
		chunked = chunked || strings.Contains(strings.ToLower(v), "chunked")
	}
	for _, k := range framingHeaders {
		hdr.Del(k)
	}
	for _, k := range linkHeaders {
		for i, v := range hdr.Values(k) {
			hdr[http.CanonicalHeaderKey(k)][i] = retarget(v)
		}
	}
	if _, ok := hdr["Content-Type"]; !ok {
		// Stop net/http sniffing a type the service never sent.
		hdr["Content-Type"] = nil
	}

	body := e.ResponseBody
	if bytes.Contains(body, []byte("extLink")) {
		body = rewriteStringValues(body, isNextLinkKey, retarget)
	}
	noBody := e.Status == http.StatusNoContent || e.Status == http.StatusNotModified ||
		(e.Status >= 100 && e.Status < 200) || r.Method == http.MethodHead
	if !noBody && !chunked {
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
	}
	status := e.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if noBody {
		return
	}
	if chunked {
		// Flushing before any body byte commits to chunked encoding, as
		// the service used for its error responses.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	_, _ = w.Write(body)
}

// isNextLinkKey matches "nextLink" and OData's "@odata.nextLink".
func isNextLinkKey(k string) bool {
	return strings.EqualFold(k, "nextLink") || strings.HasSuffix(strings.ToLower(k), ".nextlink")
}

// rehost replaces the scheme and authority of an absolute http(s) URL,
// keeping the rest byte for byte (the encoded or raw thread id must survive
// as recorded). Anything else is returned unchanged.
func rehost(s, scheme, host string) string {
	if host == "" {
		return s
	}
	lower := strings.ToLower(s)
	var rest string
	switch {
	case strings.HasPrefix(lower, "https://"):
		rest = s[len("https://"):]
	case strings.HasPrefix(lower, "http://"):
		rest = s[len("http://"):]
	default:
		return s
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[i:]
	} else {
		rest = ""
	}
	return scheme + "://" + host + rest
}
