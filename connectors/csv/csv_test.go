package csv

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/zstd"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

func write(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	switch filepath.Ext(name) {
	case ".gz":
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(data)
		w.Close()
		data = b.Bytes()
	case ".zst":
		w, _ := zstd.NewWriter(nil)
		data = w.EncodeAll(data, nil)
		w.Close()
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// scan opens src and reads all columns (or cols) of every partition into
// "a|b|c" strings, sorted.
func scan(t *testing.T, src catalog.Source, cols []int, limit int64) ([]string, *Table, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := New().OpenTable(context.Background(), src)
	if err != nil {
		return nil, nil, err
	}
	if cols == nil {
		for i := range tbl.Schema().NumFields() {
			cols = append(cols, i)
		}
	}
	parts, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: cols, Limit: limit})
	if err != nil {
		return nil, tbl, err
	}
	var rows []string
	for _, p := range parts {
		rr, err := p.Open(context.Background(), mem)
		if err != nil {
			return nil, tbl, err
		}
		for rr.Next() {
			b := rr.RecordBatch()
			for r := range int(b.NumRows()) {
				var vals []string
				for c := range int(b.NumCols()) {
					if b.Column(c).IsNull(r) {
						vals = append(vals, "NULL")
					} else {
						vals = append(vals, b.Column(c).ValueStr(r))
					}
				}
				rows = append(rows, strings.Join(vals, "|"))
			}
		}
		err = rr.Err()
		rr.Release()
		if err != nil {
			return nil, tbl, err
		}
	}
	slices.Sort(rows)
	return rows, tbl, nil
}

func TestCSVHeaderQuoting(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", []byte("\xef\xbb\xbfid,name,note\n1,\"Smith, J\",\"said \"\"hi\"\"\"\n2,plain,\"two\nlines\"\n3,,x\n"))
	rows, tbl, err := scan(t, catalog.Source{Path: "*.csv", BaseDir: dir}, nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	if got := tbl.Schema().String(); !strings.Contains(got, "id: type=utf8") || tbl.Schema().NumFields() != 3 {
		t.Errorf("schema %s", got)
	}
	want := []string{`1|Smith, J|said "hi"`, "2|plain|two\nlines", "3|NULL|x"}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	// Projection, count-only and limit.
	if rows, _, _ := scan(t, catalog.Source{Path: "a.csv", BaseDir: dir}, []int{2, 0}, -1); len(rows) != 3 || rows[2] != "x|3" {
		t.Errorf("projection %q", rows)
	}
	if rows, _, _ := scan(t, catalog.Source{Path: "a.csv", BaseDir: dir}, []int{}, -1); len(rows) != 3 {
		t.Errorf("count-only: %d rows", len(rows))
	}
	if rows, _, _ := scan(t, catalog.Source{Path: "a.csv", BaseDir: dir}, []int{0}, 2); len(rows) != 2 {
		t.Errorf("limit 2: %d rows", len(rows))
	}
}

func TestCSVNoHeaderDelimiterCompression(t *testing.T) {
	dir := t.TempDir()
	data := []byte("1\ta\n2\tb\n")
	write(t, dir, "p1.tsv", data)
	write(t, dir, "p2.tsv.gz", []byte("3\tc\n"))
	write(t, dir, "p3.tsv.zst", []byte("4\td\n5\te\n"))
	src := catalog.Source{Path: "p*", BaseDir: dir, Options: map[string]string{"header": "false", "delimiter": "tab"}}
	rows, tbl, err := scan(t, src, nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Schema().Field(0).Name != "column1" || tbl.Schema().Field(1).Name != "column2" {
		t.Errorf("schema %s", tbl.Schema())
	}
	if want := []string{"1|a", "2|b", "3|c", "4|d", "5|e"}; !slices.Equal(rows, want) {
		t.Errorf("rows %q", rows)
	}
	parts, _ := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0}, Limit: -1})
	if len(parts) != 3 {
		t.Errorf("%d partitions, want one per file", len(parts))
	}
	// Typed columns over compressed files.
	src.Options["columns"] = "id int4, letter varchar(1)"
	if rows, tbl, err = scan(t, src, nil, -1); err != nil || len(rows) != 5 || tbl.Schema().Field(0).Type.String() != "int32" {
		t.Errorf("typed: %v %q", err, rows)
	}
}

