package pgwire

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/internal/testclock"
)

// tickingServer serves the real engine on a clock that moves a second at
// every reading, so that two readings never agree: values that agree were
// read once.
func tickingServer(t *testing.T) *pgx.Conn {
	t.Helper()
	return connect(t, tickingServerAddr(t), "analyst", "analyst")
}

// tickingServerAddr starts the server of tickingServer and returns its
// address.
func tickingServerAddr(t *testing.T) string {
	t.Helper()
	mesh, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	tick := testclock.Ticking(time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC), time.Second)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	eng, err := engine.New(engine.Config{Mesh: mesh, Mem: mem, Workers: 2, Clock: tick})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	_, addr := serveBackend(t, EngineBackend[*engine.Session, *engine.Statement](eng), Config{})
	return addr
}

// TestNowParameterIsStatementStart binds 'now', 'today' and 'tomorrow'
// as text parameters through the real engine: as in PostgreSQL they read
// the statement's transaction start, the one now() and CURRENT_DATE read,
// also when a prepared statement runs again (at a later start, which its
// now() follows).
func TestNowParameterIsStatementStart(t *testing.T) {
	conn := tickingServer(t)
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

// TestWireTransactionClock: PostgreSQL's implicit transaction spans one
// simple Query message (its statements share now() and
// statement_timestamp()) or the extended messages up to a Sync (a 'now'
// literal analyzed at Parse equals now() when Bind and Execute follow
// before the Sync, pgx's exec mode, and keeps the Parse's instant in a
// statement prepared before: the cached modes); a BEGIN … COMMIT block
// spans round trips.
func TestWireTransactionClock(t *testing.T) {
	conn := tickingServer(t)
	ctx := context.Background()
	results, err := conn.PgConn().Exec(ctx, "SELECT now()::text, statement_timestamp()::text; SELECT now()::text, statement_timestamp()::text").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, r := range results {
		for _, v := range r.Rows[0] {
			vals = append(vals, string(v))
		}
	}
	if len(vals) != 4 || vals[1] != vals[0] || vals[2] != vals[0] || vals[3] != vals[0] {
		t.Errorf("one Query message: now(), statement_timestamp() of both statements = %v; want one instant", vals)
	}

	const lit = "SELECT 'now'::timestamptz = now()"
	for _, c := range []struct {
		mode pgx.QueryExecMode
		want bool
	}{{pgx.QueryExecModeExec, true}, {pgx.QueryExecModeSimpleProtocol, true}, {pgx.QueryExecModeCacheStatement, false}} {
		for run := range 2 {
			var eq bool
			if err := conn.QueryRow(ctx, lit, c.mode).Scan(&eq); err != nil {
				t.Fatal(err)
			}
			if eq != c.want {
				t.Errorf("%s run %d: 'now'::timestamptz = now() is %v; want %v", c.mode, run, eq, c.want)
			}
		}
	}

	const q = "SELECT now()::text, statement_timestamp()::text"
	var began string
	for i, sql := range []string{"BEGIN", q, q, "COMMIT", q} {
		if sql != q {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var now, stmt string
		if err := conn.QueryRow(ctx, sql, pgx.QueryExecModeCacheStatement).Scan(&now, &stmt); err != nil {
			t.Fatal(err)
		}
		switch {
		case i == 1:
			began = now
		case i == 2 && now != began:
			t.Errorf("second statement of the block: now() %s; want the block's %s", now, began)
		case i == 4 && now == began:
			t.Errorf("after COMMIT: now() is still the block's %s", now)
		}
		if i < 3 && stmt <= now {
			t.Errorf("statement %d of the block: statement_timestamp() %s; want after the block's start %s", i, stmt, now)
		}
	}
}

// TestQueryMessageClockAfterCommit: a COMMIT inside a simple Query
// message ends the block, and the statements after it run in an implicit
// transaction that, as in PostgreSQL, starts at the message's receipt:
// their now() and 'now' equal their statement_timestamp(), the first
// statement's.
func TestQueryMessageClockAfterCommit(t *testing.T) {
	conn := tickingServer(t)
	results, err := conn.PgConn().Exec(context.Background(), "SELECT now()::text, statement_timestamp()::text; BEGIN; SELECT now()::text; COMMIT; "+
		"SELECT now()::text, statement_timestamp()::text, now() = statement_timestamp(), 'now'::timestamptz = statement_timestamp()").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 5 {
		t.Fatalf("%d results; want 5", len(results))
	}
	first, last := results[0].Rows[0], results[4].Rows[0]
	if string(first[0]) != string(first[1]) {
		t.Errorf("first statement: now() %s, statement_timestamp() %s; want the message's receipt", first[0], first[1])
	}
	if string(last[0]) != string(first[0]) || string(last[1]) != string(first[0]) || string(last[2]) != "t" || string(last[3]) != "t" {
		t.Errorf("after COMMIT: now() %s, statement_timestamp() %s, now() = statement_timestamp() %s, 'now' = statement_timestamp() %s; want %s, %s, t, t",
			last[0], last[1], last[2], last[3], first[0], first[0])
	}
}
