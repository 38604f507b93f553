package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/chatconform/chatconform/fixtures"
	"github.com/chatconform/chatconform/fixtures/sharedref"
	"github.com/chatconform/chatconform/internal/wire"
)

// The tests in this file hold each authored document (fixtures/openapi) to
// its api-version: what wire says the version has, the published examples
// of that version, and the published document's schemas.

// operations are the five operations every authored document routes.
var operations = []struct{ method, path, op string }{
	{http.MethodPost, "/chat/threads", "Chat_CreateChatThread"},
	{http.MethodDelete, "/chat/threads/19:abc@thread.v2", "Chat_DeleteChatThread"},
	{http.MethodGet, "/chat/threads/19:abc@thread.v2/participants", OpListParticipants},
	{http.MethodPost, "/chat/threads/19:abc@thread.v2/participants/:add", OpAddParticipants},
	{http.MethodPost, "/chat/threads/19:abc@thread.v2/participants/:remove", OpRemoveParticipant},
}

// threadSchemas are the schemas metadata and retentionPolicy belong to.
var (
	metadataSchemas  = []string{"ChatParticipant", "CreateChatThreadRequest", "ChatThreadProperties"}
	retentionSchemas = []string{"CreateChatThreadRequest", "ChatThreadProperties"}
)

func mustLoad(t *testing.T, version, path string) *Spec {
	t.Helper()
	s, err := Load(version, path)
	if err != nil {
		t.Fatalf("%s: %v", version, err)
	}
	return s
}

func mustSchema(t *testing.T, s *Spec, name string) *openapi3.Schema {
	t.Helper()
	ref, err := s.Schema(name)
	if err != nil {
		t.Fatal(err)
	}
	return ref.Value
}

