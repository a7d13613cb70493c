package memtable

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// makeBatch builds rows [lo, hi): id = i, name = "n<i>" (NULL when i%5 == 0), score = i/2.
func makeBatch(mem memory.Allocator, lo, hi int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := lo; i < hi; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%5 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append("n" + string(rune('a'+i%26)))
		}
		b.Field(2).(*array.Float64Builder).Append(float64(i) / 2)
	}
	return b.NewRecordBatch()
}

// newTable builds a table over batches of 10, 0, 25 and 5 rows; the caller
// releases it.
func newTable(mem memory.Allocator) *Table {
	var bs []arrow.RecordBatch
	for _, r := range [][2]int{{0, 10}, {10, 10}, {10, 35}, {35, 40}} {
		bs = append(bs, makeBatch(mem, r[0], r[1]))
	}
	tbl := New(schema, bs...)
	for _, b := range bs {
		b.Release() // the table holds its own references
	}
	return tbl
}

func scan(t *testing.T, tbl connectors.Table, req connectors.ScanRequest, mem memory.Allocator) (rows [][]string) {
	t.Helper()
	parts, err := tbl.Partitions(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		rr, err := p.Open(context.Background(), mem)
		if err != nil {
			t.Fatal(err)
		}
		for rr.Next() {
			b := rr.RecordBatch()
			if !b.Schema().Equal(rr.Schema()) {
				t.Fatalf("batch schema %s, reader schema %s", b.Schema(), rr.Schema())
			}
			for r := range int(b.NumRows()) {
				var row []string
				for c := range int(b.NumCols()) {
					row = append(row, b.Column(c).ValueStr(r))
				}
				rows = append(rows, row)
			}
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		rr.Release()
	}
	return rows
}

func TestTable(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := newTable(mem)
	defer tbl.Release()

	if st := tbl.Stats(); st.RowCount != 40 || st.Columns["name"].NullCount != 8 || st.Columns["id"].NullCount != 0 {
		t.Errorf("stats = %+v", st)
	}
	sup := tbl.SupportsFilters([]connectors.Filter{connectors.IsNull{Column: "id"}, connectors.Like{Column: "name"}})
	if len(sup) != 2 || sup[0] != connectors.Unsupported || sup[1] != connectors.Unsupported {
		t.Errorf("SupportsFilters = %v", sup)
	}
	parts, _ := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0}, Limit: -1})
	if len(parts) != 3 {
		t.Errorf("%d partitions, want one per non-empty batch", len(parts))
	}

	rows := scan(t, tbl, connectors.ScanRequest{Columns: []int{2, 0, 0}, Limit: -1}, mem)
	if len(rows) != 40 || strings.Join(rows[11], ",") != "5.5,11,11" {
		t.Errorf("projection: %d rows, row 11 = %v", len(rows), rows[11])
	}
	if rows := scan(t, tbl, connectors.ScanRequest{Limit: -1}, mem); len(rows) != 40 || len(rows[0]) != 0 {
		t.Errorf("no columns: %d rows", len(rows))
	}

	// Limit: per partition, and partitions past the limit are not planned.
	for _, tc := range []struct {
		limit       int64
		parts, rows int
	}{{0, 0, 0}, {3, 1, 3}, {10, 1, 10}, {11, 2, 21}, {100, 3, 40}} {
		req := connectors.ScanRequest{Columns: []int{1}, Limit: tc.limit}
		parts, _ := tbl.Partitions(context.Background(), req)
		if rows := scan(t, tbl, req, mem); len(parts) != tc.parts || len(rows) != tc.rows {
			t.Errorf("limit %d: %d partitions, %d rows; want %d, %d", tc.limit, len(parts), len(rows), tc.parts, tc.rows)
		}
	}

	if _, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{3}, Limit: -1}); sqltypes.Code(err) != sqltypes.CodeInternal {
		t.Errorf("bad column: %v", err)
	}
}

func TestReaderOutlivesTable(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := newTable(mem)
	parts, _ := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0, 1}, Limit: -1})
	rr, err := parts[0].Open(context.Background(), mem)
	if err != nil {
		t.Fatal(err)
	}
	tbl.Release()
	tbl.Release() // idempotent
	if !rr.Next() || rr.RecordBatch().Column(1).ValueStr(1) != "nb" {
		t.Fatal("reader lost its batch when the table was released")
	}
	rr.Release()
	if _, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Limit: -1}); sqltypes.Code(err) != sqltypes.CodeInternal {
		t.Errorf("use after release: %v", err)
	}
}

func TestCancelAndEarlyRelease(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := newTable(mem)
	defer tbl.Release()
	parts, _ := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0}, Limit: -1})

	ctx, cancel := context.WithCancel(context.Background())
	rr, _ := parts[0].Open(ctx, mem)
	cancel()
	if rr.Next() || sqltypes.Code(rr.Err()) != sqltypes.CodeQueryCanceled {
		t.Errorf("after cancel: err %v", rr.Err())
	}
	rr.Release()
	if _, err := parts[0].Open(ctx, mem); sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
		t.Errorf("Open with canceled ctx: %v", err)
	}

	// Released before reading anything, with an extra Retain.
	rr, _ = parts[1].Open(context.Background(), mem)
	rr.Retain()
	rr.Release()
	rr.Release()
}

func TestSchemaMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := makeBatch(mem, 0, 3)
	defer b.Release()
	other := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32}}, nil)
	tbl := New(other, b)
	defer tbl.Release()
	if _, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Limit: -1}); sqltypes.Code(err) != sqltypes.CodeInternal {
		t.Errorf("mismatched batch: %v", err)
	}
}

func TestConnector(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := newTable(mem)
	defer tbl.Release()
	c := NewConnector()
	if c.Kind() != "memory" {
		t.Errorf("Kind = %q", c.Kind())
	}
	ctx := context.Background()
	if _, err := c.Open(ctx, catalog.Source{Connector: "memory", Path: "t"}); sqltypes.Code(err) != sqltypes.CodeFDWTableNotFound {
		t.Errorf("unknown table: %v", err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				c.Register("t", tbl)
			} else {
				c.Open(ctx, catalog.Source{Path: "t"})
			}
		}()
	}
	wg.Wait()
	got, err := c.Open(ctx, catalog.Source{Path: "t"})
	if err != nil || got != connectors.Table(tbl) {
		t.Errorf("Open = %v, %v", got, err)
	}
	c.Register("t", nil)
	if _, err := c.Open(ctx, catalog.Source{Path: "t"}); err == nil {
		t.Error("unregistered table still opens")
	}
	var zero Connector // the zero value works
	zero.Register("x", tbl)
	if _, err := zero.Open(ctx, catalog.Source{Path: "x"}); err != nil {
		t.Error(err)
	}
}
