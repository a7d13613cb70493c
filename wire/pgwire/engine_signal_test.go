package pgwire

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// TestSignalBetweenPlanningAndExecution lands each signal exactly between
// a statement's planning (parse: Prepare) and its execution (the
// statement's function psql-wire calls), held there by the engine's
// Planned hook, through each protocol path: a simple Query message of one
// statement, the second statement of a multi-statement message (planned
// and run by itself), and an extended-protocol Parse/Bind/Execute/Sync.
// A protocol cancel request and pg_cancel_backend fail the statement with
// 57014 and the session goes on; pg_terminate_backend fails it with FATAL
// 57P01 and ends the session.
func TestSignalBetweenPlanningAndExecution(t *testing.T) {
	eng, addr := serveEngine(t)
	admin := connect(t, addr, "admin", "admin")

	type signal func(ctx context.Context, victim *pgx.Conn) error
	sqlSignal := func(sql string) signal {
		return func(ctx context.Context, victim *pgx.Conn) error {
			var ok bool
			if err := admin.QueryRow(ctx, sql, int32(victim.PgConn().PID())).Scan(&ok); err != nil || !ok {
				return errors.Join(err, errors.New(sql+" found no session"))
			}
			return nil
		}
	}
	signals := []struct {
		name      string
		send      signal
		code      string
		terminate bool
	}{
		{"cancel request", func(ctx context.Context, victim *pgx.Conn) error { return victim.PgConn().CancelRequest(ctx) }, sqltypes.CodeQueryCanceled, false},
		{"pg_cancel_backend", sqlSignal("SELECT pg_cancel_backend($1)"), sqltypes.CodeQueryCanceled, false},
		{"pg_terminate_backend", sqlSignal("SELECT pg_terminate_backend($1)"), sqltypes.CodeAdminShutdown, true},
	}
	paths := []struct {
		name, sql, held string // held: the statement stopped in the gap
		mode            pgx.QueryExecMode
	}{
		{"simple", "SELECT 101", "SELECT 101", pgx.QueryExecModeSimpleProtocol},
		{"simple multi-statement", "SELECT 102; SELECT 103", "SELECT 103", pgx.QueryExecModeSimpleProtocol},
		{"extended", "SELECT 104", "SELECT 104", pgx.QueryExecModeExec},
	}
	for _, p := range paths {
		for _, sg := range signals {
			t.Run(p.name+"/"+sg.name, func(t *testing.T) {
				victim := connect(t, addr, "analyst", "analyst")
				sent := make(chan error, 1) // the hook runs on the server's goroutine
				eng.SetHooks(engine.Hooks{Planned: func(_ context.Context, sql string) {
					if sql == p.held {
						sent <- sg.send(t.Context(), victim)
					}
				}})
				defer eng.SetHooks(engine.Hooks{})
				_, err := victim.Exec(t.Context(), p.sql, p.mode)
				select {
				case err := <-sent:
					if err != nil {
						t.Fatalf("sending the signal: %v", err)
					}
				default:
					t.Fatalf("%q was not held between its planning and its execution", p.held)
				}
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != sg.code {
					t.Fatalf("the statement signaled between planning and execution ended with %v, want %s", err, sg.code)
				}
				if sg.terminate && pe.Severity != "FATAL" {
					t.Errorf("terminated with severity %s", pe.Severity)
				}
				eng.SetHooks(engine.Hooks{})
				_, after := victim.Exec(t.Context(), "SELECT 1")
				if sg.terminate == (after == nil) {
					t.Errorf("after %s the session's next statement gave %v", sg.name, after)
				}
			})
		}
	}
}

// TestParseAloneEndsAtSync: a statement the extended protocol only
// prepares (Parse, Describe, Sync, as pgx's Prepare) is over at the Sync:
// the session is idle after it, runs nothing, and its later Execute is a
// statement of its own that runs.
func TestParseAloneEndsAtSync(t *testing.T) {
	_, addr := serveEngine(t)
	admin, victim := connect(t, addr, "admin", "admin"), connect(t, addr, "analyst", "analyst")
	if _, err := victim.Prepare(t.Context(), "p", "SELECT 105"); err != nil {
		t.Fatal(err)
	}
	var state string
	var running int
	if err := admin.QueryRow(t.Context(), "SELECT state, (SELECT count(*) FROM mesh.running_queries WHERE user_name = 'analyst') FROM pg_stat_activity WHERE pid = $1",
		int32(victim.PgConn().PID())).Scan(&state, &running); err != nil {
		t.Fatal(err)
	}
	if state != "idle" || running != 0 {
		t.Errorf("after Parse and Sync the session is %s with %d running queries", state, running)
	}
	var n int
	if err := victim.QueryRow(t.Context(), "p").Scan(&n); err != nil || n != 105 {
		t.Errorf("executing the prepared statement: %d, %v", n, err)
	}
}

// serveEngine serves a real engine over testdata/mesh, its memory checked
// at the end of the test, and returns it and the server's address.
func serveEngine(t *testing.T) (*engine.Engine, string) {
	t.Helper()
	mesh, err := catalog.Load("../../testdata/mesh", catalog.LoadOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	eng, err := engine.New(engine.Config{Mesh: mesh, Mem: mem, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	_, addr := serveBackend(t, EngineBackend[*engine.Session, *engine.Statement](eng), Config{})
	return eng, addr
}
