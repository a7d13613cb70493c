package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/cputime"
	"github.com/meshql/meshql/internal/tpch"
)

const (
	queryDir   = "../testdata/tpch/queries"
	analystDir = "analyst"
)

// BenchmarkTPCH runs BenchmarkTPCH/sf0.01/q01..q22 over the committed
// SF0.01 mesh and, when MESHQL_TPCH_SF1_MESH names a folder written by
// `meshql tpch gen --sf 1`, BenchmarkTPCH/sf1/q01..q22 over it. Each
// iteration runs the query and reads its rows as text (cpu-ns/op is the
// process's CPU time per run); the engine uses
// GOMAXPROCS workers unless MESHQL_BENCH_WORKERS is set.
func BenchmarkTPCH(b *testing.B) {
	meshes := [][2]string{{"sf0.01", "../testdata/mesh-tpch"}}
	if dir := os.Getenv("MESHQL_TPCH_SF1_MESH"); dir != "" {
		meshes = append(meshes, [2]string{"sf1", dir})
	}
	for _, m := range meshes {
		b.Run(m[0], func(b *testing.B) { benchMesh(b, m[1], queryDir, 22) })
	}
}

// BenchmarkAnalyst runs the analyst queries of bench/analyst (q01..q14)
// as BenchmarkTPCH runs TPC-H's, over the same meshes: make bench
// compares them with DuckDB, this gives their CPU per run without
// bench/compare's cgo build.
func BenchmarkAnalyst(b *testing.B) {
	meshes := [][2]string{{"sf0.01", "../testdata/mesh-tpch"}}
	if dir := os.Getenv("MESHQL_TPCH_SF1_MESH"); dir != "" {
		meshes = append(meshes, [2]string{"sf1", dir})
	}
	for _, m := range meshes {
		b.Run(m[0], func(b *testing.B) { benchMesh(b, m[1], analystDir, 14) })
	}
}

// benchMesh runs queries q01..qN of queries over the mesh in dir, one
// sub-benchmark each.
func benchMesh(b *testing.B, dir, queries string, n int) {
	sess := openSession(b, dir)
	ctx := context.Background()
	for q := 1; q <= n; q++ {
		name := fmt.Sprintf("q%02d", q)
		sql, err := os.ReadFile(filepath.Join(queries, name+".sql"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			var rows, n int
			start := cputime.Process()
			for b.Loop() {
				n++
				res, err := tpch.Run(ctx, sess, string(sql))
				if err != nil {
					b.Fatal(err)
				}
				rows = len(res.Rows)
			}
			b.ReportMetric(float64(rows), "rows")
			// CPU per run steadies comparisons on a shared machine (wall
			// time counts other work's turns on the cores).
			b.ReportMetric(float64(cputime.Process()-start)/float64(max(n, 1)), "cpu-ns/op")
		})
	}
}

// openSession opens an admin session with search_path tpch on a new
// engine over the mesh in dir.
func openSession(b *testing.B, dir string) *engine.Session {
	b.Helper()
	mesh, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	workers := 0
	if s := os.Getenv("MESHQL_BENCH_WORKERS"); s != "" {
		if _, err := fmt.Sscan(s, &workers); err != nil {
			b.Fatalf("MESHQL_BENCH_WORKERS=%q: %v", s, err)
		}
	}
	eng, err := engine.New(engine.Config{Mesh: mesh, Connectors: []connectors.Connector{parquet.New()}, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	sess, err := eng.NewSession("admin", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sess.Close)
	if _, err := tpch.Run(context.Background(), sess, "SET search_path = tpch"); err != nil {
		b.Fatal(err)
	}
	return sess
}
