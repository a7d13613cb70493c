package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor/membudget"
)

// The flat-column fixture: every type flatColumn decodes, with NULLs
// scattered, in runs that cover whole pages, and in a column that is
// always NULL; strings whose dictionary overflows so the writer falls
// back to plain pages in the middle of a chunk; negative decimals.
var flatSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "breq", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "sreq", Type: arrow.BinaryTypes.String},
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 5}, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "t32", Type: arrow.FixedWidthTypes.Time32ms},
	{Name: "t64", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
	{Name: "dec9", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}, Nullable: true},
	{Name: "dec18", Type: &arrow.Decimal128Type{Precision: 18, Scale: 3}},
	{Name: "dec30", Type: &arrow.Decimal128Type{Precision: 30, Scale: 4}, Nullable: true},
	{Name: "gap", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "never", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "tag", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "tagreq", Type: arrow.BinaryTypes.String},
}, nil)

// flatRead lists the columns of flatSchema that flatColumn reads; tags
// (nested) and i8 (narrowed by pqarrow) are pqarrow's.
var flatRead = []bool{true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, false, false, true, true}

// tagValues are the values of columns tag and tagreq: a dictionary of
// strings of at most 16 bytes, the empty one among them.
var tagValues = []string{"R", "", "sixteen-bytes-16", "AIR", "DELIVER IN PERSON"[:16]}

