package parquet

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
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

// TestStatsDecoding covers the physical/logical type combinations the
// fixture does not: unsigned and small integers, float32, binary,
// millisecond timestamps, decimals stored as int32, negative decimals.
func TestStatsDecoding(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
		{Name: "bin", Type: arrow.BinaryTypes.Binary},
		{Name: "ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 5, Scale: 2}},
		{Name: "big", Type: &arrow.Decimal128Type{Precision: 30, Scale: 4}},
	}, nil)
	b := array.NewRecordBuilder(mem, sch)
	for i := range 200 {
		b.Field(0).(*array.Uint32Builder).Append(uint32(math.MaxUint32 - 199 + i)) // above MaxInt32: unsigned order matters
		b.Field(1).(*array.Int8Builder).Append(int8(i - 100))
		b.Field(2).(*array.Float32Builder).Append(float32(i) / 4)
		b.Field(3).(*array.BinaryBuilder).Append([]byte{byte(i), 0xff})
		b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000 + int64(i)))
		b.Field(5).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i*10 - 1000)))
		b.Field(6).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i-100) * 1_000_000_000_000))
	}
	rec := b.NewRecordBatch()
	b.Release()
	defer rec.Release()
	dir := t.TempDir()
	f, _ := os.Create(filepath.Join(dir, "t.parquet"))
	w, err := pqarrow.NewFileWriter(sch, f, pq.NewWriterProperties(pq.WithMaxRowGroupLength(100), pq.WithStoreDecimalAsInteger(true)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	f.Close()

	tbl, err := New().OpenTable(context.Background(), catalog.Source{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	st := tbl.Stats().Columns
	check := func(col string, lo, hi any) {
		t.Helper()
		c := st[col]
		if !reflect.DeepEqual(c.Min, lo) || !reflect.DeepEqual(c.Max, hi) {
			t.Errorf("%s: [%v, %v], want [%v, %v]", col, c.Min, c.Max, lo, hi)
		}
	}
	check("u32", int64(math.MaxUint32-199), int64(math.MaxUint32))
	check("i8", int16(-100), int16(99))
	check("f32", float32(0), float32(199)/4)
	check("bin", []byte{0, 0xff}, []byte{199, 0xff})
	check("ms", nil, nil) // not microseconds: no exact Min/Max
	check("dec", decimal128.FromI64(-1000), decimal128.FromI64(990))
	check("big", decimal128.FromI64(-100_000_000_000_000), decimal128.FromI64(99_000_000_000_000))

	ts := func(ms int64) connectors.Literal {
		return lit(sqltypes.TypeTimestampTZ, arrow.Timestamp(ms*1000))
	}
	cases := []struct {
		f    connectors.Filter
		kept int
	}{
		{cmp("u32", connectors.OpGe, lit(sqltypes.TypeInt8, int64(math.MaxUint32-50))), 1},
		{cmp("u32", connectors.OpLt, lit(sqltypes.TypeInt8, int64(0))), 0},
		{cmp("i8", connectors.OpLt, lit(sqltypes.TypeInt2, int16(-1))), 1},
		{cmp("f32", connectors.OpLe, lit(sqltypes.TypeFloat4, float32(10))), 1},
		{cmp("bin", connectors.OpGe, lit(sqltypes.TypeBytea, []byte{150})), 1},
		{cmp("ms", connectors.OpGe, ts(1_700_000_000_150)), 1},
		{cmp("ms", connectors.OpEq, ts(1_700_000_000_099)), 1},
		{cmp("dec", connectors.OpLt, dec(-5, 0)), 1},                       // -5 < -0.10 is only group 0
		{cmp("big", connectors.OpGt, lit(sqltypes.TypeInt8, int64(0))), 1}, // 0.0000 < values of group 1
		{cmp("big", connectors.OpEq, dec(-1, 4)), 0},
	}
	for _, tc := range cases {
		p, err := tbl.plan(connectors.ScanRequest{Columns: []int{0}, Filters: []connectors.Filter{tc.f}, Limit: -1})
		if err != nil || p.kept != tc.kept {
			t.Errorf("%s: kept %d, want %d (%v)", tc.f, p.kept, tc.kept, err)
		}
		if got := tbl.SupportsFilters([]connectors.Filter{tc.f})[0]; got != connectors.Inexact {
			t.Errorf("%s: %s", tc.f, got)
		}
	}
	bs := scanAll(t, tbl, connectors.ScanRequest{Columns: []int{0, 4}, Limit: -1}, mem)
	defer releaseAll(bs)
	if bs[0].Column(0).(*array.Uint32).Value(0) != math.MaxUint32-199 || bs[0].Schema().Field(1).Type.(*arrow.TimestampType).Unit != arrow.Millisecond {
		t.Errorf("read back %s", bs[0].Schema())
	}
}
