package flightsql

import (
	"reflect"
	"testing"
	"time"
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
