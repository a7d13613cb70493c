package flightsql

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/engine"
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
	params := textParam(t, "now")
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

// scriptedClock is an engine clock that reads next's instants one by one,
// then rest.
type scriptedClock struct {
	mu   sync.Mutex
	next []time.Time
	rest time.Time
}

func (c *scriptedClock) set(rest time.Time, next ...time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next, c.rest = next, rest
}

func (c *scriptedClock) read() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.next) > 0 {
		t := c.next[0]
		c.next = c.next[1:]
		return t
	}
	return c.rest
}

// TestBoundTodaySplitClock: GetFlightInfo of a prepared statement reads
// the clock once, for the bound values, the split and every share: a
// bound 'today' that the split planned with is the one the shares run
// with. The clock's reading in GetFlightInfo is in 1999 (every
// order is older) and every later one in 1990 (none is): all rows, in
// every endpoint, come only from reading 1999 everywhere.
func TestBoundTodaySplitClock(t *testing.T) {
	clock := &scriptedClock{rest: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	eng, mem := splitTPCHEngine(t, splitCopies, "tpch.orders_v1", func(c *engine.Config) { c.Clock = clock.read })
	_, cl, ctx := serveSplit(t, eng, mem)
	params := textParam(t, "today")
	prep, err := cl.Prepare(ctx, "SELECT o_orderkey, $1::date FROM tpch.orders_v1 WHERE o_orderdate < $1::date")
	if err != nil {
		t.Fatal(err)
	}
	defer prep.Close(ctx)
	prep.SetParameters(params)
	// Execute binds (DoPut, which reads the clock once to check the
	// values), then calls GetFlightInfo.
	clock.set(time.Date(1990, 1, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), time.Date(1999, 1, 1, 12, 0, 0, 0, time.UTC))
	info, err := prep.Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock.set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if len(info.Endpoint) != splitCopies {
		t.Fatalf("%d endpoints, want %d", len(info.Endpoint), splitCopies)
	}
	rows, err := fetchParallel(ctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range rows {
		seen[r[1]]++
	}
	if want := splitCopies * 15000; len(rows) != want || len(seen) != 1 || seen["1999-01-01"] != want {
		t.Errorf("%d rows, $1 = %v; want %d rows of 1999-01-01", len(rows), seen, want)
	}
}

// textParam is a batch binding one text value to $1, released when t
// ends.
func textParam(t *testing.T, v string) arrow.RecordBatch {
	bld := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{{Name: "p", Type: arrow.BinaryTypes.String}}, nil))
	defer bld.Release()
	bld.Field(0).(*array.StringBuilder).Append(v)
	b := bld.NewRecordBatch()
	t.Cleanup(b.Release)
	return b
}
