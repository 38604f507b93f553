package contract

import (
	"bytes"
	"io"
	"math"
	"runtime"
	"strconv"
	"sync"
	"unicode/utf16"
	"weak"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fast path of schema validation.
//
// Decoding a body into map[string]any and walking it with kin-openapi's
// Schema.VisitJSON costs about equally, and for a 250-participant listing
// page (74 KB) together close to a millisecond, almost all of it maps,
// sorted member names and allocations. Most bodies conform, and for those
// the only result is "no violation". So a body is first read once, token by
// token, against a validator compiled from the schema (once per schema)
// that implements the keywords the Chat schemas use, exactly as the OpenAPI
// 3.0 validator of kin-openapi applies them with the options of this
// package. The fast path only ever answers "conforms" or "don't know": on
// anything it does not accept (a violation, a keyword it does not
// implement, a body jsonv2 would not decode), the caller runs the full
// kin-openapi validation, which finds and words every violation as before.
// The fast path therefore never decides a message, and accepts nothing
// kin-openapi would reject.
//
// It mirrors visitJSON and friends of kin-openapi v0.152.0
// (openapi3/schema_3point0_validator.go). fastpath_test.go holds it to that
// over the Chat documents, thousands of broken bodies and a fuzz target, and
// compares ValidateResponse and ValidateSchema with and without it: run
// those again when kin-openapi is upgraded.

// fastNode is a schema compiled for the fast path. It holds no reference to
// the openapi3 schema it was compiled from (see fastValidator).
type fastNode struct {
	// supported is false when the schema has a keyword the fast path does
	// not implement: any value reaching it sends the body to kin-openapi.
	supported bool

	nullable bool // null is accepted (nullable, or type includes "null")
	// The JSON types the schema's type permits (all, when type is absent).
	object, array, str, boolean, number bool
	// integerOnly: type permits integer but not number.
	integerOnly bool

	// enum, when hasEnum: the string members; a value that is not one of
	// them goes to kin-openapi (which also compares non-string members).
	hasEnum bool
	enum    map[string]struct{}

	// Strings.
	minLength    uint64
	maxLength    uint64
	hasMaxLength bool
	dateTime     bool   // format date-time: rfc3339Problem, as dateTimeFormat
	format       string // any other format: kin-openapi's global validator, if one is registered

	// Numbers: only when no numeric keyword applies (see compile).
	plainNumber bool

	// Arrays.
	minItems    uint64
	maxItems    uint64
	hasMaxItems bool
	items       *fastNode // nil: items are not checked

	// Objects.
	members          map[string]fastMember
	minProps         uint64
	maxProps         uint64
	hasMaxProps      bool
	additional       bool      // members not in properties are accepted
	additionalSchema *fastNode // and checked against this, when not nil
	requiredMask     uint64    // bits of the required names
	requiredRespMask uint64    // same, less the writeOnly properties (skipped in a response)
}

// fastMember is what a member name means to its object's schema.
type fastMember struct {
	node      *fastNode // nil: not a property (only required)
	writeOnly bool
	bit       uint64 // the bit of a required name, else 0
}

// fastCache maps a schema (weakly, so that a Spec that is no longer used can
// be collected) to its compiled validator. A Spec is read-only once loaded,
// so a schema compiles once.
var fastCache sync.Map // weak.Pointer[openapi3.Schema] → *fastNode

func fastValidator(s *openapi3.Schema) *fastNode {
	key := weak.Make(s)
	if n, ok := fastCache.Load(key); ok {
		return n.(*fastNode)
	}
	n := compileFast(s, map[*openapi3.Schema]*fastNode{})
	if prev, loaded := fastCache.LoadOrStore(key, n); loaded {
		return prev.(*fastNode)
	}
	runtime.AddCleanup(s, func(k weak.Pointer[openapi3.Schema]) { fastCache.Delete(k) }, key)
	return n
}

// compileFast compiles s; seen makes recursive schemas (CommunicationError
// has details and innererror of its own type) compile to cycles.
func compileFast(s *openapi3.Schema, seen map[*openapi3.Schema]*fastNode) *fastNode {
	if n, ok := seen[s]; ok {
		return n
	}
	n := &fastNode{}
	seen[s] = n
	if !fastSupports(s) {
		return n
	}
	child := func(ref *openapi3.SchemaRef) (*fastNode, bool) {
		if ref == nil || ref.Value == nil {
			return nil, false
		}
		return compileFast(ref.Value, seen), true
	}

	n.nullable = s.Nullable || s.Type.IncludesNull() // permitsNull, OpenAPI 3.0
	n.object = s.Type.Permits(openapi3.TypeObject)
	n.array = s.Type.Permits(openapi3.TypeArray)
	n.str = s.Type.Permits(openapi3.TypeString)
	n.boolean = s.Type.Permits(openapi3.TypeBoolean)
	n.integerOnly = s.Type.Permits(openapi3.TypeInteger) && !s.Type.Permits(openapi3.TypeNumber)
	n.number = s.Type.Permits(openapi3.TypeInteger) || s.Type.Permits(openapi3.TypeNumber)

	if len(s.Enum) > 0 {
		n.hasEnum = true
		n.enum = map[string]struct{}{}
		for _, e := range s.Enum {
			if e, ok := e.(string); ok {
				n.enum[e] = struct{}{}
			}
		}
	}

	n.minLength = s.MinLength
	if s.MaxLength != nil {
		n.maxLength, n.hasMaxLength = *s.MaxLength, true
	}
	if s.Format == "date-time" {
		n.dateTime = true
	} else {
		n.format = s.Format
	}

	n.plainNumber = s.Format == "" && s.Min == nil && s.Max == nil && s.MultipleOf == nil &&
		!s.ExclusiveMin.IsSet() && !s.ExclusiveMax.IsSet()

	n.minItems = s.MinItems
	if s.MaxItems != nil {
		n.maxItems, n.hasMaxItems = *s.MaxItems, true
	}
	if s.Items != nil {
		items, ok := child(s.Items)
		if !ok {
			return n // unsupported: kin-openapi reports the unresolved $ref
		}
		n.items = items
	}

	n.minProps = s.MinProps
	if s.MaxProps != nil {
		n.maxProps, n.hasMaxProps = *s.MaxProps, true
	}
	n.members = make(map[string]fastMember, len(s.Properties)+len(s.Required))
	for name, ref := range s.Properties {
		node, ok := child(ref)
		if !ok {
			return n
		}
		n.members[name] = fastMember{node: node, writeOnly: ref.Value.WriteOnly}
	}
	var bit uint64 = 1
	for _, name := range s.Required {
		m := n.members[name]
		if m.bit != 0 {
			continue // listed twice
		}
		if bit == 0 {
			return n // unsupported: more than 64 required names
		}
		m.bit = bit
		n.members[name] = m
		n.requiredMask |= bit
		if !m.writeOnly {
			n.requiredRespMask |= bit
		}
		bit <<= 1
	}
	ap := s.AdditionalProperties
	n.additional = ap.Has == nil || *ap.Has
	if ap.Schema != nil {
		node, ok := child(ap.Schema)
		if !ok {
			return n
		}
		n.additionalSchema = node
	}

	n.supported = true
	return n
}

// fastSupports reports whether every keyword of s that kin-openapi's
// OpenAPI 3.0 validator could act on is one the fast path implements. The
// others (annotations, discriminator without oneOf/anyOf, readOnly in a
// response) change nothing there.
func fastSupports(s *openapi3.Schema) bool {
	return s.Always == nil &&
		len(s.OneOf) == 0 && len(s.AnyOf) == 0 && len(s.AllOf) == 0 && s.Not == nil &&
		s.Pattern == "" && !s.UniqueItems &&
		// OpenAPI 3.1 keywords: left to kin-openapi whatever it does with them.
		s.Const == nil && len(s.PrefixItems) == 0 && s.Contains == nil &&
		s.MinContains == nil && s.MaxContains == nil &&
		len(s.PatternProperties) == 0 && len(s.DependentSchemas) == 0 && s.PropertyNames == nil &&
		s.UnevaluatedItems.Has == nil && s.UnevaluatedItems.Schema == nil &&
		s.UnevaluatedProperties.Has == nil && s.UnevaluatedProperties.Schema == nil &&
		s.If == nil && s.Then == nil && s.Else == nil && len(s.DependentRequired) == 0 &&
		s.DynamicRef == "" && s.ContentSchema == nil
}

// fastDecoder reads one body; pooled, so that its buffers are reused.
type fastDecoder struct {
	dec     jsontext.Decoder
	scratch []byte // unquoted strings that had escapes
}

var (
	fastDecoders sync.Pool
	emptyReader  = bytes.NewReader(nil)
)

// fastConforms reports whether body is one JSON value (as jsonv2.Unmarshal
// decodes it: valid UTF-8, no repeated member names, numbers within
// float64) that conforms to s as kin-openapi's VisitJSON would find with the
// options of this package, in a response when response is set. false means
// only that the full validation must decide.
func fastConforms(s *openapi3.Schema, body []byte, response bool) bool {
	n := fastValidator(s)
	if !n.supported {
		return false
	}
	fd, _ := fastDecoders.Get().(*fastDecoder)
	if fd == nil {
		fd = new(fastDecoder)
	}
	// A bytes.Buffer is read in place, without copying the body.
	fd.dec.Reset(bytes.NewBuffer(body))
	ok := fd.value(n, response)
	if ok {
		// Exactly one value: jsonv2.Unmarshal refuses trailing data.
		_, err := fd.dec.ReadToken()
		ok = err == io.EOF
	}
	fd.dec.Reset(emptyReader) // drop the body
	if cap(fd.scratch) > 1<<16 {
		fd.scratch = nil
	}
	fastDecoders.Put(fd)
	return ok
}

// value reads the next value and reports whether n accepts it.
func (fd *fastDecoder) value(n *fastNode, response bool) bool {
	if !n.supported {
		return false
	}
	switch fd.dec.PeekKind() {
	case '{':
		return n.object && (!n.hasEnum) && fd.object(n, response)
	case '[':
		return n.array && (!n.hasEnum) && fd.array(n, response)
	case '"':
		raw, err := fd.dec.ReadValue()
		if err != nil {
			return false
		}
		s, ok := fd.unquote(raw)
		return ok && n.stringOK(s)
	case 'n':
		_, err := fd.dec.ReadValue()
		return err == nil && n.nullable
	case 't', 'f':
		_, err := fd.dec.ReadValue()
		return err == nil && n.boolean && !n.hasEnum
	case '0':
		raw, err := fd.dec.ReadValue()
		if err != nil || !n.number || !n.plainNumber || n.hasEnum {
			return false
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return false // beyond float64: jsonv2 refuses it, encoding/json decides
		}
		return !n.integerOnly || f == math.Trunc(f)
	}
	return false // a syntax error, or the end of the input
}

// unquote returns the content of a JSON string as read (UTF-8 checked by
// the decoder).
func (fd *fastDecoder) unquote(raw jsontext.Value) ([]byte, bool) {
	if len(raw) < 2 {
		return nil, false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], true
	}
	var err error
	fd.scratch, err = jsontext.AppendUnquote(fd.scratch[:0], raw)
	return fd.scratch, err == nil
}

