// Command chatconform works with the conformance suite's reports:
//
//	chatconform check                       validate the configuration before a run
//	chatconform pack <dir> <archive>        pack a report directory into a certification archive
//	chatconform verify <archive>            check every digest of an archive and print its verdicts
//	chatconform screenshot <html> <png>     render report.html in headless Chromium to a PNG
//	chatconform status <results.json>       print the verdict line and each api-version's; exit 0, 1, 3 (INCOMPLETE) or 2 (no results)
//	chatconform procs                       print the parallel process count for the configured run
//	chatconform version                     print the suite version
//
// The suite itself runs with `make conformance`; `make certify` runs it and
// packs the result.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
