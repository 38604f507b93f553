package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/openapi"
)

// HaveJSONContentType succeeds when the actual *transcript.Response has a
// Content-Type naming JSON (application/json or any +json type, parameters
// such as charset ignored).
//
//	Expect(resp).To(HaveJSONContentType())
func HaveJSONContentType() types.GomegaMatcher {
	return &haveJSONContentTypeMatcher{}
}

type haveJSONContentTypeMatcher struct{}

func (m *haveJSONContentTypeMatcher) Match(actual any) (bool, error) {
	resp, err := responseOf("HaveJSONContentType", actual, false)
	if err != nil {
		return false, err
	}
	return openapi.IsJSONMediaType(resp.Header.Get("Content-Type")), nil
}

func (m *haveJSONContentTypeMatcher) FailureMessage(actual any) string {
	resp, _ := responseOf("HaveJSONContentType", actual, false)
	return fmt.Sprintf("Expected a JSON Content-Type (application/json), got %q.\n%s", resp.Header.Get("Content-Type"), evidence(resp, resp.Body))
}

func (m *haveJSONContentTypeMatcher) NegatedFailureMessage(actual any) string {
	resp, _ := responseOf("HaveJSONContentType", actual, false)
	return fmt.Sprintf("Expected a Content-Type other than JSON, got %q.\n%s", resp.Header.Get("Content-Type"), evidence(resp, resp.Body))
}
