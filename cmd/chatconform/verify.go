package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/chatconform/chatconform/internal/report"
)

// verify checks a certification archive: it must hold SHA256SUMS and every
// report file, nothing else, each matching its digest; results.json must be
// consistent with its own verdict (each api-version's, and the run's as the
// worst of them). It prints one line per file, the verdict and the verdict
// of each api-version. SHA256SUMS proves the files belong together and were not
// altered by accident; it is not a signature, so it cannot prove who made
// them.
func verify(archive string, w io.Writer) error {
	files, err := readArchive(archive)
	if err != nil {
		return err
	}
	raw, ok := files[Manifest]
	if !ok {
		return fmt.Errorf("%s has no %s", archive, Manifest)
	}
	sums, err := parseManifest(raw)
	if err != nil {
		return err
	}
	var problems []error
	for _, name := range archived {
		if _, ok := sums[name]; !ok {
			problems = append(problems, fmt.Errorf("%s does not list %s", Manifest, name))
		}
	}
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		b, ok := files[name]
		switch {
		case !ok:
			fmt.Fprintf(w, "MISSING   %s\n", name)
			problems = append(problems, fmt.Errorf("%s lists %s but the archive does not hold it", Manifest, name))
		case digest(b) != sums[name]:
			fmt.Fprintf(w, "MISMATCH  %s\n", name)
			problems = append(problems, fmt.Errorf("%s: sha256 %s, %s says %s", name, digest(b), Manifest, sums[name]))
		default:
			fmt.Fprintf(w, "OK        %-13s sha256:%s\n", name, sums[name])
		}
	}
	for name := range files {
		if _, ok := sums[name]; !ok && name != Manifest {
			fmt.Fprintf(w, "UNLISTED  %s\n", name)
			problems = append(problems, fmt.Errorf("the archive holds %s, which %s does not list", name, Manifest))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s failed verification:\n  %w", archive, joinIndented(problems))
	}
	var res report.Results
	if err := json.Unmarshal(files[report.FileResults], &res); err != nil {
		return fmt.Errorf("%s: %w", report.FileResults, err)
	}
	if err := res.Check(); err != nil {
		return err
	}
	strict := "standard"
	if res.Strict {
		strict = "strict"
	}
	verdict := res.Verdict
	if res.VerdictLine != "" {
		verdict = res.VerdictLine // what was chosen: waived findings, opt-in checks not run
	}
	versions := "api-version " + strings.Join(res.CertifiedVersions(), ", ")
	if len(res.CertifiedVersions()) > 1 {
		versions = "api-versions " + strings.Join(res.CertifiedVersions(), ", ")
	}
	fmt.Fprintf(w, "\nverdict: %s\n  %s, %s, %s profile, chatconform %s, run %s → %s\n  %d passed, %d failed, %d warned, %d skipped, %d error of %d assertions\n",
		verdict, res.Endpoint, versions, strict, res.SuiteVersion,
		res.StartTime.Format("2006-01-02T15:04:05Z07:00"), res.EndTime.Format("2006-01-02T15:04:05Z07:00"),
		res.Totals.Passed, res.Totals.Failed, res.Totals.Warned, res.Totals.Skipped, res.Totals.Error, res.Totals.Assertions)
	for _, v := range res.Versions {
		line := v.VerdictLine
		if line == "" {
			line = v.Verdict
		}
		t := v.Totals
		fmt.Fprintf(w, "  api-version %s: %s (%d passed, %d failed, %d warned, %d skipped, %d error)\n", v.APIVersion, line, t.Passed, t.Failed, t.Warned, t.Skipped, t.Error)
	}
	if d := res.Discovery; d != nil {
		for _, l := range versionLines(&res)[len(res.Versions):] {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	return nil
}

// readArchive reads every regular file of a .tar.gz into memory, refusing
// directories, links, unsafe names, duplicates and oversized files.
func readArchive(path string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not a .tar.gz: %w", path, err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%s holds %s, which is not a regular file", path, h.Name)
		}
		if !safeName(h.Name) {
			return nil, fmt.Errorf("%s holds %q: an archive of ours holds only plain file names", path, h.Name)
		}
		if _, dup := files[h.Name]; dup {
			return nil, fmt.Errorf("%s holds %s twice", path, h.Name)
		}
		b, err := io.ReadAll(io.LimitReader(tr, maxArchivedFile+1))
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", path, h.Name, err)
		}
		if len(b) > maxArchivedFile {
			return nil, fmt.Errorf("%s: %s is larger than %d bytes", path, h.Name, maxArchivedFile)
		}
		files[h.Name] = b
	}
	return files, nil
}

// joinIndented lists several problems one per line.
func joinIndented(errs []error) error {
	msg := ""
	for i, e := range errs {
		if i > 0 {
			msg += "\n  "
		}
		msg += e.Error()
	}
	return errors.New(msg)
}
