package framework

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/chatconform/chatconform/internal/client"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/sanitize"
	"github.com/chatconform/chatconform/internal/transcript"
)

// HarnessFailure fails the spec as an error of the harness (timeout,
// network, throttling during setup), which is not non-conformance.
func HarnessFailure(err error) {
	msg := sanitize.Text(err.Error()) // an error can quote the server
	AddReportEntry(outcome.EntryHarnessError, msg, ReportEntryVisibilityNever)
	Fail("HARNESS ERROR (the suite could not judge the server; this is not a conformance failure): "+msg, 1)
}

// SetupErr ends a spec whose setup failed: the check could not run, which
// is an error of the run (INCOMPLETE), not a finding about the clause; the
// specs that judge the failing operation report it.
func SetupErr(what string, err error) {
	GinkgoHelper()
	if err == nil {
		return
	}
	msg := sanitize.Text(err.Error()) // an error can quote the server
	AddReportEntry(outcome.EntrySetupError, msg, ReportEntryVisibilityNever)
	Fail(fmt.Sprintf("SETUP FAILED, so the check could not run: %s: %s", what, msg), 1)
}

// Throttled says the server asked the client to come back later: 429, or
// 503 with Retry-After. A 503 without it is an answer to judge.
func Throttled(resp *transcript.Response) bool {
	return resp.Status == http.StatusTooManyRequests ||
		resp.Status == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != ""
}

// transportFailure fails the spec for a request that got no usable answer:
// as a harness error when the harness is to blame, else as the server's.
func transportFailure(resp *transcript.Response, err error) {
	GinkgoHelper()
	var ce *client.Error
	switch {
	case client.IsHarness(err):
		HarnessFailure(err)
	case errors.As(err, &ce) && ce.Kind == client.KindUntrustedHost:
		Fail("the server sent the suite to a URL it must not send the token to: " + sanitize.Text(err.Error()) +
			"\nIf that host is yours, list it in CHAT_TRUSTED_HOSTS.")
	default:
		msg := err.Error()
		if resp != nil && resp.Exchange != nil {
			msg += "\n" + resp.Exchange.String()
		}
		Fail(sanitize.Text(msg))
	}
}

// Blame judges the outcome of one request the spec judges without stopping
// at the first (ERR-09's corpus): a 5xx or a dropped connection is the
// server's failure and is returned as a finding; throttling or a timeout is
// the harness's and ends the spec as an error.
func Blame(name string, resp *transcript.Response, err error) []string {
	GinkgoHelper()
	var ce *client.Error
	switch {
	case err == nil && Throttled(resp):
		HarnessFailure(fmt.Errorf("%s: throttled (%d, Retry-After %q), so it could not be judged", name, resp.Status, resp.Header.Get("Retry-After")))
	case err == nil && resp.Status >= 500:
		return []string{sanitize.Text(fmt.Sprintf("%s: %d %s", name, resp.Status, firstLine(string(resp.Body))))}
	case err == nil:
		return nil
	case errors.As(err, &ce) && ce.Kind == client.KindDropped:
		return []string{sanitize.Text(fmt.Sprintf("%s: %v", name, ce.Err))}
	case client.IsHarness(err):
		HarnessFailure(fmt.Errorf("%s: %w", name, err))
	}
	return []string{sanitize.Text(fmt.Sprintf("%s: %v", name, err))}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
