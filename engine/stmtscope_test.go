package engine

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// onPlanned installs a Planned hook that runs gap for the statement sql
// only (the hook also sees the statements gap itself runs).
func onPlanned(e *Engine, sql string, gap func(ctx context.Context)) {
	e.SetHooks(Hooks{Planned: func(ctx context.Context, text string) {
		if text == sql {
			gap(ctx)
		}
	}})
}

// A signal landing in the instant between a statement's planning and its
// execution (the Planned hook holds the statement there) finds the
// statement registered, shown active, and cancels it: pg_cancel_backend
// and meshql_cancel with 57014, pg_terminate_backend with FATAL 57P01 and
// the session's end. A statement that registers no query (SET) is
// canceled as well, and does not take effect.
func TestSignalBetweenPlanningAndExecution(t *testing.T) {
	for _, tc := range []struct {
		name, sql, signal, code, msg string
		terminate                    bool
	}{
		{name: "pg_cancel_backend", sql: "SELECT 1", signal: "SELECT pg_cancel_backend(%pid)",
			code: sqltypes.CodeQueryCanceled, msg: "canceling statement due to user request"},
		{name: "meshql_cancel", sql: "SELECT 2", signal: "SELECT meshql_cancel(query_id) FROM mesh.running_queries WHERE user_name = 'analyst'",
			code: sqltypes.CodeQueryCanceled, msg: "canceling statement due to administrator request"},
		{name: "pg_terminate_backend", sql: "SELECT 3", signal: "SELECT pg_terminate_backend(%pid)",
			code: sqltypes.CodeAdminShutdown, msg: "terminating connection due to administrator command", terminate: true},
		{name: "SET", sql: "SET statement_timeout = '7s'", signal: "SELECT pg_cancel_backend(%pid)",
			code: sqltypes.CodeQueryCanceled, msg: "canceling statement due to user request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, mem, _ := opsEngine(t, Config{}, nil)
			defer mem.AssertSize(t, 0)
			victim := session(t, e, "analyst")
			pid := itoa(victim.ProcessID())
			var ended atomic.Int32
			victim.SetTerminate(func() { ended.Add(1) })
			onPlanned(e, tc.sql, func(context.Context) {
				if got := rows(t, e, "admin", "SELECT state, query FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "active|"+tc.sql {
					t.Errorf("between planning and execution the session is %v", got)
				}
				if got := rows(t, e, "admin", strings.ReplaceAll(tc.signal, "%pid", pid)); strings.Join(got, ",") != "t" {
					t.Errorf("%s = %v", tc.signal, got)
				}
			})
			res, err := victim.Query(t.Context(), tc.sql)
			if err == nil {
				_, err = drainRows(t, res)
			}
			se := wantCode(t, err, tc.code)
			if se.Msg != tc.msg {
				t.Errorf("failed with %q, want %q", se.Msg, tc.msg)
			}
			if tc.terminate && (se.Severity != "FATAL" || ended.Load() != 1) {
				t.Errorf("terminated with severity %q, session ended %d times", se.Severity, ended.Load())
			}
			e.SetHooks(Hooks{})
			if strings.HasPrefix(tc.sql, "SELECT") {
				if got := rows(t, e, "admin", "SELECT status FROM mesh.query_log WHERE query = '"+tc.sql+"'"); strings.Join(got, ",") != tc.code {
					t.Errorf("the query log records %v", got)
				}
			}
			if v, _ := victim.Setting("statement_timeout"); v != "0" {
				t.Errorf("a SET canceled before it ran took effect: statement_timeout = %q", v)
			}
			// The signal ended with the statement: the next one runs.
			if got, err := sessionRows(t, victim, "SELECT 4"); err != nil || strings.Join(got, ",") != "4" {
				t.Errorf("the next statement: %v, %v", got, err)
			}
		})
	}
}

// The front's form of a statement (Prepare at a Parse or Query message,
// ExecuteAt when the statement runs, under one StatementScope): a cancel
// between the two calls cancels the execution, and both are one query.
func TestScopeSpansPrepareAndExecute(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	victim := session(t, e, "analyst")
	pid := itoa(victim.ProcessID())
	sc := victim.BeginStatement()
	defer sc.End()
	stmts, err := victim.Prepare(sc.Context(t.Context()), "SELECT 5")
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, e, "admin", "SELECT state, query FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "active|SELECT 5" {
		t.Errorf("between Prepare and ExecuteAt the session is %v", got)
	}
	victim.Cancel(nil) // a protocol cancel request
	_, err = stmts[0].ExecuteAt(sc.Context(t.Context()), nil, stmts[0].Clock())
	wantCode(t, err, sqltypes.CodeQueryCanceled)
	sc.End()
	if got := rows(t, e, "admin", "SELECT state FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "idle" {
		t.Errorf("after End the session is %v", got)
	}
}

