package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/internal/wire"
)

// kinConforms is what the fast path must never contradict: the body
// decodes as decodeBody decodes it, and kin-openapi's VisitJSON finds no
// violation with the options of this package.
func kinConforms(s *openapi3.Schema, body []byte, response bool) bool {
	v, problem := decodeBody(body)
	if problem != "" {
		return false
	}
	opts := opts30
	if response {
		opts = respOpts30
	}
	return s.VisitJSON(v, opts...) == nil
}

// checkFast fails the test when fastConforms accepts a body kin-openapi
// rejects, and returns the fast path's answer.
func checkFast(t testing.TB, what string, s *openapi3.Schema, body []byte, response bool) bool {
	t.Helper()
	fast := fastConforms(s, body, response)
	if fast && !kinConforms(s, body, response) {
		t.Errorf("%s (response %v): the fast path accepts a body kin-openapi rejects:\n%s", what, response, body)
	}
	return fast
}

// fastBases are conforming bodies of the Chat schemas, with something of
// every kind the schemas allow: each identifier kind, enums, escapes,
// non-ASCII text, fractional seconds and offsets, unknown members, recursion.
var fastBases = []struct {
	schema, body string
	mutate       bool // also judge fastMutants of it
}{
	{"ChatParticipantsCollection", `{"value":[
		{"communicationIdentifier":{"rawId":"8:acs:1","communicationUser":{"id":"8:acs:1"}},"displayName":"a","shareHistoryTime":"1970-01-01T00:00:00Z"},
		{"communicationIdentifier":{"rawId":"4:+14255550123","kind":"phoneNumber","phoneNumber":{"value":"+14255550123"}}},
		{"communicationIdentifier":{"rawId":"8:orgid:x","kind":"microsoftTeamsUser","microsoftTeamsUser":{"userId":"x","isAnonymous":false,"cloud":"public"}},"shareHistoryTime":"2020-06-06T05:55:41.6460000+01:00"},
		{"communicationIdentifier":{"rawId":"8:x\\/y\u00e9","kind":"communicationUser","communicationUser":{"id":"8:x\\u002fy"}},"displayName":"caf\u00e9 \ud83d\ude00 \"q\"","shareHistoryTime":"2016-12-31T23:59:60Z","metadata":{"k":"v","\u006e":""},"extra":{"n":[1,2.5,-3e2,{"a":null,"b":true}]}}
	],"nextLink":"https://x.example/chat/threads/19:x@thread.v2/participants?skip=4"}`, true},
	{"ChatParticipantsCollection", recordedListPage1, false},
	{"ChatParticipantsCollection", recordedListLast, false},
	{"ChatParticipantsCollection", recordedListNoName, false},
	{"ChatParticipantsCollection", `{"value":[]}`, false},
	{"AddChatParticipantsResult", recordedAddPartial, false},
	{"AddChatParticipantsResult", `{}`, false},
	{"AddChatParticipantsResult", `{"invalidParticipants":[{"code":"403","message":"m","target":"t","details":[{"code":"c","message":"m","innererror":{"code":"i","message":"m","details":[]}}]}]}`, true},
	{"CommunicationErrorResponse", `{"error":{"code":"BadRequest","message":"m","target":"x","innererror":{"code":"x","message":"y"},"details":[{"code":"a","message":"b"}]}}`, true},
	{"AddChatParticipantsRequest", `{"participants":[{"communicationIdentifier":{"rawId":"8:acs:1","communicationUser":{"id":"8:acs:1"}},"displayName":"a","shareHistoryTime":"2020-10-30T10:50:50Z"}]}`, true},
	{"CommunicationIdentifierModel", `{"communicationUser":{"id":"8:acs:1"}}`, true},
	{"ChatParticipant", `  {"communicationIdentifier":{"rawId":"x"}}` + "\n\t", true},
}

