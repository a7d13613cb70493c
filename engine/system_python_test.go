package engine

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// TestSignalBackend: pg_stat_activity shows a user the activity of its own
// sessions (an administrator everyone's) and lists the others without it; pg_cancel_backend cancels a session's
// running query for its own user or an administrator, given the pid as a
// constant or read from pg_stat_activity's rows; pg_terminate_backend
// ends a session through its front's hook, and is 0A000 without one.
func TestSignalBackend(t *testing.T) {
	started := make(chan struct{}, 1)
	e, mem, _ := opsEngine(t, Config{}, map[string]*hookTable{"slow": {partitions: blockUntilDone(started)}})
	defer mem.AssertSize(t, 0)
	analyst := session(t, e, "analyst")
	pid := itoa(analyst.ProcessID())

	done := runAsync(analyst, "SELECT x FROM ops.slow_v1")
	<-started
	// Another user's session is listed without its activity, as
	// PostgreSQL 15 lists it to a role that is not a member of its
	// user's: its query is <insufficient privilege>, the rest NULL.
	if got := rows(t, e, "bob", "SELECT usename, application_name IS NOT NULL, query, state IS NULL, backend_start IS NULL, query_start IS NULL, "+
		"xact_start IS NULL, state_change IS NULL, client_port IS NULL, backend_type IS NULL FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "analyst|t|<insufficient privilege>|t|t|t|t|t|t|t" {
		t.Errorf("bob sees analyst's session in pg_stat_activity as %v", got)
	}
	if got := rows(t, e, "bob", "SELECT state, query LIKE 'SELECT state%', backend_type FROM pg_stat_activity WHERE pid = pg_backend_pid()"); strings.Join(got, ",") != "active|t|client backend" {
		t.Errorf("bob sees his own session in pg_stat_activity as %v", got)
	}
	if got := rows(t, e, "admin", "SELECT usename, state, query FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "analyst|active|SELECT x FROM ops.slow_v1" {
		t.Errorf("admin sees analyst's session as %v", got)
	}
	_, err := queryErr(t, e, "bob", "SELECT pg_cancel_backend("+pid+")")
	wantCode(t, err, sqltypes.CodeInsufficientPrivilege)
	if got := rows(t, e, "analyst", "SELECT pg_cancel_backend("+pid+")"); got[0] != "t" {
		t.Errorf("pg_cancel_backend(%s) by its own user = %v", pid, got)
	}
	if err := wantCode(t, waitErr(t, done), sqltypes.CodeQueryCanceled); err.Msg != "canceling statement due to user request" {
		t.Errorf("canceled with %q", err.Msg)
	}
	// Idle, a session shows its last statement and when it started, but no
	// transaction (PostgreSQL's query_start of an idle backend).
	for _, table := range []string{"pg_stat_activity", "mesh.sessions"} {
		if got := rows(t, e, "admin", "SELECT state, query, query_start IS NOT NULL FROM "+table+" WHERE pid = "+pid); strings.Join(got, ",") != "idle|SELECT x FROM ops.slow_v1|t" {
			t.Errorf("admin sees analyst's idle session in %s as %v", table, got)
		}
	}
	if got := rows(t, e, "admin", "SELECT xact_start IS NULL, state_change >= query_start FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "t|t" {
		t.Errorf("analyst's idle session: xact_start IS NULL, state_change >= query_start = %v", got)
	}

	// Superset's form: the pid read from pg_stat_activity's rows.
	done = runAsync(analyst, "SELECT x FROM ops.slow_v1")
	<-started
	if got := rows(t, e, "admin", "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = '"+pid+"'"); strings.Join(got, ",") != "t" {
		t.Errorf("pg_cancel_backend over pg_stat_activity = %v", got)
	}
	wantCode(t, waitErr(t, done), sqltypes.CodeQueryCanceled)
	if got := rows(t, e, "admin", "SELECT pg_cancel_backend(2147483647), pg_cancel_backend(NULL) IS NULL"); got[0] != "f|t" {
		t.Errorf("pg_cancel_backend of no session: %v", got)
	}

	// Termination needs the front's hook.
	_, err = queryErr(t, e, "admin", "SELECT pg_terminate_backend("+pid+")")
	wantCode(t, err, sqltypes.CodeFeatureNotSupported)
	var ended atomic.Int32
	analyst.SetTerminate(func() { ended.Add(1) })
	if got := rows(t, e, "admin", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = "+pid); strings.Join(got, ",") != "t" || ended.Load() != 1 {
		t.Errorf("pg_terminate_backend over pg_stat_activity = %v, hook called %d times", got, ended.Load())
	}
}

// TestSignalsActUnderTheRegistryLock: pg_cancel_backend, meshql_cancel
// and pg_terminate_backend act on the query (or session) they found while
// still holding the registry's lock, so that the query cannot end, and
// the session's next one start, between the decision and the cancel: a
// cancel never lands on a statement that began after the signal was
// decided.
func TestSignalsActUnderTheRegistryLock(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	target, admin := session(t, e, "analyst"), session(t, e, "admin")
	r := &e.reg
	var acted []string
	underLock := func(what string) {
		if r.mu.TryLock() {
			r.mu.Unlock()
			t.Errorf("%s acted without holding the registry lock", what)
		}
		acted = append(acted, what)
	}
	_, q, end, err := r.begin(context.Background(), target, "SELECT 1", 0, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer end()
	realCancel := q.cancel
	q.cancel = func(cause error) { underLock("cancel"); realCancel(cause) }
	target.SetTerminate(func() { underLock("terminate") })

	if ok, err := admin.signalBackend(target.ProcessID(), false); !ok || err != nil {
		t.Fatalf("pg_cancel_backend: %v, %v", ok, err)
	}
	if !r.cancel(q.id, nil) {
		t.Fatal("meshql_cancel did not find the query")
	}
	if ok, err := admin.signalBackend(target.ProcessID(), true); !ok || err != nil {
		t.Fatalf("pg_terminate_backend: %v, %v", ok, err)
	}
	// pg_terminate_backend cancels the statement (FATAL) and ends the
	// session, both under the lock.
	if want := []string{"cancel", "cancel", "cancel", "terminate"}; !slices.Equal(acted, want) {
		t.Errorf("acted %q, want %q", acted, want)
	}
	q.cancel = realCancel // the query's own end cancels it unlocked
}
