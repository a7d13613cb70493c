package pgwire

import (
	"context"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

const benchRows, benchBatch = 1 << 20, 8192

var benchCols = []engine.Column{
	{Name: "id", Type: sqltypes.TypeInt8},
	{Name: "amount", Type: sqltypes.NumericType(12, 2)},
	{Name: "name", Type: sqltypes.TypeText},
	{Name: "day", Type: sqltypes.TypeDate},
}

// benchBatches builds 1M rows of (int8, numeric(12,2), text, date) in
// batches of 8192, 1% NULLs in the text column.
func benchBatches(mem memory.Allocator) []arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "amount", Type: benchCols[1].Type.Arrow()},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	var out []arrow.RecordBatch
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for start := 0; start < benchRows; start += benchBatch {
		for i := start; i < start+benchBatch; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i) * 7919)
			b.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i%1000000) * 37))
			if i%100 == 0 {
				b.Field(2).AppendNull()
			} else {
				b.Field(2).(*array.StringBuilder).Append("customer-" + strconv.Itoa(i%5000))
			}
			b.Field(3).(*array.Date32Builder).Append(arrow.Date32(18000 + i%3000))
		}
		out = append(out, b.NewRecordBatch())
	}
	return out
}

// BenchmarkEncode encodes 1M rows into DataRow frames, 64 KiB at a time,
// the way the simple query path does.
func BenchmarkEncode(b *testing.B) {
	mem := memory.NewGoAllocator()
	batches := benchBatches(mem)
	defer func() {
		for _, rb := range batches {
			rb.Release()
		}
	}()
	for _, format := range []string{"text", "binary"} {
		b.Run("format="+format, func(b *testing.B) {
			b.ReportAllocs()
			var encs []colEncoder
			var bin []bool // nil: text
			if format == "binary" {
				bin = []bool{true, true, true, true}
			}
			buf := make([]byte, 0, 2*rawFlushSize)
			total := 0
			for b.Loop() {
				total = 0
				for _, rb := range batches {
					var err error
					if encs, err = encoders(encs, benchCols, rb, encEnv{}); err != nil {
						b.Fatal(err)
					}
					n := int(rb.NumRows())
					for r := 0; r < n; r += 256 {
						buf, _ = appendDataRows(buf, encs, bin, r, min(n, r+256), nil)
						if len(buf) >= rawFlushSize {
							total += len(buf)
							buf = buf[:0]
						}
					}
				}
				total += len(buf)
				buf = buf[:0]
			}
			b.SetBytes(int64(total))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
		})
	}
}

// BenchmarkServerSelect streams 1M rows through the whole server over
// loopback: simple query (text, raw frames) and extended query (binary,
// through psql-wire's DataWriter). The client reads rows without decoding.
func BenchmarkServerSelect(b *testing.B) {
	fb := newFakeBackend(b)
	batches := benchBatches(fb.mem)
	defer func() {
		for _, rb := range batches {
			rb.Release()
		}
	}()
	fb.defs["bench"] = fakeDef{cols: benchCols, run: func(context.Context, *fakeBackend, *fakeSession, []sqltypes.Datum) ([]arrow.RecordBatch, error) {
		for _, rb := range batches {
			rb.Retain()
		}
		return append([]arrow.RecordBatch(nil), batches...), nil
	}}
	_, addr := startServer(b, fb, Config{})
	pc := connect(b, addr, "analyst", "analyst").PgConn()
	ctx := context.Background()
	b.Run("protocol=simple/format=text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rr := pc.Exec(ctx, "bench")
			for rr.NextResult() {
				n := 0
				res := rr.ResultReader()
				for res.NextRow() {
					n++
				}
				if _, err := res.Close(); err != nil || n != benchRows {
					b.Fatalf("%d rows, %v", n, err)
				}
			}
			if err := rr.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
	})
	for _, format := range []int16{0, 1} {
		b.Run("protocol=extended/format="+[]string{"text", "binary"}[format], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res := pc.ExecParams(ctx, "bench", nil, nil, nil, []int16{format})
				n := 0
				for res.NextRow() {
					n++
				}
				if _, err := res.Close(); err != nil || n != benchRows {
					b.Fatalf("%d rows, %v", n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
		})
	}
}
