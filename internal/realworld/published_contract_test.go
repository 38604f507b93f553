package realworld

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatconform/chatconform/fixtures/sharedref"
	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/suiterun"
	"github.com/chatconform/chatconform/internal/suiterun/suitetest"
	"github.com/chatconform/chatconform/internal/wire"
)

// The published Swagger 2.0 documents, relative to ../shared/reference/specs,
// of every version whose document is complete: those of 2021-03-07 and
// 2021-09-07 refer to a Common document that is not public.
var publishedDocs = map[string]string{
	wire.APIVersion20231107: "Chat/stable/2023-11-07/communicationserviceschat.json",
	wire.APIVersion20240307: "Chat/stable/2024-03-07/communicationserviceschat.json",
	wire.APIVersionPreview:  "Chat/preview/2024-03-15-preview/communicationserviceschat.json",
	wire.APIVersion20250315: "Chat/stable/2025-03-15/communicationserviceschat.json",
}

// loadPublished loads the published document of version, converted to
// OpenAPI 3 with openapi2conv (openapi.Load does the conversion, with
// the Common/ $refs resolved relative to the file), or skips.
func loadPublished(t *testing.T, version string) *openapi.Spec {
	t.Helper()
	specs := sharedref.Dir(t, "reference", "specs")
	spec, err := openapi.Load(version, filepath.Join(specs, filepath.FromSlash(publishedDocs[version])))
	if err != nil {
		t.Fatalf("loading the published document for %s: %v", version, err)
	}
	return spec
}

// Kinds of allowance.
const (
	// deliberate: the reference server (and the embedded documents the
	// suite certifies against) depart from the published document on
	// purpose, because the live service does, or because the negative
	// corpus classes the input as arguably acceptable.
	deliberate = "deliberate"
	// knownDefect: a departure nobody chose. It is allowed so that the
	// check stays green for everyone else, it is reported in the run's log,
	// and the entry must be deleted when the defect is fixed (an entry that
	// matches nothing fails the test).
	knownDefect = "known defect"
)

// allowance is one accepted difference between the published document
// and what the suite and the reference server exchange.
type allowance struct {
	Name string
	Kind string
	Side string
	// Operations and Statuses restrict the entry; nil is any. Any2xx
	// restricts it to 2xx answers (a request the server accepted).
	Operations []string
	Statuses   []int
	Any2xx     bool
	// Versions restricts the entry to api-versions; nil is both.
	Versions []string
	// Error matches one part of kin-openapi's error (MultiError parts are
	// judged one by one; every part must be allowed).
	Error *regexp.Regexp
	// ValueIsNull demands that the request body holds JSON null at the
	// pointer the error names (Error's first group).
	ValueIsNull bool
	// Also is a further condition on the exchange (the Reason says it in
	// words).
	Also func(Rejection) bool
	// Reason is why the difference is accepted (the README text repeats it).
	Reason string
}

const (
	opAdd    = openapi.OpAddParticipants
	opList   = openapi.OpListParticipants
	opRemove = openapi.OpRemoveParticipant
)

// allowList is the ONE table of accepted differences from the published
// documents. Every entry must be needed by at least one run.
var allowList = []allowance{
	{
		Name:       "400 is not a documented status",
		Kind:       deliberate,
		Side:       SideResponse,
		Operations: []string{opAdd, opList, opRemove},
		Statuses:   []int{http.StatusBadRequest},
		Error:      regexp.MustCompile(`^status is not supported$`),
		Reason: "The published document lists only 2xx, 401, 403, 429 and 503 (no default response). " +
			"The live service answers 400 for a malformed identifier (recorded: azure-cli, :add and :remove), " +
			"and the suite demands 400 for malformed bodies (ADD-10), bad paging parameters (PAGE-07), " +
			"a missing or unknown api-version (ERR-08), a bad shareHistoryTime (TIME-04) and a malformed identifier to remove (REM-03). " +
			"The body must still be the published CommunicationErrorResponse (checked).",
	},
	{
		Name:       "404 is not a documented status",
		Kind:       deliberate,
		Side:       SideResponse,
		Operations: []string{opAdd, opList, opRemove},
		Statuses:   []int{http.StatusNotFound},
		Error:      regexp.MustCompile(`^status is not supported$`),
		Reason: "The live service answers 404 for an unknown thread (recorded: azure-cli list-participants-bad-thread-id); " +
			"ADD-12, LIST-05 and REM-03 demand it. The body must still be the published CommunicationErrorResponse (checked).",
	},
	{
		Name:        "JSON null for an optional member reads as absent",
		Kind:        deliberate,
		Side:        SideRequest,
		Operations:  []string{opAdd},
		Any2xx:      true,
		Error:       regexp.MustCompile(`^Error at "(/participants/\d+(?:/communicationIdentifier)?/(?:rawId|kind|communicationUser|phoneNumber|microsoftTeamsUser|microsoftTeamsApp|displayName|shareHistoryTime|metadata))": (?:Value is not nullable|value is not one of the allowed values .*)$`),
		ValueIsNull: true,
		Reason: "The published schemas are not x-nullable, so kin-openapi refuses null anywhere. " +
			"The reference server reads null for an optional member as the member being absent, as .NET's JSON readers do " +
			"for the service's optional reference-type properties; the participant is added as if the member had not been sent. " +
			"ERR-09 demands only that no such body yields a 5xx.",
	},
	{
		Name:       "member names match case-insensitively",
		Kind:       deliberate,
		Side:       SideRequest,
		Operations: []string{opAdd},
		Any2xx:     true,
		Error:      regexp.MustCompile(`^Error at "/participants": property "participants" is missing$`),
		Also:       hasFoldedParticipants,
		Reason: "The negative corpus sends {\"Participants\":[…]} as an 'unusual, arguably acceptable' body. " +
			"The reference server matches member names case-insensitively (Go's encoding/json, and ASP.NET Core's web JSON defaults), " +
			"so it adds the participants; JSON Schema is case-sensitive, so the published document does not know the key.",
	},
	{
		Name:       "a JSON body is read whatever its Content-Type",
		Kind:       deliberate,
		Side:       SideRequest,
		Operations: []string{opAdd},
		Any2xx:     true,
		Error:      regexp.MustCompile(`^request body has an error: header Content-Type has unexpected value "(?:text/plain|application/xml)"$`),
		Also:       bodyIsJSON,
		Reason: "The published document consumes only application/json. The negative corpus sends a valid JSON body labelled " +
			"text/plain or application/xml as 'unusual, arguably acceptable'; the reference server reads the body as JSON " +
			"and adds the participants (ERR-09 demands only no 5xx). A stricter server would answer 415, which the published document does not list either.",
	},
}

