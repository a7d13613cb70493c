package parquet

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/objstore/s3test"
	"github.com/meshql/meshql/sqltypes"
)

func startS3(t testing.TB, bucket string, files map[string]string) *s3test.Server {
	return s3test.Start(t, bucket, files)
}

func s3Source(srv *s3test.Server, path string) catalog.Source {
	return catalog.Source{Connector: "parquet", Path: path, Connection: srv.Connection("lake", "MESHQL_TEST_S3_SECRET")}
}

// hiveFixture writes the fixture's two files under dt=… folders of a new
// temp dir and returns the dir and the files' paths relative to it.
func hiveFixture(t testing.TB) (string, []string) {
	dir := t.TempDir()
	rels := []string{"dt=2026-11-01/part-0.parquet", "dt=2026-11-02/part-1.parquet"}
	for i, rel := range rels {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		lo, hi := 0, splitRow
		if i == 1 {
			lo, hi = splitRow, testRows
		}
		writeRows(t, p, lo, hi)
	}
	return dir, rels
}

// TestS3MatchesLocal reads the same hive-partitioned files from a local
// folder and from an S3 server: same schema, same rows for projections,
// filters and partition-key filters, with files pruned by their folders.
func TestS3MatchesLocal(t *testing.T) {
	t.Setenv("MESHQL_TEST_S3_SECRET", "secret")
	dir, rels := hiveFixture(t)
	files := map[string]string{}
	for _, rel := range rels {
		files["sales/orders/"+rel] = filepath.Join(dir, rel)
	}
	srv := startS3(t, "lake", files)
	ctx := context.Background()
	local, err := New().OpenTable(ctx, catalog.Source{Connector: "parquet", Path: "*/*.parquet", BaseDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := New().OpenTable(ctx, s3Source(srv, "s3://lake/sales/orders/*/*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if !local.Schema().Equal(remote.Schema()) {
		t.Fatalf("schemas differ:\nlocal  %s\nremote %s", local.Schema(), remote.Schema())
	}
	dt := local.Schema().FieldIndices("dt")
	if len(dt) != 1 || local.Schema().Field(dt[0]).Type.ID() != arrow.DATE32 {
		t.Fatalf("partition column dt missing or not a date: %s", local.Schema())
	}
	day2 := sqltypes.DateFromCivil(2026, 11, 2)
	reqs := map[string]connectors.ScanRequest{
		"projection":      {Columns: []int{3, 0, dt[0]}, Limit: -1},
		"filter":          {Columns: []int{0, 2, 9}, Limit: -1, Filters: []connectors.Filter{cmp("id", connectors.OpGe, lit(sqltypes.TypeInt8, int64(8500)))}},
		"partition only":  {Columns: []int{dt[0]}, Limit: -1},
		"partition prune": {Columns: []int{0, dt[0]}, Limit: -1, Filters: []connectors.Filter{cmp("dt", connectors.OpEq, lit(sqltypes.TypeDate, day2))}},
	}
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			want := scanAll(t, local, req, mem)
			defer releaseAll(want)
			got := scanAll(t, remote, req, mem)
			defer releaseAll(got)
			if w, g := concat(t, want, mem), concat(t, got, mem); !array.RecordEqual(w, g) {
				t.Errorf("S3 rows differ from local rows:\nlocal  %v\nremote %v", w, g)
				w.Release()
				g.Release()
			} else {
				w.Release()
				g.Release()
			}
		})
	}
	// The partition filter prunes the first file: every row read is from
	// dt=2026-11-02, i.e. ids from splitRow on.
	req := reqs["partition prune"]
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	got := scanAll(t, remote, req, mem)
	if ids := ids(got); len(ids) != testRows-splitRow || ids[0] != splitRow {
		t.Errorf("dt = 2026-11-02 read %d rows starting at %d, want %d from %d", len(ids), ids[0], testRows-splitRow, splitRow)
	}
	releaseAll(got)
	lines := strings.Join(remote.ExplainScan(ctx, req), " ")
	if !strings.Contains(lines, "files=1/2 row_groups=4/10 (pruned 6 by statistics)") || !strings.Contains(lines, "fetch_bytes=") {
		t.Errorf("EXPLAIN lines %q: want files=1/2, 6 row groups pruned and fetch_bytes", lines)
	}
}

