package postgres

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/internal/pgtest"
	"github.com/meshql/meshql/sqltypes"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// connect opens a connection to uri; the caller closes it.
func connect(t *testing.T, uri string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// exec runs statements on uri.
func exec(t *testing.T, uri string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	c := connect(t, uri)
	defer c.Close(ctx)
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// pgText returns PostgreSQL's own text of a query's rows in a session
// with ISO dates and UTC (what the connector's values print as), sorted,
// columns joined by "|" and NULL as "NULL": expectations taken from
// PostgreSQL rather than written by hand.
func pgText(t *testing.T, uri, query string) []string {
	t.Helper()
	ctx := context.Background()
	c := connect(t, uri)
	defer c.Close(ctx)
	for _, s := range []string{"SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, MDY'"} {
		if _, err := c.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// The simple protocol: every value in text.
	rows, err := c.Query(ctx, query, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var cells []string
		for _, v := range rows.RawValues() {
			if v == nil {
				cells = append(cells, "NULL")
			} else {
				cells = append(cells, string(v))
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// allTypes creates s.t with every supported type; every column but id is
// NULL in rows where id % 7 = 0.
const allTypes = `CREATE SCHEMA s;
CREATE TABLE s.t (id int8 PRIMARY KEY, i2 int2, i4 int4, f4 float4, f8 float8, n numeric(12,2), nu numeric,
  tx text, vc varchar(20), b bool, d date, ts timestamp, tz timestamptz, by bytea, u uuid, j json, jb jsonb,
  iv interval, arr int4[], o oid, tm time);
INSERT INTO s.t SELECT i,
  CASE WHEN i % 7 <> 0 THEN (i % 50 - 25)::int2 END,
  CASE WHEN i % 7 <> 0 THEN (i * 37 % 101 - 50) END,
  CASE WHEN i % 7 <> 0 THEN (i / 4.0)::float4 END,
  CASE WHEN i % 7 <> 0 THEN (i % 13 - 6) / 2.0 END,
  CASE WHEN i % 7 <> 0 THEN ((i * 7919 % 20000) - 10000) / 100.0 END,
  CASE WHEN i % 7 <> 0 THEN i / 3.0 END,
  CASE WHEN i % 7 <> 0 THEN (ARRAY['a_b','a%b','abc','Abc','b','ba','a','','x_y','a\b'])[i % 10 + 1] || (i % 3)::text END,
  CASE WHEN i % 7 <> 0 THEN 'v' || i END,
  CASE WHEN i % 7 <> 0 THEN i % 2 = 0 END,
  CASE WHEN i % 7 <> 0 THEN date '2024-01-01' + (i * 3 % 400 - 200) END,
  CASE WHEN i % 7 <> 0 THEN timestamp '2024-01-01 12:30:00.123456' + (i * 5 % 300 - 150) * interval '1 hour' END,
  CASE WHEN i % 7 <> 0 THEN timestamptz '2024-01-01 00:00:00+02' + i * interval '1 minute' END,
  CASE WHEN i % 7 <> 0 THEN decode(lpad(to_hex(i), 4, '0'), 'hex') END,
  CASE WHEN i % 7 <> 0 THEN ('00000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid END,
  CASE WHEN i % 7 <> 0 THEN json_build_object('i', i) END,
  CASE WHEN i % 7 <> 0 THEN jsonb_build_object('i', i) END,
  CASE WHEN i % 7 <> 0 THEN make_interval(months => i % 3, days => i % 5, secs => i / 8.0) END,
  CASE WHEN i % 7 <> 0 THEN ARRAY[i, i + 1] END,
  CASE WHEN i % 7 <> 0 THEN i::oid END,
  CASE WHEN i % 7 <> 0 THEN time '10:30:00.5' + i * interval '7 minutes' END
FROM generate_series(1, 200) i;
ANALYZE s.t;`

// open opens a source with the connector, closing both at cleanup.
func open(t *testing.T, src catalog.Source) *Table {
	t.Helper()
	c := New()
	t.Cleanup(c.Close)
	tbl, err := c.OpenTable(context.Background(), src)
	if err != nil {
		t.Fatalf("open: %v (%s)", err, sqltypes.Code(err))
	}
	return tbl
}

// scanAll reads every partition of req, concurrently, and returns the
// rows as strings (ValueStr per column).
func scanAll(t *testing.T, tbl connectors.Table, req connectors.ScanRequest, mem memory.Allocator) [][]string {
	t.Helper()
	parts, err := tbl.Partitions(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		rows [][]string
		err  error
	}
	ch := make(chan result, len(parts))
	for _, p := range parts {
		go func() {
			var res result
			rr, err := p.Open(context.Background(), mem)
			if err != nil {
				ch <- result{err: err}
				return
			}
			defer rr.Release()
			for rr.Next() {
				res.rows = append(res.rows, rowsOf(rr.RecordBatch())...)
			}
			res.err = rr.Err()
			ch <- res
		}()
	}
	var rows [][]string
	for range parts {
		r := <-ch
		if r.err != nil {
			t.Fatalf("scan: %v (%s)", r.err, sqltypes.Code(r.err))
		}
		rows = append(rows, r.rows...)
	}
	return rows
}

func rowsOf(b arrow.RecordBatch) [][]string {
	out := make([][]string, b.NumRows())
	for r := range out {
		out[r] = make([]string, b.NumCols())
		for c := range int(b.NumCols()) {
			if b.Column(c).IsNull(r) {
				out[r][c] = "NULL"
			} else {
				out[r][c] = b.Column(c).ValueStr(r)
			}
		}
	}
	return out
}

// datum returns row i of a as a sqltypes Datum (nil for NULL).
func datum(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int16:
		return x.Value(i)
	case *array.Int32:
		return x.Value(i)
	case *array.Int64:
		return x.Value(i)
	case *array.Float32:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.Decimal128:
		return x.Value(i)
	case *array.String:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Date32:
		return x.Value(i)
	case *array.Timestamp:
		return x.Value(i)
	case *array.Time64:
		return x.Value(i)
	}
	panic("datum: unsupported array " + a.DataType().String())
}

// like matches s against a LIKE pattern with escape `\`.
func like(s, p string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if like(s[i:], p[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && like(s[1:], p[1:])
	case '\\':
		if len(p) > 1 {
			p = p[1:]
		}
	}
	return s != "" && s[0] == p[0] && like(s[1:], p[1:])
}

// tri is a three-valued truth value.
type tri int8

const (
	fls tri = iota
	tru
	unk
)

// eval evaluates f over one row with SQL's three-valued logic: the
// reference that pushdown must agree with.
func eval(f connectors.Filter, row func(col string) (sqltypes.Type, any)) tri {
	switch x := f.(type) {
	case connectors.Compare:
		ct, v := row(x.Column)
		if v == nil {
			return unk
		}
		c, ok := connectors.CompareDatums(ct, v, x.Value.Type, x.Value.Value)
		if !ok {
			panic("incomparable " + x.String())
		}
		var r bool
		switch x.Op {
		case connectors.OpEq:
			r = c == 0
		case connectors.OpNe:
			r = c != 0
		case connectors.OpLt:
			r = c < 0
		case connectors.OpLe:
			r = c <= 0
		case connectors.OpGt:
			r = c > 0
		case connectors.OpGe:
			r = c >= 0
		}
		return boolTri(r)
	case connectors.InList:
		ct, v := row(x.Column)
		if v == nil {
			return unk
		}
		found := false
		for _, l := range x.Values {
			if c, _ := connectors.CompareDatums(ct, v, l.Type, l.Value); c == 0 {
				found = true
			}
		}
		return boolTri(found != x.Negated)
	case connectors.IsNull:
		_, v := row(x.Column)
		return boolTri((v == nil) != x.Negated)
	case connectors.Like:
		_, v := row(x.Column)
		if v == nil {
			return unk
		}
		return boolTri(like(v.(string), x.Pattern) != x.Negated)
	case connectors.Not:
		switch eval(x.Filter, row) {
		case tru:
			return fls
		case fls:
			return tru
		}
		return unk
	case connectors.And:
		out := tru
		for _, g := range x.Filters {
			switch eval(g, row) {
			case fls:
				return fls
			case unk:
				out = unk
			}
		}
		return out
	case connectors.Or:
		out := fls
		for _, g := range x.Filters {
			switch eval(g, row) {
			case tru:
				return tru
			case unk:
				out = unk
			}
		}
		return out
	}
	panic("eval: " + f.String())
}

func boolTri(b bool) tri {
	if b {
		return tru
	}
	return fls
}

func arrow_Date32(d int) arrow.Date32 { return arrow.Date32(d) }

func arrow_Timestamp(us int64) arrow.Timestamp { return arrow.Timestamp(us) }
