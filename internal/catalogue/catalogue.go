// Package catalogue is the assertion catalogue of ../shared/conformance/
// assertions.md as data: every spec's ID, tier and area come from here, and
// the fault catalogue, the results and the reports are keyed by it.
package catalogue

import (
	"fmt"
	"sort"
	"strings"

	"github.com/chatconform/chatconform/internal/wire"
)

// Tier is MUST or SHOULD.
type Tier string

// Tiers.
const (
	Must   Tier = "must"
	Should Tier = "should"
)

// Assertion is one row of the catalogue.
type Assertion struct {
	ID       string
	Tier     Tier
	Area     string // add, list, paging, time, errors, metadata, remove, stateful, concurrency, versions
	Behavior string
	// Capability names what a run needs for the spec to run at all ("" for
	// nothing special); a spec without it is skipped with the reason.
	Capability string
}

// Labels are the Ginkgo labels every spec of the assertion carries.
func (a Assertion) Labels() []string { return []string{a.ID, a.Area, string(a.Tier)} }

var all = []Assertion{
	{"ADD-01", Must, "add", "Adding new, valid participants returns 201 Created.", ""},
	{"ADD-02", Must, "add", "The 201 body is a JSON object valid against AddChatParticipantsResult; Content-Type is JSON.", ""},
	{"ADD-03", Must, "add", "When every participant is valid, invalidParticipants is absent or empty.", ""},
	{"ADD-04", Must, "add", "Each added participant then appears in the listing exactly once, with the displayName and shareHistoryTime sent.", ""},
	{"ADD-05", Must, "add", "Adding the same participants again returns 201 and the listing is unchanged.", ""},
	{"ADD-06", Must, "add", "A request mixing existing and new participants adds only the new ones; none is duplicated.", ""},
	{"ADD-07", Should, "add", "The same participant twice in one request yields one member.", ""},
	{"ADD-08", Should, "add", "Re-adding an existing participant with another displayName or shareHistoryTime changes nothing.", ""},
	{"ADD-09", Must, "add", "A well-formed id of a user that does not exist yields 201 with an invalidParticipants entry; the valid ones are still added.", ""},
	{"ADD-10", Must, "add", "A body that is not JSON, lacks participants, or has participants of the wrong type is rejected with 400 and the error envelope.", ""},
	{"ADD-11", Must, "add", "A malformed identifier is rejected (4xx with envelope, or 201 naming it in invalidParticipants); never listed, never 5xx.", ""},
	{"ADD-12", Must, "add", "Adding to a thread that does not exist returns 4xx (404 expected) with the error envelope.", ""},
	{"LIST-01", Must, "list", "Returns 200 with a body valid against ChatParticipantsCollection; value is an array.", ""},
	{"LIST-02", Must, "list", "Every participant has a communicationIdentifier with rawId; communicationUser.id equals rawId.", ""},
	{"LIST-03", Should, "list", "communicationIdentifier.kind is present and matches the populated sub-object.", ""},
	{"LIST-04", Should, "list", "The thread's creator is listed as a participant after the thread is created.", ""},
	{"LIST-05", Must, "list", "Listing participants of a thread that does not exist returns 404 with the error envelope.", ""},
	{"PAGE-01", Must, "paging", "With maxPageSize=N every page has at most N items.", ""},
	{"PAGE-02", Must, "paging", "Following nextLink until it is absent yields every participant exactly once.", ""},
	{"PAGE-03", Must, "paging", "nextLink is present while items remain and absent on the last page; the walk ends within total+1 pages (a page may hold fewer than N).", ""},
	{"PAGE-04", Must, "paging", "nextLink is an absolute http(s) URL that works with the same Authorization header and carries api-version.", ""},
	{"PAGE-05", Must, "paging", "The walk that starts at skip=K (first page and its nextLinks) yields the unpaged listing from position K; skip >= total returns an empty value and no nextLink.", ""},
	{"PAGE-06", Should, "paging", "Repeating a listing returns the same order; pages concatenated equal the unpaged sequence.", ""},
	{"PAGE-07", Must, "paging", "Invalid maxPageSize or skip never yields 5xx; SHOULD be 400 with the error envelope.", ""},
	{"TIME-01", Must, "time", "Every shareHistoryTime is an RFC 3339 date-time, including the default.", ""},
	{"TIME-02", Should, "time", "shareHistoryTime has the documented form yyyy-MM-ddTHH:mm:ssZ.", ""},
	{"TIME-03", Must, "time", "The shareHistoryTime sent on add is returned as the same instant (second precision).", ""},
	{"TIME-04", Must, "time", "A shareHistoryTime that is not RFC 3339 is never stored and echoed back; never 5xx; SHOULD be 400.", ""},
	{"ERR-01", Must, "errors", "No Authorization header: 401 with the error envelope, on both operations.", ""},
	{"ERR-02", Must, "errors", "A malformed token and a token with a tampered signature: 401 with the error envelope.", ""},
	{"ERR-03", Must, "errors", "A revoked token: 401 with the error envelope.", CapMint},
	{"ERR-04", Must, "errors", "A valid token of a user who is not a participant: 403 with the error envelope, on both operations.", CapOutsider},
	{"ERR-05", Must, "errors", "Every 4xx and 5xx body is CommunicationErrorResponse with Content-Type JSON.", ""},
	{"ERR-06", Should, "errors", "error.code matches the status (400 BadRequest, 401 Unauthorized, 403 Forbidden, 404 NotFound, 429 TooManyRequests, 503 ServiceUnavailable).", ""},
	{"ERR-07", Must, "errors", "Exceeding the rate limit yields 429 with the error envelope; Retry-After SHOULD be present.", CapRateLimit},
	{"ERR-08", Must, "errors", "A missing or unsupported api-version yields 4xx with the error envelope.", ""},
	{"ERR-09", Must, "errors", "No request of the negative corpus yields a 5xx or a dropped connection.", ""},
	{"META-01", Must, "metadata", "metadata sent on add is returned unchanged in the listing.", CapMetadata},
	{"META-02", Must, "metadata", "metadata of exactly 1024 bytes in total (the UTF-8 bytes of every key plus every value) is accepted; 1025 is rejected with 400 and the error envelope, and nothing is added.", CapMetadata},
	{"META-03", Should, "metadata", "On an api-version without participant metadata, listings at that version carry no metadata, even for metadata sent with the add.", CapNoMetadata},
	{"REM-01", Must, "remove", "POST participants/:remove with a member's identifier returns 204; the participant is no longer listed, and every other member is unchanged.", ""},
	{"REM-02", Must, "remove", "After a remove, re-adding the participant lists it again, exactly once.", ""},
	{"REM-03", Must, "remove", "Remove with a malformed identifier returns 400 with the error envelope; remove on a thread that does not exist returns 404 with the error envelope.", ""},
	{"REM-04", Must, "remove", "A caller who removed itself is no longer allowed on the thread: list and add return 403 with the error envelope.", CapMint},
	{"REM-05", Must, "remove", "Paging after a remove still satisfies PAGE-01 to PAGE-04.", ""},
	{"STATE-01", Must, "stateful", "After any sequence of add, remove and list operations, every listing equals the model.", ""},
	{"CONC-01", Must, "concurrency", "k concurrent adds naming the same new participant on one thread, released together, all answer 201, and the thread then lists that participant exactly once.", ""},
	{"CONC-02", Must, "concurrency", "Concurrent adds of distinct participants on one thread all answer 201, and every one of them is then listed exactly once.", ""},
	{"VER-01", Should, "versions", "Every chat response carries api-supported-versions, and the list names the api-version the request was served at.", ""},
	{"CONC-03", Should, "concurrency", "Listings read while adds are in flight never show a participant twice.", ""},
}

