package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/meshql/meshql"
	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/csv"
	"github.com/meshql/meshql/connectors/flightsql"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/connectors/postgres"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/internal/demodata"
	"github.com/meshql/meshql/internal/gendir"
	"github.com/meshql/meshql/internal/openlineage"
)

// demoMaxAge is how old the demo data may get before it is regenerated, so
// that "the last 30 days" always has orders.
const demoMaxAge = 7 * 24 * time.Hour

// loadMesh loads the mesh to serve: the folder given by --mesh, or the
// built-in demo mesh, whose data is generated on first use.
func loadMesh(ctx context.Context, o *options, progress io.Writer) (*catalog.Mesh, error) {
	return loadMeshMaxAge(ctx, o, progress, demoMaxAge)
}

// loadMeshMaxAge is loadMesh regenerating demo data older than maxAge.
func loadMeshMaxAge(ctx context.Context, o *options, progress io.Writer, maxAge time.Duration) (*catalog.Mesh, error) {
	if o.DataDir == "" {
		o.DataDir = defaultDataDir()
	}
	if o.Mesh == "" {
		if err := prepareDemo(ctx, o, progress, maxAge); err != nil {
			return nil, err
		}
	}
	return meshLoader(o)(ctx)
}

// meshLoader returns how to (re)load the mesh folder loadMesh prepared;
// reloading never rewrites the demo mesh or regenerates its data.
func meshLoader(o *options) func(context.Context) (*catalog.Mesh, error) {
	return func(context.Context) (*catalog.Mesh, error) {
		// A mesh whose mesh.yaml names no mask key hashes with this
		// installation's own key, created on first use.
		key, err := catalog.EnsureKeyFile(filepath.Join(o.DataDir, "mask.key"))
		if err != nil {
			return nil, fmt.Errorf("mask key: %w", err)
		}
		if o.Mesh != "" {
			return catalog.Load(o.Mesh, catalog.LoadOptions{MaskKey: key})
		}
		return catalog.Load(filepath.Join(o.DataDir, "demo", "mesh"), catalog.LoadOptions{DataDir: filepath.Join(o.DataDir, "demo", "data"), MaskKey: key})
	}
}

