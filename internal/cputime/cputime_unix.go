//go:build unix

// Package cputime reads the process's CPU time, for benchmarks: on a
// machine other work shares, the CPU a run took is steadier than its
// wall time. It imports nothing from meshql.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the process's user and system CPU time (its garbage
// collection included), or 0 if it cannot be read.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
