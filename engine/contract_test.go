package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// rewriteParquet rewrites every Parquet file of dir with column col cast
// to type to, as a producer that changed its schema would.
func rewriteParquet(t *testing.T, dir, col string, to arrow.DataType) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no parquet files in %s: %v", dir, err)
	}
	mem := memory.NewGoAllocator()
	for _, path := range files {
		rd, err := file.OpenParquetFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		fr, err := pqarrow.NewFileReader(rd, pqarrow.ArrowReadProperties{}, mem)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := fr.ReadTable(context.Background())
		rd.Close()
		if err != nil {
			t.Fatal(err)
		}
		idx := tbl.Schema().FieldIndices(col)
		if len(idx) != 1 {
			t.Fatalf("%s has no column %s", path, col)
		}
		fields := tbl.Schema().Fields()
		cols := make([]arrow.Column, tbl.NumCols())
		for i := range cols {
			c := tbl.Column(i)
			if i != idx[0] {
				cols[i] = *c
				c.Retain()
				continue
			}
			var chunks []arrow.Array
			for _, ch := range c.Data().Chunks() {
				out, err := compute.CastArray(context.Background(), ch, compute.UnsafeCastOptions(to))
				if err != nil {
					t.Fatal(err)
				}
				chunks = append(chunks, out)
			}
			fields[i].Type = to
			chunked := arrow.NewChunked(to, chunks)
			cols[i] = *arrow.NewColumn(fields[i], chunked)
			chunked.Release()
			for _, ch := range chunks {
				ch.Release()
			}
		}
		out := array.NewTable(arrow.NewSchema(fields, nil), cols, tbl.NumRows())
		tbl.Release()
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pqarrow.WriteTable(out, f, 1<<20, nil, pqarrow.DefaultWriterProps()); err != nil {
			t.Fatal(err)
		}
		out.Release()
		f.Close()
	}
}

