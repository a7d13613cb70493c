package meshcheck

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/lint"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/csv"
	"github.com/meshql/meshql/connectors/parquet"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/demodata"
)

// genTime is when the test data is generated; checks run an hour later.
var genTime = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// fixture generates the demo data at a small scale into a temp folder and
// returns the demo mesh loaded over it, and the data folder.
func fixture(t *testing.T) (*catalog.Mesh, string) {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	if err := demodata.Generate(context.Background(), data, demodata.Options{Now: genTime, Scale: 0.01}); err != nil {
		t.Fatal(err)
	}
	// Files are dated as generated, so that freshness is measured against genTime.
	err := filepath.WalkDir(data, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return os.Chtimes(path, genTime, genTime)
	})
	if err != nil {
		t.Fatal(err)
	}
	return load(t, data), data
}

func load(t *testing.T, data string) *catalog.Mesh {
	t.Helper()
	m, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// check runs every check over m at now with a checked allocator, which
// must be empty afterwards.
func check(t *testing.T, m *catalog.Mesh, now time.Time) []Result {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	conns := []connectors.Connector{parquet.New(), csv.New()}
	eng, err := engine.New(engine.Config{Mesh: m, Connectors: conns, Mem: mem, Workers: 2, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Run(context.Background(), m, Options{Engine: eng, User: "admin", Connectors: conns, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestDemoMeshPasses: the demo mesh's contracts hold over its generated
// data, and every kind of check ran.
func TestDemoMeshPasses(t *testing.T) {
	m, _ := fixture(t)
	rs := check(t, m, genTime.Add(time.Hour))
	for _, f := range Findings(rs) {
		t.Errorf("unexpected finding: %s", f)
	}
	ran := map[string]bool{}
	for _, r := range rs {
		ran[r.Rule] = true
	}
	for _, rule := range []string{RuleSource, RuleSchema, RuleNotNull, RuleUnique, RuleAccepted, RuleRange, RuleQuality, RuleExample, RuleFreshness} {
		if !ran[rule] {
			t.Errorf("no %s check ran", rule)
		}
	}
}

// TestBrokenMesh breaks the demo's data in known ways and expects exactly
// those failures, one or more per check rule: a product without files, a
// failing example, a customers file with a column dropped, one retyped and
// one added; a products file with a duplicated id, a NULL name and a
// negative price; products_v1 files older than its 7-day SLA; orders
// with a status not accepted, a quantity below the range, an amount of
// zero, and whose newest day is older than a day.
func TestBrokenMesh(t *testing.T) {
	_, data := fixture(t)
	// The descriptors break the two rules data cannot: a product whose
	// files were never delivered (source) and an example that fails.
	meshDir := t.TempDir()
	if err := os.CopyFS(meshDir, os.DirFS("../../testdata/mesh")); err != nil {
		t.Fatal(err)
	}
	ghost := `product: ghost
version: 1
domain: catalog
owner: {team: catalog, contact: catalog-team@example.com}
status: active
description: Files that were never delivered.
sla: {freshness: 24h, availability: 99%}
source: {connector: parquet, path: catalog/ghost/*.parquet}
columns:
  - {name: id, type: bigint, description: Id}
policies:
  read: [analyst]
`
	if err := os.WriteFile(filepath.Join(meshDir, "catalog", "ghost_v1.yaml"), []byte(ghost), 0o644); err != nil {
		t.Fatal(err)
	}
	v2 := filepath.Join(meshDir, "catalog", "products_v2.yaml")
	desc, err := os.ReadFile(v2)
	if err != nil {
		t.Fatal(err)
	}
	desc = append(desc, "examples:\n  - name: per_unit\n    sql: SELECT price / 0 FROM catalog.products_v2\n"...)
	if err := os.WriteFile(v2, desc, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := catalog.Load(meshDir, catalog.LoadOptions{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}

	replaceParquet(t, filepath.Join(data, "sales/customers"), arrow.NewSchema([]arrow.Field{
		{Name: "customer_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "email", Type: arrow.BinaryTypes.String},
		{Name: "country", Type: arrow.BinaryTypes.String},
		{Name: "region", Type: arrow.PrimitiveTypes.Int64}, // declared text
		{Name: "signup_date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "loyalty", Type: arrow.BinaryTypes.String}, // not declared; segment is gone
	}, nil), func(b *array.RecordBuilder) {
		b.Field(0).(*array.Int64Builder).Append(1)
		b.Field(1).(*array.StringBuilder).Append("Ann")
		b.Field(2).(*array.StringBuilder).Append("ann@example.com")
		b.Field(3).(*array.StringBuilder).Append("DE")
		b.Field(4).(*array.Int64Builder).Append(1)
		b.Field(5).(*array.Date32Builder).Append(arrow.Date32FromTime(genTime))
		b.Field(6).(*array.StringBuilder).Append("gold")
	})
	price := &arrow.Decimal128Type{Precision: 10, Scale: 2}
	replaceParquet(t, filepath.Join(data, "catalog/products_v2"), arrow.NewSchema([]arrow.Field{
		{Name: "product_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "category", Type: arrow.BinaryTypes.String},
		{Name: "brand", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "price", Type: price},
	}, nil), func(b *array.RecordBuilder) {
		b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 2}, nil)
		b.Field(1).(*array.StringBuilder).AppendValues([]string{"a", "", "c"}, []bool{true, false, true})
		b.Field(2).(*array.StringBuilder).AppendValues([]string{"x", "x", "y"}, nil)
		b.Field(3).(*array.StringBuilder).AppendValues([]string{"p", "q", "r"}, nil)
		b.Field(4).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(100), decimal128.FromI64(-5), decimal128.FromI64(250)}, nil)
	})
	// Two order lines: one with an unknown status, one of zero units and
	// amount; both booked two days before genTime.
	booked := arrow.Date32FromTime(genTime.Add(-48 * time.Hour))
	replaceParquet(t, filepath.Join(data, "sales/orders"), arrow.NewSchema([]arrow.Field{
		{Name: "order_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "customer_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "product_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "order_date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "quantity", Type: arrow.PrimitiveTypes.Int32},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}},
		{Name: "status", Type: arrow.BinaryTypes.String},
	}, nil), func(b *array.RecordBuilder) {
		b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
		b.Field(1).(*array.Int64Builder).AppendValues([]int64{1, 1}, nil)
		b.Field(2).(*array.Int64Builder).AppendValues([]int64{1, 1}, nil)
		b.Field(3).(*array.Date32Builder).AppendValues([]arrow.Date32{booked, booked}, nil)
		b.Field(4).(*array.Int32Builder).AppendValues([]int32{2, 0}, nil)
		b.Field(5).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(1000), decimal128.FromI64(0)}, nil)
		b.Field(6).(*array.StringBuilder).AppendValues([]string{"lost", "placed"}, nil)
	})
	now := genTime.Add(3 * 24 * time.Hour)
	// Everything but products_v1 (7-day SLA) was just delivered again; orders
	// are measured on order_date, which still ends before genTime's day.
	err = filepath.WalkDir(data, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, "products_v1") {
			return err
		}
		return os.Chtimes(path, now, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	v1 := filepath.Join(data, "catalog/products_v1")
	old := now.Add(-8 * 24 * time.Hour)
	files, _ := filepath.Glob(filepath.Join(v1, "*"))
	for _, f := range files {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}

	var got []string
	for _, f := range Findings(check(t, m, now)) {
		got = append(got, f.Severity+" "+f.Rule+" "+f.Product+" "+f.Column)
	}
	want := []string{
		"error source catalog.ghost_v1 ",
		"error example catalog.products_v2 ",
		"error freshness catalog.products_v1 ",
		"error not_null catalog.products_v2 name",
		"error quality catalog.products_v2 ",
		"error unique catalog.products_v2 product_id",
		"error freshness sales.orders_v1 order_date",
		"error accepted_values sales.orders_v1 status",
		"error range sales.orders_v1 quantity",
		"error quality sales.orders_v1 ",
		"error schema sales.customers_v1 region",
		"error schema sales.customers_v1 segment",
		"warning schema-extra sales.customers_v1 loyalty",
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFindingsText(t *testing.T) {
	rs := []Result{
		{Product: "sales.x_v1", Check: "quality:q", Rule: RuleQuality, Detail: "quality check q of sales.x_v1 returns 2 rows", File: "sales/x_v1.yaml", Line: 30},
		{Product: "sales.x_v1", Check: "schema:a", Rule: RuleSchema, OK: true, File: "sales/x_v1.yaml", Line: 9},
	}
	fs := Findings(rs)
	if len(fs) != 1 || fs[0].String() != "sales/x_v1.yaml:30: error quality: quality check q of sales.x_v1 returns 2 rows" {
		t.Errorf("findings = %v", fs)
	}
	if errs, _ := lint.Count(fs); errs != 1 {
		t.Errorf("%d errors, want 1", errs)
	}
}

// replaceParquet replaces every file of a folder with one Parquet file of
// one batch built by fill.
func replaceParquet(t *testing.T, dir string, schema *arrow.Schema, fill func(b *array.RecordBuilder)) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	fill(b)
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(filepath.Join(dir, "part-0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pqarrow.NewFileWriter(schema, f, nil, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