// TestEmbeddedDocumentOfEveryVersion: every api-version the suite knows has
// an embedded document that routes the five operations and has exactly the
// identifier kinds, metadata and retentionPolicy of that version.
func TestEmbeddedDocumentOfEveryVersion(t *testing.T) {
	for _, v := range wire.SupportedChatVersions {
		s := mustLoad(t, v, "")
		for _, o := range operations {
			r, _, err := s.FindRoute(o.method, o.path+"?api-version="+v)
			if err != nil {
				t.Errorf("%s: %s %s: %v", v, o.method, o.path, err)
				continue
			}
			if r.Operation.OperationID != o.op {
				t.Errorf("%s: %s %s routes to %s, want %s", v, o.method, o.path, r.Operation.OperationID, o.op)
			}
		}

		kinds := enumStrings(mustSchema(t, s, "CommunicationIdentifierModelKind"))
		if want := wire.IdentifierKinds(v); !slices.Equal(kinds, want) {
			t.Errorf("%s: CommunicationIdentifierModelKind enum = %v, want wire.IdentifierKinds = %v", v, kinds, want)
		}
		// One sub-object per kind but unknown, named as the kind, and no other.
		id := mustSchema(t, s, "CommunicationIdentifierModel")
		var subs []string
		for name := range id.Properties {
			if name != "kind" && name != "rawId" {
				subs = append(subs, name)
			}
		}
		sort.Strings(subs)
		want := slices.Clone(wire.IdentifierKinds(v)[1:])
		sort.Strings(want)
		if !slices.Equal(subs, want) {
			t.Errorf("%s: CommunicationIdentifierModel sub-objects = %v, want %v", v, subs, want)
		}
		_, teamsApp := s.Doc.Components.Schemas["MicrosoftTeamsAppIdentifierModel"]
		_, extension := s.Doc.Components.Schemas["TeamsExtensionUserIdentifierModel"]
		if teamsApp != slices.Contains(wire.IdentifierKinds(v), "microsoftTeamsApp") || extension != slices.Contains(wire.IdentifierKinds(v), "teamsExtensionUser") {
			t.Errorf("%s: MicrosoftTeamsAppIdentifierModel defined = %v, TeamsExtensionUserIdentifierModel defined = %v; kinds %v", v, teamsApp, extension, kinds)
		}

		for _, name := range metadataSchemas {
			meta, ok := mustSchema(t, s, name).Properties["metadata"]
			if ok != wire.HasMetadata(v) {
				t.Errorf("%s: %s has metadata = %v, wire.HasMetadata = %v", v, name, ok, wire.HasMetadata(v))
			}
			if ok && (!meta.Value.Type.Is("object") || meta.Value.AdditionalProperties.Schema == nil || !meta.Value.AdditionalProperties.Schema.Value.Type.Is("string") ||
				!strings.Contains(meta.Value.Description, "up to 1KB")) {
				t.Errorf("%s: %s.metadata is not the documented string map of up to 1KB: %+v", v, name, meta.Value)
			}
		}
		for _, name := range retentionSchemas {
			_, ok := mustSchema(t, s, name).Properties["retentionPolicy"]
			if ok != wire.HasRetentionPolicy(v) {
				t.Errorf("%s: %s has retentionPolicy = %v, wire.HasRetentionPolicy = %v", v, name, ok, wire.HasRetentionPolicy(v))
			}
		}
		_, ok := s.Doc.Components.Schemas["ChatRetentionPolicy"]
		if ok != wire.HasRetentionPolicy(v) {
			t.Errorf("%s: ChatRetentionPolicy defined = %v, wire.HasRetentionPolicy = %v", v, ok, wire.HasRetentionPolicy(v))
		}

		// The header comment and info.description say where the document
		// comes from; the 2021 ones say that their Common document is missing.
		data, err := fixtures.OpenAPIDocs.ReadFile("openapi/" + fixtures.OpenAPIFiles[v])
		if err != nil {
			t.Fatal(err)
		}
		standIn := strings.HasPrefix(v, "2021-")
		for what, text := range map[string]string{"the comment at the top": string(data[:bytes.Index(data, []byte("\nopenapi:"))]), "info.description": s.Doc.Info.Description} {
			if says := strings.Contains(text, "Common/stable/2021-03-07/common.json") && strings.Contains(text, "Common/stable/2022-07-13/common.json"); says != standIn {
				t.Errorf("%s: %s names the missing 2021-03-07 Common document and its stand-in = %v, want %v", v, what, says, standIn)
			}
		}
	}
}