// TestContractDriftRefusesQuery rewrites a product's files with a retyped
// column: the next query, and a statement prepared before the rewrite,
// fail naming the product, the column and both types instead of reading
// the new values; restoring the declared type makes the product readable
// again.
func TestContractDriftRefusesQuery(t *testing.T) {
	e, meshDir, _, mem := reloadableEngine(t)
	defer mem.AssertSize(t, 0)
	files := filepath.Join(filepath.Dir(meshDir), "data", "catalog", "products_v2")
	s := session(t, e, "analyst")
	const q = "SELECT count(*), sum(price) > 0 FROM catalog.products_v2"
	if got, err := sessionRows(t, s, q); err != nil || len(got) != 1 {
		t.Fatalf("before the rewrite: %v, %v", got, err)
	}
	prepared, err := s.Prepare(context.Background(), "SELECT max(price) FROM catalog.products_v2")
	if err != nil {
		t.Fatal(err)
	}

	originals := map[string][]byte{}
	paths, _ := filepath.Glob(filepath.Join(files, "*.parquet"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		originals[p] = data
	}
	rewriteParquet(t, files, "price", arrow.PrimitiveTypes.Float64)
	_, err = sessionRows(t, s, q)
	want := "data product catalog.products_v2 breaks its contract: column price is declared numeric(10,2), but the source has double precision"
	if e := wantCode(t, err, sqltypes.CodeFDWError); e.Msg != want {
		t.Errorf("after the rewrite: %q\nwant %q", e.Msg, want)
	}
	if _, err := prepared[0].Execute(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "column price is declared numeric(10,2)") {
		t.Errorf("statement prepared before the rewrite: %v, want the drift error", err)
	}
	// Another product of the same query is not to blame.
	if _, err := sessionRows(t, s, "SELECT count(*) FROM sales.orders_v1"); err != nil {
		t.Errorf("an unchanged product: %v", err)
	}

	rewriteParquet(t, files, "price", arrow.BinaryTypes.String) // still wrong, differently
	_, err = sessionRows(t, s, q)
	if e := wantCode(t, err, sqltypes.CodeFDWError); !strings.Contains(e.Msg, "but the source has text") {
		t.Errorf("second rewrite: %q", e.Msg)
	}
	for p, data := range originals {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := sessionRows(t, s, q); err != nil || len(got) != 1 {
		t.Errorf("after the fix: %v, %v", got, err)
	}
	if got := executeRows(t, prepared[0]); len(got) != 1 {
		t.Errorf("the prepared statement after the fix: %v", got)
	}
}

// lifecycleNotices returns the messages of the deprecation notices among ns.
func lifecycleNotices(ns []*Notice) []string {
	var out []string
	for _, n := range ns {
		if n.Code == "01P01" {
			out = append(out, n.Severity+" "+n.Msg)
		}
	}
	return out
}

// snapshotConnector opens a one-column table whose column x has the type
// typ has at the time of the open, as a remote source's schema is read
// when the table is opened.
type snapshotConnector struct{ typ arrow.DataType }

func (c *snapshotConnector) Kind() string { return "memory" }
func (c *snapshotConnector) Open(context.Context, catalog.Source) (connectors.Table, error) {
	return &hookTable{typ: c.typ, partitions: func(context.Context) error { return nil }}, nil
}

// TestSourceWithoutFilesRechecked: a source meshql cannot stat (here an
// in-memory one standing for a PostgreSQL table) is opened and checked
// again once Config.SourceRecheck has passed, so a column retyped
// remotely is refused too; with rechecks off, the table opened first
// keeps serving.
func TestSourceWithoutFilesRechecked(t *testing.T) {
	for _, recheck := range []time.Duration{time.Nanosecond, -1} {
		conn := &snapshotConnector{typ: arrow.PrimitiveTypes.Int64}
		e, mem, _ := opsEngine(t, Config{SourceRecheck: recheck, Connectors: []connectors.Connector{conn}}, map[string]*hookTable{"remote": {}})
		s := session(t, e, "analyst")
		if _, err := sessionRows(t, s, "SELECT x FROM ops.remote_v1"); err != nil {
			t.Fatal(err)
		}
		conn.typ = arrow.BinaryTypes.String
		_, err := sessionRows(t, s, "SELECT x FROM ops.remote_v1")
		if recheck < 0 {
			if err != nil {
				t.Errorf("rechecks off: %v", err)
			}
		} else if e := wantCode(t, err, sqltypes.CodeFDWError); !strings.Contains(e.Msg, "column x is declared bigint, but the source has text") {
			t.Errorf("after the remote change: %q", e.Msg)
		}
		mem.AssertSize(t, 0)
	}
}

// TestDeprecatedVersionNoticeAndSunset reads the demo's deprecated
// catalog.products_v1 late on its sunset day and early the day after,
// with the engine's clock pinned relative to the sunset its descriptor
// declares, so that neither today's date nor the demo's choice of date
// matters.
func TestDeprecatedVersionNoticeAndSunset(t *testing.T) {
	var now time.Time
	e, _, _, mem := reloadableEngineAt(t, func() time.Time { return now })
	defer mem.AssertSize(t, 0)
	v1, ok := e.Mesh().Lookup("catalog", "products_v1")
	if !ok || v1.Sunset.IsZero() {
		t.Fatal("the demo's catalog.products_v1 is no longer deprecated with a sunset")
	}
	sunset := v1.Sunset.Format(catalog.SunsetLayout)
	now = v1.Sunset.Add(23 * time.Hour)
	s := session(t, e, "analyst")
	res, err := s.Query(context.Background(), "SELECT count(*) FROM catalog.products_v1")
	if err != nil {
		t.Fatal(err)
	}
	notices := lifecycleNotices(res.Notices)
	if _, err := drainRows(t, res); err != nil {
		t.Fatal(err)
	}
	want := "NOTICE data product catalog.products_v1 is deprecated and will be retired on " + sunset + "; use catalog.products_v2 instead"
	if len(notices) != 1 || notices[0] != want {
		t.Errorf("on its sunset day: notices %q, want %q", notices, want)
	}
	// The bare name resolves to the newest active version: no notice.
	res, err = s.Query(context.Background(), "SELECT count(brand) >= 0 FROM catalog.products")
	if err != nil {
		t.Fatal(err)
	}
	if n := lifecycleNotices(res.Notices); len(n) != 0 {
		t.Errorf("catalog.products: notices %q", n)
	}
	drainRows(t, res)

	now = now.Add(2 * time.Hour) // 01:00 the day after
	_, err = sessionRows(t, s, "SELECT count(*) FROM catalog.products_v1")
	if e := wantCode(t, err, sqltypes.CodeUndefinedTable); e.Msg != "data product catalog.products_v1 was retired on "+sunset+"; use catalog.products_v2 instead" {
		t.Errorf("after its sunset: %q", e.Msg)
	}
	if _, err := sessionRows(t, s, "SELECT count(*) FROM catalog.products_v2"); err != nil {
		t.Errorf("the successor after the sunset: %v", err)
	}
}

// TestStalenessNoticeAndLimit ages catalog.products_v2's files (its SLA
// promises 24h, measured on them) and checks the NOTICE, then
// mesh.max_staleness turning it into an error.
func TestStalenessNoticeAndLimit(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	e, meshDir, _, mem := reloadableEngineAt(t, func() time.Time { return now })
	defer mem.AssertSize(t, 0)
	files, err := filepath.Glob(filepath.Join(filepath.Dir(meshDir), "data", "catalog", "products_v2", "*"))
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	updated := now.Add(-30 * time.Hour)
	for _, f := range files {
		if err := os.Chtimes(f, updated, updated); err != nil {
			t.Fatal(err)
		}
	}
	s := session(t, e, "analyst")
	const q = "SELECT count(*) FROM catalog.products_v2"
	res, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	drainRows(t, res)
	if len(res.Notices) != 1 || res.Notices[0].Msg != "data product catalog.products_v2 is 30h old, outside its freshness SLA of 24h" {
		t.Errorf("notices %+v", res.Notices)
	}
	for _, v := range []string{"15m", "15min"} {
		if _, err := sessionRows(t, s, "SET mesh.max_staleness = '"+v+"'"); err != nil {
			t.Fatal(err)
		}
		_, err = sessionRows(t, s, q)
		if e := wantCode(t, err, sqltypes.CodeObjectNotInState); e.Msg != "data product catalog.products_v2 is 30h old, older than mesh.max_staleness = 15m" {
			t.Errorf("max_staleness %s: %q", v, e.Msg)
		}
	}
	// A limit the data is within: the SLA's notice only.
	if _, err := sessionRows(t, s, "SET mesh.max_staleness = '2d'"); err != nil {
		t.Fatal(err)
	}
	if _, err := sessionRows(t, s, q); err != nil {
		t.Errorf("max_staleness 2d: %v", err)
	}
	if _, err := sessionRows(t, s, "SET mesh.max_staleness = 'soon'"); sqltypes.Code(err) != sqltypes.CodeInvalidParameterValue {
		t.Errorf("a bad value: %v", err)
	}
}

// TestContractArrayDimensions: int[] and int[][] are one type name, so a
// source whose arrays have other dimensions than declared says which.
func TestContractArrayDimensions(t *testing.T) {
	p := &catalog.Product{Domain: "ml", Name: "features", Version: 1, Owner: catalog.Owner{Contact: "ml@example.com"}}
	one, two := sqltypes.ListOf(sqltypes.TypeInt4), sqltypes.ArrayOf(sqltypes.TypeInt4, 2)
	if err := contractColumn(p, &catalog.Column{Name: "m", Type: two}, two); err != nil {
		t.Errorf("integer[][] from a 2-D source: %v", err)
	}
	err := contractColumn(p, &catalog.Column{Name: "m", Type: one}, two)
	want := "data product ml.features_v1 breaks its contract: column m is declared a 1-dimensional integer[], but the source has 2 dimensions"
	if e := wantCode(t, err, sqltypes.CodeFDWError); e.Msg != want {
		t.Errorf("got %q\nwant %q", e.Msg, want)
	}
}