// stringOK applies n to a string, as visitEnumOperation and visitJSONString.
func (n *fastNode) stringOK(s []byte) bool {
	if n.hasEnum {
		if _, ok := n.enum[string(s)]; !ok {
			return false
		}
	}
	if !n.str {
		return false
	}
	if n.minLength != 0 || n.hasMaxLength {
		// JSON Schema lengths are UTF-16, counted as kin-openapi does.
		var length uint64
		for _, r := range string(s) {
			if utf16.IsSurrogate(r) {
				length += 2
			} else {
				length++
			}
		}
		if length < n.minLength || n.hasMaxLength && length > n.maxLength {
			return false
		}
	}
	if n.dateTime {
		return rfc3339Problem(s) == ""
	}
	if n.format != "" {
		if f, ok := openapi3.SchemaStringFormats[n.format]; ok && f.Validate(string(s)) != nil {
			return false
		}
	}
	return true
}

// array reads an array, as visitJSONArray.
func (fd *fastDecoder) array(n *fastNode, response bool) bool {
	if _, err := fd.dec.ReadToken(); err != nil {
		return false
	}
	var count uint64
	for {
		switch fd.dec.PeekKind() {
		case ']':
			if _, err := fd.dec.ReadToken(); err != nil {
				return false
			}
			return count >= n.minItems && !(n.hasMaxItems && count > n.maxItems)
		case 0:
			return false
		}
		count++
		if n.items == nil {
			if fd.dec.SkipValue() != nil {
				return false
			}
			continue
		}
		if !fd.value(n.items, response) {
			return false
		}
	}
}

