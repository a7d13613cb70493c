package flightsql

import (
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/testclock"
)

// TestStatementClock: an ad-hoc query is analyzed again where DoGet runs
// it, at the clock it runs at, so that it is one statement as in
// PostgreSQL: its 'now' literal is its now(), which is its
// statement_timestamp(); a later query reads a later clock. The engine's
// clock moves a second at every reading, so values that agree were read
// once.
func TestStatementClock(t *testing.T) {
	mesh, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() {
		drained(mem)
		mem.AssertSize(t, 0)
	})
	eng, err := engine.New(engine.Config{Mesh: mesh, Mem: mem, Workers: 2, Clock: testclock.Ticking(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), time.Second)})
	if err != nil {
		t.Fatal(err)
	}
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
