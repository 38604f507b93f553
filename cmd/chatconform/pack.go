package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/chatconform/chatconform/internal/report"
)

// packCmd packs report directory args[0] into archive args[1].
func packCmd(args []string, stdout io.Writer) error {
	files, err := pack(args[0], args[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "packed %d files and %s into %s\n", len(files), Manifest, args[1])
	return nil
}

// pack writes the certification archive: every report file, then
// SHA256SUMS. Entries carry the run's end time (from results.json) as
// their modification time, so packing the same reports twice gives the same
// archive.
func pack(dir, archive string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, name := range archived {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("%s is not a complete report directory: %w", dir, err)
		}
		files[name] = b
	}
	var res report.Results
	if err := json.Unmarshal(files[report.FileResults], &res); err != nil {
		return nil, fmt.Errorf("%s: %w", report.FileResults, err)
	}
	if err := res.Check(); err != nil {
		return nil, err
	}
	mtime := res.EndTime
	if mtime.IsZero() {
		mtime = time.Unix(0, 0)
	}
	manifest := manifestOf(files)

	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.ModTime = mtime
	tw := tar.NewWriter(zw)
	add := func(name string, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{
			Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX,
		}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	for _, name := range archived {
		if err := add(name, files[name]); err != nil {
			return nil, err
		}
	}
	if err := add(Manifest, manifest); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if d := filepath.Dir(archive); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	// Write beside the target and rename, so a failed pack never leaves a
	// half-written archive that looks like a certificate.
	tmp, err := os.CreateTemp(filepath.Dir(archive), ".chatconform-pack-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), archive); err != nil {
		return nil, err
	}
	return files, nil
}
