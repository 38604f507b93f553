package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/chatconform/chatconform/internal/report/browser"
)

// screenshotTimeout bounds a render: a report loads in well under a
// second, so anything longer is a browser that will not start.
const screenshotTimeout = 90 * time.Second

func screenshotCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("screenshot", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	width := fs.Int("width", 1280, "viewport width in CSS pixels (390 for a phone)")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() != 2 {
		return usageError("want [-width N] <report.html> <out.png>")
	}
	if *width < 200 || *width > 4000 {
		return usageError(fmt.Sprintf("-width %d: want 200 to 4000", *width))
	}
	ctx, cancel := context.WithTimeout(context.Background(), screenshotTimeout)
	defer cancel()
	png, err := browser.Screenshot(ctx, fs.Arg(0), *width)
	if err != nil {
		return err
	}
	if err := os.WriteFile(fs.Arg(1), png, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d px wide, %d bytes)\n", fs.Arg(1), *width, len(png))
	return nil
}
