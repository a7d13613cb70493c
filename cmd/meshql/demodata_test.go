package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/meshql/meshql/internal/demodata"
)

// demoTemplates holds the demo data of each scale the tests use, generated
// once per test process: generating it was most of what starting a test
// server cost under -race, and every test reads the same rows (the data
// depends only on the day, the scale and the seed). It is the package's
// only mutable state, on purpose; after each Once its entry is read-only.
var demoTemplates = struct {
	root    string // set by TestMain before any test runs; removed after
	mu      sync.Mutex
	byScale map[string]*demoTemplate
}{byScale: map[string]*demoTemplate{}}

type demoTemplate struct {
	once sync.Once
	dir  string
	err  error
}

// demoDataDir returns a new data dir for `meshql serve` or `meshql query
// --demo-scale scale` holding a copy of that scale's demo data, which the
// command then finds current and does not generate again. Each test gets
// its own copy because a server writes into its data dir (its mask key,
// recordings).
func demoDataDir(t *testing.T, scale string) string {
	t.Helper()
	demoTemplates.mu.Lock()
	tmpl := demoTemplates.byScale[scale]
	if tmpl == nil {
		tmpl = &demoTemplate{}
		demoTemplates.byScale[scale] = tmpl
	}
	demoTemplates.mu.Unlock()
	tmpl.once.Do(func() {
		v, err := strconv.ParseFloat(scale, 64)
		if err != nil {
			tmpl.err = err
			return
		}
		tmpl.dir = filepath.Join(demoTemplates.root, "scale-"+scale)
		// The options prepareDemo passes, so that Ensure finds the copy current.
		_, tmpl.err = demodata.Ensure(context.Background(), tmpl.dir, demodata.Options{Scale: v})
	})
	if tmpl.err != nil {
		t.Fatalf("demo data at scale %s: %v", scale, tmpl.err)
	}
	dir := t.TempDir()
	if err := copyTree(tmpl.dir, filepath.Join(dir, "demo", "data")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
