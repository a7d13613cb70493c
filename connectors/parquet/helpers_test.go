package parquet

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// The fixture: testRows rows over two files (rows [0, splitRow) and
// [splitRow, testRows)), rowGroupRows rows per row group.
const (
	testRows     = 10_000
	splitRow     = 6_000
	rowGroupRows = 1_000
	baseDate     = 19_000
	tsBase       = int64(1_700_000_000_000_000_000)
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},                                                                         // 0: i, sorted
	{Name: "d", Type: arrow.FixedWidthTypes.Date32},                                                                        // 1: sorted, 50 rows a day
	{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},                                 // 2: pseudo-random, nulls
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},                                                         // 3: sorted, nulls
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},                                                        // 4: i/10, NaN in even groups
	{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},                                                                    // 5: constant per group
	{Name: "opt", Type: arrow.PrimitiveTypes.Int32, Nullable: true},                                                        // 6: nulls in groups 2 and 5 only
	{Name: "nostats", Type: arrow.PrimitiveTypes.Int64},                                                                    // 7: no statistics written
	{Name: "tags", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},                                         // 8: nested
	{Name: "cat", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}}, // 9
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},                                       // 10: ns, sorted
}, nil)

// testValue returns the datum of column c in row i (nil = NULL), in the
// representation the brute-force evaluator uses (ts in nanoseconds).
func testValue(c, i int) any {
	g := i / rowGroupRows
	switch c {
	case 0, 7:
		return int64(i)
	case 1:
		return arrow.Date32(baseDate + i/50)
	case 2:
		if i%17 == 0 {
			return nil
		}
		return decimal128.FromI64(int64((i * 7919) % 100_000))
	case 3:
		if i%101 == 0 {
			return nil
		}
		return fmt.Sprintf("n%05d", i)
	case 4:
		if g%2 == 0 && i%250 == 7 {
			return math.NaN()
		}
		if i%333 == 0 {
			return nil
		}
		return float64(i) / 10
	case 5:
		return g%3 == 0
	case 6:
		if g == 5 || (g == 2 && i%2 == 0) {
			return nil
		}
		return int32(i)
	case 9:
		return fmt.Sprintf("c%d", g)
	case 10:
		if i%97 == 0 {
			return nil
		}
		return tsBase + int64(i)*1500
	}
	return nil
}

// buildBatch builds rows [lo, hi) of the fixture.
func buildBatch(mem memory.Allocator, lo, hi int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, testSchema)
	defer b.Release()
	for i := lo; i < hi; i++ {
		for c := range testSchema.NumFields() {
			fb := b.Field(c)
			v := testValue(c, i)
			if c == 8 {
				lb := fb.(*array.ListBuilder)
				if i%13 == 0 {
					lb.AppendNull()
					continue
				}
				lb.Append(true)
				lb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{int32(i), int32(i + 1)}, nil)
				continue
			}
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch x := fb.(type) {
			case *array.Int64Builder:
				x.Append(v.(int64))
			case *array.Date32Builder:
				x.Append(v.(arrow.Date32))
			case *array.Decimal128Builder:
				x.Append(v.(decimal128.Num))
			case *array.StringBuilder:
				x.Append(v.(string))
			case *array.Float64Builder:
				x.Append(v.(float64))
			case *array.BooleanBuilder:
				x.Append(v.(bool))
			case *array.Int32Builder:
				x.Append(v.(int32))
			case *array.BinaryDictionaryBuilder:
				if err := x.AppendString(v.(string)); err != nil {
					panic(err)
				}
			case *array.TimestampBuilder:
				x.Append(arrow.Timestamp(v.(int64)))
			default:
				panic(fmt.Sprintf("unexpected builder %T", fb))
			}
		}
	}
	return b.NewRecordBatch()
}

// writeRows writes rows [lo, hi) to path in row groups of rowGroupRows.
func writeRows(t testing.TB, path string, lo, hi int, opts ...pq.WriterProperty) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts = append([]pq.WriterProperty{pq.WithMaxRowGroupLength(rowGroupRows), pq.WithStatsFor("nostats", false)}, opts...)
	w, err := pqarrow.NewFileWriter(testSchema, f, pq.NewWriterProperties(opts...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	for start := lo; start < hi; start += rowGroupRows {
		rec := buildBatch(memory.DefaultAllocator, start, min(start+rowGroupRows, hi))
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeFixture writes the two fixture files into a new temp dir; the
// second stores decimals as integers to exercise both statistics layouts.
func writeFixture(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "part-0.parquet"), 0, splitRow)
	writeRows(t, filepath.Join(dir, "part-1.parquet"), splitRow, testRows, pq.WithStoreDecimalAsInteger(true))
	return dir
}

func openFixture(t testing.TB, dir string) *Table {
	t.Helper()
	tbl, err := New().OpenTable(context.Background(), catalog.Source{Connector: "parquet", Path: "*.parquet", BaseDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// scanAll reads every partition and returns the batches (retained) in order.
func scanAll(t testing.TB, tbl connectors.Table, req connectors.ScanRequest, mem memory.Allocator) []arrow.RecordBatch {
	t.Helper()
	parts, err := tbl.Partitions(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var out []arrow.RecordBatch
	for _, p := range parts {
		rr, err := p.Open(context.Background(), mem)
		if err != nil {
			t.Fatal(err)
		}
		for rr.Next() {
			b := rr.RecordBatch()
			b.Retain()
			out = append(out, b)
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		rr.Release()
	}
	return out
}

func releaseAll(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

// ids returns the id column (which must be column 0 of the batches).
func ids(bs []arrow.RecordBatch) []int64 {
	var out []int64
	for _, b := range bs {
		out = append(out, b.Column(0).(*array.Int64).Int64Values()...)
	}
	return out
}

func lit(t sqltypes.Type, v any) connectors.Literal { return connectors.Literal{Type: t, Value: v} }

func cmp(col string, op connectors.CmpOp, l connectors.Literal) connectors.Filter {
	return connectors.Compare{Column: col, Op: op, Value: l}
}

func dec(unscaled int64, scale int32) connectors.Literal {
	return lit(sqltypes.NumericType(12, scale), decimal128.FromI64(unscaled))
}