// prepareDemo writes the demo mesh's descriptors into the data dir and
// generates its data when missing or older than maxAge.
func prepareDemo(ctx context.Context, o *options, progress io.Writer, maxAge time.Duration) error {
	meshDir := filepath.Join(o.DataDir, "demo", "mesh")
	dataDir := filepath.Join(o.DataDir, "demo", "data")
	if err := writeDemoMesh(meshDir); err != nil {
		return err
	}
	scale := 1.0
	if o.DemoScale != "" {
		v, err := strconv.ParseFloat(o.DemoScale, 64)
		if err != nil || v <= 0 {
			return fmt.Errorf("--demo-scale: %q is not a positive number", o.DemoScale)
		}
		scale = v
	}
	start := time.Now()
	var last time.Time
	generated, err := demodata.Ensure(ctx, dataDir, demodata.Options{
		Scale:  scale,
		MaxAge: maxAge,
		Progress: func(done, total int64) {
			if time.Since(last) < 200*time.Millisecond && done < total {
				return
			}
			last = time.Now()
			printProgress(progress, "generating demo data", done, total, start)
		},
	})
	if err != nil {
		return fmt.Errorf("demo data in %s: %w", dataDir, err)
	}
	if generated {
		fmt.Fprintf(progress, "\ngenerated demo data in %s (%s)\n", dataDir, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// printProgress draws a one-line progress bar with an ETA.
func printProgress(w io.Writer, what string, done, total int64, start time.Time) {
	if total <= 0 {
		return
	}
	frac := float64(done) / float64(total)
	const width = 30
	bar := make([]byte, width)
	for i := range bar {
		if float64(i) < frac*width {
			bar[i] = '#'
		} else {
			bar[i] = '.'
		}
	}
	eta := "?"
	if frac > 0 {
		eta = (time.Duration(float64(time.Since(start))/frac) - time.Since(start)).Round(time.Second).String()
	}
	fmt.Fprintf(w, "\r%s [%s] %3.0f%% %d/%d rows, ETA %s ", what, bar, frac*100, done, total, eta)
}

// writeDemoMesh refreshes the demo descriptors from the binary. Several
// meshql processes may share a data dir (a server and `meshql query`, or
// scripts running queries side by side), so the folder is never edited in
// place: when it differs from the binary's copy, a new one is written next
// to it and swapped in, and a process that loses a race to another writing
// the same descriptors finds them current and goes on. A server's folder
// watch therefore sees nothing when the descriptors are already current.
func writeDemoMesh(dir string) error {
	var err error
	for range 5 {
		if demoMeshCurrent(dir) {
			return nil
		}
		if err = replaceDemoMesh(dir); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond) // another process is swapping it
	}
	return err
}

// replaceDemoMesh writes the demo descriptors into a new sibling of dir
// and swaps it in.
func replaceDemoMesh(dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once tmp is swapped in
	err = fs.WalkDir(meshql.DemoMesh(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(tmp, path)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(meshql.DemoMesh(), path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return err
	}
	return gendir.Replace(tmp, dir)
}

// demoMeshCurrent reports whether dir holds exactly the binary's demo
// descriptors: the same files with the same bytes, and no others.
func demoMeshCurrent(dir string) bool {
	want := 0
	same := fs.WalkDir(meshql.DemoMesh(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want++
		data, err := fs.ReadFile(meshql.DemoMesh(), path)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil || !bytes.Equal(got, data) {
			return fs.ErrNotExist
		}
		return nil
	}) == nil
	if !same {
		return false
	}
	have := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			have++
		}
		return err
	})
	return err == nil && have == want
}

// newEngineObserved wires an engine over a mesh with every built-in
// connector, and the OpenLineage emitter when configured (its queue
// drains in the background); reload (nil: none) reloads the catalog for
// SIGHUP and the folder watch. The returned function flushes and closes
// the emitter: every command calls it before it exits, serve after its
// drain.
func newEngineObserved(mesh *catalog.Mesh, o *options, reload func(context.Context) (*catalog.Mesh, error)) (*engine.Engine, func() error, error) {
	queryMem, err := engineSize("query_memory", o.QueryMemory)
	if err != nil {
		return nil, nil, err
	}
	queryMemTotal, err := engineSize("query_memory_total", o.QueryMemoryTotal)
	if err != nil {
		return nil, nil, err
	}
	if limit, err := engineSize("memory_limit", o.MemoryLimit); err != nil {
		return nil, nil, err
	} else if o.QueryMemoryTotal == "" && limit > 0 {
		// Half of the process for query state, as DefaultPoolLimit
		// takes half of the machine.
		queryMemTotal = limit / 2
	}
	cfg := engine.Config{
		Mesh:         mesh,
		Reload:       reload,
		QueryLogSize: o.QueryLogSize,
		Connectors:   builtinConnectors(),
		Workers:      o.Workers,
		Logger:       newLogger(o, os.Stderr),

		StatementTimeout:  o.StatementTimeout,
		MaxQueriesPerUser: o.MaxQueriesPerUser,
		QueryMemory:       queryMem,
		QueryMemoryTotal:  queryMemTotal,
		SpillDir:          o.SpillDir,
	}
	if now := o.now; !now.IsZero() {
		cfg.Clock = func() time.Time { return now }
	}
	closer := func() error { return nil }
	if o.OpenLineageURL != "" || o.OpenLineageFile != "" {
		em, err := openlineage.New(openlineage.Config{URL: o.OpenLineageURL, File: o.OpenLineageFile, Logger: cfg.Logger})
		if err != nil {
			return nil, nil, err
		}
		cfg.Observer, closer = em, em.Close
	}
	eng, err := engine.New(cfg)
	if err != nil {
		closer()
		return nil, nil, err
	}
	return eng, closer, nil
}

// engineSize parses a memory setting for engine.Config: 0 when unset
// (the engine's default), -1 for "0" (unlimited).
func engineSize(key, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := membudget.ParseSize(v)
	if err != nil {
		// Not ParseSize's SQL error, which names mesh.query_memory.
		return 0, fmt.Errorf("%s: invalid value %q: want a size such as 512MB or 2GB (units B, kB, MB, GB, TB)", key, v)
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

// builtinConnectors returns a fresh instance of every built-in connector.
func builtinConnectors() []connectors.Connector {
	return []connectors.Connector{parquet.New(), postgres.New(), csv.New(), flightsql.New()}
}
