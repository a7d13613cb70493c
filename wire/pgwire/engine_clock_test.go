package pgwire

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
)

// TestNowParameterIsStatementStart binds 'now', 'today' and 'tomorrow'
// as text parameters through the real engine, whose clock moves a second
// at every reading: as in PostgreSQL they read the statement's start,
// the one now() and CURRENT_DATE read, also when a prepared statement
// runs again (at a later start, which its now() follows).
func TestNowParameterIsStatementStart(t *testing.T) {
	mesh, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC)
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	eng, err := engine.New(engine.Config{Mesh: mesh, Mem: mem, Workers: 2, Clock: tick})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	_, addr := serveBackend(t, EngineBackend[*engine.Session, *engine.Statement](eng), Config{})
	conn := connect(t, addr, "analyst", "analyst")
	ctx := context.Background()
	const q = "SELECT now() = $1::timestamptz, current_date = $2::date, current_date + 1 = $3::date, now()::text"
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe, pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec} {
		var prev string
		for run := range 3 {
			var nowEq, todayEq, tomorrowEq bool
			var now string
			if err := conn.QueryRow(ctx, q, mode, "now", "today", "tomorrow").Scan(&nowEq, &todayEq, &tomorrowEq, &now); err != nil {
				t.Fatalf("%s run %d: %v", mode, run, err)
			}
			if !nowEq || !todayEq || !tomorrowEq {
				t.Errorf("%s run %d: now() = 'now' %v, current_date = 'today' %v, current_date + 1 = 'tomorrow' %v; want all true", mode, run, nowEq, todayEq, tomorrowEq)
			}
			if now == prev {
				t.Errorf("%s run %d: now() is %s again; each execution starts anew", mode, run, now)
			}
			prev = now
		}
	}
}
