package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestForeignArrowTypesRead rewrites a product's Parquet files the way
// other writers store the same values (unsigned integers, large strings)
// and checks that queries filtering, grouping, joining and returning those
// columns give the rows they gave before the rewrite: the declared types
// still match, so the scan converts instead of failing.
func TestForeignArrowTypesRead(t *testing.T) {
	e, meshDir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	files := filepath.Join(filepath.Dir(meshDir), "data", "sales", "orders")
	s := session(t, e, "admin")
	queries := []string{
		"SELECT order_id, quantity, status FROM sales.orders_v1 WHERE order_id % 7 = 3 ORDER BY order_id",
		"SELECT status, count(*), sum(quantity), max(order_id) FROM sales.orders_v1 WHERE quantity > 1 GROUP BY status ORDER BY status",
		"SELECT count(*) FROM sales.orders_v1 o JOIN sales.orders_v1 p ON p.order_id = o.order_id + 1 AND p.status = o.status",
		"SELECT order_id FROM sales.orders_v1 WHERE order_id BETWEEN 10 AND 20 AND status IN ('delivered', 'placed') ORDER BY 1",
	}
	before := make([][]string, len(queries))
	for i, q := range queries {
		rows, err := sessionRows(t, s, q)
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s before the rewrite: %v, %v", q, rows, err)
		}
		before[i] = rows
	}
	rewriteParquet(t, files, "order_id", arrow.PrimitiveTypes.Uint32)
	rewriteParquet(t, files, "quantity", arrow.PrimitiveTypes.Uint16)
	rewriteParquet(t, files, "status", arrow.BinaryTypes.LargeString)
	for i, q := range queries {
		rows, err := sessionRows(t, s, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if !slices.Equal(rows, before[i]) {
			t.Errorf("%s:\n got %v\nwant %v", q, rows, before[i])
		}
	}
}

// TestParquetTimeColumns reads a product whose Parquet file stores times
// of day in the three units writers use (TIME(MILLIS) as Arrow time32,
// MICROS and NANOS as time64) as time values: printed, compared, added to
// a date, and counted per hour.
func TestParquetTimeColumns(t *testing.T) {
	dir := t.TempDir()
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "t_ms", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
		{Name: "t_us", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "t_ns", Type: arrow.FixedWidthTypes.Time64ns, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), sch)
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
	b.Field(1).(*array.Time32Builder).AppendValues([]arrow.Time32{37_800_123, 0, 86_399_999}, []bool{true, true, false})
	b.Field(2).(*array.Time64Builder).AppendValues([]arrow.Time64{37_800_123_456, 1, 86_399_999_999}, nil)
	b.Field(3).(*array.Time64Builder).AppendValues([]arrow.Time64{37_800_123_456_789, 0, 5_000}, []bool{true, false, true})
	rec := b.NewRecordBatch()
	b.Release()
	defer rec.Release()
	writeParquetFile(t, filepath.Join(dir, "ops", "events", "e.parquet"), rec)
	write := func(path, body string) {
		if err := os.WriteFile(filepath.Join(dir, path), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("mesh.yaml", opsMeshYAML)
	write("ops/events_v1.yaml", `product: events
version: 1
domain: ops
owner: {team: ops, contact: ops@example.com}
status: active
source: {connector: parquet, path: ops/events/*.parquet}
columns:
  - {name: id, type: bigint}
  - {name: t_ms, type: time}
  - {name: t_us, type: time}
  - {name: t_ns, type: time without time zone}
policies:
  read: [analyst]
`)
	s := parquetMeshSession(t, dir)
	checkRowCases(t, s, []rowCase{
		{"SELECT id, t_ms, t_us, t_ns FROM ops.events_v1 ORDER BY id",
			"1|10:30:00.123|10:30:00.123456|10:30:00.123456,2|00:00:00|00:00:00.000001|NULL,3|NULL|23:59:59.999999|00:00:00.000005"},
		{"SELECT id FROM ops.events_v1 WHERE t_us > TIME '10:00' AND t_ms <= '10:30:00.123' ORDER BY id", "1"},
		{"SELECT DATE '2026-01-15' + t_us, t_us - t_ms FROM ops.events_v1 WHERE id = 1", "2026-01-15 10:30:00.123456|00:00:00.000456"},
		{"SELECT extract(hour FROM t_us) AS h, count(*) FROM ops.events_v1 GROUP BY 1 ORDER BY 1", "0|1,10|1,23|1"},
	})
}

// rowCase is a query and its rows as sessionRows prints them, joined by
// commas.
type rowCase struct{ sql, want string }

func checkRowCases(t *testing.T, s *Session, cases []rowCase) {
	t.Helper()
	for _, c := range cases {
		rows, err := sessionRows(t, s, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if got := strings.Join(rows, ","); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.sql, got, c.want)
		}
	}
}
