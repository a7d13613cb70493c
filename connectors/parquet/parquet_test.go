package parquet

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

func TestOpenErrors(t *testing.T) {
	dir := writeFixture(t)
	ctx := context.Background()
	c := New()
	if c.Kind() != "parquet" {
		t.Fatalf("Kind = %q", c.Kind())
	}
	check := func(name string, src catalog.Source, code, contains string) {
		t.Helper()
		_, err := c.Open(ctx, src)
		if got := sqltypes.Code(err); got != code || !strings.Contains(err.Error(), contains) {
			t.Errorf("%s: got %v (%s), want %s containing %q", name, err, got, code, contains)
		}
	}
	check("no match", catalog.Source{Path: "nothing/*.parquet", BaseDir: dir}, sqltypes.CodeFDWTableNotFound, "no files match")
	check("bad pattern", catalog.Source{Path: "[", BaseDir: dir}, sqltypes.CodeFDWError, "invalid file pattern")

	// A file with another schema.
	other := filepath.Join(dir, "part-2.parquet")
	f, _ := os.Create(other)
	f.Close()
	check("empty file", catalog.Source{Path: "*.parquet", BaseDir: dir}, sqltypes.CodeFDWError, "part-2.parquet")
	if err := os.WriteFile(other, []byte("PAR1 certainly not a parquet file PAR1"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("garbage", catalog.Source{Path: "*.parquet", BaseDir: dir}, sqltypes.CodeFDWError, "part-2.parquet")
	good, _ := os.ReadFile(filepath.Join(dir, "part-0.parquet"))
	for _, cut := range []int{8, len(good) / 2, len(good) - 9} {
		os.WriteFile(other, append(append([]byte{}, good[:cut]...), good[len(good)-8:]...), 0o644)
		check("truncated", catalog.Source{Path: "*.parquet", BaseDir: dir}, sqltypes.CodeFDWError, "part-2.parquet")
	}
	os.Remove(other)

	odir := t.TempDir()
	writeOther(t, filepath.Join(odir, "b.parquet"))
	data, _ := os.ReadFile(filepath.Join(dir, "part-0.parquet"))
	os.WriteFile(filepath.Join(odir, "a.parquet"), data, 0o644)
	check("schema mismatch", catalog.Source{Path: filepath.Join(odir, "*.parquet")}, sqltypes.CodeFDWError, `"`+filepath.Join(odir, "b.parquet")+`" has a different schema`)

	// A directory means its *.parquet files; absolute paths ignore BaseDir.
	if tbl, err := c.Open(ctx, catalog.Source{Path: dir, BaseDir: "/nonexistent"}); err != nil || tbl.Stats().RowCount != testRows {
		t.Errorf("directory source: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Open(cctx, catalog.Source{Path: dir}); sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
		t.Errorf("canceled open: %v", err)
	}
}

func writeOther(t *testing.T, path string) {
	mem := memory.NewGoAllocator()
	sch := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32}}, nil)
	b := array.NewRecordBuilder(mem, sch)
	b.Field(0).(*array.Int32Builder).Append(1)
	rec := b.NewRecordBatch()
	defer rec.Release()
	b.Release()
	f, _ := os.Create(path)
	defer f.Close()
	tbl := array.NewTableFromRecords(sch, []arrow.RecordBatch{rec})
	defer tbl.Release()
	if err := pqarrow.WriteTable(tbl, f, 1024, nil, pqarrow.DefaultWriterProps()); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaAndStats(t *testing.T) {
	tbl := openFixture(t, writeFixture(t))
	sch := tbl.Schema()
	if sch.NumFields() != testSchema.NumFields() {
		t.Fatalf("schema: %s", sch)
	}
	for i, f := range testSchema.Fields() {
		if g := sch.Field(i); g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			t.Errorf("field %d = %s %s, want %s %s", i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	st := tbl.Stats()
	if st.RowCount != testRows {
		t.Errorf("RowCount = %d", st.RowCount)
	}
	want := map[string]connectors.ColumnStats{
		"id":      {Min: int64(0), Max: int64(testRows - 1), NullCount: 0, Distinct: -1},
		"d":       {Min: arrow.Date32(baseDate), Max: arrow.Date32(baseDate + (testRows-1)/50), NullCount: 0, Distinct: -1},
		"name":    {Min: "n00001", Max: "n09998", NullCount: 100, Distinct: -1},
		"opt":     {Min: int32(0), Max: int32(testRows - 1), NullCount: 1500, Distinct: -1},
		"flag":    {Min: false, Max: true, NullCount: 0, Distinct: -1},
		"nostats": {NullCount: 0, Distinct: -1}, // required column: no nulls even without statistics
		"cat":     {Min: "c0", Max: "c9", NullCount: 0, Distinct: -1},
		"ts":      {NullCount: 104, Distinct: -1}, // ns: bounds only, not reported
	}
	for name, w := range want {
		g, ok := st.Columns[name]
		if !ok || g.NullCount != w.NullCount || g.Distinct != w.Distinct || g.Min != w.Min || g.Max != w.Max {
			t.Errorf("stats[%s] = %+v, want %+v", name, g, w)
		}
	}
	a := st.Columns["amount"]
	if a.Min.(decimal128.Num) != decimal128.FromI64(1) && a.Max.(decimal128.Num).Cmp(decimal128.FromI64(99_999)) > 0 {
		t.Errorf("amount stats %+v", a)
	}
	if _, ok := st.Columns["tags"]; ok {
		t.Errorf("nested column has stats")
	}
}

func TestProjection(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := openFixture(t, writeFixture(t))
	batches := scanAll(t, tbl, connectors.ScanRequest{Columns: []int{0, 3, 8, 9, 0, 2}, Limit: -1}, mem)
	defer releaseAll(batches)
	var rows int
	for _, b := range batches {
		names := []string{}
		for _, f := range b.Schema().Fields() {
			names = append(names, f.Name)
		}
		if got := strings.Join(names, ","); got != "id,name,tags,cat,id,amount" {
			t.Fatalf("columns = %s", got)
		}
		idc := b.Column(0).(*array.Int64)
		names3 := b.Column(1).(*array.String)
		tags := b.Column(2).(*array.List)
		cat := b.Column(3).(*array.Dictionary)
		amt := b.Column(5).(*array.Decimal128)
		for r := range int(b.NumRows()) {
			i := int(idc.Value(r))
			if i != rows || b.Column(4).(*array.Int64).Value(r) != int64(i) {
				t.Fatalf("row %d: id %d", rows, i)
			}
			if v := testValue(3, i); (v == nil) != names3.IsNull(r) || v != nil && names3.Value(r) != v {
				t.Fatalf("row %d: name %v", i, names3.ValueStr(r))
			}
			if v := testValue(2, i); (v == nil) != amt.IsNull(r) || v != nil && amt.Value(r) != v {
				t.Fatalf("row %d: amount %v", i, amt.ValueStr(r))
			}
			if (i%13 == 0) != tags.IsNull(r) {
				t.Fatalf("row %d: tags %v", i, tags.ValueStr(r))
			}
			if s := cat.Dictionary().(*array.String).Value(cat.GetValueIndex(r)); s != testValue(9, i) {
				t.Fatalf("row %d: cat %s", i, s)
			}
			rows++
		}
	}
	if rows != testRows {
		t.Fatalf("rows = %d", rows)
	}
	if got := batches[0].Column(2).ValueStr(1); got != "[1,2]" {
		t.Errorf("tags of row 1: %s", got)
	}
}

func TestCountOnlyAndLimit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := openFixture(t, writeFixture(t))

	bs := scanAll(t, tbl, connectors.ScanRequest{Limit: -1}, mem)
	var n int64
	for _, b := range bs {
		n += b.NumRows()
		if b.NumCols() != 0 {
			t.Fatalf("count-only scan returned %d columns", b.NumCols())
		}
	}
	releaseAll(bs)
	if n != testRows {
		t.Errorf("count-only rows = %d", n)
	}

	for _, limit := range []int64{0, 1, 10, 999, 1000, 6500, testRows, testRows + 5} {
		tbl.minPartitionRows = 2500
		parts, _ := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0}, Limit: limit})
		bs := scanAll(t, tbl, connectors.ScanRequest{Columns: []int{0}, Limit: limit}, mem)
		got := ids(bs)
		releaseAll(bs)
		// Each partition stops at limit; partitions beyond the first
		// limit rows are not planned at all.
		var want int64
		var seen int64
		for _, p := range parts {
			pr := p.(*partition).rows
			want += min(pr, limit)
			seen += pr
		}
		if int64(len(got)) != want || (limit <= testRows && int64(len(got)) < limit) {
			t.Errorf("limit %d: %d rows from %d partitions, want %d", limit, len(got), len(parts), want)
		}
		if seen-limit >= 6000 && limit > 0 {
			t.Errorf("limit %d: planned %d rows", limit, seen)
		}
	}
}

func TestCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := openFixture(t, writeFixture(t))
	tbl.batchSize = 100
	parts, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0, 3}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rr, err := parts[0].Open(ctx, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	if !rr.Next() {
		t.Fatal(rr.Err())
	}
	cancel()
	if rr.Next() {
		t.Fatal("Next after cancel returned a batch")
	}
	if err := rr.Err(); sqltypes.Code(err) != sqltypes.CodeQueryCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("Err = %v", err)
	}
	if _, err := parts[0].Open(ctx, mem); sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
		t.Fatalf("Open with canceled ctx: %v", err)
	}
	if _, err := tbl.Partitions(ctx, connectors.ScanRequest{Limit: -1}); sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
		t.Fatalf("Partitions with canceled ctx: %v", err)
	}
}

func TestPartitionsMerge(t *testing.T) {
	tbl := openFixture(t, writeFixture(t))
	groups := func(req connectors.ScanRequest) [][]int {
		parts, err := tbl.Partitions(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]int
		for _, p := range parts {
			out = append(out, p.(*partition).groups)
		}
		return out
	}
	all := connectors.ScanRequest{Columns: []int{0}, Limit: -1}
	if g := groups(all); len(g) != 2 || len(g[0]) != 6 || len(g[1]) != 4 {
		t.Errorf("default partitions = %v, want one per file", g)
	}
	tbl.minPartitionRows = 2500
	if g := groups(all); !equalGroups(g, [][]int{{0, 1, 2}, {3, 4, 5}, {0, 1, 2, 3}}) {
		t.Errorf("partitions of >=2500 rows = %v", g)
	}
	tbl.minPartitionRows = 1
	if g := groups(all); len(g) != 10 {
		t.Errorf("partitions of >=1 row = %v", g)
	}
	tbl.minPartitionRows = 2500
	req := connectors.ScanRequest{Columns: []int{0}, Limit: -1, Filters: []connectors.Filter{
		connectors.Or{Filters: []connectors.Filter{cmp("id", connectors.OpLt, lit(sqltypes.TypeInt8, int64(1000))), cmp("id", connectors.OpGe, lit(sqltypes.TypeInt8, int64(4000)))}},
	}}
	if g := groups(req); !equalGroups(g, [][]int{{0, 4, 5}, {0, 1, 2, 3}}) {
		t.Errorf("pruned partitions = %v", g)
	}
}

