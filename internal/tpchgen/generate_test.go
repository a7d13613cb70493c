package tpchgen

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
)

var update = flag.Bool("update", false, "rewrite testdata/mesh-tpch from WriteMesh")

const refDir = "../../testdata/tpch/sf0.01"

// TestRowCounts checks the cardinalities at SF1 against the specification
// and the count-only line count against the generator's own lines.
func TestRowCounts(t *testing.T) {
	got, err := RowCounts(1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"region": 5, "nation": 25, "supplier": 10000, "customer": 150000,
		"part": 200000, "partsupp": 800000, "orders": 1500000, "lineitem": 6001215}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d rows at SF1, want %d", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("RowCounts returned %d tables, want %d", len(got), len(want))
	}
	for _, sf := range []int{0, -1, MaxSF + 1} {
		if _, err := RowCounts(sf); err == nil {
			t.Errorf("RowCounts(%d) succeeded", sf)
		}
	}
	// The replayed line-count stream agrees with the lines orders really get.
	g := newGen(newTestShared(t, 1, 1<<20))
	const first, n = 1000, 2000
	lines := int64(len(dbgenLines(g, "orders", first, n)["lineitem"]))
	if c := lineCount(first, n); c != lines {
		t.Errorf("lineCount(%d, %d) = %d, generator made %d lines", first, n, c, lines)
	}
}

// readSchema returns a Parquet file's Arrow schema (metadata dropped) and
// its columns' physical and logical types.
func readSchema(t *testing.T, path string) (*arrow.Schema, []string, int64) {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fr, err := pqarrow.NewFileReader(r, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	s, err := fr.Schema()
	if err != nil {
		t.Fatal(err)
	}
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		fields[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: f.Nullable}
	}
	var phys []string
	sc := r.MetaData().Schema
	for i := 0; i < sc.NumColumns(); i++ {
		c := sc.Column(i)
		phys = append(phys, c.Name()+" "+c.PhysicalType().String()+" "+c.LogicalType().String())
	}
	return arrow.NewSchema(fields, nil), phys, r.NumRows()
}

// TestSchemasMatchReference checks every table's schema against the
// reference SF0.01 files, so the same queries and answers apply.
func TestSchemasMatchReference(t *testing.T) {
	all := specs()
	for _, name := range Tables() {
		ref, _, _ := readSchema(t, filepath.Join(refDir, name+".parquet"))
		if got := all[name].schema(); !got.Equal(ref) {
			t.Errorf("%s schema:\n got %s\nwant %s", name, got, ref)
		}
	}
}

// TestGenerateSmallTables generates SF1's nation, region and supplier
// tables and checks files, schemas, physical types, row counts,
// determinism across worker counts, the mesh and the marker.
func TestGenerateSmallTables(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	var calls int
	var last int64
	for i, dir := range dirs {
		o := Options{SF: 1, Allocator: mem, Workers: i + 1, poolSize: 1 << 20,
			drivers: []string{"supplier", "nation", "region"}}
		if i == 0 {
			o.Progress = func(done, total int64) { calls++; last = done; _ = total }
		}
		if err := Generate(context.Background(), dir, o); err != nil {
			t.Fatal(err)
		}
	}
	if want := int64(10000 + 25 + 5); calls == 0 || last != want {
		t.Errorf("progress: %d calls, last done=%d, want %d", calls, last, want)
	}
	for _, name := range []string{"nation", "region", "supplier"} {
		got := filepath.Join(dirs[0], DataDir, name, "part-00000.parquet")
		gs, gp, n := readSchema(t, got)
		rs, rp, _ := readSchema(t, filepath.Join(refDir, name+".parquet"))
		if !gs.Equal(rs) {
			t.Errorf("%s: schema\n got %s\nwant %s", name, gs, rs)
		}
		if strings.Join(gp, "\n") != strings.Join(rp, "\n") {
			t.Errorf("%s: Parquet columns\n got %v\nwant %v", name, gp, rp)
		}
		counts, _ := RowCounts(1)
		if n != counts[name] {
			t.Errorf("%s: %d rows, want %d", name, n, counts[name])
		}
		a, _ := os.ReadFile(got)
		b, _ := os.ReadFile(filepath.Join(dirs[1], DataDir, name, "part-00000.parquet"))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: output differs between 1 and 2 workers", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dirs[0], DataDir, "lineitem")); err == nil {
		t.Error("lineitem was written although not asked for")
	}
	m, err := catalog.Load(dirs[0], catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Products) != 3 {
		t.Errorf("mesh has %d products, want 3", len(m.Products))
	}
	// Generating again over generated data replaces it.
	if err := Generate(context.Background(), dirs[0], Options{SF: 1, Allocator: mem, poolSize: 1 << 20, drivers: []string{"region"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dirs[0], DataDir, "nation")); err == nil {
		t.Error("the old data was not replaced")
	}
}

func TestGenerateRefusesForeignDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "precious.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Generate(context.Background(), dir, Options{SF: 1, poolSize: 1 << 20, drivers: []string{"region"}})
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if err := Generate(context.Background(), filepath.Join(dir, "x"), Options{SF: 0}); err == nil {
		t.Fatal("SF 0 was accepted")
	}
}

func TestGenerateCanceled(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := filepath.Join(t.TempDir(), "out")
	time.AfterFunc(100*time.Millisecond, cancel) // SF1 orders take seconds
	o := Options{SF: 1, Allocator: mem, poolSize: 1 << 20, drivers: []string{"orders"}}
	start := time.Now()
	if err := Generate(ctx, dir, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Generate took %s to notice the cancellation", took)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a canceled generation left its output folder")
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 0 {
		t.Errorf("a canceled generation left %d entries behind", len(entries))
	}
}

// TestMeshTPCHUpToDate checks that testdata/mesh-tpch is what WriteMesh
// writes for the SF0.01 reference files; -update rewrites it.
func TestMeshTPCHUpToDate(t *testing.T) {
	const dir = "../../testdata/mesh-tpch"
	opts := MeshOptions{SF: "0.01", Path: func(table string) string { return "../tpch/sf0.01/" + table + ".parquet" }}
	if *update {
		if err := WriteMesh(dir, opts); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	if err := WriteMesh(tmp, opts); err != nil {
		t.Fatal(err)
	}
	files := []string{"mesh.yaml"}
	for _, tb := range Tables() {
		files = append(files, filepath.Join(Domain, tb+"_v1.yaml"))
	}
	for _, f := range files {
		want, _ := os.ReadFile(filepath.Join(tmp, f))
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/%s is stale (err %v): run go test ./internal/tpchgen -run TestMeshTPCH -update", dir, f, err)
		}
	}
	m, err := catalog.Load(dir, catalog.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Products) != 8 {
		t.Errorf("mesh-tpch has %d products, want 8", len(m.Products))
	}
}
