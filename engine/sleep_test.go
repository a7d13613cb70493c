package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/sqltypes"
)

// A sleeping query ends with its statement: statement_timeout stops
// pg_sleep, pg_sleep_for and pg_sleep_until mid-sleep with PostgreSQL's
// 57014 "canceling statement due to statement timeout", however long (or
// infinite) the sleep asked for. (waitErr's 30 seconds only keep a
// broken sleep from hanging the test.)
func TestSleepEndsAtStatementTimeout(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	for _, sql := range []string{
		"SELECT pg_sleep(1000)",
		"SELECT pg_sleep('infinity')",
		"SELECT pg_sleep_for('1 hour')",
		"SELECT pg_sleep_until('infinity')",
		"SELECT pg_sleep(1000) FROM generate_series(1, 3)",
	} {
		s := session(t, e, "analyst")
		if _, err := s.Query(t.Context(), "SET statement_timeout = '100ms'"); err != nil {
			t.Fatal(err)
		}
		err := wantCode(t, waitErr(t, runAsync(s, sql)), sqltypes.CodeQueryCanceled)
		if err.Msg != "canceling statement due to statement timeout" {
			t.Errorf("%s: %q, want the statement timeout's message", sql, err.Msg)
		}
		s.Close()
	}
}

// A cancel request stops a sleeping query (57014 "due to user
// request"); the session runs the next statement.
func TestSleepEndsAtCancel(t *testing.T) {
	e, mem := demoEngine(t)
	defer mem.AssertSize(t, 0)
	s := session(t, e, "analyst")
	done := runAsync(s, "SELECT pg_sleep(1000)")
	for i := 0; ; i++ {
		got := rows(t, e, "admin", "SELECT count(*) FROM mesh.running_queries WHERE query LIKE 'SELECT pg_sleep(1000)'")
		if got[0] == "1" {
			break
		}
		if i == 3000 {
			t.Fatal("the sleeping query never showed among the running ones")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Cancel(nil)
	err := wantCode(t, waitErr(t, done), sqltypes.CodeQueryCanceled)
	if !strings.Contains(err.Msg, "user request") {
		t.Errorf("cancel: %q, want PostgreSQL's user request message", err.Msg)
	}
	if got, _ := run(t, s, "SELECT pg_sleep(0) IS NULL"); strings.Join(got, ",") != "f" {
		t.Errorf("after the cancel: %v", got)
	}
	s.Close()
}
