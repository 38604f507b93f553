package main

import (
	"fmt"
	"io"

	"github.com/chatconform/chatconform/internal/report"
)

const usage = `usage:
  chatconform check
      validate the configuration (environment and .env, as the suite reads
      it); on a problem print each once, write INCOMPLETE reports into
      CHAT_REPORT_DIR and exit 1 (make conformance runs it first)
  chatconform pack <report-dir> <archive.tar.gz>
      pack junit.xml, report.json, results.json, summary.md, report.html and a
      SHA256SUMS manifest into a certification archive
  chatconform verify <archive.tar.gz>
      check every file of the archive against SHA256SUMS and print the verdict
      (exit 1 on a missing, extra or altered file)
  chatconform screenshot [-width N] <report.html> <out.png>
      render the report in headless Chromium (CHROME_PATH or /usr/bin/chromium)
      and write a full-page PNG
  chatconform status <results.json>
      print the verdict line and exit with the verdict's status: 0 CONFORMANT
      (also with waived findings or opt-in checks not run), 1 NOT CONFORMANT,
      3 INCOMPLETE (0 with CHAT_INCOMPLETE_OK=1), 2 no readable results.json;
      with a baseline in results.json, 1 only for regressions and new harness
      errors, 0 otherwise
  chatconform version
`

// run is the whole command behind main, so tests call it with arguments
// and buffers; it returns the exit code (2 for a usage error).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "check":
		err = checkCmd(args[1:], stdout)
	case "pack":
		err = packCmd(args[1:], stdout)
	case "verify":
		err = verifyCmd(args[1:], stdout)
	case "screenshot":
		err = screenshotCmd(args[1:], stdout)
	case "status":
		return statusCmd(args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "chatconform", report.Version)
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "chatconform: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if ue, ok := err.(usageError); ok {
			fmt.Fprintf(stderr, "chatconform %s: %s\n%s", args[0], string(ue), usage)
			return 2
		}
		fmt.Fprintf(stderr, "chatconform %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// usageError is a mistake in the command line, answered with the usage.
type usageError string

func (e usageError) Error() string { return string(e) }
