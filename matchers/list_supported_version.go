package matchers

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/chatconform/chatconform/internal/contract"
	"github.com/chatconform/chatconform/internal/transcript"
)

// ListSupportedVersion succeeds when the actual *transcript.Response
// carries api-supported-versions and the list names apiVersion
// (contract.CheckSupportedVersions, VER-01).
//
//	Expect(resp).To(ListSupportedVersion("2025-03-15"))
func ListSupportedVersion(apiVersion string) types.GomegaMatcher {
	return &violationsMatcher[*transcript.Response]{
		subject: func(actual any) (*transcript.Response, error) {
			return responseOf("ListSupportedVersion", actual, false)
		},
		check: func(resp *transcript.Response) []contract.Violation {
			return contract.CheckSupportedVersions(resp.Header, apiVersion)
		},
		failure: func(resp *transcript.Response, vs []contract.Violation) string {
			return fmt.Sprintf("Expected %s to list api-version %s, but:\n%s\n%s", contract.SupportedVersionsHeader, apiVersion, violationList(vs), evidence(resp, resp.Body))
		},
		negated: func(resp *transcript.Response) string {
			return fmt.Sprintf("Expected %s not to list api-version %s, but it is %q.\n%s", contract.SupportedVersionsHeader, apiVersion, resp.Header.Get(contract.SupportedVersionsHeader), evidence(resp, resp.Body))
		},
	}
}
