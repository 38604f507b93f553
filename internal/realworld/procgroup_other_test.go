//go:build !unix

package realworld

import "os/exec"

// killGroupOnCancel keeps exec.CommandContext's default (kill the process);
// run.mjs's watchdog stops its own child first.
func killGroupOnCancel(*exec.Cmd) {}
