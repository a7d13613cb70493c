//go:build !unix

package bench

import "time"

// cpuTime is not measured off unix: cpu-ns/op reads 0 there.
func cpuTime() time.Duration { return 0 }
