package recordings

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"go.yaml.in/yaml/v3"
)

// tpEntry is one entry of an Azure SDK test-proxy recording. Bodies and
// header values stay raw because their JSON kind decides how to read them.
type tpEntry struct {
	RequestURI      string                     `json:"RequestUri"`
	RequestMethod   string                     `json:"RequestMethod"`
	RequestHeaders  map[string]json.RawMessage `json:"RequestHeaders"`
	RequestBody     json.RawMessage            `json:"RequestBody"`
	StatusCode      int                        `json:"StatusCode"`
	ResponseHeaders map[string]json.RawMessage `json:"ResponseHeaders"`
	ResponseBody    json.RawMessage            `json:"ResponseBody"`
}

// parseTestProxy reads a test-proxy recording ({"Entries":[…],"Variables":…}).
func parseTestProxy(data []byte) ([]Entry, error) {
	var f struct {
		Entries *[]tpEntry `json:"Entries"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if f.Entries == nil {
		return nil, errNoEntries
	}
	out := make([]Entry, 0, len(*f.Entries))
	for i, te := range *f.Entries {
		e := Entry{Method: strings.ToUpper(te.RequestMethod), URL: te.RequestURI, Status: te.StatusCode}
		var err error
		if e.RequestHeader, err = tpHeaders(te.RequestHeaders); err != nil {
			return nil, fmt.Errorf("entry %d request headers: %w", i, err)
		}
		if e.ResponseHeader, err = tpHeaders(te.ResponseHeaders); err != nil {
			return nil, fmt.Errorf("entry %d response headers: %w", i, err)
		}
		if e.RequestBody, err = tpBody(te.RequestBody, e.RequestHeader); err != nil {
			return nil, fmt.Errorf("entry %d request body: %w", i, err)
		}
		if e.ResponseBody, err = tpBody(te.ResponseBody, e.ResponseHeader); err != nil {
			return nil, fmt.Errorf("entry %d response body: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// tpHeaders accepts both header value forms the test proxy writes: a string
// for a single value, an array of strings for repeated headers.
func tpHeaders(m map[string]json.RawMessage) (http.Header, error) {
	h := make(http.Header, len(m))
	for k, raw := range m {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) > 0 && raw[0] == '[':
			var vs []string
			if err := json.Unmarshal(raw, &vs); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			for _, v := range vs {
				h.Add(k, v)
			}
		case len(raw) > 0 && raw[0] == '"':
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			h.Add(k, v)
		case bytes.Equal(raw, []byte("null")):
			h[http.CanonicalHeaderKey(k)] = nil
		default:
			// A number or bool is not something the proxy writes, but its
			// literal text is the only sensible header value.
			h.Add(k, string(raw))
		}
	}
	return h, nil
}

// tpBody decodes a test-proxy body the way the proxy itself does
// (RecordEntry.DeserializeBody): null is no body; a JSON object is the body;
// a string is the text for textual content types and base64 otherwise; an
// array of strings is text split at line ends, an empty array an empty body.
// Zero-length bodies come back nil so every format agrees on "no body".
func tpBody(raw json.RawMessage, h http.Header) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	switch raw[0] {
	case '{':
		return compactJSON(raw)
	case '[':
		var parts []json.RawMessage
		if err := json.Unmarshal(raw, &parts); err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, p := range parts {
			var s string
			if err := json.Unmarshal(p, &s); err != nil {
				// Not the proxy's line-array form: a JSON array body
				// written as-is by some other recorder.
				return compactJSON(raw)
			}
			b.WriteString(s)
		}
		return nilIfEmpty([]byte(b.String())), nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if isTextual(h.Get("Content-Type")) {
			return nilIfEmpty([]byte(s)), nil
		}
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return nilIfEmpty(b), nil
		}
		// Not base64 after all; the text is the best we have.
		return nilIfEmpty([]byte(s)), nil
	default:
		return raw, nil
	}
}

// isTextual approximates the proxy's ContentTypeUtilities.TryGetTextEncoding.
func isTextual(ct string) bool {
	if ct == "" {
		return false
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	return strings.HasPrefix(mt, "text/") || strings.Contains(mt, "json") ||
		strings.Contains(mt, "xml") || mt == "application/x-www-form-urlencoded" ||
		params["charset"] != ""
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// cassette is a vcrpy YAML cassette. Bodies and headers stay as nodes
// because their shape varies (plain string, {string: …}, !!binary, null;
// a list of values or a single scalar).
type cassette struct {
	Interactions *[]struct {
		Request struct {
			Body    yaml.Node            `yaml:"body"`
			Headers map[string]yaml.Node `yaml:"headers"`
			Method  string               `yaml:"method"`
			URI     string               `yaml:"uri"`
		} `yaml:"request"`
		Response struct {
			Body    yaml.Node            `yaml:"body"`
			Headers map[string]yaml.Node `yaml:"headers"`
			Status  struct {
				Code int `yaml:"code"`
			} `yaml:"status"`
		} `yaml:"response"`
	} `yaml:"interactions"`
}

// parseCassette reads a vcrpy cassette (interactions: [{request, response}]).
func parseCassette(data []byte) ([]Entry, error) {
	var c cassette
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	if c.Interactions == nil {
		return nil, errors.New(`no "interactions" list: not a vcrpy cassette`)
	}
	out := make([]Entry, 0, len(*c.Interactions))
	for i, it := range *c.Interactions {
		e := Entry{Method: strings.ToUpper(it.Request.Method), URL: it.Request.URI, Status: it.Response.Status.Code}
		var err error
		if e.RequestHeader, err = yamlHeaders(it.Request.Headers); err != nil {
			return nil, fmt.Errorf("interaction %d request headers: %w", i, err)
		}
		if e.ResponseHeader, err = yamlHeaders(it.Response.Headers); err != nil {
			return nil, fmt.Errorf("interaction %d response headers: %w", i, err)
		}
		if e.RequestBody, err = yamlBody(&it.Request.Body); err != nil {
			return nil, fmt.Errorf("interaction %d request body: %w", i, err)
		}
		if e.ResponseBody, err = yamlBody(&it.Response.Body); err != nil {
			return nil, fmt.Errorf("interaction %d response body: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// yamlHeaders accepts vcrpy's list-of-values form and a bare scalar.
func yamlHeaders(m map[string]yaml.Node) (http.Header, error) {
	h := make(http.Header, len(m))
	for k, n := range m {
		switch n.Kind {
		case yaml.SequenceNode:
			for _, v := range n.Content {
				if v.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("%s: non-scalar value at line %d", k, v.Line)
				}
				h.Add(k, v.Value)
			}
		case yaml.ScalarNode:
			if n.ShortTag() == "!!null" {
				h[http.CanonicalHeaderKey(k)] = nil
				continue
			}
			h.Add(k, n.Value)
		default:
			return nil, fmt.Errorf("%s: unexpected YAML node at line %d", k, n.Line)
		}
	}
	return h, nil
}

// yamlBody reads a vcrpy body: a scalar (string, !!binary or null), or a
// mapping holding it under "string" (vcrpy responses) or "base64_string".
func yamlBody(n *yaml.Node) ([]byte, error) {
	switch n.Kind {
	case 0:
		return nil, nil // key absent
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!binary":
			return decodeBase64Loose(n.Value)
		default:
			return nilIfEmpty([]byte(n.Value)), nil
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch n.Content[i].Value {
			case "string":
				return yamlBody(n.Content[i+1])
			case "base64_string":
				return decodeBase64Loose(n.Content[i+1].Value)
			}
		}
		return nil, fmt.Errorf("body mapping at line %d has no string key", n.Line)
	default:
		return nil, fmt.Errorf("unexpected body node at line %d", n.Line)
	}
}

// decodeBase64Loose decodes YAML block base64, which wraps across lines.
func decodeBase64Loose(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return nilIfEmpty(b), nil
}
