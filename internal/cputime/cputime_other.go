//go:build !unix

// Package cputime reads the process's CPU time, for benchmarks: on a
// machine other work shares, the CPU a run took is steadier than its
// wall time. It imports nothing from meshql.
package cputime

import "time"

// Process is not measured off unix: it returns 0.
func Process() time.Duration { return 0 }