// enumStrings lists a schema's enum values in document order.
func enumStrings(s *openapi3.Schema) []string {
	var out []string
	for _, e := range s.Enum {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

// exampleRoutes maps each published example file to its request.
var exampleRoutes = map[string]struct {
	method, path, bodyParam, bodySchema string
}{
	"Participants_AddChatParticipants.json":              {http.MethodPost, "/chat/threads/%s/participants/:add", "addChatParticipantsRequest", "AddChatParticipantsRequest"},
	"Participants_ListChatParticipantsWithPageSize.json": {http.MethodGet, "/chat/threads/%s/participants", "", ""},
	"Participants_RemoveChatParticipant.json":            {http.MethodPost, "/chat/threads/%s/participants/:remove", "participantCommunicationIdentifier", "CommunicationIdentifierModel"},
	"Threads_CreateChatThread.json":                      {http.MethodPost, "/chat/threads", "createChatThreadRequest", "CreateChatThreadRequest"},
	"Threads_DeleteChatThread.json":                      {http.MethodDelete, "/chat/threads/%s", "", ""},
}

var schemaOpts = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.EnableFormatValidation()}

// TestEmbeddedValidatesPublishedExamples: every request body and every
// response (status, headers, body) of the published examples of a version
// conforms to the embedded document of that version.
func TestEmbeddedValidatesPublishedExamples(t *testing.T) {
	for _, v := range wire.SupportedChatVersions {
		s := mustLoad(t, v, "")
		dir := sharedref.Dir(t, "reference", "specs", "Chat", track(v), v, "examples")
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		if len(files) < 4 {
			t.Fatalf("%s: only %d examples in %s", v, len(files), dir)
		}
		for _, file := range files {
			name := filepath.Base(file)
			route, ok := exampleRoutes[name]
			if !ok {
				t.Errorf("%s: no route mapped for %s", v, name)
				continue
			}
			var ex struct {
				Parameters map[string]json.RawMessage `json:"parameters"`
				Responses  map[string]struct {
					Headers map[string]string `json:"headers"`
					Body    json.RawMessage   `json:"body"`
				} `json:"responses"`
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &ex); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if got := strings.Trim(string(ex.Parameters["api-version"]), `"`); got != v {
				t.Errorf("%s %s: the example is for api-version %q", v, name, got)
			}
			path := route.path
			if strings.Contains(path, "%s") {
				var thread string
				_ = json.Unmarshal(ex.Parameters["chatThreadId"], &thread)
				path = fmt.Sprintf(path, url.PathEscape(thread))
			}
			if route.bodyParam != "" {
				var body any
				if err := json.Unmarshal(ex.Parameters[route.bodyParam], &body); err != nil {
					t.Fatalf("%s %s: %v", v, name, err)
				}
				if err := mustSchema(t, s, route.bodySchema).VisitJSON(body, append(slices.Clip(schemaOpts), openapi3.VisitAsRequest())...); err != nil {
					t.Errorf("%s %s: the request body breaks %s of %s: %v", v, name, route.bodySchema, s.Source, err)
				}
			}
			for code, resp := range ex.Responses {
				var status int
				fmt.Sscan(code, &status)
				header := http.Header{}
				for k, val := range resp.Headers {
					header.Set(k, val)
				}
				if len(resp.Body) > 0 {
					header.Set("Content-Type", "application/json; charset=utf-8")
				}
				if err := validateResponse(s, route.method, path+"?api-version="+v, status, header, resp.Body); err != nil {
					t.Errorf("%s %s: response %s breaks %s: %v", v, name, code, s.Source, err)
				}
			}
		}
	}
}

func track(version string) string {
	if strings.HasSuffix(version, "-preview") {
		return "preview"
	}
	return "stable"
}

// validateResponse is kin-openapi's own response validation: the status
// must be documented, and headers and body conform.
func validateResponse(s *Spec, method, path string, status int, header http.Header, body []byte) error {
	route, params, err := s.FindRoute(method, path)
	if err != nil {
		return err
	}
	u, _ := url.Parse(path)
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, SchemaValidationOptions: schemaOpts}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    &http.Request{Method: method, URL: u, Header: http.Header{}, Body: http.NoBody},
			PathParams: params,
			Route:      route,
			Options:    opts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: opts,
	})
}

// TestRetentionPolicyPerVersion: retentionPolicy validates as each version
// publishes it: threadCreationDate (with deleteThreadAfterDays) in
// 2024-03-15-preview and 2025-03-15, none only in 2025-03-15, and it is
// not a property at all where the version has none.
func TestRetentionPolicyPerVersion(t *testing.T) {
	const thread = `{"id":"19:a@thread.v2","topic":"t","createdOn":"2025-01-01T00:00:00Z","createdByCommunicationIdentifier":{"rawId":"8:acs:r_1","communicationUser":{"id":"8:acs:r_1"}},"retentionPolicy":%s}`
	cases := []struct {
		policy string
		valid  map[string]bool // by version; absent: invalid
	}{
		{`{"kind":"threadCreationDate","deleteThreadAfterDays":30}`, map[string]bool{wire.APIVersionPreview: true, wire.APIVersion20250315: true}},
		{`{"kind":"none"}`, map[string]bool{wire.APIVersion20250315: true}},
		{`{"kind":"threadCreationDate"}`, nil}, // deleteThreadAfterDays is required
		{`{"kind":"threadCreationDate","deleteThreadAfterDays":"30"}`, nil},
		{`{"kind":"forever"}`, nil},
		{`{"deleteThreadAfterDays":30}`, nil},
	}
	for _, v := range wire.SupportedChatVersions {
		if !wire.HasRetentionPolicy(v) {
			continue // checked by TestEmbeddedDocumentOfEveryVersion; unknown fields are allowed
		}
		props := mustSchema(t, mustLoad(t, v, ""), "ChatThreadProperties")
		for _, c := range cases {
			var body any
			if err := json.Unmarshal([]byte(fmt.Sprintf(thread, c.policy)), &body); err != nil {
				t.Fatal(err)
			}
			err := props.VisitJSON(body, append(slices.Clip(schemaOpts), openapi3.VisitAsResponse())...)
			if (err == nil) != c.valid[v] {
				t.Errorf("%s: retentionPolicy %s: valid = %v, want %v (%v)", v, c.policy, err == nil, c.valid[v], err)
			}
		}
	}
}