// statement_timeout counts from the statement's start, planning
// included, as PostgreSQL's: a statement held between its planning and
// its execution until its deadline passed is canceled when it executes,
// and its execution runs to the deadline its planning saw (not a new one).
func TestStatementTimeoutCoversPlanningAndExecution(t *testing.T) {
	var execDeadline atomic.Pointer[time.Time]
	e, mem, _ := opsEngine(t, Config{}, map[string]*hookTable{"t": {partitions: func(ctx context.Context) error {
		if d, ok := ctx.Deadline(); ok {
			execDeadline.Store(&d)
		}
		return nil
	}}})
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	if _, err := sessionRows(t, s, "SET statement_timeout = '1h'"); err != nil {
		t.Fatal(err)
	}
	var planDeadline time.Time
	onPlanned(e, "SELECT x FROM ops.t_v1", func(ctx context.Context) {
		planDeadline, _ = ctx.Deadline()
	})
	if _, err := sessionRows(t, s, "SELECT x FROM ops.t_v1"); err != nil {
		t.Fatal(err)
	}
	if d := execDeadline.Load(); planDeadline.IsZero() || d == nil || !d.Equal(planDeadline) {
		t.Errorf("the execution's deadline %v is not the planning's %v", d, planDeadline)
	}

	if _, err := sessionRows(t, s, "SET statement_timeout = '20ms'"); err != nil {
		t.Fatal(err)
	}
	onPlanned(e, "SELECT 6", func(ctx context.Context) {
		<-ctx.Done() // the planning took the whole timeout
	})
	_, err := sessionRows(t, s, "SELECT 6")
	if se := wantCode(t, err, sqltypes.CodeQueryCanceled); se.Msg != "canceling statement due to statement timeout" {
		t.Errorf("failed with %q", se.Msg)
	}
}

// One query id per statement: consecutive statements of a session get
// consecutive ids in the query log (one refused at its analysis too), and
// the id a statement shows while planned (mesh.running_queries) is the
// one its execution logs.
func TestOneQueryIDPerStatement(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	for _, sql := range []string{"SELECT 1", "SELECT x FROM ops.nosuch_v1", "SELECT 2", "EXPLAIN SELECT 3", "SELECT 4"} {
		if _, err := sessionRows(t, s, sql); err != nil && !strings.Contains(sql, "nosuch") {
			t.Fatal(err)
		}
	}
	got := rows(t, e, "admin", "SELECT query_id - min(query_id) OVER (), status FROM mesh.query_log WHERE user_name = 'analyst' ORDER BY query_id")
	if strings.Join(got, ",") != "0|00000,1|42P01,2|00000,3|00000,4|00000" {
		t.Errorf("ids of five statements, from the first, and their status: %v", got)
	}

	var planned string
	onPlanned(e, "SELECT 7", func(context.Context) {
		planned = strings.Join(rows(t, e, "admin", "SELECT query_id FROM mesh.running_queries WHERE user_name = 'analyst'"), ",")
	})
	if _, err := sessionRows(t, s, "SELECT 7"); err != nil {
		t.Fatal(err)
	}
	e.SetHooks(Hooks{})
	if logged := rows(t, e, "admin", "SELECT query_id FROM mesh.query_log WHERE query = 'SELECT 7'"); planned == "" || strings.Join(logged, ",") != planned {
		t.Errorf("planned as query %s, logged as %v", planned, logged)
	}
}

// A statement planned while a portal is suspended (its Result open in a
// scope not ended, as pgwire holds it between two Executes) is registered
// from its planning as any other: pg_stat_activity shows it, and a cancel
// during its planning cancels it, not the portal, which then reads on.
func TestStatementDuringSuspendedPortal(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	victim := session(t, e, "analyst")
	pid := itoa(victim.ProcessID())
	portal := victim.BeginStatement()
	defer portal.End()
	stmts, err := victim.Prepare(portal.Context(t.Context()), "SELECT g FROM generate_series(1, 20000) AS s(g)")
	if err != nil {
		t.Fatal(err)
	}
	res, err := stmts[0].ExecuteAt(portal.Context(t.Context()), nil, stmts[0].Clock())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	b, err := res.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	read := b.NumRows()
	b.Release()

	onPlanned(e, "SELECT 7", func(context.Context) {
		if got := rows(t, e, "admin", "SELECT state, query FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "active|SELECT 7" {
			t.Errorf("while SELECT 7 is planned the session is %v", got)
		}
		if got := rows(t, e, "admin", "SELECT pg_cancel_backend("+pid+")"); strings.Join(got, ",") != "t" {
			t.Errorf("pg_cancel_backend = %v", got)
		}
	})
	_, err = sessionRows(t, victim, "SELECT 7")
	wantCode(t, err, sqltypes.CodeQueryCanceled)
	e.SetHooks(Hooks{})

	for {
		b, err := res.Next(t.Context())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("the portal after the other statement's cancel: %v", err)
			}
			break
		}
		read += b.NumRows()
		b.Release()
	}
	if read != 20000 {
		t.Errorf("the portal read %d rows, want 20000", read)
	}
}
