package parquet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// writeTagged writes one file whose columns ip and r carry meshql's
// type metadata (inet, int4range), as any Arrow writer can.
func writeTagged(t *testing.T, ip []byte, r string) string {
	t.Helper()
	mem := memory.NewGoAllocator()
	sch := arrow.NewSchema([]arrow.Field{sqltypes.TypeInet.Field("ip"), sqltypes.Type{Kind: sqltypes.Int4Range}.Field("r")}, nil)
	b := array.NewRecordBuilder(mem, sch)
	defer b.Release()
	b.Field(0).(*array.BinaryBuilder).Append(ip)
	b.Field(0).AppendNull()
	b.Field(1).(*array.StringBuilder).Append(r)
	b.Field(1).AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "t.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sch, f, pq.NewWriterProperties(), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// scanTagged reads the file's two columns, returning the first batch's
// values as text, or the scan's error.
func scanTagged(t *testing.T, dir string) ([2]string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := New().OpenTable(context.Background(), catalog.Source{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"inet", "int4range"} {
		if st, err := sqltypes.FieldType(tbl.Schema().Field(i)); err != nil || st.String() != want {
			t.Fatalf("column %d reads as %v (%v), want %s", i, st, err, want)
		}
	}
	parts, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0, 1}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	var out [2]string
	for _, p := range parts {
		rr, err := p.Open(context.Background(), mem)
		if err != nil {
			t.Fatal(err)
		}
		for rr.Next() {
			b := rr.RecordBatch()
			if ip, ok := sqltypes.DecodeInet(b.Column(0).(*array.Binary).Value(0)); ok {
				out[0] = sqltypes.InetShow(ip)
			}
			out[1] = b.Column(1).(*array.String).Value(0)
		}
		err = rr.Err()
		rr.Release()
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// TestTaggedColumnsChecked: a Parquet column whose metadata says inet or
// int4range is read only when its values are: bad bytes or text fail the
// scan with 22P02 naming the column, where they used to print as
// 0.0.0.0/0 and "empty"; a range in valid but non-canonical text is read
// in canonical text (ranges key on it).
func TestTaggedColumnsChecked(t *testing.T) {
	good := sqltypes.EncodeInet(sqltypes.NetAddr{Addr: [16]byte{10, 1, 2, 3}, Bits: 8})
	got, err := scanTagged(t, writeTagged(t, good, "[1,5]"))
	if err != nil || got != [2]string{"10.1.2.3/8", "[1,6)"} {
		t.Errorf("valid values: %q, %v", got, err)
	}
	inconsistent := append([]byte(nil), good...)
	inconsistent[2] = 7 // the network part no longer matches the address
	for _, c := range []struct {
		ip     []byte
		r, col string
	}{
		{[]byte{1, 2, 3}, "[1,5)", `"ip"`},
		{inconsistent, "[1,5)", `"ip"`},
		{good, "[1,5", `"r"`},
		{good, "[5,1)", `"r"`},
	} {
		_, err := scanTagged(t, writeTagged(t, c.ip, c.r))
		e := sqltypes.AsError(err)
		if err == nil || !strings.HasPrefix(e.Code, "22") || !strings.Contains(e.Msg, c.col) {
			t.Errorf("ip %x, r %q: error %v, want a 22xxx error naming %s", c.ip, c.r, err, c.col)
		}
	}
}
