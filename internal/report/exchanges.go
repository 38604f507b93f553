package report

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/transcript"
)

// recorded is one transcript entry of a spec, with where it sits on the
// spec's timeline (to tell exchanges before the failure from cleanup).
type recorded struct {
	Ex    *transcript.Exchange
	Time  time.Time
	Order int
}

// exchangesOf decodes a spec's transcript entries. In the process that ran
// the spec the entry holds the *transcript.Exchange itself and AsJSON is
// empty; after a parallel run or a JSON round trip it holds a decoded map and
// AsJSON. Both are read, so serial and parallel runs report alike.
func exchangesOf(sr types.SpecReport) []recorded {
	var out []recorded
	for _, e := range sr.ReportEntries {
		if e.Name != outcome.EntryTranscript {
			continue
		}
		if ex := decodeExchange(e.Value); ex != nil {
			out = append(out, recorded{Ex: ex, Time: e.Time, Order: e.TimelineLocation.Order})
		}
	}
	return out
}

// transcripts are every spec's decoded transcript entries, decoded once
// (newRun counts them; every version's specs show them) and on every core:
// after a parallel run nearly every entry is JSON to decode again.
type transcripts map[entriesKey][]recorded

// entriesKey names a spec report's entries: copies of a SpecReport share
// them.
type entriesKey struct {
	first *types.ReportEntry
	n     int
}

func keyOf(sr types.SpecReport) (entriesKey, bool) {
	if len(sr.ReportEntries) == 0 {
		return entriesKey{}, false
	}
	return entriesKey{&sr.ReportEntries[0], len(sr.ReportEntries)}, true
}

// lastDecoded are the transcripts decodeTranscripts decoded last. The
// suite's report node writes the files (Write) and then prints the summary
// (PrintSummary) from the same report, whose entries nothing changes once
// the suite has run: the second finds them decoded. A key holds its entries
// (so their memory is not reused for others while it is kept), and only the
// last call's are kept.
var lastDecoded struct {
	sync.Mutex
	t transcripts
}

// decodeTranscripts decodes the transcripts of specs.
func decodeTranscripts(specs types.SpecReports) transcripts {
	lastDecoded.Lock()
	last := lastDecoded.t
	lastDecoded.Unlock()
	decoded := make([][]recorded, len(specs))
	_ = onEveryCore(len(specs), func(i int) error {
		if k, ok := keyOf(specs[i]); ok {
			if exs, ok := last[k]; ok {
				decoded[i] = exs
				return nil
			}
		}
		decoded[i] = exchangesOf(specs[i])
		return nil
	})
	t := transcripts{}
	for i, sr := range specs {
		if k, ok := keyOf(sr); ok {
			t[k] = decoded[i]
		}
	}
	lastDecoded.Lock()
	lastDecoded.t = t
	lastDecoded.Unlock()
	return t
}

// of is exchangesOf(sr), decoded already when t has it.
func (t transcripts) of(sr types.SpecReport) []recorded {
	if k, ok := keyOf(sr); ok {
		if exs, ok := t[k]; ok {
			return exs
		}
	}
	return exchangesOf(sr)
}

func decodeExchange(v types.ReportEntryValue) *transcript.Exchange {
	switch raw := v.GetRawValue().(type) {
	case *transcript.Exchange:
		if raw != nil {
			c := *raw
			return &c
		}
	case transcript.Exchange:
		return &raw
	}
	data := []byte(v.AsJSON)
	if len(data) == 0 {
		var err error
		if data, err = json.Marshal(v.GetRawValue()); err != nil {
			return nil
		}
	}
	var ex transcript.Exchange
	if json.Unmarshal(data, &ex) != nil || ex.Method == "" {
		return nil
	}
	return &ex
}

// entriesNamed returns the string values of a spec's entries with that name.
func entriesNamed(sr types.SpecReport, name string) []string {
	var out []string
	for _, e := range sr.ReportEntries {
		if e.Name == name {
			out = append(out, entryText(e.Value))
		}
	}
	return out
}

// entryText is the entry's value as text: a string entry decodes to itself
// (its AsJSON is a quoted string), anything else to its representation.
func entryText(v types.ReportEntryValue) string {
	if s, ok := v.GetRawValue().(string); ok {
		return s
	}
	if s := v.String(); s != "" {
		return s
	}
	return v.AsJSON
}

// isCleanup says an exchange belongs to cleanup, not to the check: the API
// under test has no DELETE, so every DELETE is the suite tidying up.
func isCleanup(ex *transcript.Exchange) bool { return ex.Method == http.MethodDelete }

// reproducible picks the exchange a failure is about, for the curl line:
//  1. only exchanges before the failure (DeferCleanup runs after it) that
//     are not cleanup;
//  2. of those, the last one whose request line the failure message quotes
//     (matchers embed the transcript of the response they judged);
//  3. otherwise the last of them, which is the request the spec judged last.
//
// It returns nil when the spec made no request worth repeating.
func reproducible(sr types.SpecReport, exs []recorded) *transcript.Exchange {
	f := sr.Failure.TimelineLocation
	var cands []*transcript.Exchange
	for _, r := range exs {
		if isCleanup(r.Ex) {
			continue
		}
		switch {
		case f.Order > 0 && r.Order > 0:
			if r.Order > f.Order {
				continue
			}
		case !f.Time.IsZero() && !r.Time.IsZero():
			if r.Time.After(f.Time) {
				continue
			}
		}
		cands = append(cands, r.Ex)
	}
	msg := sr.Failure.Message
	for i := len(cands) - 1; i >= 0; i-- {
		if msg != "" && strings.Contains(msg, "> "+cands[i].Method+" "+cands[i].URL+"\n") {
			return cands[i]
		}
	}
	if len(cands) > 0 {
		return cands[len(cands)-1]
	}
	return nil
}
