package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/chatconform/chatconform/internal/config"
	"github.com/chatconform/chatconform/internal/procs"
	"github.com/chatconform/chatconform/internal/sanitize"
)

// procsCmd prints the number of Ginkgo processes for the configured run
// on stdout, alone, for `make conformance` (which uses it when PROCS is
// unset), and on stderr how it was chosen: from the round trip to the
// endpoint, not the CPU count (internal/procs).
func procsCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 0 {
		fmt.Fprintf(stderr, "chatconform procs: takes no arguments; it reads the environment and .env\n%s", usage)
		return 2
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "chatconform procs: %s\n", sanitize.Text(err.Error()))
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*cfg.Timeout+10*time.Second)
	defer cancel()
	c := procs.For(ctx, cfg)
	fmt.Fprintln(stdout, c.Procs)
	fmt.Fprintf(stderr, "chatconform procs: %d process(es) (%s): %s; PROCS=N overrides\n", c.Procs, cfg.Mode(), sanitize.Text(c.Why))
	return 0
}
