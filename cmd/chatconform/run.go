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
      and each api-version's (exit 1 on a missing, extra or altered file)
  chatconform screenshot [-width N] <report.html> <out.png>
      render the report in headless Chromium (CHROME_PATH or /usr/bin/chromium)
      and write a full-page PNG
  chatconform status <results.json>
      print the verdict line and the verdict of each api-version, and exit
      with the run's status (the worst of its api-versions'): 0 CONFORMANT
      (also with waived findings or opt-in checks not run), 1 NOT CONFORMANT
      (any api-version), 3 INCOMPLETE (0 with CHAT_INCOMPLETE_OK=1), 2 no
      readable results.json; with a baseline in results.json, 1 only for
      regressions and new harness errors (in any api-version), 0 otherwise
  chatconform procs
      print the number of parallel processes for the configured run (make
      conformance uses it when PROCS is unset): 1 against the embedded
      server or with one manual token, otherwise chosen from the measured
      round trip to the endpoint, the api-versions and CHAT_MAX_RPS; how, on
      stderr
  chatconform version
`

// run is the whole command behind main, so tests call it with arguments
// and buffers; it returns the exit code (2 for a usage error).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if c, fixed := commands[args[0]]; fixed {
		return exitCode(args[0], c.call(args[1:], stdout), stderr)
	}
	switch args[0] {
	case "screenshot":
		return exitCode(args[0], screenshotCmd(args[1:], stdout), stderr)
	case "status":
		return statusCmd(args[1:], stdout, stderr)
	case "procs":
		return procsCmd(args[1:], stdout, stderr)
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
}

// exitCode prints command name's error, if any, and returns the exit code:
// 2 for a usage error (with the usage), 1 for any other error.
func exitCode(name string, err error, stderr io.Writer) int {
	if err != nil {
		if ue, ok := err.(usageError); ok {
			fmt.Fprintf(stderr, "chatconform %s: %s\n%s", name, string(ue), usage)
			return 2
		}
		fmt.Fprintf(stderr, "chatconform %s: %v\n", name, err)
		return 1
	}
	return 0
}

// command is a command that takes a fixed number of arguments.
type command struct {
	args  int
	usage string // the usage error for any other number of arguments
	run   func(args []string, stdout io.Writer) error
}

// commands are the commands of a fixed number of arguments.
var commands = map[string]command{
	"check":  {0, "check takes no arguments; it reads the environment and .env", func(_ []string, stdout io.Writer) error { return checkCmd(stdout) }},
	"pack":   {2, "want <report-dir> <archive.tar.gz>", packCmd},
	"verify": {1, "want <archive.tar.gz>", func(args []string, stdout io.Writer) error { return verify(args[0], stdout) }},
}

func (c command) call(args []string, stdout io.Writer) error {
	if len(args) != c.args {
		return usageError(c.usage)
	}
	return c.run(args, stdout)
}

// usageError is a mistake in the command line, answered with the usage.
type usageError string

func (e usageError) Error() string { return string(e) }