// TestS3RangedReads checks that a scan of one column fetches its column
// chunks, not whole files, and that EXPLAIN's fetch_bytes says how much.
func TestS3RangedReads(t *testing.T) {
	t.Setenv("MESHQL_TEST_S3_SECRET", "secret")
	dir := writeFixture(t)
	files := map[string]string{"f/part-0.parquet": filepath.Join(dir, "part-0.parquet"), "f/part-1.parquet": filepath.Join(dir, "part-1.parquet")}
	var total int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
	}
	srv := startS3(t, "lake", files)
	ctx := context.Background()
	tbl, err := New().OpenTable(ctx, s3Source(srv, "s3://lake/f/"))
	if err != nil {
		t.Fatal(err)
	}
	footers := srv.Served.Load()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	req := connectors.ScanRequest{Columns: []int{5}, Limit: -1} // flag: a few bytes per row group
	got := scanAll(t, tbl, req, mem)
	var rows int64
	for _, b := range got {
		rows += b.NumRows()
	}
	releaseAll(got)
	if rows != testRows {
		t.Fatalf("read %d rows, want %d", rows, testRows)
	}
	scanned := srv.Served.Load() - footers
	if footers+scanned >= total/2 {
		t.Errorf("fetched %d bytes (footers %d) of %d: want ranged reads of one column", footers+scanned, footers, total)
	}
	if scanned == 0 {
		t.Error("the scan fetched nothing")
	}
	line := tbl.ExplainScan(ctx, req)
	if len(line) != 4 || !strings.HasPrefix(line[3], "fetch_bytes=") || !strings.HasSuffix(line[3], "/"+strconv.FormatInt(total, 10)) {
		t.Errorf("EXPLAIN lines %q: want fetch_bytes=N/%d", line, total)
	}
}

// TestS3FooterCache checks that reopening unchanged objects fetches no
// footer again.
func TestS3FooterCache(t *testing.T) {
	t.Setenv("MESHQL_TEST_S3_SECRET", "secret")
	dir := writeFixture(t)
	srv := startS3(t, "lake", map[string]string{"f/part-0.parquet": filepath.Join(dir, "part-0.parquet")})
	c := New()
	ctx := context.Background()
	if _, err := c.OpenTable(ctx, s3Source(srv, "s3://lake/f/*.parquet")); err != nil {
		t.Fatal(err)
	}
	gets := srv.Gets.Load()
	if gets == 0 {
		t.Fatal("the first open fetched no footer")
	}
	if _, err := c.OpenTable(ctx, s3Source(srv, "s3://lake/f/*.parquet")); err != nil {
		t.Fatal(err)
	}
	if n := srv.Gets.Load() - gets; n != 0 {
		t.Errorf("reopening fetched %d objects again, want 0 (footer cache)", n)
	}
}

func TestS3Errors(t *testing.T) {
	dir := writeFixture(t)
	srv := startS3(t, "lake", map[string]string{"f/part-0.parquet": filepath.Join(dir, "part-0.parquet")})
	ctx := context.Background()
	// The secret's environment variable is not set.
	os.Unsetenv("MESHQL_TEST_S3_SECRET")
	_, err := New().OpenTable(ctx, s3Source(srv, "s3://lake/f/*.parquet"))
	if sqltypes.Code(err) != sqltypes.CodeFDWError || !strings.Contains(err.Error(), "MESHQL_TEST_S3_SECRET") {
		t.Errorf("unset secret variable: got %v (%s), want HV000 naming the variable", err, sqltypes.Code(err))
	}
	t.Setenv("MESHQL_TEST_S3_SECRET", "secret")
	for path, code := range map[string]string{
		"s3://lake/none/*.parquet":   sqltypes.CodeFDWTableNotFound,
		"s3://nobucket/f/*.parquet":  sqltypes.CodeFDWTableNotFound,
		"s3:///f/*.parquet":          sqltypes.CodeFDWError,
		"s3://lake/f/part-0.parquet": "",
	} {
		_, err := New().OpenTable(ctx, s3Source(srv, path))
		if sqltypes.Code(err) != code && !(code == "" && err == nil) {
			t.Errorf("%s: got %v (%s), want SQLSTATE %q", path, err, sqltypes.Code(err), code)
		}
	}
	// An unreachable endpoint.
	down := s3Source(srv, "s3://lake/f/*.parquet")
	down.Connection.Options["endpoint"] = "http://127.0.0.1:1"
	_, err = New().OpenTable(ctx, down)
	if sqltypes.Code(err) != sqltypes.CodeFDWUnableToConnect {
		t.Errorf("unreachable endpoint: got %v (%s), want HV00N", err, sqltypes.Code(err))
	}
}

// concat joins batches into one record (for comparing streams whose
// batch boundaries differ).
func concat(t testing.TB, bs []arrow.RecordBatch, mem memory.Allocator) arrow.RecordBatch {
	t.Helper()
	if len(bs) == 0 {
		t.Fatal("no batches")
	}
	tbl := array.NewTableFromRecords(bs[0].Schema(), bs)
	defer tbl.Release()
	cols := make([]arrow.Array, tbl.NumCols())
	for i := range cols {
		a, err := array.Concatenate(tbl.Column(i).Data().Chunks(), mem)
		if err != nil {
			t.Fatal(err)
		}
		cols[i] = a
		defer a.Release()
	}
	return array.NewRecordBatch(bs[0].Schema(), cols, tbl.NumRows())
}
