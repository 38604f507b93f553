package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// goBenchmarks are the Go benchmarks of the per-response work.
const goBenchmarks = "BenchmarkValidateListPage250|BenchmarkValidateSchemaAddResult|BenchmarkPagingOracle"

// goBenchPackages hold them.
var goBenchPackages = []string{"./internal/contract/"}

// goBenchCommand is the command line, for the document.
func goBenchCommand() string {
	return fmt.Sprintf("go test -run x -bench '%s' -benchmem %s", goBenchmarks, strings.Join(goBenchPackages, " "))
}

// benchResult is one line of `go test -bench` output.
type benchResult struct {
	Name        string // without the -GOMAXPROCS suffix
	Iterations  int64
	NsPerOp     float64
	MBPerSec    float64 // 0 unless the benchmark calls SetBytes
	BytesPerOp  int64
	AllocsPerOp int64
}

// runGoBench runs the benchmarks in the module at root.
func runGoBench(ctx context.Context, root string) ([]benchResult, string, error) {
	args := append([]string{"test", "-run", "x", "-bench", goBenchmarks, "-benchmem"}, goBenchPackages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, string(out), fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	res := parseGoBench(out)
	if len(res) == 0 {
		return nil, string(out), fmt.Errorf("go test -bench printed no benchmark results:\n%s", out)
	}
	return res, string(out), nil
}

// parseGoBench reads the result lines of `go test -bench -benchmem`:
//
//	BenchmarkX-2   1234   5678 ns/op   12.34 MB/s   910 B/op   11 allocs/op
func parseGoBench(out []byte) []benchResult {
	var res []benchResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		r := benchResult{Name: f[0]}
		if i := strings.LastIndexByte(r.Name, '-'); i > 0 {
			if _, err := strconv.Atoi(r.Name[i+1:]); err == nil {
				r.Name = r.Name[:i]
			}
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		r.Iterations = n
		ok := false
		for i := 2; i+1 < len(f); i += 2 {
			v, unit := f[i], f[i+1]
			switch unit {
			case "ns/op":
				r.NsPerOp, err = strconv.ParseFloat(v, 64)
				ok = err == nil
			case "MB/s":
				r.MBPerSec, _ = strconv.ParseFloat(v, 64)
			case "B/op":
				r.BytesPerOp, _ = strconv.ParseInt(v, 10, 64)
			case "allocs/op":
				r.AllocsPerOp, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		if ok {
			res = append(res, r)
		}
	}
	return res
}