// fastReplacements are put in place of every value of the bases to mutate.
var fastReplacements = []string{
	`null`, `true`, `0`, `-1.5`, `1e400`, `01`, `""`, `"\u0078"`, `"\ud800"`, "\"\xff\"",
	`"1970-01-01T00:00:00Z"`, `"2021-02-30T00:00:00Z"`, `"communicationUser"`, `"Public"`,
	`[]`, `[{}]`, `{}`, `{"code":"c","message":"m"}`, `{"id":"i","value":"v","userId":"u","appId":"a"}`, `{"a":{"b":1,"b":1}}`,
}

// fastMutants returns the base itself and its mutations: every value
// replaced by each of fastReplacements or removed, every object given an
// unknown member, a repeated member, a member name with an escape, and the
// whole body followed by trailing data.
func fastMutants(t testing.TB, base string) []string {
	fastMutantsMu.Lock()
	defer fastMutantsMu.Unlock()
	if out, ok := fastMutantsOf[base]; ok {
		return out
	}
	out := makeFastMutants(t, base)
	fastMutantsOf[base] = out
	return out
}

var (
	fastMutantsMu sync.Mutex
	fastMutantsOf = map[string][]string{}
)

func makeFastMutants(t testing.TB, base string) []string {
	dec := json.NewDecoder(strings.NewReader(base))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		t.Fatalf("base %s: %v", base, err)
	}
	var out []string
	add := func(ptr string, write func(b *bytes.Buffer, v any) bool) {
		var b bytes.Buffer
		renderEdited(&b, tree, "", ptr, write)
		out = append(out, b.String())
	}
	out = append(out, base, base+" ", base+"x", base+" {}", "["+base+"]", base[:len(base)/2])
	var ptrs []string
	collectPointers(tree, "", &ptrs)
	for _, ptr := range ptrs {
		for _, r := range fastReplacements {
			add(ptr, func(b *bytes.Buffer, _ any) bool { b.WriteString(r); return true })
		}
		if ptr != "" {
			add(ptr, func(*bytes.Buffer, any) bool { return false })
		}
		add(ptr, func(b *bytes.Buffer, v any) bool {
			obj, ok := v.(map[string]any)
			if !ok {
				if s, ok := v.(string); ok && s != "" {
					// The same string with its first character escaped.
					fmt.Fprintf(b, `"\u%04x%s`, s[0], strings.TrimPrefix(mustJSON(t, s[1:]), `"`))
					return true
				}
				renderEdited(b, v, "", "\x00", nil)
				return true
			}
			keys := sortedKeys(obj)
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteByte(',')
				}
				if i == 0 {
					// The first name with an escape: the same name.
					fmt.Fprintf(b, `"\u%04x%s:`, k[0], strings.TrimPrefix(mustJSON(t, k[1:]), `"`))
				} else {
					b.WriteString(mustJSON(t, k) + ":")
				}
				renderEdited(b, obj[k], "", "\x00", nil)
			}
			b.WriteByte('}')
			return true
		})
		// Members added: unknown ones, documented ones (repeated when the
		// object has them), and the first member again.
		for _, extra := range []string{`"zzz":1`, `"zzz":null`, `"value":[]`, `"error":{}`, ""} {
			add(ptr, func(b *bytes.Buffer, v any) bool {
				renderEdited(b, v, "", "\x00", nil)
				obj, ok := v.(map[string]any)
				if !ok || extra == "" && len(obj) == 0 {
					return true
				}
				member := extra
				if member == "" {
					k := sortedKeys(obj)[0]
					var first bytes.Buffer
					renderEdited(&first, obj[k], "", "\x00", nil)
					member = mustJSON(t, k) + ":" + first.String()
				}
				b.Truncate(b.Len() - 1)
				if len(obj) > 0 {
					b.WriteByte(',')
				}
				b.WriteString(member + "}")
				return true
			})
		}
	}
	return out
}

func collectPointers(v any, ptr string, out *[]string) {
	*out = append(*out, ptr)
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			collectPointers(v[k], ptr+"/"+k, out)
		}
	case []any:
		for i, e := range v {
			collectPointers(e, fmt.Sprintf("%s/%d", ptr, i), out)
		}
	}
}

