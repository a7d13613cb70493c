package flightsql

import (
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestStatementClock: an ad-hoc query is analyzed again where DoGet runs
// it, at the clock it runs at, so that it is one statement as in
// PostgreSQL: its 'now' literal is its now(), which is its
// statement_timestamp(); a later query reads a later clock. The engine's
// clock moves a second at every reading, so values that agree were read
// once.
func TestStatementClock(t *testing.T) {
	eng, mem := tpchEngine(t, tpchMesh, ticking(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
	_, addr := startServer(t, eng, mem)
	cl, ctx, err := dial(t, addr, "analyst", "analyst")
	if err != nil {
		t.Fatal(err)
	}
	var prev string
	for run := range 2 {
		info, err := cl.Execute(ctx, "SELECT 'now'::timestamptz = now(), now() = statement_timestamp(), ('n'||'ow')::timestamptz = now(), now()::text")
		if err != nil {
			t.Fatal(err)
		}
		_, rows, err := fetch(ctx, cl, info)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || !reflect.DeepEqual(rows[0][:3], []string{"t", "t", "t"}) || rows[0][3] == prev {
			t.Errorf("run %d: %v; want t, t, t and a now() after %q", run, rows, prev)
		}
		if len(rows) == 1 {
			prev = rows[0][3]
		}
	}
}

// TestBoundNowClock: a 'now' bound to a prepared statement (DoPut) is
// read in the transaction of each execution, as PostgreSQL reads a Bind's
// values in the transaction that executes them: it is the query's now(),
// in a result of one endpoint and in every share of a split one, and a
// later execution reads a later instant. The engine's clock moves a
// second at every reading.
func TestBoundNowClock(t *testing.T) {
	eng, mem := splitTPCHEngine(t, splitCopies, "tpch.orders_v1", ticking(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
	_, cl, ctx := serveSplit(t, eng, mem)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "p", Type: arrow.BinaryTypes.String}}, nil))
	bld.Field(0).(*array.StringBuilder).Append("now")
	params := bld.NewRecordBatch()
	bld.Release()
	defer params.Release()
	for _, c := range []struct {
		sql       string
		endpoints int
	}{
		{"SELECT $1::timestamptz = now(), $1::timestamptz::text", 1},
		{"SELECT $1::timestamptz = now(), $1::timestamptz::text FROM tpch.orders_v1", splitCopies},
	} {
		prep, err := cl.Prepare(ctx, c.sql)
		if err != nil {
			t.Fatal(err)
		}
		defer prep.Close(ctx)
		prep.SetParameters(params)
		var prev string
		for run := range 2 {
			info, err := prep.Execute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(info.Endpoint) != c.endpoints {
				t.Fatalf("%s: %d endpoints, want %d", c.sql, len(info.Endpoint), c.endpoints)
			}
			_, rows, err := fetch(ctx, cl, info)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, r := range rows {
				seen[r[0]+" "+r[1]]++
			}
			if len(seen) != 1 || rows[0][0] != "t" || rows[0][1] == prev {
				t.Errorf("%s, run %d: $1 = now(), $1 over the rows: %v; want t and one instant after %q", c.sql, run, seen, prev)
			}
			prev = rows[0][1]
		}
	}
}
