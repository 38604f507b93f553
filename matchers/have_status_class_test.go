package matchers_test

import (
	"testing"

	. "github.com/onsi/gomega"

	. "github.com/chatconform/chatconform/matchers"
)

func TestHaveStatusClass(t *testing.T) {
	for _, code := range []int{400, 404, 429, 499} {
		resp := response("POST", addURL, code, nil, "")
		expectNoFailure(t, func() { Expect(resp).To(HaveStatusClass(4)) })
	}
	for _, code := range []int{399, 500} {
		resp := response("POST", addURL, code, nil, "")
		failed := failures(func() { Expect(resp).To(HaveStatusClass(4)) })
		if len(failed) != 1 {
			t.Errorf("%d passed as a 4xx", code)
		}
	}
	bare := response("POST", addURL, 500, nil, "")
	bare.Exchange = nil
	expectOneFailure(t, "Expected a 4xx status, got 500 Internal Server Error.\nBody:\n    (empty)",
		func() { Expect(bare).To(HaveStatusClass(4)) })
	bad := response("POST", addURL, 400, nil, "")
	bad.Exchange = nil
	expectOneFailure(t, "Expected a status outside 4xx, got 400 Bad Request.\nBody:\n    (empty)",
		func() { Expect(bad).NotTo(HaveStatusClass(4)) })
}

func TestHaveStatusClassWrongActual(t *testing.T) {
	expectOneFailure(t, "HaveStatusClass expects a *transcript.Response, got:\n    <int>: 400", func() { Expect(400).To(HaveStatusClass(4)) })
	expectOneFailure(t, "HaveStatusClass(40): the class is the first digit of a status, 1 to 5",
		func() { Expect(response("GET", listURL, 400, nil, "")).To(HaveStatusClass(40)) })
}
