//go:build !linux

package perf

import (
	"os/exec"
	"time"
)

// MaxRSS is the peak resident set size of a finished command; it is only
// measured on Linux and is 0 elsewhere.
func MaxRSS(cmd *exec.Cmd) int64 { return 0 }

// SelfCPU is this process's CPU time so far; only measured on Linux.
func SelfCPU() time.Duration { return 0 }