// renderEdited writes v as JSON, with the value at pointer at written by
// write instead (omitted when write returns false).
func renderEdited(b *bytes.Buffer, v any, ptr, at string, write func(*bytes.Buffer, any) bool) {
	if ptr == at {
		write(b, v)
		return
	}
	switch v := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		first := true
		for _, k := range sortedKeys(v) {
			var child bytes.Buffer
			if p := ptr + "/" + k; p == at {
				if !write(&child, v[k]) {
					continue
				}
			} else {
				renderEdited(&child, v[k], p, at, write)
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			k, _ := json.Marshal(k)
			b.Write(k)
			b.WriteByte(':')
			b.Write(child.Bytes())
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		first := true
		for i, e := range v {
			var child bytes.Buffer
			if p := fmt.Sprintf("%s/%d", ptr, i); p == at {
				if !write(&child, e) {
					continue
				}
			} else {
				renderEdited(&child, e, p, at, write)
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.Write(child.Bytes())
		}
		b.WriteByte(']')
	default:
		data, _ := json.Marshal(v)
		b.Write(data)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func mustJSON(t testing.TB, v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestFastPathNeverContradictsKin: over the Chat schemas of every document
// and thousands of conforming and broken bodies, the fast path accepts
// nothing kin-openapi rejects, and accepts every conforming base (else it
// would be no fast path).
func TestFastPathNeverContradictsKin(t *testing.T) {
	run := func(t *testing.T, specs map[string]*fixtures.Spec) {
		for name, spec := range specs {
			accepted, rejected := 0, 0
			for _, base := range fastBases {
				ref, err := spec.Schema(base.schema)
				if err != nil {
					t.Fatal(err)
				}
				for _, response := range []bool{false, true} {
					if !kinConforms(ref.Value, []byte(base.body), response) {
						t.Fatalf("%s %s (response %v): the base does not conform:\n%s", name, base.schema, response, base.body)
					}
					if !checkFast(t, name+" "+base.schema, ref.Value, []byte(base.body), response) {
						t.Errorf("%s %s (response %v): the fast path does not accept a conforming body:\n%s", name, base.schema, response, base.body)
					}
				}
				if !base.mutate {
					continue
				}
				for _, body := range fastMutants(t, base.body) {
					for _, response := range []bool{false, true} {
						if checkFast(t, name+" "+base.schema, ref.Value, []byte(body), response) {
							accepted++
						} else {
							rejected++
						}
					}
				}
			}
			if accepted == 0 || rejected == 0 {
				t.Errorf("%s: %d mutants accepted, %d not: the corpus does not exercise both ways", name, accepted, rejected)
			}
			// Every schema of the document, against every base.
			for schemaName, ref := range spec.Doc.Components.Schemas {
				for _, base := range fastBases {
					for _, response := range []bool{false, true} {
						checkFast(t, name+" "+schemaName, ref.Value, []byte(base.body), response)
					}
				}
			}
		}
	}
	run(t, specsUnderTest(t, false))
	t.Run("published", func(t *testing.T) { run(t, specsUnderTest(t, true)) })
}

// TestFastPathSameViolations: ValidateResponse and ValidateSchema say
// exactly the same with the fast path as without it, for every mutant.
func TestFastPathSameViolations(t *testing.T) {
	responses := map[string]struct {
		method, path string
		status       int
	}{
		"ChatParticipantsCollection": {"GET", listPath, 200},
		"AddChatParticipantsResult":  {"POST", addPath, 201},
		"CommunicationErrorResponse": {"GET", listPath, 400},
	}
	for name, spec := range specsUnderTest(t, false) {
		for _, base := range fastBases {
			bodies := []string{base.body}
			if base.mutate && name == "embedded "+wire.APIVersionStable { // once: TestFastPathNeverContradictsKin covers the other documents
				bodies = fastMutants(t, base.body)
			}
			for i, body := range bodies {
				if r, ok := responses[base.schema]; ok {
					headers := []http.Header{jsonUTF8}
					if i == 0 {
						headers = append(headers, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"x"}})
					}
					for _, header := range headers {
						fast := validateResponse(spec, r.method, r.path, r.status, header, []byte(body), true)
						full := validateResponse(spec, r.method, r.path, r.status, header, []byte(body), false)
						if !reflect.DeepEqual(fast, full) {
							t.Errorf("%s %s %d: with the fast path:\n%s\nwithout:\n%s\nbody: %s", name, r.method, r.status, Format(fast, "  "), Format(full, "  "), body)
						}
					}
				}
				fast := validateSchema(spec, base.schema, []byte(body), true)
				full := validateSchema(spec, base.schema, []byte(body), false)
				if !reflect.DeepEqual(fast, full) {
					t.Errorf("%s %s: with the fast path:\n%s\nwithout:\n%s\nbody: %s", name, base.schema, Format(fast, "  "), Format(full, "  "), body)
				}
			}
		}
	}
}

// fastKeywordsDoc has schemas with the keywords the Chat schemas do not use
// but the fast path implements, and some it leaves to kin-openapi.
const fastKeywordsDoc = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    WriteOnly:
      type: object
      required: [secret, name]
      properties:
        secret: {type: string, writeOnly: true}
        name: {type: string, readOnly: true}
        opt: {type: string, writeOnly: true, nullable: true}
    Lengths:
      type: string
      minLength: 2
      maxLength: 3
    Items:
      type: array
      minItems: 1
      maxItems: 2
      items: {type: integer}
    Props:
      type: object
      minProperties: 1
      maxProperties: 2
      additionalProperties: false
      properties:
        a: {type: number, nullable: true}
        b: {type: boolean}
        c: {type: string, enum: [x, "y"]}
    AdditionalSchema:
      type: object
      properties:
        a: {type: string}
      additionalProperties: {type: integer}
    NoType:
      description: any value but null
    NullableNoType:
      nullable: true
    Formats:
      type: object
      properties:
        date: {type: string, format: date}
        ipv4: {type: string, format: ipv4}
        custom: {type: string, format: no-such-format}
        when: {type: string, format: date-time}
    Numbers:
      type: object
      properties:
        min: {type: number, minimum: 1}
        int32: {type: integer, format: int32}
        mult: {type: number, multipleOf: 2}
        enum: {type: integer, enum: [1, 2]}
    Pattern:
      type: string
      pattern: '^a+$'
    OneOf:
      oneOf:
        - {type: string}
        - {type: integer}
    AllOfRequired:
      allOf:
        - type: object
          properties:
            s: {type: string, writeOnly: true}
      required: [s]
      type: object
    UniqueItems:
      type: array
      uniqueItems: true
      items: {type: integer}
    EmptyProps:
      properties:
        a: {}
`

// TestFastPathKeywords: the keywords of fastKeywordsDoc, against bodies
// that conform and bodies that do not.
func TestFastPathKeywords(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(fastKeywordsDoc))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatal(err)
	}
	bodies := []string{
		`null`, `true`, `1`, `1.5`, `-0`, `1e400`, `"a"`, `"ab"`, `"abc"`, `"abcd"`, `"\ud83d\ude00\ud83d\ude00"`, `"ééé"`, `"aa"`,
		`[]`, `[1]`, `[1,2]`, `[1,2,3]`, `[1.5]`, `[1.0]`, `["1"]`, `[null]`, `[1,1]`,
		`{}`, `{"secret":"s","name":"n"}`, `{"name":"n"}`, `{"secret":null,"name":"n"}`, `{"opt":null,"name":"n"}`, `{"opt":"o","name":"n"}`, `{"secret":"s"}`,
		`{"a":1}`, `{"a":null}`, `{"a":"x"}`, `{"b":true}`, `{"b":1}`, `{"c":"x"}`, `{"c":"z"}`, `{"a":1,"b":false}`, `{"a":1,"b":false,"c":"y"}`, `{"d":1}`,
		`{"a":"s","b":1}`, `{"a":"s","b":"1"}`, `{"a":"s","b":1.5}`, `{"b":null}`,
		`{"date":"2020-01-01"}`, `{"date":"2020-13-01"}`, `{"ipv4":"1.2.3.4"}`, `{"ipv4":"1.2.3"}`, `{"custom":"anything"}`,
		`{"when":"2021-02-28T00:00:00Z"}`, `{"when":"2021-02-29T00:00:00Z"}`, `{"when":"2021-02-28T00:00:00"}`,
		`{"min":1}`, `{"min":0}`, `{"int32":1}`, `{"mult":4}`, `{"enum":1}`, `{"enum":3}`,
		`{"s":"x"}`, `{"s":1}`,
	}
	// The bodies the fast path must accept (those it does not leave to
	// kin-openapi by design), per schema and mode (both when unmarked).
	wantFast := map[string][]string{
		"WriteOnly":        {"schema " + `{"secret":"s","name":"n"}`, "response " + `{"name":"n"}`, "response " + `{"opt":null,"name":"n"}`},
		"Lengths":          {`"ab"`, `"abc"`, `"ééé"`, `"aa"`, `"\ud83d\ude00\ud83d\ude00"`},
		"Items":            {`[1]`, `[1,2]`, `[1.0]`, `[1,1]`},
		"Props":            {`{"a":1}`, `{"a":null}`, `{"b":true}`, `{"c":"x"}`, `{"a":1,"b":false}`},
		"AdditionalSchema": {`{}`, `{"a":"x"}`, `{"a":"s","b":1}`, `{"d":1}`},
		"NoType":           {`true`, `1`, `"a"`, `[]`, `{}`, `[null]`},
		"NullableNoType":   {`null`, `true`, `{}`},
		"Formats":          {`{}`, `{"date":"2020-01-01"}`, `{"ipv4":"1.2.3.4"}`, `{"custom":"anything"}`, `{"when":"2021-02-28T00:00:00Z"}`},
		"Numbers":          {`{}`},
	}
	for name, ref := range doc.Components.Schemas {
		for _, body := range bodies {
			for _, response := range []bool{false, true} {
				fast := checkFast(t, name, ref.Value, []byte(body), response)
				mode := "schema "
				if response {
					mode = "response "
				}
				want := slices.Contains(wantFast[name], body) || slices.Contains(wantFast[name], mode+body)
				if want && !fast {
					t.Errorf("%s (response %v): the fast path does not accept %s", name, response, body)
				}
			}
		}
	}
}

// TestFastPathCompilesOnce: the validator of a schema is compiled once and
// shared.
func TestFastPathCompilesOnce(t *testing.T) {
	spec := mustSpec(t, wire.APIVersionStable, "")
	ref, _ := spec.Schema("ChatParticipantsCollection")
	if a, b := fastValidator(ref.Value), fastValidator(ref.Value); a != b || !a.supported {
		t.Fatalf("fastValidator: %p then %p (supported %v)", a, b, a.supported)
	}
}

// FuzzFastConforms: whatever the body, the fast path accepts nothing
// kin-openapi rejects.
func FuzzFastConforms(f *testing.F) {
	for _, base := range fastBases {
		f.Add([]byte(base.body))
	}
	f.Add(page250(f))
	spec := mustSpec(f, wire.APIVersionStable, "")
	var schemas []*openapi3.Schema
	for _, name := range []string{"ChatParticipantsCollection", "AddChatParticipantsResult", "CommunicationErrorResponse", "AddChatParticipantsRequest"} {
		ref, err := spec.Schema(name)
		if err != nil {
			f.Fatal(err)
		}
		schemas = append(schemas, ref.Value)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range schemas {
			checkFast(t, "fuzz", s, body, false)
			checkFast(t, "fuzz", s, body, true)
		}
	})
}
