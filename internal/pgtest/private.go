package pgtest

import (
	"errors"
	"os"
	"sync"
	"testing"
)

// Private starts a cluster of the test's own, for tests that take a
// server down (a source that dies mid-query), and returns a superuser URI
// and kill, which stops the server at once (pg_ctl -m immediate: every
// connection drops, as in a crash) and removes its files. Cleanup kills it
// if the test did not. It costs a second or more; prefer NewDatabase.
// Without PostgreSQL's binaries it skips the test (fails it in CI).
func Private(tb testing.TB) (uri string, kill func()) {
	tb.Helper()
	c, err := startCluster()
	var missing *missingError
	if errors.As(err, &missing) {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("pgtest: %v", err)
		}
		tb.Skipf("pgtest: %v", err)
	}
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	var once sync.Once
	kill = func() {
		once.Do(func() {
			if err := c.stop(); err != nil {
				tb.Errorf("pgtest: %v", err)
			}
		})
	}
	tb.Cleanup(kill)
	return c.uri, kill
}
