package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/meshql/meshql/internal/tpchgen"
	"github.com/meshql/meshql/sqltypes"
)

// codeIOError is PostgreSQL's io_error: generation failed on the files.
const codeIOError = "58030"

const tpchUsage = `usage: meshql tpch gen [--sf N] [--out DIR] [--workers N]

Generates the eight TPC-H tables at integer scale factor N (default 1:
8.7M rows, about 0.3 GB of Parquet) into DIR/data, with a mesh over them:
serve it with "meshql serve --mesh DIR" and query the tables as tpch.lineitem
or, unqualified, as lineitem.
`

// runTPCH runs `meshql tpch gen`.
func runTPCH(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "gen" {
		fmt.Fprint(stderr, tpchUsage)
		return errUsage
	}
	o := &options{}
	fs, config, specs := newFlags("tpch gen", o, false, stderr)
	sf, out := "1", ""
	extra := []flagSpec{
		{name: "sf", key: "MESHQL_TPCH_SF", usage: "integer scale factor: 1 is 8.7M rows", str: &sf},
		{name: "out", key: "MESHQL_TPCH_OUT", usage: "output folder (default: <data-dir>/tpch/sf<N>)", str: &out},
	}
	for _, s := range extra {
		fs.StringVar(s.str, s.name, *s.str, s.usage+" (env "+s.key+")")
	}
	specs = append(specs, extra...)
	fs.Usage = func() { fmt.Fprint(stderr, tpchUsage+"\nFlags:\n"); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if err := resolve(fs, *config, specs); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, tpchUsage)
		return errUsage
	}
	n, err := parseSF(sf)
	if err != nil {
		return err
	}
	if out == "" {
		if o.DataDir == "" {
			o.DataDir = defaultDataDir()
		}
		out = filepath.Join(o.DataDir, "tpch", "sf"+strconv.Itoa(n))
	}
	counts, err := tpchgen.RowCounts(n)
	if err != nil {
		return err
	}
	start := time.Now()
	var last time.Time
	printed := false
	what := fmt.Sprintf("generating TPC-H SF%d", n)
	err = tpchgen.Generate(ctx, out, tpchgen.Options{
		SF:      n,
		Workers: o.Workers,
		Progress: func(done, total int64) {
			if time.Since(last) < 200*time.Millisecond && done < total {
				return
			}
			last, printed = time.Now(), true
			printProgress(stderr, what, done, total, start)
		},
	})
	if printed {
		fmt.Fprintln(stderr) // end the progress line
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if err != nil {
		return sqltypes.Wrap(err, codeIOError, "tpch gen: %v", err)
	}
	printTPCHSummary(stdout, out, n, counts, time.Since(start))
	return nil
}

// parseSF accepts a positive integer scale factor; other values fail
// with 22023.
func parseSF(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, sqltypes.New(sqltypes.CodeInvalidParameterValue, "--sf: %q is not a positive integer: the generator makes integer scale factors only (1, 2, 10, ...); SF0.01 reference data is in testdata/tpch/sf0.01", s)
	}
	if n > tpchgen.MaxSF {
		return 0, sqltypes.New(sqltypes.CodeInvalidParameterValue, "--sf: %d is more than %d, the largest scale factor meshql generates", n, tpchgen.MaxSF)
	}
	return n, nil
}

// printTPCHSummary prints rows and Parquet size per table and the rate.
func printTPCHSummary(w io.Writer, out string, sf int, counts map[string]int64, took time.Duration) {
	var rows, bytes int64
	fmt.Fprintf(w, "generated TPC-H SF%d in %s\n", sf, out)
	for _, t := range tpchgen.Tables() {
		size := dirSize(filepath.Join(out, tpchgen.DataDir, t))
		rows += counts[t]
		bytes += size
		fmt.Fprintf(w, "  %-9s %10d rows %9.1f MB\n", t, counts[t], float64(size)/1e6)
	}
	secs := max(took.Seconds(), 1e-3)
	fmt.Fprintf(w, "  %-9s %10d rows %9.1f MB in %s (%.2fM rows/s)\n", "total", rows, float64(bytes)/1e6,
		took.Round(100*time.Millisecond), float64(rows)/secs/1e6)
	fmt.Fprintf(w, "serve it with: meshql serve --mesh %s\n", out)
}

// dirSize is the total size of the regular files under dir (0 on error).
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