// TestTeamsExtensionUserOnlyIn20250315: the teamsExtensionUser kind and
// sub-object validate in 2025-03-15 only, with its three required ids.
func TestTeamsExtensionUserOnlyIn20250315(t *testing.T) {
	const (
		full    = `{"kind":"teamsExtensionUser","rawId":"8:acs:r_u","teamsExtensionUser":{"userId":"u","tenantId":"t","resourceId":"r","cloud":"public"}}`
		partial = `{"rawId":"8:acs:r_u","teamsExtensionUser":{"userId":"u","tenantId":"t"}}`
		phone   = `{"kind":"phoneNumber","rawId":"4:anonymous","phoneNumber":{"value":"anonymous","isAnonymous":true,"assertedId":"a1"}}`
	)
	for _, v := range wire.SupportedChatVersions {
		id := mustSchema(t, mustLoad(t, v, ""), "CommunicationIdentifierModel")
		for _, c := range []struct {
			body  string
			valid bool
		}{
			{full, v == wire.APIVersion20250315},
			{partial, v != wire.APIVersion20250315}, // an unknown field before 2025-03-15, a missing resourceId in it
			{phone, true},                           // unknown fields before 2025-03-15
		} {
			var body any
			if err := json.Unmarshal([]byte(c.body), &body); err != nil {
				t.Fatal(err)
			}
			if err := id.VisitJSON(body, schemaOpts...); (err == nil) != c.valid {
				t.Errorf("%s: %s: valid = %v, want %v (%v)", v, c.body, err == nil, c.valid, err)
			}
		}
	}
	ext := mustSchema(t, mustLoad(t, wire.APIVersion20250315, ""), "TeamsExtensionUserIdentifierModel")
	if req := slices.Sorted(slices.Values(ext.Required)); !slices.Equal(req, []string{"resourceId", "tenantId", "userId"}) {
		t.Errorf("TeamsExtensionUserIdentifierModel requires %v", req)
	}
	pn := mustSchema(t, mustLoad(t, wire.APIVersion20250315, ""), "PhoneNumberIdentifierModel")
	if pn.Properties["isAnonymous"] == nil || pn.Properties["assertedId"] == nil {
		t.Error("2025-03-15 PhoneNumberIdentifierModel lacks isAnonymous or assertedId")
	}
}

// TestPublished2021LacksCommon pins why sharedref.PublishedChatSpec stands
// Common/stable/2022-07-13 in for the 2021 versions: the published 2021
// documents do not load from the reference data as they are.
func TestPublished2021LacksCommon(t *testing.T) {
	specs := sharedref.Dir(t, "reference", "specs")
	if _, err := os.Stat(filepath.Join(specs, "Common", "stable", "2021-03-07", "common.json")); err == nil {
		t.Skip("the reference data now has Common/stable/2021-03-07/common.json: PublishedChatSpec no longer substitutes")
	}
	for _, v := range []string{wire.APIVersion20210307, wire.APIVersion20210907} {
		_, err := Load(v, filepath.Join(specs, "Chat", "stable", v, "communicationserviceschat.json"))
		if err == nil || !strings.Contains(err.Error(), "Common/stable/2021-03-07/common.json") {
			t.Errorf("%s: loading the published document as it is: %v", v, err)
		}
		if p := sharedref.PublishedChatSpec(t, v); !strings.HasPrefix(p, os.TempDir()) {
			t.Errorf("%s: PublishedChatSpec = %s, want a copy with the stand-in", v, p)
		}
	}
}