func TestNDJSON(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "e.ndjson", []byte(`{"id": 1, "amount": "12.5", "tags": ["a"], "ok": true}`+"\n\n"+
		`{"id": 2, "amount": 3, "ok": null}`+"\n"+`{"ok": false, "id": 3}`))
	write(t, dir, "f.jsonl.gz", []byte(`{"id": 4, "amount": -1.25}`+"\n"))
	rows, tbl, err := scan(t, catalog.Source{Path: "e.ndjson", BaseDir: dir}, nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%d %s", tbl.Schema().NumFields(), tbl.Schema().Field(2).Name); got != "4 tags" {
		t.Errorf("schema %s", tbl.Schema())
	}
	if want := []string{`1|12.5|["a"]|true`, "2|3|NULL|NULL", "3|NULL|NULL|false"}; !slices.Equal(rows, want) {
		t.Errorf("rows %q", rows)
	}
	src := catalog.Source{Path: "*", BaseDir: dir, Options: map[string]string{"format": "ndjson", "columns": "ok bool, amount numeric(10,2), id bigint"}}
	rows, _, err = scan(t, src, nil, -1)
	if want := []string{"NULL|-1.25|4", "NULL|3|2", "false|NULL|3", "true|12.5|1"}; err != nil || !slices.Equal(rows, want) {
		t.Errorf("typed rows %q, %v", rows, err)
	}
	write(t, dir, "g.ndjson", []byte(`{"id": 1}`+"\n"+`{"id": 2, "amount": "x"}`+"\n"))
	_, _, err = scan(t, catalog.Source{Path: "g.ndjson", BaseDir: dir, Options: src.Options}, nil, -1)
	if want := `g.ndjson:2: column amount: invalid input syntax for type numeric: "x"`; err == nil || err.Error() != want || sqltypes.Code(err) != sqltypes.CodeInvalidTextRepr {
		t.Errorf("error %v (%s), want %s", err, sqltypes.Code(err), want)
	}
	write(t, dir, "h.ndjson", []byte(`{"id": 1}`+"\n"+`{"id": 2`+"\n"))
	if _, _, err = scan(t, catalog.Source{Path: "h.ndjson", BaseDir: dir}, nil, -1); !strings.HasPrefix(fmt.Sprint(err), "h.ndjson:2: invalid input syntax for type json") {
		t.Errorf("bad json: %v", err)
	}
}

