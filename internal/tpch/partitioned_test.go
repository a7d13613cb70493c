package tpch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// TestTPCHPartitioned runs the 22 queries with lineitem and orders split
// into 4 files each, so that scans run as several streams (a file of
// fewer than 65,536 rows is one partition): the SF0.01 reference files
// are one file per table, and the plans for
// several streams (hash joins run once per probe stream, partial
// aggregation per stream) would otherwise never meet CI. The answers must
// not change.
func TestTPCHPartitioned(t *testing.T) {
	mesh := partitionedMesh(t)
	runSuite(t, suite{mesh: mesh, answers: "../../testdata/tpch/sf0.01/answers", timeout: 30 * time.Second})

	// The multi-stream join path is really taken by some of them.
	_, sess := newSession(t, mesh, nil)
	var parallel []string
	for q := 1; q <= 22; q++ {
		text, err := os.ReadFile(filepath.Join(queryDir, fmt.Sprintf("q%02d.sql", q)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(t.Context(), sess, "EXPLAIN "+string(text))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Rows {
			if line := strings.Join(r, " "); strings.Contains(line, "Join") && strings.Contains(line, "parallel=") {
				parallel = append(parallel, fmt.Sprintf("q%02d", q))
				break
			}
		}
	}
	t.Logf("hash joins per probe stream in %v", parallel)
	if len(parallel) == 0 {
		t.Error("no query over the split tables runs a hash join per probe stream")
	}
}

// partitionedMesh writes a copy of the SF0.01 mesh whose lineitem and
// orders are split into 4 files each, and returns its folder.
func partitionedMesh(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mesh := filepath.Join(dir, "mesh")
	if err := os.CopyFS(mesh, os.DirFS("../../testdata/mesh-tpch")); err != nil {
		t.Fatal(err)
	}
	data, err := filepath.Abs("../../testdata/tpch/sf0.01")
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"} {
		path := filepath.Join(data, table+".parquet")
		if table == "lineitem" || table == "orders" {
			folder := filepath.Join(dir, table)
			splitFile(t, filepath.Join(data, table+".parquet"), folder, 4)
			path = filepath.Join(folder, "*.parquet")
		}
		desc := filepath.Join(mesh, "tpch", table+"_v1.yaml")
		b, err := os.ReadFile(desc)
		if err != nil {
			t.Fatal(err)
		}
		old := "path: ../tpch/sf0.01/" + table + ".parquet"
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s does not read %s", desc, old)
		}
		if err := os.WriteFile(desc, []byte(strings.Replace(string(b), old, "path: "+path, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return mesh
}

// splitFile copies the rows of the Parquet file src into n files of
// about equal size in the folder dst, in order.
func splitFile(t *testing.T, src, dst string, n int64) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rd, err := file.OpenParquetFile(src, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	fr, err := pqarrow.NewFileReader(rd, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	per := (tbl.NumRows() + n - 1) / n
	tr := array.NewTableReader(tbl, per)
	defer tr.Release()
	for i := 0; tr.Next(); i++ {
		rec := tr.RecordBatch()
		f, err := os.Create(filepath.Join(dst, fmt.Sprintf("part-%d.parquet", i)))
		if err != nil {
			t.Fatal(err)
		}
		props := pq.NewWriterProperties(pq.WithStoreDecimalAsInteger(true), pq.WithAllocator(mem), pq.WithStats(true))
		w, err := pqarrow.NewFileWriter(rec.Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil { // closes f too
			t.Fatal(err)
		}
	}
	if err := tr.Err(); err != nil {
		t.Fatal(err)
	}
}
