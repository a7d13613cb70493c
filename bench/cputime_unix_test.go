//go:build unix

package bench

import (
	"syscall"
	"time"
)

// cpuTime is the process's user and system CPU time (its GC included): a
// steadier measure than wall time on a machine other work shares.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
