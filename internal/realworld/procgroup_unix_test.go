//go:build unix

package realworld

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel starts cmd in its own process group and makes the
// context's cancellation kill the whole group: run.mjs starts a child
// (the node:test process) that must not outlive a timed-out run.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
