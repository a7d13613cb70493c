package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

const benchRows = 1 << 20

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32},
	{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "qty", Type: arrow.PrimitiveTypes.Int32},
}, nil)

// writeBenchFile writes benchRows rows in row groups of 128Ki rows,
// Snappy-compressed, like a typical lake file; dict turns on dictionary
// encoding for every column (arrow-go's default), else only for name.
func writeBenchFile(b *testing.B, path string, dict bool) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	props := pq.NewWriterProperties(pq.WithMaxRowGroupLength(128<<10), pq.WithCompression(compress.Codecs.Snappy),
		pq.WithDictionaryDefault(dict), pq.WithDictionaryFor("name", true))
	w, err := pqarrow.NewFileWriter(benchSchema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		b.Fatal(err)
	}
	const chunk = 128 << 10
	for lo := 0; lo < benchRows; lo += chunk {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, benchSchema)
		for i := lo; i < lo+chunk; i++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(i))
			rb.Field(1).(*array.Date32Builder).Append(arrow.Date32(19000 + i/3000))
			if i%50 == 0 {
				rb.Field(2).AppendNull()
				rb.Field(3).AppendNull()
			} else {
				rb.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i*7919) % 1_000_000))
				rb.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("customer-%04d", (i*31)%5000))
			}
			rb.Field(4).(*array.Int32Builder).Append(int32(i % 100))
		}
		rec := rb.NewRecordBatch()
		rb.Release()
		err := w.Write(rec)
		rec.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// scanOnce reads every partition, concurrently when parallel, and returns
// the rows and Arrow bytes produced.
func scanOnce(b *testing.B, parts []connectors.Partition, mem memory.Allocator, parallel bool) (rows, bytes int64) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	if !parallel {
		sem = make(chan struct{}, 1)
	}
	for _, p := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rr, err := p.Open(context.Background(), mem)
			if err != nil {
				b.Error(err)
				return
			}
			defer rr.Release()
			var n, sz int64
			for rr.Next() {
				rec := rr.RecordBatch()
				n += rec.NumRows()
				for _, col := range rec.Columns() {
					for _, buf := range col.Data().Buffers() {
						if buf != nil {
							sz += int64(buf.Len())
						}
					}
				}
			}
			if err := rr.Err(); err != nil {
				b.Error(err)
			}
			mu.Lock()
			rows, bytes = rows+n, bytes+sz
			mu.Unlock()
		}()
	}
	wg.Wait()
	return rows, bytes
}

