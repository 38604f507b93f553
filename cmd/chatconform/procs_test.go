package main

import (
	"strings"
	"testing"
)

// With nothing configured the run uses the embedded server, where one
// process is fastest: the count alone on stdout (make reads it), the
// reason on stderr.
func TestProcsEmbedded(t *testing.T) {
	for _, k := range []string{"ACS_CONNECTION_STRING", "CHAT_ENDPOINT", "CHAT_TOKEN", "CHAT_ENV_FILE"} {
		t.Setenv(k, "")
	}
	code, out, errs := runCmd("procs")
	if code != 0 || out != "1\n" || !strings.Contains(errs, "embedded reference server") || !strings.Contains(errs, "PROCS=N") {
		t.Errorf("procs exited %d with stdout %q, stderr %q", code, out, errs)
	}
	if code, _, _ := runCmd("procs", "extra"); code != 2 {
		t.Errorf("procs with an argument exited %d, want 2", code)
	}
}
