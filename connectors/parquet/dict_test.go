package parquet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// The dictionary fixture: id, a low-cardinality text column "mode" (NULL
// every 37th row) that writers dictionary-encode, and a unique text column
// "note" that they store plain.
var dictSchemaT = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "mode", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "note", Type: arrow.BinaryTypes.String},
}, nil)

var modes = []string{"AIR", "MAIL", "RAIL", "SHIP", "TRUCK"}

func modeAt(i int) any {
	if i%37 == 0 {
		return nil
	}
	return modes[(i*7)%len(modes)]
}

func writeDictFile(t testing.TB, path string, lo, hi int, opts ...pq.WriterProperty) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts = append([]pq.WriterProperty{pq.WithMaxRowGroupLength(rowGroupRows)}, opts...)
	w, err := pqarrow.NewFileWriter(dictSchemaT, f, pq.NewWriterProperties(opts...), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, dictSchemaT)
	defer b.Release()
	for i := lo; i < hi; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if m := modeAt(i); m == nil {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(m.(string))
		}
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("note %d", i))
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

// TestDictionaryColumns checks which columns the table offers as
// dictionaries: text columns whose pages are all dictionary-encoded in
// every file, not those stored plain in some file, nor non-text columns.
func TestDictionaryColumns(t *testing.T) {
	dir := t.TempDir()
	writeDictFile(t, filepath.Join(dir, "a.parquet"), 0, 3000)
	if got := openFixture(t, dir).DictionaryColumns(); !slices.Equal(got, []bool{false, true, false}) {
		t.Errorf("offered as dictionaries: %v, want only mode", got)
	}
	writeDictFile(t, filepath.Join(dir, "b.parquet"), 3000, 3100, pq.WithDictionaryDefault(false))
	if got := openFixture(t, dir).DictionaryColumns(); slices.Contains(got, true) {
		t.Errorf("offered as dictionaries: %v, although b.parquet stores mode plain", got)
	}
}

// TestDictionaryScan reads the text column as a dictionary and checks
// every row's value, batches spanning row groups included, and that a
// scan may ask only text columns for it.
func TestDictionaryScan(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	writeDictFile(t, filepath.Join(dir, "a.parquet"), 0, 3500)
	tbl := openFixture(t, dir)
	tbl.batchSize = 700 // batches cross row-group boundaries, whose dictionaries differ
	req := connectors.ScanRequest{Columns: []int{0, 1}, Dictionary: []bool{false, true}, Limit: -1}
	bs := scanAll(t, tbl, req, mem)
	defer releaseAll(bs)
	rows := 0
	for _, b := range bs {
		d, ok := b.Column(1).(*array.Dictionary)
		if !ok || !arrow.TypeEqual(b.Schema().Field(1).Type, d.DataType()) {
			t.Fatalf("mode reads as %s, schema says %s", b.Column(1).DataType(), b.Schema().Field(1).Type)
		}
		vals := d.Dictionary().(*array.String)
		for k, id := range b.Column(0).(*array.Int64).Int64Values() {
			want := modeAt(int(id))
			switch {
			case want == nil && d.IsValid(k):
				t.Fatalf("row %d: %q, want NULL", id, vals.Value(d.GetValueIndex(k)))
			case want != nil && (d.IsNull(k) || vals.Value(d.GetValueIndex(k)) != want):
				t.Fatalf("row %d: wrong value, want %q", id, want)
			}
			rows++
		}
	}
	if rows != 3500 {
		t.Fatalf("%d rows, want 3500", rows)
	}
	_, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0}, Dictionary: []bool{true}, Limit: -1})
	var se *sqltypes.Error
	if !errors.As(err, &se) || se.Code != sqltypes.CodeInternal {
		t.Fatalf("id as dictionary: %v, want XX000", err)
	}
}
