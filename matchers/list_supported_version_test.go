package matchers_test

import (
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	. "github.com/chatconform/chatconform/matchers"
)

func TestListSupportedVersion(t *testing.T) {
	listed := http.Header{"Api-Supported-Versions": {"2021-03-07, 2021-09-07, 2024-03-07"}}
	expectNoFailure(t, func() { Expect(response("GET", listURL, 200, listed, "")).To(ListSupportedVersion("2024-03-07")) })
	split := http.Header{"Api-Supported-Versions": {"2021-03-07", "2024-03-07"}} // a list may span header lines
	expectNoFailure(t, func() { Expect(response("GET", listURL, 200, split, "")).To(ListSupportedVersion("2024-03-07")) })

	omits := response("GET", listURL, 200, listed, "")
	omits.Exchange = nil
	expectOneFailure(t, "Expected api-supported-versions to list api-version 2025-03-15, but:\n"+
		"    [VER-01] api-supported-versions is \"2021-03-07, 2021-09-07, 2024-03-07\", which does not list 2025-03-15, the api-version the request was served at\n"+
		"Body:\n    (empty)",
		func() { Expect(omits).To(ListSupportedVersion("2025-03-15")) })

	none := response("GET", listURL, 404, http.Header{}, "")
	failed := failures(func() { Expect(none).To(ListSupportedVersion("2024-03-07")) })
	if len(failed) != 1 || !strings.Contains(failed[0], "the response has no api-supported-versions header") || !strings.Contains(failed[0], "Transcript:") {
		t.Errorf("no header: %q", failed)
	}
	expectOneFailure(t, "Expected api-supported-versions not to list api-version 2024-03-07, but it is \"2021-03-07, 2021-09-07, 2024-03-07\".\nBody:\n    (empty)",
		func() {
			r := response("GET", listURL, 200, listed, "")
			r.Exchange = nil
			Expect(r).NotTo(ListSupportedVersion("2024-03-07"))
		})
}

func TestListSupportedVersionWrongActual(t *testing.T) {
	expectOneFailure(t, "ListSupportedVersion expects a *transcript.Response, got:\n    <string>: 2024-03-07",
		func() { Expect("2024-03-07").To(ListSupportedVersion("2024-03-07")) })
}