func TestBadValues(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,amount,day\n")
	for i := 1; i <= 14; i++ {
		fmt.Fprintf(&b, "%d,%d.5,2024-01-%02d\n", i, i, i)
	}
	b.WriteString("15,\"multi\nline\",2024-01-01\n") // lines 16-17
	b.WriteString("16,x,2024-01-01\n")               // line 18
	write(t, dir, "file.csv", []byte(b.String()))
	opts := map[string]string{"columns": "id bigint, amount numeric(12,2), day date"}
	_, _, err := scan(t, catalog.Source{Path: "file.csv", BaseDir: dir, Options: opts}, nil, -1)
	if want := `file.csv:16: column amount: invalid input syntax for type numeric: "multi\nline"`; err == nil || err.Error() != want || sqltypes.Code(err) != sqltypes.CodeInvalidTextRepr {
		t.Errorf("error %q (%s)\nwant %q", err, sqltypes.Code(err), want)
	}
	write(t, dir, "file.csv", []byte(strings.Replace(b.String(), "\"multi\nline\"", "1", 1)))
	_, _, err = scan(t, catalog.Source{Path: "file.csv", BaseDir: dir, Options: opts}, nil, -1)
	if want := `file.csv:17: column amount: invalid input syntax for type numeric: "x"`; err == nil || err.Error() != want || sqltypes.Code(err) != sqltypes.CodeInvalidTextRepr {
		t.Errorf("error %q (%s)\nwant %q", err, sqltypes.Code(err), want)
	}
	// Only requested columns are parsed.
	if rows, _, err := scan(t, catalog.Source{Path: "file.csv", BaseDir: dir, Options: opts}, []int{0, 2}, -1); err != nil || len(rows) != 16 {
		t.Errorf("projection skipping the bad column: %v, %d rows", err, len(rows))
	}
	write(t, dir, "ragged.csv", []byte("a,b\n1,2\n3\n"))
	if _, _, err = scan(t, catalog.Source{Path: "ragged.csv", BaseDir: dir}, nil, -1); !strings.HasPrefix(fmt.Sprint(err), "ragged.csv:3: ") || sqltypes.Code(err) != sqltypes.CodeFDWError {
		t.Errorf("ragged: %v (%s)", err, sqltypes.Code(err))
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.csv", []byte("id,name\n1,x\n"))
	write(t, dir, "b.csv", []byte("id,other\n1,x\n"))
	for _, tc := range []struct {
		src  catalog.Source
		code string
	}{
		{catalog.Source{Path: "none*.csv", BaseDir: dir}, sqltypes.CodeFDWTableNotFound},
		{catalog.Source{Path: "*.csv", BaseDir: dir}, sqltypes.CodeFDWError}, // headers differ
		{catalog.Source{Path: "a.csv", BaseDir: dir, Options: map[string]string{"columns": "id int4, nom text"}}, sqltypes.CodeFDWError},
		{catalog.Source{Path: "a.csv", BaseDir: dir, Options: map[string]string{"columns": "id nosuchtype"}}, sqltypes.CodeFDWError},
		{catalog.Source{Path: "a.csv", BaseDir: dir, Options: map[string]string{"delimiter": ",,"}}, sqltypes.CodeFDWError},
		{catalog.Source{Path: "a.csv", BaseDir: dir, Options: map[string]string{"header": "maybe"}}, sqltypes.CodeFDWError},
		{catalog.Source{Path: "a.csv", BaseDir: dir, Options: map[string]string{"format": "xml"}}, sqltypes.CodeFDWError},
	} {
		if _, err := New().Open(context.Background(), tc.src); sqltypes.Code(err) != tc.code {
			t.Errorf("%+v: %v (%s), want %s", tc.src, err, sqltypes.Code(err), tc.code)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Open(ctx, catalog.Source{Path: "a.csv", BaseDir: dir}); sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
		t.Errorf("canceled: %v", err)
	}
}

// TestSourceBytes: a partition's reader reports the bytes read from its
// file, compressed or not: all of it once the file is read to its end.
func TestSourceBytes(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "p1.csv", []byte("id,name\n1,a\n2,b\n"))
	write(t, dir, "p2.csv.gz", []byte("id,name\n3,c\n"))
	write(t, dir, "p3.csv.zst", []byte("id,name\n4,d\n5,e\n"))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := New().OpenTable(context.Background(), catalog.Source{Path: "p*", BaseDir: dir, Options: map[string]string{"header": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	parts, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0, 1}, Limit: -1})
	if err != nil || len(parts) != 3 {
		t.Fatalf("%d partitions, %v", len(parts), err)
	}
	var got, want int64
	for _, name := range []string{"p1.csv", "p2.csv.gz", "p3.csv.zst"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want += st.Size()
	}
	for _, p := range parts {
		rr, err := p.Open(context.Background(), mem)
		if err != nil {
			t.Fatal(err)
		}
		for rr.Next() {
		}
		bc, ok := rr.(connectors.ByteCounter)
		n, known := int64(0), false
		if ok {
			n, known = bc.SourceBytes()
		}
		rr.Release()
		if !known {
			t.Fatalf("the reader does not count its bytes")
		}
		got += n
	}
	if got != want {
		t.Errorf("readers report %d bytes, the files hold %d", got, want)
	}
}
