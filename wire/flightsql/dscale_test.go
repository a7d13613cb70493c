package flightsql

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/internal/pgtest"
)

// dscaleQueries produce numerics whose display scale PostgreSQL picks per
// value (quotients, averages) next to fixed-scale ones.
var dscaleQueries = []string{
	"SELECT x::numeric / y, x * 1.50 FROM (VALUES (1, 3), (10, 4), (NULL, 2), (100000, 7), (0, 5), (-7, 8000)) AS v(x, y) ORDER BY y",
	"SELECT g, avg(x), count(*) FROM (VALUES (1, 2147483647), (1, 2147483647), (2, 1), (2, 2), (3, NULL)) AS v(g, x) GROUP BY g ORDER BY g",
	"SELECT avg(x) FROM (VALUES (1.25), (2.5), (4.125)) AS v(x)",
	"SELECT q, q + 1, count(*) FROM (SELECT x::numeric / y AS q FROM (VALUES (1, 3), (2, 6), (10, 4)) AS v(x, y)) AS s GROUP BY q ORDER BY q",
	"SELECT 1.5 AS x UNION SELECT 2 ORDER BY x",
	"SELECT ARRAY[1.5, 2.25, 10]",
	"SELECT '{12.50,1.5}'::numeric[], string_to_array('1.5,2.25', ',')::numeric[], '{{1.5,2.25},{3,4.000}}'::numeric[]",
}

// TestNumericScalesMatchPostgres reads per-value numeric scales over the
// Postgres wire in text and binary (numeric_send's dscale) format and
// compares the bytes with real PostgreSQL's; over Flight SQL the same
// columns are decimal128 of one scale, the values rounded to it.
func TestNumericScalesMatchPostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	eng, mem := tpchEngine(t, tpchMesh)
	_, flightAddr := startServer(t, eng, mem)
	pgAddr := startPgwire(t, eng)
	pg, err := pgx.Connect(ctx, pgtest.NewDatabase(t, "dscale"))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	mq, err := pgx.Connect(ctx, "postgres://analyst:analyst@"+pgAddr+"/mesh?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer mq.Close(ctx)
	raw := func(conn *pgx.Conn, mode pgx.QueryExecMode, sql string) ([][][]byte, []int16) {
		rows, err := conn.Query(ctx, sql, mode)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		defer rows.Close()
		var out [][][]byte
		for rows.Next() {
			var r [][]byte
			for _, v := range rows.RawValues() {
				r = append(r, bytes.Clone(v))
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		var formats []int16
		for _, fd := range rows.FieldDescriptions() {
			formats = append(formats, fd.Format)
		}
		return out, formats
	}
	cl, fctx, err := dial(t, flightAddr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range dscaleQueries {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
			want, wf := raw(pg, mode, sql)
			got, gf := raw(mq, mode, sql)
			if len(got) != len(want) || len(gf) != len(wf) {
				t.Fatalf("%s (%s): %d rows, PostgreSQL %d", sql, mode, len(got), len(want))
			}
			if mode == pgx.QueryExecModeCacheStatement && gf[0] != 1 {
				t.Fatalf("%s: numeric column 0 came in format %d, want binary", sql, gf[0])
			}
			for i := range want {
				for j := range want[i] {
					if gf[j] != wf[j] || !bytes.Equal(got[i][j], want[i][j]) {
						t.Errorf("%s (%s) row %d col %d: format %d %x, PostgreSQL format %d %x", sql, mode, i, j, gf[j], got[i][j], wf[j], want[i][j])
					}
				}
			}
		}
		text, _ := raw(pg, pgx.QueryExecModeSimpleProtocol, sql)
		var want [][]string
		for _, r := range text {
			var row []string
			for _, v := range r {
				if v == nil {
					row = append(row, "NULL")
				} else {
					row = append(row, string(v))
				}
			}
			want = append(want, row)
		}
		info, err := cl.Execute(fctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		schema, got, err := fetch(fctx, cl, info)
		if err != nil {
			t.Fatal(err)
		}
		if !atFlightScales(got, want) {
			t.Errorf("%s over Flight SQL =\n%v\nPostgreSQL\n%v", sql, got, want)
		}
		for _, f := range schema.Fields() {
			if f.Type.ID() == arrow.STRUCT {
				t.Errorf("%s: Flight SQL column %s is %s", sql, f.Name, f.Type)
			}
		}
	}
}
