package pgload

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/demodata"
)

// TestLoadMeshDemo loads the demo mesh's generated data and checks every
// Parquet product's table has as many rows as its Parquet files.
func TestLoadMeshDemo(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	opts := demodata.Options{Now: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), Scale: 0.01}
	if err := demodata.Generate(t.Context(), dataDir, opts); err != nil {
		t.Fatal(err)
	}
	mesh, err := catalog.Load(filepath.Join("..", "..", "testdata", "mesh"), catalog.LoadOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	conn := connect(t)
	if err := LoadMesh(t.Context(), conn, mesh, mem); err != nil {
		t.Fatal(err)
	}

	loaded := 0
	for _, p := range mesh.Products {
		if p.Source.Connector != "parquet" {
			continue
		}
		loaded++
		want := parquetRows(t, filepath.Join(p.Source.BaseDir, p.Source.Path))
		if want == 0 {
			t.Errorf("%s: no rows in its Parquet files", p.QualifiedName())
		}
		got := textRows(t, conn, "SELECT count(*) FROM "+p.QualifiedName())
		if len(got) != 1 || got[0] != strconv.FormatInt(want, 10) {
			t.Errorf("%s: table has %v rows, Parquet files %d", p.QualifiedName(), got, want)
		}
	}
	if loaded < 4 {
		t.Errorf("loaded %d Parquet products, want at least the demo's 4", loaded)
	}
	// Derived products are not tables.
	if got := textRows(t, conn, "SELECT count(*) FROM pg_tables WHERE schemaname = 'marketing'"); got[0] != "0" {
		t.Errorf("marketing tables: %v, want none", got)
	}
	// Declared types, not Arrow's, define the columns.
	got := textRows(t, conn, `SELECT format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = 'sales.orders_v1'::regclass AND attname = 'amount'`)
	if len(got) != 1 || got[0] != "numeric(12,2)" {
		t.Errorf("sales.orders_v1.amount type = %v, want numeric(12,2)", got)
	}

	// Loading again into the same database fails: tables exist.
	if err := LoadMesh(t.Context(), conn, mesh, mem); err == nil {
		t.Error("second LoadMesh succeeded; want a name clash")
	}
}

// parquetRows sums the row counts in the footers of the files matching glob.
func parquetRows(t *testing.T, glob string) int64 {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range files {
		r, err := file.OpenParquetFile(f, false)
		if err != nil {
			t.Fatal(err)
		}
		n += r.NumRows()
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return n
}
