package tpchgen

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/meshql/meshql/internal/gendir"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FormatVersion is the layout version of generated data; it is recorded
// in MarkerFile and bumped whenever the output changes for the same SF.
const FormatVersion = 1

// MarkerFile is written last into a generated folder; it records the scale
// factor and the row count of each table.
const MarkerFile = ".meshql-tpch.json"

// DataDir is the folder, inside Generate's output folder, that holds one
// sub-folder of part-NNNNN.parquet files per table.
const DataDir = "data"

// Options tune Generate.
type Options struct {
	// SF is the integer scale factor, 1 to MaxSF. SF1 is about 8.7M rows.
	SF int
	// Progress, if not nil, is told the rows written so far and the total,
	// after each row group; calls never overlap.
	Progress func(done, total int64)
	// Allocator holds the Arrow builders and Parquet buffers; nil means
	// memory.DefaultAllocator. Everything is released before Generate returns.
	Allocator memory.Allocator
	// Workers is the number of files written at once; 0 means GOMAXPROCS.
	// The output does not depend on it.
	Workers int

	// Test hooks: a smaller text pool (changes comment text only) and a
	// subset of driving tables ("orders" also makes lineitem, "part" partsupp).
	poolSize int
	drivers  []string
}

// marker is the content of MarkerFile.
type marker struct {
	FormatVersion int              `json:"format_version"`
	SF            int              `json:"scale_factor"`
	Rows          map[string]int64 `json:"rows"`
}

// Generate writes the eight TPC-H tables at scale factor opts.SF into
// outDir as Parquet (outDir/data/<table>/part-NNNNN.parquet: snappy,
// statistics, row groups of RowGroupRows, about 1M rows per file), and
// the descriptors of a mesh with one domain, tpch, over them (WriteMesh),
// so that `meshql serve --mesh outDir` serves them.
//
// Keys, numbers and dates are those of the official dbgen at that scale
// factor; comment text comes from the same grammar but differs, which
// changes the answers of Q13 and Q16 only. The output is the same for the
// same SF and FormatVersion, whatever Workers is.
//
// outDir is built in a temporary sibling folder and renamed into place,
// so it never holds half a dataset; on error or cancellation outDir is left
// as it was. Generate refuses to replace a non-empty outDir that has no
// MarkerFile, so that a wrong path cannot delete other files. ctx is
// checked every few thousand rows. Generate uses about 300 MiB for dbgen's text
// pool plus a few row groups of builders per worker.
func Generate(ctx context.Context, outDir string, opts Options) error {
	if err := checkSF(opts.SF); err != nil {
		return err
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.poolSize <= 0 {
		opts.poolSize = textPoolSize
	}
	if opts.drivers == nil {
		opts.drivers = []string{"orders", "part", "customer", "supplier", "nation", "region"}
	}
	outDir = filepath.Clean(outDir)
	if err := checkReplaceable(outDir); err != nil {
		return err
	}
	parent := filepath.Dir(outDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(outDir)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once tmp has been renamed into place

	rows, err := generateInto(ctx, tmp, opts)
	if err != nil {
		return err
	}
	if err := WriteMesh(tmp, MeshOptions{SF: fmt.Sprint(opts.SF), Path: GeneratedPath, Tables: tablesOf(opts.drivers)}); err != nil {
		return err
	}
	data, err := json.MarshalIndent(marker{FormatVersion: FormatVersion, SF: opts.SF, Rows: rows}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, MarkerFile), append(data, '\n'), 0o644); err != nil {
		return err
	}
	return replaceDir(tmp, outDir)
}

// GeneratedPath is the source path of a table in a folder Generate wrote,
// relative to that folder.
func GeneratedPath(table string) string { return DataDir + "/" + table + "/*.parquet" }

// tablesOf lists the tables the driving tables make, in Tables() order.
func tablesOf(drivers []string) []string {
	var out []string
	for _, t := range Tables() {
		d := t
		switch t {
		case "lineitem":
			d = "orders"
		case "partsupp":
			d = "part"
		}
		if contains(drivers, d) {
			out = append(out, t)
		}
	}
	return out
}

// generateInto writes the data files under root/DataDir with opts.Workers
// goroutines and returns the rows written per table.
func generateInto(ctx context.Context, root string, o Options) (map[string]int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	counts, err := RowCounts(o.SF)
	if err != nil {
		return nil, err
	}
	tables := tablesOf(o.drivers)
	var total int64
	for _, t := range tables {
		total += counts[t]
		if err := os.MkdirAll(filepath.Join(root, DataDir, t), 0o755); err != nil {
			return nil, err
		}
	}
	d, err := newDists()
	if err != nil {
		return nil, err
	}
	pool, err := d.textPool(ctx, o.poolSize)
	if err != nil {
		return nil, err
	}
	sh := &shared{scale: int64(o.SF), d: d, pool: pool, pastCutoff: pastCutoff()}

	var (
		mu   sync.Mutex // serializes Progress calls
		done int64
	)
	report := func(n int64) {
		mu.Lock()
		defer mu.Unlock()
		done += n
		if o.Progress != nil {
			o.Progress(done, total)
		}
	}
	tasks := make(chan task)
	errs := make(chan error, o.Workers)
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newGen(sh)
			for t := range tasks {
				if err := g.run(ctx, t, filepath.Join(root, DataDir), o.Allocator, report); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for _, t := range plan(int64(o.SF), o.drivers) {
		select {
		case tasks <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(tasks)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows := map[string]int64{}
	for _, t := range tables {
		rows[t] = counts[t]
	}
	return rows, nil
}

// checkReplaceable refuses to replace a folder that holds anything but generated TPC-H data.
func checkReplaceable(dir string) error {
	if err := gendir.CheckReplaceable(dir, MarkerFile, "generated TPC-H data"); err != nil {
		return fmt.Errorf("tpchgen: %w", err)
	}
	return nil
}

func replaceDir(tmp, dir string) error { return gendir.Replace(tmp, dir) }
