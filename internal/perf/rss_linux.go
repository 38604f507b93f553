package perf

import (
	"os/exec"
	"syscall"
	"time"
)

// MaxRSS is the peak resident set size, in bytes, that the kernel reports
// for a finished command: the largest of the command's own peak and those
// of every descendant it waited for (wait4 reports the maximum of the
// processes' peaks, not their sum). For `ginkgo --procs=N` that is the
// largest single process: the CLI or one suite process (the one running
// the embedded server, if any, included). A server in the calling process
// is not covered. 0 when unknown.
func MaxRSS(cmd *exec.Cmd) int64 {
	if cmd.ProcessState == nil {
		return 0
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	return ru.Maxrss * 1024 // Linux reports kilobytes
}

// SelfCPU is the CPU time (user and system) this process has used so far:
// around a suite run, what the bench's own reference server spent
// answering it (the bench itself idles meanwhile).
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