// Capabilities a spec may need beyond an endpoint and a token.
const (
	CapMint      = "mint"       // ACS_CONNECTION_STRING or the embedded server
	CapOutsider  = "outsider"   // a second user's token
	CapRateLimit = "rate-limit" // CHAT_RATE_LIMIT_TESTS=1
	CapMetadata  = "metadata"   // an api-version with participant metadata (wire.HasMetadata)
	// CapNoMetadata is an api-version without participant metadata.
	CapNoMetadata = "no-metadata"
)

// AppliesTo says whether assertion a belongs to the contract of
// apiVersion: the META rows to the versions that document participant
// metadata, META-03 to those that do not, every other row to all. A row
// that does not apply is "not in this api-version": skipped, and no
// verdict waits for it.
func AppliesTo(a Assertion, apiVersion string) bool {
	switch a.Capability {
	case CapMetadata:
		return wire.HasMetadata(apiVersion)
	case CapNoMetadata:
		return !wire.HasMetadata(apiVersion)
	}
	return true
}

// NotInVersion says why a does not apply to apiVersion ("" when it does).
func NotInVersion(a Assertion, apiVersion string) string {
	if AppliesTo(a, apiVersion) {
		return ""
	}
	var with []string
	for _, v := range wire.SupportedChatVersions {
		if wire.HasMetadata(v) {
			with = append(with, v)
		}
	}
	if a.Capability == CapMetadata {
		return "not in this api-version: participant metadata is documented in " + strings.Join(with, " and ") + ", not in " + apiVersion
	}
	return "not in this api-version: " + apiVersion + " documents participant metadata, so this check of a version without it does not apply"
}

var byID = func() map[string]Assertion {
	m := make(map[string]Assertion, len(all))
	for _, a := range all {
		m[a.ID] = a
	}
	return m
}()

// All returns the catalogue in document order.
func All() []Assertion { return append([]Assertion(nil), all...) }

// IDs returns every assertion ID, sorted.
func IDs() []string {
	ids := make([]string, 0, len(all))
	for _, a := range all {
		ids = append(ids, a.ID)
	}
	sort.Strings(ids)
	return ids
}

// Get returns the assertion with that ID; it panics on an unknown ID so a
// typo in a spec fails at tree construction, not silently.
func Get(id string) Assertion {
	a, ok := byID[id]
	if !ok {
		panic(fmt.Sprintf("catalogue: unknown assertion ID %q", id))
	}
	return a
}

// Lookup returns the assertion with that ID and whether it exists.
func Lookup(id string) (Assertion, bool) {
	a, ok := byID[id]
	return a, ok
}