// writeFlatFile writes rows rows of the fixture in row groups of 3000.
func writeFlatFile(t *testing.T, path string, rows int, opts ...pq.WriterProperty) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts = append([]pq.WriterProperty{pq.WithMaxRowGroupLength(3000), pq.WithDataPageSize(2 << 10)}, opts...)
	w, err := pqarrow.NewFileWriter(flatSchema, f, pq.NewWriterProperties(opts...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, flatSchema)
	defer b.Release()
	for i := range rows {
		null := i%7 == 3
		for c, fb := range b.Fields() {
			name := flatSchema.Field(c).Name
			switch {
			case name == "never",
				name == "gap" && i >= 1000 && i < 4000, // whole pages, a whole chunk
				flatSchema.Field(c).Nullable && null && name != "gap":
				fb.AppendNull()
				continue
			}
			neg := int64(1)
			if i%3 == 0 {
				neg = -1
			}
			switch x := fb.(type) {
			case *array.Int32Builder:
				x.Append(int32(i) * int32(neg))
			case *array.Int64Builder:
				x.Append(int64(i) * 1_000_003 * neg)
			case *array.Uint32Builder:
				x.Append(uint32(4_000_000_000 + i))
			case *array.Uint64Builder:
				x.Append(uint64(1)<<63 + uint64(i))
			case *array.Float32Builder:
				x.Append(float32(i) / 3)
			case *array.Float64Builder:
				x.Append(float64(i) * -0.25)
			case *array.BooleanBuilder:
				x.Append(i%5 < 2)
			case *array.StringBuilder:
				switch {
				case name == "tag", name == "tagreq":
					x.Append(tagValues[i%len(tagValues)])
				case i < 1500:
					x.Append(fmt.Sprintf("v%d", i%10)) // dictionary-encoded pages
				default:
					// The dictionary overflows: plain pages (some values
					// longer than 32 bytes).
					x.Append(fmt.Sprintf("value %d %s%s", i, name, strings.Repeat("+", i%11*3)))
				}
			case *array.BinaryBuilder:
				x.Append([]byte{byte(i), 0, byte(i >> 8)}[:i%4%3])
			case *array.FixedSizeBinaryBuilder:
				x.Append([]byte{byte(i), byte(i >> 8), 0, 0xff, byte(i % 7)})
			case *array.Date32Builder:
				x.Append(arrow.Date32(19000 + i))
			case *array.TimestampBuilder:
				x.Append(arrow.Timestamp(1_700_000_000_000_000 + int64(i)*1_000_001))
			case *array.Time32Builder:
				x.Append(arrow.Time32(i * 1000 % 86_400_000))
			case *array.Time64Builder:
				x.Append(arrow.Time64(int64(i) * 1_000_007))
			case *array.Decimal128Builder:
				x.Append(decimal128.FromI64(int64(i) * 12_345 * neg))
			case *array.ListBuilder:
				x.Append(true)
				x.ValueBuilder().(*array.Int32Builder).Append(int32(i))
			case *array.Int8Builder:
				x.Append(int8(i))
			default:
				t.Fatalf("no value for %T", fb)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// readReference reads the whole file with pqarrow, the independent
// reference: one array per column.
func readReference(t *testing.T, path string) []arrow.Array {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	out := make([]arrow.Array, tbl.NumCols())
	for i := range out {
		a, err := array.Concatenate(tbl.Column(i).Data().Chunks(), memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = a
	}
	return out
}

// TestFlatColumnsMatchPqarrow reads the fixture through the scan, with
// several writer layouts (data page v1/v2, dictionary on/off, decimals
// as integers or fixed-length bytes, compressed or not) and batch sizes
// that end batches inside pages, and compares every column with
// pqarrow's reading of the same file.
func TestFlatColumnsMatchPqarrow(t *testing.T) {
	layouts := map[string][]pq.WriterProperty{
		"v1/dict/int-decimals/snappy": {pq.WithDictionaryPageSizeLimit(200), pq.WithStoreDecimalAsInteger(true), pq.WithCompression(compress.Codecs.Snappy)},
		"v2/plain/int-decimals":       {pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryDefault(false), pq.WithStoreDecimalAsInteger(true)},
		"v1/plain/flba-decimals/zstd": {pq.WithDictionaryDefault(false), pq.WithCompression(compress.Codecs.Zstd)},
		"v2/dict/flba-decimals":       {pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryPageSizeLimit(200)},
		// Whole chunks dictionary-encoded, long strings in the dictionary,
		// no statistics to say which chunks lack NULLs.
		"v1/dict-only/no-stats/int-decimals": {pq.WithStats(false), pq.WithStoreDecimalAsInteger(true), pq.WithCompression(compress.Codecs.Snappy)},
		// Encodings the page decoder leaves to arrow-go's readers
		// (whose DELTA decoders never free a buffer: see checkFlatLayout).
		"v1/delta/int-decimals": {pq.WithDictionaryDefault(false), pq.WithStoreDecimalAsInteger(true),
			pq.WithEncodingFor("i64", pq.Encodings.DeltaBinaryPacked), pq.WithEncodingFor("s", pq.Encodings.DeltaLengthByteArray),
			pq.WithEncodingFor("sreq", pq.Encodings.DeltaByteArray), pq.WithEncodingFor("f64", pq.Encodings.ByteStreamSplit),
			pq.WithEncodingFor("dec18", pq.Encodings.ByteStreamSplit)},
	}
	for name, opts := range layouts {
		for _, batch := range []int64{8192, 700} {
			for _, recycle := range []bool{false, true} {
				if recycle && batch < 8192 {
					continue // buffers below the recycler's smallest class
				}
				t.Run(fmt.Sprintf("%s/batch=%d/recycle=%v", name, batch, recycle), func(t *testing.T) {
					checkFlatLayout(t, name, opts, batch, recycle)
				})
			}
		}
	}
}

// checkFlatLayout is one case of TestFlatColumnsMatchPqarrow. With
// recycle, the scan allocates as under the engine, from a Recycler that
// poisons what it keeps, and the file is scanned once before: the
// compared scan's buffers are then the first scan's, full of poison, so
// a byte the decoder leaves unwritten (outside NULL slots, which
// array.Equal skips) shows as a difference.
func checkFlatLayout(t *testing.T, name string, opts []pq.WriterProperty, batch int64, recycle bool) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	if !strings.Contains(name, "/delta/") {
		// arrow-go's DELTA_BINARY_PACKED decoder allocates its
		// miniblock widths from the allocator and never frees them.
		defer checked.AssertSize(t, 0)
	}
	var mem memory.Allocator = checked
	dir := t.TempDir()
	path := filepath.Join(dir, "f.parquet")
	if recycle {
		// One row group, so that the columns' buffers are large enough
		// to be recycled.
		opts = append(opts[:len(opts):len(opts)], pq.WithMaxRowGroupLength(7500))
	}
	writeFlatFile(t, path, 7500, opts...)
	want := readReference(t, path)
	defer releaseArrays(want)
	tbl := openFixture(t, dir)
	tbl.batchSize = batch
	all := make([]int, len(flatRead))
	for i := range all {
		all[i] = i
	}
	checkFlatKinds(t, tbl, name)
	checkPaged(t, tbl, name)
	if strings.Contains(name, "/dict/") && !fallsBack(t, tbl, 8) {
		t.Fatalf("column s does not fall back from dictionary to plain pages in its first chunk")
	}
	req := connectors.ScanRequest{Columns: all, Limit: -1}
	if recycle {
		budget := membudget.New(membudget.Options{})
		defer budget.Close()
		r := membudget.NewRecycler(checked, budget, true /* poison */)
		mem = r
		releaseAll(scanAll(t, tbl, req, mem))
		if r.Held() == 0 {
			t.Fatal("the first scan left no buffer to reuse")
		}
	}
	bs := scanAll(t, tbl, req, mem)
	defer releaseAll(bs)
	for c := range all {
		chunks := make([]arrow.Array, len(bs))
		for k, b := range bs {
			chunks[k] = b.Column(c)
		}
		got, err := array.Concatenate(chunks, mem)
		if err != nil {
			t.Fatal(err)
		}
		if !array.Equal(got, want[c]) {
			t.Errorf("column %s differs from pqarrow's:\n got %v\nwant %v", flatSchema.Field(c).Name, got, want[c])
		}
		got.Release()
	}
}

// TestFlatCorruptPages reads corrupted copies of the flat-column fixture:
// rows or HV000, never a panic, and no memory left allocated.
func TestFlatCorruptPages(t *testing.T) {
	for name, opts := range map[string][]pq.WriterProperty{
		"v1/dict/int-decimals": {pq.WithDictionaryPageSizeLimit(200), pq.WithStoreDecimalAsInteger(true), pq.WithCompression(compress.Codecs.Snappy)},
		"v2/plain/flba":        {pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryDefault(false)},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.parquet")
			writeFlatFile(t, path, 4000, opts...)
			var cols []int
			for c, flat := range flatRead {
				if flat {
					cols = append(cols, c)
				}
			}
			checkCorruptScans(t, dir, path, cols)
		})
	}
}

// checkFlatKinds checks that the scan reads the columns of flatRead with
// flatColumn, so that the comparison tests it and not pqarrow twice.
func checkFlatKinds(t *testing.T, tbl *Table, layout string) {
	t.Helper()
	for c, want := range flatRead {
		leaf := tbl.files[0].flatLeaf[c]
		got := leaf >= 0 && flatKindOf(tbl.files[0].meta.Schema.Column(leaf), tbl.Schema().Field(c).Type) != 0
		if got != want {
			t.Errorf("%s: column %s read by flatColumn: %v, want %v", layout, flatSchema.Field(c).Name, got, want)
		}
	}
}

// checkPaged checks that the scan decodes the pages of the flat columns
// itself (pages.go), except those the delta layout encodes otherwise, so
// that the comparison tests both the page decoder and the fallback.
func checkPaged(t *testing.T, tbl *Table, layout string) {
	t.Helper()
	other := map[string]bool{"i64": true, "s": true, "sreq": true, "f64": true, "dec18": true}
	for c, flat := range flatRead {
		leaf := tbl.files[0].flatLeaf[c]
		if !flat || !pagedKind(flatKindOf(tbl.files[0].meta.Schema.Column(leaf), tbl.Schema().Field(c).Type)) {
			continue
		}
		name := flatSchema.Field(c).Name
		want := !strings.Contains(layout, "/delta/") || !other[name]
		for g := range tbl.files[0].meta.NumRowGroups() {
			cc, err := tbl.files[0].meta.RowGroup(g).ColumnChunk(leaf)
			if err != nil {
				t.Fatal(err)
			}
			if got := pagedChunk(cc); got != want {
				t.Errorf("%s: column %s, row group %d: pages decoded by flatColumn: %v, want %v", layout, name, g, got, want)
			}
		}
	}
}

// fallsBack reports whether the first chunk of column c has both
// dictionary-encoded and plain data pages.
func fallsBack(t *testing.T, tbl *Table, c int) bool {
	cc, err := tbl.files[0].meta.RowGroup(0).ColumnChunk(tbl.files[0].flatLeaf[c])
	if err != nil {
		t.Fatal(err)
	}
	var dict, plain bool
	for _, s := range cc.EncodingStats() {
		if s.PageType == pqDataPage || s.PageType == pqDataPageV2 {
			dict = dict || s.Encoding == pq.Encodings.RLEDict || s.Encoding == pq.Encodings.PlainDict
			plain = plain || s.Encoding == pq.Encodings.Plain
		}
	}
	return dict && plain
}

func releaseArrays(as []arrow.Array) {
	for _, a := range as {
		a.Release()
	}
}

// TestRecycledBuffersNeverAliasLiveBatches reads the fixture through a
// poisoning Recycler, keeping the first batch while the others are read
// and released (their buffers kept and handed out again), then a second
// scan: the first batch must still hold pqarrow's values, and all memory
// must come back.
func TestRecycledBuffersNeverAliasLiveBatches(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "f.parquet")
	writeFlatFile(t, path, 7500, pq.WithMaxRowGroupLength(7500), pq.WithStoreDecimalAsInteger(true))
	want := readReference(t, path)
	defer releaseArrays(want)
	tbl := openFixture(t, dir)
	tbl.batchSize = 1500
	all := make([]int, len(flatRead))
	for i := range all {
		all[i] = i
	}
	budget := membudget.New(membudget.Options{})
	r := membudget.NewRecycler(checked, budget, true /* poison */)
	parts, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: all, Limit: -1})
	if err != nil || len(parts) != 1 {
		t.Fatalf("%d partitions, %v", len(parts), err)
	}
	var first arrow.RecordBatch
	for scan := range 2 {
		rr, err := parts[0].Open(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		for rr.Next() {
			if first == nil {
				first = rr.RecordBatch()
				first.Retain()
			}
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		rr.Release()
		if scan == 0 && r.Held() == 0 {
			t.Fatal("no released buffer was kept: the test recycles nothing")
		}
	}
	for c := range all {
		w := array.NewSlice(want[c], 0, first.NumRows())
		if !array.Equal(first.Column(c), w) {
			t.Errorf("column %s of the kept batch changed:\n got %v\nwant %v", flatSchema.Field(c).Name, first.Column(c), w)
		}
		w.Release()
	}
	first.Release()
	budget.Close()
}
