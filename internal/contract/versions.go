package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatconform/chatconform/internal/wire"
)

// SupportedVersionsHeader is the header in which the live service lists
// every api-version it serves, on every chat response (errors included).
const SupportedVersionsHeader = "api-supported-versions"

// CheckSupportedVersions is VER-01: a response to a request at apiVersion
// carries api-supported-versions, and the list names apiVersion. The
// header is the one way a client (or CHAT_API_VERSION=supported) learns
// which versions a server serves, so a list that omits a served version
// hides it.
func CheckSupportedVersions(h http.Header, apiVersion string) []Violation {
	v := func(format string, args ...any) []Violation {
		return []Violation{{Assertion: "VER-01", Message: fmt.Sprintf(format, args...)}}
	}
	raw := h.Values(SupportedVersionsHeader)
	if len(raw) == 0 {
		return v("the response has no %s header; the live service lists the api-versions it serves in it on every chat response", SupportedVersionsHeader)
	}
	for _, line := range raw {
		for _, listed := range strings.Split(line, ",") {
			if strings.TrimSpace(listed) == apiVersion {
				return nil
			}
		}
	}
	return v("%s is %q, which does not list %s, the api-version the request was served at", SupportedVersionsHeader, strings.Join(raw, ", "), apiVersion)
}

// CheckNoMetadata is META-03: on an api-version without participant
// metadata (wire.HasMetadata), no listed participant carries metadata. One
// violation per participant that does, at /value/<i>/metadata.
func CheckNoMetadata(ps []wire.Participant, apiVersion string) []Violation {
	if wire.HasMetadata(apiVersion) {
		return nil
	}
	var vs []Violation
	for i, p := range ps {
		if p.Metadata != nil {
			vs = append(vs, Violation{Assertion: "META-03", Pointer: Pointer("value", strconv.Itoa(i), "metadata"),
				Message: fmt.Sprintf("is %s, but api-version %s has no participant metadata (only %s)", showMetadata(p.Metadata), apiVersion, strings.Join(metadataVersions(), " and "))})
		}
	}
	return vs
}

func showMetadata(md map[string]string) string {
	b, _ := json.Marshal(md)
	return string(b)
}

func metadataVersions() []string {
	var vs []string
	for _, v := range wire.SupportedChatVersions {
		if wire.HasMetadata(v) {
			vs = append(vs, v)
		}
	}
	return vs
}
