//go:build race

package ops

// raceEnabled: the race detector's instrumentation allocates where the
// plain build does not, so allocation counts are not checked under it.
const raceEnabled = true