func equalGroups(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func TestExplainScan(t *testing.T) {
	tbl := openFixture(t, writeFixture(t))
	req := connectors.ScanRequest{Columns: []int{0}, Limit: -1, Filters: []connectors.Filter{cmp("id", connectors.OpGe, lit(sqltypes.TypeInt8, int64(8500)))}}
	// EXPLAIN joins the properties with spaces (its JSON form keeps one
	// key per property).
	got := strings.Join(tbl.ExplainScan(context.Background(), req), " ")
	if want := "files=1/2 row_groups=2/10 (pruned 8 by statistics) partitions=1"; got != want {
		t.Errorf("ExplainScan = %q, want %q", got, want)
	}
	got = strings.Join(tbl.ExplainScan(context.Background(), connectors.ScanRequest{Limit: 10}), " ")
	if want := "files=1/2 row_groups=1/10 (9 beyond limit) partitions=1"; got != want {
		t.Errorf("ExplainScan = %q, want %q", got, want)
	}
}

func TestConcurrentPartitions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := openFixture(t, writeFixture(t))
	tbl.minPartitionRows = 1
	parts, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0, 2, 3, 8}, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var total int64
	var wg sync.WaitGroup
	for _, p := range append(parts, parts...) { // every partition twice, at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr, err := p.Open(context.Background(), mem)
			if err != nil {
				t.Error(err)
				return
			}
			defer rr.Release()
			for rr.Next() {
				mu.Lock()
				total += rr.RecordBatch().NumRows()
				mu.Unlock()
			}
			if err := rr.Err(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if total != 2*testRows {
		t.Errorf("rows = %d", total)
	}
}

func TestFileGoneOrChanged(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := writeFixture(t)
	tbl := openFixture(t, dir)
	parts, _ := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: []int{0, 3}, Limit: -1})
	os.Remove(filepath.Join(dir, "part-0.parquet"))
	if _, err := parts[0].Open(context.Background(), mem); sqltypes.Code(err) != sqltypes.CodeFDWTableNotFound {
		t.Errorf("vanished file: %v", err)
	}
	// Overwrite the second file with garbage of the same size: reading
	// must fail with HV000, not panic.
	p1 := filepath.Join(dir, "part-1.parquet")
	st, _ := os.Stat(p1)
	os.WriteFile(p1, []byte(strings.Repeat("x", int(st.Size()))), 0o644)
	rr, err := parts[1].Open(context.Background(), mem)
	if err == nil {
		for rr.Next() {
		}
		err = rr.Err()
		rr.Release()
	}
	if sqltypes.Code(err) != sqltypes.CodeFDWError {
		t.Errorf("corrupt data: %v", err)
	}
}

