package demodata

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
)

var testNow = time.Date(2026, 3, 15, 17, 30, 0, 0, time.UTC)

func generate(t *testing.T, opts Options) string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Allocator = mem
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	dir := filepath.Join(t.TempDir(), "demo")
	if err := Generate(context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readAll returns every file of dir as bytes, keyed by slash path.
func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := readAll(t, generate(t, Options{Scale: 0.001}))
	// Another time of the same day, and the default allocator: same bytes.
	b := readAll(t, generate(t, Options{Scale: 0.001, Now: testNow.Add(-5 * time.Hour)}))
	if len(a) != 4+1 {
		t.Errorf("generated %d files, want 4 Parquet files and the marker", len(a))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	c := readAll(t, generate(t, Options{Scale: 0.001, Seed: 7}))
	if bytes.Equal(a["sales/orders/part-00000.parquet"], c["sales/orders/part-00000.parquet"]) {
		t.Error("a different seed gave the same orders")
	}
}

func TestRowCountsScale(t *testing.T) {
	small := generate(t, Options{Scale: 0.001})
	large := generate(t, Options{Scale: 0.004})
	for _, tc := range []struct {
		dir          string
		small, large int64
	}{
		{OrdersDir, 1000, 4000},
		{CustomersDir, 100, 400},
		{ProductsV2Dir, 10, 20},
		{ProductsV1Dir, 8, 16},
	} {
		if got := tableRows(t, small, tc.dir); got != tc.small {
			t.Errorf("%s at scale 0.001: %d rows, want %d", tc.dir, got, tc.small)
		}
		if got := tableRows(t, large, tc.dir); got != tc.large {
			t.Errorf("%s at scale 0.004: %d rows, want %d", tc.dir, got, tc.large)
		}
	}
	if s := sizesFor(1); s.orders != 1_000_000 || s.customers != 100_000 || s.products != 5_000 {
		t.Errorf("sizes at scale 1 = %+v", s)
	}
}

func TestOrdersContent(t *testing.T) {
	const groupRows = 2000
	dir := generate(t, Options{Scale: 0.01, RowGroupRows: groupRows})
	files := parts(t, dir, OrdersDir)
	if len(files) != 3 { // 10,000 rows: 5 row groups, 2 per file
		t.Fatalf("orders files = %v, want 3", files)
	}
	today := int32(testNow.Unix() / 86400)
	first, last := today-historyDays, today-1

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var (
		prevDate   = first
		prevID     int64
		recent     int
		perDay     = map[int32]int{}
		recentBuys = map[int64]int{}
	)
	for _, f := range files {
		tbl := readFile(t, mem, f)
		want := []string{"order_id:int64", "customer_id:int64", "product_id:int64", "order_date:date32",
			"quantity:int32", "amount:decimal(12, 2)", "status:utf8"}
		for i, fld := range tbl.Schema().Fields() {
			if got := fld.Name + ":" + fld.Type.String(); got != want[i] {
				t.Errorf("column %d = %s, want %s", i, got, want[i])
			}
		}
		tr := array.NewTableReader(tbl, 1<<20)
		for tr.Next() {
			rec := tr.RecordBatch()
			ids := rec.Column(0).(*array.Int64).Int64Values()
			cust := rec.Column(1).(*array.Int64).Int64Values()
			dates := rec.Column(3).(*array.Date32).Date32Values()
			amounts := rec.Column(5).(*array.Decimal128)
			for i, d := range dates {
				day := int32(d)
				if day < prevDate || day > last {
					t.Fatalf("order_date %d out of order or range [%d, %d]", day, prevDate, last)
				}
				if ids[i] != prevID+1 {
					t.Fatalf("order_id %d follows %d", ids[i], prevID)
				}
				if amounts.Value(i).Sign() <= 0 {
					t.Fatalf("amount %v is not positive", amounts.Value(i))
				}
				prevDate, prevID = day, ids[i]
				perDay[day]++
				if day > today-30 {
					recent++
					recentBuys[cust[i]]++
				}
			}
		}
		tr.Release()
		tbl.Release()
	}
	if prevID != 10_000 {
		t.Errorf("read %d orders, want 10000", prevID)
	}
	if recent == 0 {
		t.Fatal("no orders in the last 30 days")
	}
	// Recent days are busier than the first days of the history.
	var early int
	for d := first; d < first+29; d++ {
		early += perDay[d]
	}
	if recent < 2*early {
		t.Errorf("last 30 days have %d orders, the first 29 days %d: want growth", recent, early)
	}
	var repeat int
	for _, n := range recentBuys {
		if n >= 3 {
			repeat++
		}
	}
	if repeat < 5 {
		t.Errorf("only %d customers bought 3+ lines in the last 30 days", repeat)
	}
	checkDateStats(t, files)
}

// checkDateStats asserts every row group has order_date statistics and that
// they are ascending and disjoint but for shared boundary days, which is
// what lets a date filter prune row groups.
func checkDateStats(t *testing.T, files []string) {
	t.Helper()
	prevMax := int32(-1 << 31)
	groups := 0
	for _, f := range files {
		rdr, err := file.OpenParquetFile(f, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rdr.NumRowGroups() {
			col, err := rdr.MetaData().RowGroup(i).ColumnChunk(3)
			if err != nil {
				t.Fatal(err)
			}
			st, err := col.Statistics()
			if err != nil || st == nil || !st.HasMinMax() {
				t.Fatalf("%s row group %d: no order_date statistics (%v)", f, i, err)
			}
			s := st.(*metadata.Int32Statistics)
			if s.Min() < prevMax || s.Min() > s.Max() {
				t.Errorf("%s row group %d: order_date [%d, %d] overlaps the previous max %d", f, i, s.Min(), s.Max(), prevMax)
			}
			prevMax = s.Max()
			groups++
		}
		rdr.Close()
	}
	if groups < 5 {
		t.Errorf("%d row groups, want 5", groups)
	}
}

func TestDimensionsContent(t *testing.T) {
	dir := generate(t, Options{Scale: 0.01})
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	tbl := readFile(t, mem, parts(t, dir, ProductsV2Dir)[0])
	if got := tbl.Schema().Field(4).Type; !arrow.TypeEqual(got, &arrow.Decimal128Type{Precision: 10, Scale: 2}) {
		t.Errorf("products_v2.price type = %s", got)
	}
	if tbl.NumRows() != 50 {
		t.Errorf("products_v2 rows = %d", tbl.NumRows())
	}
	tbl.Release()

	tbl = readFile(t, mem, parts(t, dir, CustomersDir)[0])
	defer tbl.Release()
	today := int32(testNow.Unix() / 86400)
	regions := map[string]bool{}
	tr := array.NewTableReader(tbl, 1<<20)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		email := rec.Column(2).(*array.String)
		region := rec.Column(4).(*array.String)
		signup := rec.Column(6).(*array.Date32)
		for i := range int(rec.NumRows()) {
			if !strings.HasSuffix(email.Value(i), "@example.com") {
				t.Fatalf("email %q", email.Value(i))
			}
			regions[region.Value(i)] = true
			if d := int32(signup.Value(i)); d > today || d < today-5*365 {
				t.Fatalf("signup_date %d out of range", d)
			}
		}
	}
	for _, r := range []string{"EU", "NA", "APAC", "LATAM"} {
		if !regions[r] {
			t.Errorf("no customer in region %s", r)
		}
	}
}

func TestEnsure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	ctx := context.Background()
	opts := Options{Now: testNow, Scale: 0.001}
	for i, want := range []bool{true, false} {
		got, err := Ensure(ctx, dir, opts)
		if err != nil || got != want {
			t.Fatalf("Ensure #%d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	opts.Seed = 99
	if got, err := Ensure(ctx, dir, opts); err != nil || !got {
		t.Fatalf("Ensure with a new seed = %v, %v; want a regeneration", got, err)
	}
	opts.Now = testNow.AddDate(0, 0, 10)
	if got, _ := Ensure(ctx, dir, opts); got {
		t.Error("Ensure regenerated for a new date without MaxAge")
	}
	opts.MaxAge = 7 * 24 * time.Hour
	if got, _ := Ensure(ctx, dir, opts); !got {
		t.Error("Ensure kept data older than MaxAge")
	}
	if err := os.RemoveAll(filepath.Join(dir, OrdersDir)); err != nil {
		t.Fatal(err)
	}
	if got, _ := Ensure(ctx, dir, opts); !got {
		t.Error("Ensure kept data with a table missing")
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("parent holds %d entries, want only the data dir (no temporary leftovers)", len(entries))
	}
}

func TestGenerateRefusesForeignDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Generate(context.Background(), dir, Options{Scale: 0.001})
	if err == nil || !strings.Contains(err.Error(), "refusing to replace") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "thesis.tex")); err != nil {
		t.Fatal("foreign file was removed")
	}
}

func TestGenerateCanceledLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "demo")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts := Options{Now: testNow, Scale: 0.01, RowGroupRows: 1000, Allocator: mem,
		Progress: func(done, total int64) {
			if done > total/2 {
				cancel()
			}
		}}
	err := Generate(ctx, dir, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("canceled generation left %v", entries)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, o := range []Options{{Scale: -1}, {Scale: 1000}, {RowGroupRows: -5}} {
		if err := Generate(context.Background(), t.TempDir(), o); err == nil {
			t.Errorf("Generate(%+v) succeeded", o)
		}
	}
}
