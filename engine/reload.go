package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/sqltypes"
)

// Hot reload: the Engine's catalog (mesh, roles, users, policies) is one
// immutable *catalog.Mesh behind an atomic pointer. Reload loads a new one
// and swaps it in only when it loaded and validated completely; a broken
// descriptor leaves the old catalog serving. A statement takes the
// catalog once, when it is analyzed, so a running query finishes on the
// catalog it started with and the next statement sees the new one.

// reloader is the Engine's reload state.
type reloader struct {
	load func(ctx context.Context) (*catalog.Mesh, error)

	mu     sync.Mutex // serializes reloads
	ok     atomic.Int64
	failed atomic.Int64
}

// Reload loads the catalog again with Config.Reload and, when it is
// valid, makes it the one new statements use. On failure the current
// catalog stays and every problem is logged with its file and line. It
// returns 0A000 when the engine was built without a loader.
func (e *Engine) Reload(ctx context.Context) error {
	r := &e.reload
	if r.load == nil {
		return sqltypes.New(sqltypes.CodeFeatureNotSupported, "this engine has no catalog loader to reload from")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	m, err := r.load(ctx)
	if err == nil && m == nil {
		err = errors.New("the loader returned no mesh")
	}
	if err != nil {
		r.failed.Add(1)
		var le *catalog.LoadError
		if errors.As(err, &le) {
			for _, p := range le.Problems {
				e.log.Error("catalog reload failed; still serving the previous catalog", "file", p.File, "line", p.Line, "field", p.Field, "problem", p.Msg)
			}
		} else {
			e.log.Error("catalog reload failed; still serving the previous catalog", "error", err)
		}
		return err
	}
	old := e.mesh.Swap(m)
	e.forgetTables(m)
	r.ok.Add(1)
	e.log.Info("catalog reloaded", "mesh", m.Name, "products", len(m.Products), "previous_products", len(old.Products))
	return nil
}

// forgetTables drops the cached sources of products the new catalog no
// longer holds (every product of the old catalog: products are new
// objects after a reload). Running queries keep the tables they opened.
func (e *Engine) forgetTables(m *catalog.Mesh) {
	keep := make(map[*catalog.Product]bool, len(m.Products))
	for _, p := range m.Products {
		keep[p] = true
	}
	e.mu.Lock()
	for p := range e.tables {
		if !keep[p] {
			delete(e.tables, p)
		}
	}
	e.mu.Unlock()
}

// WatchCatalog polls the mesh folder every interval and reloads the
// catalog when a descriptor or mesh.yaml changed (added, removed, edited),
// until ctx ends. It takes the folder's first fingerprint before it
// returns, so a change made after the call is never missed, and polls in
// a goroutine of its own; wait blocks until that goroutine has ended. A
// change that fails to load is logged once; the next change is tried
// again. interval <= 0 or an engine without a loader watches nothing.
func (e *Engine) WatchCatalog(ctx context.Context, interval time.Duration) (wait func()) {
	done := make(chan struct{})
	if interval <= 0 || e.reload.load == nil {
		close(done)
		return func() { <-done }
	}
	last := meshFingerprint(e.Mesh().Dir)
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			fp := meshFingerprint(e.Mesh().Dir)
			if fp == last {
				continue
			}
			last = fp
			_ = e.Reload(ctx) // logged and counted by Reload
		}
	}()
	return func() { <-done }
}

// meshFingerprint summarizes the YAML files of a mesh folder (names,
// sizes, modification times): what a descriptor edit changes. Data files
// are not looked at, so large data folders cost nothing.
func meshFingerprint(dir string) string {
	h := sha256.New()
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || (filepath.Ext(name) != ".yaml" && filepath.Ext(name) != ".yml") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return string(h.Sum(nil))
}

// writeReloadMetrics adds the reload counters to /metrics.
func (e *Engine) writeReloadMetrics(w io.Writer) {
	fmt.Fprintln(w, "# HELP meshql_catalog_reloads_total Catalog reloads by result.")
	fmt.Fprintln(w, "# TYPE meshql_catalog_reloads_total counter")
	fmt.Fprintf(w, "meshql_catalog_reloads_total{result=\"error\"} %d\n", e.reload.failed.Load())
	fmt.Fprintf(w, "meshql_catalog_reloads_total{result=\"ok\"} %d\n", e.reload.ok.Load())
}