// agreeSchemas are the schemas whose shape the embedded and the published
// document of a version must share: the participant schemas and, through
// them, the identifier and error models (the kind enum included); the
// thread schemas create and delete use.
var agreeSchemas = []string{
	"ChatParticipant", "ChatParticipantsCollection", "AddChatParticipantsRequest", "AddChatParticipantsResult",
	"CommunicationIdentifierModel", "CommunicationError", "CommunicationErrorResponse",
	"CreateChatThreadRequest", "ChatThreadProperties", "CreateChatThreadResult",
}

// TestEmbeddedAgreesWithPublished: for every version, the schemas above
// have the same shape in the embedded document as in the published one:
// types, formats, enums, required members, properties, items, maps,
// readOnly, recursively through every $ref, and for retentionPolicy the
// kinds and each kind's members. Descriptions and examples are not
// compared (the authored documents paraphrase some).
//
// The published 2023-11-07, 2024-03-07, 2024-03-15-preview and 2025-03-15
// documents are complete. The 2021 ones are loaded with the 2022-07-13
// Common document standing in for the missing 2021-03-07 one
// (sharedref.PublishedChatSpec), so for them this proves the schemas the
// chat document defines itself and that the identifier and error models
// are the 2022-07-13 ones, as the authored documents say.
func TestEmbeddedAgreesWithPublished(t *testing.T) {
	for _, v := range wire.SupportedChatVersions {
		embedded := mustLoad(t, v, "")
		published := mustLoad(t, v, sharedref.PublishedChatSpec(t, v))
		for _, name := range agreeSchemas {
			a := topShape(embedded.Doc, name, mustRef(t, embedded, name))
			b := topShape(published.Doc, name, mustRef(t, published, name))
			if diffs := shapeDiff(name, a, b); len(diffs) > 0 {
				t.Errorf("%s: %s differs between %s and the published %s:\n  %s", v, name, embedded.Source, published.Source, strings.Join(diffs, "\n  "))
			}
		}
	}
}

func mustRef(t *testing.T, s *Spec, name string) *openapi3.SchemaRef {
	t.Helper()
	ref, err := s.Schema(name)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// topShape is the shape of the component schema name: defined in place
// (the authored documents) or a $ref (the published ones, into Common).
func topShape(doc *openapi3.T, name string, ref *openapi3.SchemaRef) any {
	if ref.Ref != "" {
		return shapeOf(doc, ref, nil)
	}
	return shapeOf(doc, ref, []string{name})
}

// shapeOf reduces a resolved schema to what validation depends on, as
// plain values for comparison. stack holds the names of the schemas being
// visited (the top one's name, then the $ref targets), so a recursive
// schema (CommunicationError.details) ends in "recursive" in both
// documents, however their loaders share the resolved values.
func shapeOf(doc *openapi3.T, ref *openapi3.SchemaRef, stack []string) any {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	if ref.Ref != "" {
		name := ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
		if slices.Contains(stack, name) {
			return "recursive"
		}
		stack = append(slices.Clip(stack), name)
	}
	if s.Discriminator != nil {
		return polymorphicShape(doc, s, stack)
	}
	m := map[string]any{}
	if s.Type != nil && len(*s.Type) > 0 {
		m["type"] = strings.Join(*s.Type, ",")
	}
	if s.Format != "" {
		m["format"] = s.Format
	}
	if len(s.Enum) > 0 {
		m["enum"] = slices.Sorted(slices.Values(enumStrings(s)))
	}
	if len(s.Required) > 0 {
		m["required"] = slices.Sorted(slices.Values(s.Required))
	}
	if s.ReadOnly {
		m["readOnly"] = true
	}
	if len(s.Properties) > 0 {
		props := map[string]any{}
		for name, p := range s.Properties {
			props[name] = shapeOf(doc, p, stack)
		}
		m["properties"] = props
	}
	if s.Items != nil {
		m["items"] = shapeOf(doc, s.Items, stack)
	}
	if s.AdditionalProperties.Schema != nil {
		m["additionalProperties"] = shapeOf(doc, s.AdditionalProperties.Schema, stack)
	} else if s.AdditionalProperties.Has != nil {
		m["additionalProperties"] = *s.AdditionalProperties.Has
	}
	for what, xs := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "oneOf": s.OneOf, "anyOf": s.AnyOf} {
		if len(xs) > 0 {
			var shapes []any
			for _, x := range xs {
				shapes = append(shapes, shapeOf(doc, x, stack))
			}
			m[what] = shapes
		}
	}
	return m
}