// object reads an object, as visitJSONObject.
func (fd *fastDecoder) object(n *fastNode, response bool) bool {
	if _, err := fd.dec.ReadToken(); err != nil {
		return false
	}
	var count, seen uint64
	for {
		switch fd.dec.PeekKind() {
		case '}':
			if _, err := fd.dec.ReadToken(); err != nil {
				return false
			}
			want := n.requiredMask
			if response {
				want = n.requiredRespMask
			}
			return seen&want == want && count >= n.minProps && !(n.hasMaxProps && count > n.maxProps)
		case '"':
		default:
			return false
		}
		raw, err := fd.dec.ReadValue() // the member name
		if err != nil {
			return false
		}
		name, ok := fd.unquote(raw)
		if !ok {
			return false
		}
		count++
		m := n.members[string(name)]
		seen |= m.bit
		switch {
		case m.node != nil:
			if m.writeOnly && response && fd.dec.PeekKind() != 'n' {
				return false // a writeOnly property in a response
			}
			if !fd.value(m.node, response) {
				return false
			}
		case !n.additional:
			return false
		case n.additionalSchema != nil:
			if !fd.value(n.additionalSchema, response) {
				return false
			}
		default:
			if fd.dec.SkipValue() != nil {
				return false
			}
		}
	}
}
