// Package testclock gives tests a clock that moves at every reading, to
// inject as engine.Config.Clock: two readings never agree, so values that
// agree were read once.
package testclock

import (
	"sync"
	"time"
)

// Ticking returns a clock whose first reading is start+step and every
// later one step after the previous. It is safe for concurrent use.
func Ticking(start time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	clock := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(step)
		return clock
	}
}