// polymorphicShape is the shape of a schema with a discriminator, written
// either way: the authored documents' OpenAPI 3 oneOf of flat variants,
// each with its own kind, or the published Swagger 2.0 base whose variants
// are the definitions with x-ms-discriminator-value that allOf the base.
// It is the kinds the base allows, what the base requires, and per kind
// the variant's other members.
func polymorphicShape(doc *openapi3.T, base *openapi3.Schema, stack []string) any {
	prop := base.Discriminator.PropertyName
	kindShape, _ := shapeOf(doc, base.Properties[prop], stack).(map[string]any)
	variants := map[string]any{}
	addVariant := func(kind string, required []string, props openapi3.Schemas) {
		members := map[string]any{}
		for name, p := range props {
			if name != prop {
				members[name] = shapeOf(doc, p, stack)
			}
		}
		req := slices.DeleteFunc(slices.Clone(required), func(r string) bool { return r == prop })
		sort.Strings(req)
		variants[kind] = map[string]any{"required": req, "properties": members}
	}
	if len(base.OneOf) > 0 {
		for _, o := range base.OneOf {
			kinds := enumStrings(o.Value.Properties[prop].Value)
			if len(kinds) != 1 {
				return fmt.Sprintf("variant with %s enum %v", prop, kinds)
			}
			addVariant(kinds[0], o.Value.Required, o.Value.Properties)
		}
	} else {
		for _, ref := range doc.Components.Schemas {
			kind, ok := ref.Value.Extensions["x-ms-discriminator-value"].(string)
			if !ok || !slices.ContainsFunc(ref.Value.AllOf, func(r *openapi3.SchemaRef) bool { return r.Value == base }) {
				continue
			}
			required := append(slices.Clone(base.Required), ref.Value.Required...)
			props := openapi3.Schemas{}
			for n, p := range base.Properties {
				props[n] = p
			}
			for n, p := range ref.Value.Properties {
				props[n] = p
			}
			addVariant(kind, required, props)
		}
	}
	req := slices.Sorted(slices.Values(base.Required))
	return map[string]any{"discriminator": prop, "kinds": kindShape["enum"], "required": req, "variants": variants}
}

// shapeDiff lists where two shapes differ, by path.
func shapeDiff(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		if !reflect.DeepEqual(a, b) {
			return []string{fmt.Sprintf("%s: embedded %s, published %s", path, show(a), show(b))}
		}
		return nil
	}
	keys := map[string]bool{}
	for k := range am {
		keys[k] = true
	}
	for k := range bm {
		keys[k] = true
	}
	var out []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	}) {
		out = append(out, shapeDiff(path+"."+k, am[k], bm[k])...)
	}
	return out
}

func show(v any) string {
	if v == nil {
		return "absent"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