func TestSupportsFilters(t *testing.T) {
	tbl := openFixture(t, writeFixture(t))
	i8 := lit(sqltypes.TypeInt8, int64(1))
	fs := []connectors.Filter{
		cmp("id", connectors.OpEq, i8),
		cmp("id", connectors.OpEq, lit(sqltypes.TypeText, "1")), // other family
		cmp("tags", connectors.OpEq, i8),                        // nested
		cmp("nope", connectors.OpEq, i8),                        // unknown column
		connectors.Like{Column: "name", Pattern: "n1%"},         // like
		connectors.IsNull{Column: "opt"},                        // null count
		connectors.Not{Filter: connectors.InList{Column: "d", Values: []connectors.Literal{lit(sqltypes.TypeDate, arrow.Date32(1))}}},
		connectors.Or{Filters: []connectors.Filter{cmp("id", connectors.OpLt, i8), connectors.Like{Column: "name", Pattern: "x"}}},
		cmp("cat", connectors.OpGe, lit(sqltypes.TypeText, "c3")),
		cmp("ts", connectors.OpGe, lit(sqltypes.TypeTimestamp, arrow.Timestamp(1))),
	}
	want := []connectors.PushSupport{connectors.Inexact, connectors.Unsupported, connectors.Unsupported, connectors.Unsupported,
		connectors.Unsupported, connectors.Inexact, connectors.Inexact, connectors.Unsupported, connectors.Inexact, connectors.Inexact}
	got := tbl.SupportsFilters(fs)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: %s, want %s", fs[i], got[i], want[i])
		}
	}
}

// TestCorruptPages flips bytes in the data pages (the footer stays
// valid): every scan must end with rows or an HV000 error, never a panic.
func TestCorruptPages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.parquet")
	writeRows(t, path, 0, 3000)
	checkCorruptScans(t, dir, path, []int{0, 2, 3, 8, 9})
}

// checkCorruptScans scans the columns cols of the only file of dir, path,
// 60 times with random bytes of its data pages flipped.
func checkCorruptScans(t *testing.T, dir, path string, cols []int) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	good, _ := os.ReadFile(path)
	tbl := openFixture(t, dir)
	dataEnd := len(good) - 8 - int(tbl.files[0].meta.Size())
	rng := rand.New(rand.NewPCG(7, 8))
	failed := 0
	for iter := range 60 {
		bad := append([]byte{}, good...)
		for range 1 + iter%8 {
			bad[4+rng.IntN(dataEnd-4)] ^= byte(1 + rng.IntN(255))
		}
		os.WriteFile(path, bad, 0o644)
		parts, err := tbl.Partitions(context.Background(), connectors.ScanRequest{Columns: cols, Limit: -1})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			rr, err := p.Open(context.Background(), mem)
			if err == nil {
				for rr.Next() {
				}
				err = rr.Err()
				rr.Release()
			}
			if err != nil && sqltypes.Code(err) != sqltypes.CodeFDWError {
				t.Fatalf("iteration %d: %v (%s)", iter, err, sqltypes.Code(err))
			}
			if err != nil {
				failed++
			}
		}
	}
	t.Logf("%d of 60 corrupted files failed to read", failed)
}