func parts(b *testing.B, tbl *Table, req connectors.ScanRequest) []connectors.Partition {
	ps, err := tbl.Partitions(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	return ps
}

// BenchmarkScan scans 1Mi rows; SetBytes is the Arrow bytes produced per
// scan, so MB/s is decoded-output throughput.
func BenchmarkScan(b *testing.B) {
	tables := map[bool]*Table{}
	for _, dict := range []bool{false, true} {
		dir := b.TempDir()
		writeBenchFile(b, filepath.Join(dir, "bench.parquet"), dict)
		tbl, err := New().OpenTable(context.Background(), catalog.Source{Path: filepath.Join(dir, "*.parquet")})
		if err != nil {
			b.Fatal(err)
		}
		tables[dict] = tbl
	}
	cases := []struct {
		name string
		req  connectors.ScanRequest
	}{
		{"cols=id,amount,qty", connectors.ScanRequest{Columns: []int{0, 2, 4}, Limit: -1}},
		{"cols=id,d,amount,name", connectors.ScanRequest{Columns: []int{0, 1, 2, 3}, Limit: -1}},
		{"cols=name/filter=id<100000", connectors.ScanRequest{Columns: []int{3}, Limit: -1, Filters: []connectors.Filter{
			connectors.Compare{Column: "id", Op: connectors.OpLt, Value: connectors.Literal{Type: sqltypes.TypeInt8, Value: int64(100_000)}},
		}}},
	}
	for _, tc := range cases {
		for _, dict := range []bool{false, true} {
			for _, parallel := range []bool{false, true} {
				tbl := tables[dict]
				b.Run(fmt.Sprintf("%s/dict=%v/parallel=%v", tc.name, dict, parallel), func(b *testing.B) {
					benchScan(b, tbl, tc.req, parallel, false)
				})
			}
		}
	}
}

// benchScan scans with Go's allocator, or with recycle through a
// membudget.Recycler per scan, as the engine gives each query.
func benchScan(b *testing.B, tbl *Table, req connectors.ScanRequest, parallel, recycle bool) {
	goMem := memory.NewGoAllocator()
	scan := func() (rows, bytes int64) {
		if !recycle {
			return scanOnce(b, parts(b, tbl, req), goMem, parallel)
		}
		budget := membudget.New(membudget.Options{Limit: 1 << 30})
		defer budget.Close()
		return scanOnce(b, parts(b, tbl, req), membudget.NewRecycler(goMem, budget, false), parallel)
	}
	_, bytes := scan()
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	var rows int64
	for b.Loop() {
		rows, _ = scan()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

// BenchmarkScanDictionary reads a dictionary-encoded text column of five
// values as plain strings and as Arrow dictionaries (ScanRequest.Dictionary),
// which skips building a string per row; also the same with a unique
// column beside it, read plain both times.
func BenchmarkScanDictionary(b *testing.B) {
	dir := b.TempDir()
	writeDictFile(b, filepath.Join(dir, "bench.parquet"), 0, benchRows, pq.WithMaxRowGroupLength(128<<10), pq.WithCompression(compress.Codecs.Snappy))
	tbl, err := New().OpenTable(context.Background(), catalog.Source{Path: filepath.Join(dir, "*.parquet")})
	if err != nil {
		b.Fatal(err)
	}
	if !slices.Equal(tbl.DictionaryColumns(), []bool{false, true, false}) {
		b.Fatalf("dictionary columns %v, want only mode", tbl.DictionaryColumns())
	}
	for _, cols := range [][]int{{1}, {1, 2}} {
		for _, asDict := range []bool{false, true} {
			b.Run(fmt.Sprintf("cols=%v/read_dictionary=%v", cols, asDict), func(b *testing.B) {
				req := connectors.ScanRequest{Columns: cols, Limit: -1}
				if asDict {
					req.Dictionary = make([]bool, len(cols))
					req.Dictionary[0] = true
				}
				benchScan(b, tbl, req, false, false)
			})
		}
	}
}

// BenchmarkScanLineitemSF1 scans every column of TPC-H SF1 lineitem from
// the mesh in MESHQL_TPCH_SF1_MESH (skipped without it), as
// `SELECT * FROM lineitem` does under the engine; parallel=true reads
// GOMAXPROCS partitions at a time; alloc=recycler allocates as the engine
// does, through a per-scan membudget.Recycler.
func BenchmarkScanLineitemSF1(b *testing.B) {
	dir := os.Getenv("MESHQL_TPCH_SF1_MESH")
	if dir == "" {
		b.Skip("MESHQL_TPCH_SF1_MESH is not set")
	}
	tbl, err := New().OpenTable(context.Background(), catalog.Source{Path: filepath.Join(dir, "data", "lineitem", "*.parquet")})
	if err != nil {
		b.Fatal(err)
	}
	all := make([]int, tbl.Schema().NumFields())
	for i := range all {
		all[i] = i
	}
	// Q6 reads three decimals and a date.
	var q6 []int
	for _, name := range []string{"l_quantity", "l_extendedprice", "l_discount", "l_shipdate"} {
		q6 = append(q6, tbl.Schema().FieldIndices(name)...)
	}
	for _, cols := range []struct {
		name string
		idx  []int
	}{{"all", all}, {"q6", q6}} {
		for _, parallel := range []bool{false, true} {
			for _, alloc := range []string{"go", "recycler"} {
				b.Run(fmt.Sprintf("cols=%s/parallel=%v/alloc=%s", cols.name, parallel, alloc), func(b *testing.B) {
					benchScan(b, tbl, connectors.ScanRequest{Columns: cols.idx, Limit: -1}, parallel, alloc == "recycler")
				})
			}
		}
	}
}
