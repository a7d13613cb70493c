package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/meshql/meshql/internal/demodata"
	"github.com/meshql/meshql/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := pgtest.Run(m)
	if sharedDemo.root != "" {
		if err := os.RemoveAll(sharedDemo.root); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}

// demoGenerated is the day the tests' demo data is generated as of.
var demoGenerated = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

// sharedDemo is the demo data (scale 0.01, as of demoGenerated) that the
// tests over it read, generated once per test process: some twenty tests
// each generated the same rows, a fixed cost of every one under -race.
// Tests that rewrite the files work on a copy (reloadableEngine). It is the package's only mutable state, on purpose;
// after the Once it is read-only.
var sharedDemo struct {
	once sync.Once
	root string // removed by TestMain
	dir  string
	err  error
}

// demoDataDir returns the shared demo data dir, generating it on first use.
func demoDataDir(t *testing.T) string {
	t.Helper()
	sharedDemo.once.Do(func() {
		sharedDemo.root, sharedDemo.err = os.MkdirTemp("", "meshql-engine-demo-")
		if sharedDemo.err != nil {
			return
		}
		sharedDemo.dir = filepath.Join(sharedDemo.root, "data")
		sharedDemo.err = demodata.Generate(context.Background(), sharedDemo.dir, demodata.Options{Now: demoGenerated, Scale: 0.01})
	})
	if sharedDemo.err != nil {
		t.Fatalf("demo data: %v", sharedDemo.err)
	}
	return sharedDemo.dir
}