// hasFoldedParticipants: the body has "Participants" in another case.
func hasFoldedParticipants(r Rejection) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(r.RequestBody, &obj) != nil {
		return false
	}
	for k := range obj {
		if k != "participants" && strings.EqualFold(k, "participants") {
			return true
		}
	}
	return false
}

func bodyIsJSON(r Rejection) bool { return json.Valid(r.RequestBody) }

// matches reports whether the entry allows one error part of r.
func (a *allowance) matches(version string, r Rejection, part string) bool {
	switch {
	case a.Side != r.Side:
		return false
	case a.Operations != nil && !slices.Contains(a.Operations, r.Operation):
		return false
	case a.Statuses != nil && !slices.Contains(a.Statuses, r.Status):
		return false
	case a.Any2xx && (r.Status < 200 || r.Status > 299):
		return false
	case a.Versions != nil && !slices.Contains(a.Versions, version):
		return false
	}
	m := a.Error.FindStringSubmatch(part)
	if m == nil {
		return false
	}
	if a.ValueIsNull && (len(m) < 2 || !nullAt(r.RequestBody, m[1])) {
		return false
	}
	return a.Also == nil || a.Also(r)
}

// nullAt reports whether the JSON body holds null at the JSON pointer.
func nullAt(body []byte, pointer string) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case map[string]any:
			next, ok := c[tok]
			if !ok {
				return false
			}
			v = next
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(c) {
				return false
			}
			v = c[i]
		default:
			return false
		}
	}
	return v == nil
}

// errorParts splits what ContractCheck recorded into kin-openapi's
// individual errors.
func errorParts(err string) []string {
	var parts []string
	for _, p := range strings.Split(err, " | ") {
		if p = oneLine(p); p != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

// TestPublishedContract runs the whole suite, once per api-version, against
// the reference server wrapped in a kin-openapi (openapi3filter) validator
// built from the PUBLISHED Swagger 2.0 document of that version. The
// validator records and never interferes; the test fails listing every
// rejection the allow-list does not explain, every allow-list entry no run
// needed, and any assertion the suite did not pass.
//
// Which requests are judged: responses always; requests always, but a
// request rejection counts only when the server answered 2xx. The suite's
// negative checks break the request contract on purpose (no Authorization,
// an unknown api-version, malformed bodies, maxPageSize=abc, …) and the
// server must refuse them, which the suite itself verifies; a 2xx to a
// request the document forbids is the finding. This needs no knowledge of
// which spec sent what, so it also holds for requests the suite adds later.
// The refused requests are kept and must include each kind of negative
// check, which proves the request validation is not vacuous.
func TestPublishedContract(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole conformance suite twice")
	}
	for v := range publishedDocs {
		loadPublished(t, v) // skip before building anything when ../shared is absent
	}
	bin, err := suiterun.Build()
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	used := map[string]int{}
	t.Run("versions", func(t *testing.T) {
		for _, version := range slices.Sorted(maps.Keys(publishedDocs)) {
			t.Run(version, func(t *testing.T) {
				t.Parallel()
				counts := runPublished(t, bin, version)
				mu.Lock()
				defer mu.Unlock()
				for k, n := range counts {
					used[k] += n
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	for _, a := range allowList {
		if used[a.Name] == 0 {
			t.Errorf("allow-list entry %q matched nothing in either run: the difference is gone, delete the entry (and its README line)", a.Name)
		}
	}
}

// runPublished is one suite run; it returns how often each allowance was used.
func runPublished(t *testing.T, bin, version string) map[string]int {
	spec := loadPublished(t, version)
	check, err := NewContractCheck(spec.Doc, "/identities")
	if err != nil {
		t.Fatal(err)
	}
	srv := suitetest.Server(t, check.Wrap)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := suiterun.Run(ctx, bin, t.TempDir(), srv.ConnectionString(), map[string]string{"CHAT_API_VERSION": version})
	if err != nil {
		t.Fatalf("running the suite: %v", err)
	}

	// The suite must still pass against the wrapped server: the validator
	// changes nothing.
	for _, a := range res.Judged {
		want := outcome.Passed
		if !catalogue.AppliesTo(a.Assertion, version) {
			want = outcome.Skipped
		}
		if a.Outcome != want {
			t.Errorf("%s: %s is %s against the validated server, want %s:\n%s", version, a.ID, a.Outcome, want, strings.Join(a.Messages, "\n"))
		}
	}
	if len(res.Judged) != len(catalogue.IDs()) {
		t.Errorf("%s: the run judged %d assertions, the catalogue has %d", version, len(res.Judged), len(catalogue.IDs()))
	}

	// Not vacuous: every operation the suite drives was validated, identity
	// calls went past, and the negative checks were refused as requests.
	validated, passed := check.Counts()
	ops := check.Operations()
	for _, op := range []string{"Chat_CreateChatThread", "Chat_DeleteChatThread", opAdd, opList} {
		if ops[op] == 0 {
			t.Errorf("%s: no %s exchange was validated (validated per operation: %v)", version, op, ops)
		}
	}
	if passed == 0 {
		t.Errorf("%s: no Identity call passed through; the suite mints its users through /identities", version)
	}
	refused := check.Refused()
	for _, want := range []struct{ what, pattern string }{
		{"a request without Authorization (ERR-01)", `security requirements failed: .*"Authorization" is missing`},
		{"a body that is not JSON (ADD-10)", `request body has an error: failed to decode request body`},
		{"a query parameter of the wrong type (PAGE-07)", `parameter "maxPageSize" in query has an error`},
		{"a request without api-version (ERR-08)", `parameter "api-version" in query has an error: value is required but missing`},
	} {
		re := regexp.MustCompile(want.pattern)
		if !slices.ContainsFunc(refused, func(r Rejection) bool { return re.MatchString(r.Err) }) {
			t.Errorf("%s: the validator refused no request for %s; is request validation running?", version, want.what)
		}
	}
	t.Logf("%s: suite %s, %d exchanges validated against %s (%v), %d Identity calls passed through, %d deliberately invalid requests refused by the server and by kin-openapi",
		version, res.Duration.Round(time.Millisecond), validated, filepath.Base(filepath.Dir(spec.Source)), ops, passed, len(refused))

	// Every finding must be explained by the allow-list, part by part.
	counts := map[string]int{}
	var unexplained []string
	errorSchema, err := spec.Schema("CommunicationErrorResponse")
	if err != nil || errorSchema == nil {
		t.Fatalf("the published document has no CommunicationErrorResponse: %v", err)
	}
	for _, r := range check.Findings() {
		var why []string
		for _, part := range errorParts(r.Err) {
			i := slices.IndexFunc(allowList, func(a allowance) bool { return a.matches(version, r, part) })
			if i < 0 {
				why = append(why, part)
				continue
			}
			counts[allowList[i].Name]++
			if allowList[i].Kind == knownDefect && counts[allowList[i].Name] == 1 {
				t.Logf("%s: KNOWN DEFECT allowed (%s): %s", version, allowList[i].Name, r)
			}
		}
		if len(why) > 0 {
			rr := r
			rr.Err = strings.Join(why, " | ")
			unexplained = append(unexplained, rr.String())
			continue
		}
		// An undocumented status is allowed, but its body must still be the
		// published error envelope.
		if r.Side == SideResponse && r.Status >= 400 {
			if vs := contract.ValidateSchema(spec, "CommunicationErrorResponse", r.ResponseBody); len(vs) > 0 {
				unexplained = append(unexplained, fmt.Sprintf("%s: the body is not the published CommunicationErrorResponse:\n%s", r, contract.Format(vs, "      ")))
			}
		}
	}
	if len(unexplained) > 0 {
		t.Errorf("%s: %d exchanges break the published document %s and no allow-list entry explains them:\n  - %s",
			version, len(unexplained), spec.Source, strings.Join(unexplained, "\n  - "))
	}
	return counts
}
