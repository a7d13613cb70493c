package engine

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// analystSession is a session of the demo user analyst on an engine of
// its own, whose allocator must be empty when the test ends.
func analystSession(t *testing.T) (*Engine, *Session) {
	t.Helper()
	e, _, mem := auditedEngine(t, 0)
	s, err := e.NewSession("analyst", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		mem.AssertSize(t, 0)
	})
	return e, s
}

// TestExecuteIsOneAuditedQuery: SQL-level EXECUTE evaluates its arguments
// without a query of its own, so the query log holds one entry per
// EXECUTE, under its text, with what the prepared query read; an argument
// that fails is one entry too, and its error points at the argument in
// the EXECUTE's text, as PostgreSQL's does.
func TestExecuteIsOneAuditedQuery(t *testing.T) {
	e, s := analystSession(t)
	for _, sql := range []string{
		"PREPARE big(int) AS SELECT count(*) FROM sales.orders_v1 WHERE order_id < $1",
		"EXECUTE big(3 + 2)",
	} {
		if _, err := sessionRows(t, s, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	failures := []struct {
		sql, code string
		pos       int
	}{
		{"EXECUTE big('x')", "22P02", 13},
		{"EXECUTE big(1, (true))", "42601", 0},
		{"EXECUTE big(  true)", "42804", 15},
		{"EXECUTE big((SELECT 1))", "0A000", 13},
		{"EXECUTE big(1/0)", "22012", 0},
	}
	for _, f := range failures {
		_, err := sessionRows(t, s, f.sql)
		se := sqltypes.AsError(err)
		if err == nil || se.Code != f.code || se.Position != f.pos {
			t.Errorf("%s: got %v (code %s, position %d), want %s at %d", f.sql, err, se.Code, se.Position, f.code, f.pos)
		}
	}
	got := rows(t, e, "analyst", "SELECT status, rows, products, query FROM mesh.query_log WHERE query NOT LIKE '%query_log%' ORDER BY query_id")
	want := []string{
		"00000|1|{sales.orders_v1}|EXECUTE big(3 + 2)",
		"22P02|0|{}|EXECUTE big('x')",
		"42601|0|{}|EXECUTE big(1, (true))",
		"42804|0|{}|EXECUTE big(  true)",
		"0A000|0|{}|EXECUTE big((SELECT 1))",
		"22012|0|{}|EXECUTE big(1/0)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("query_log:\ngot  %q\nwant %q", got, want)
	}
}

// TestExecuteOfAStatementThatNoLongerBinds: a prepared statement whose
// analysis fails when EXECUTE analyses it again (its date literal no
// longer reads in the session's new DateStyle) is one log entry per
// EXECUTE, under the EXECUTE's text: not the PREPARE's, and not only the
// first time.
func TestExecuteOfAStatementThatNoLongerBinds(t *testing.T) {
	e, s := analystSession(t)
	for _, sql := range []string{"SET DateStyle = 'German'", "PREPARE d AS SELECT '31.12.2024'::date", "SET DateStyle = 'ISO, YMD'"} {
		if _, err := sessionRows(t, s, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for range 2 {
		if _, err := sessionRows(t, s, "EXECUTE d"); err == nil {
			t.Fatal("EXECUTE d read 31.12.2024 in YMD order")
		}
	}
	got := rows(t, e, "analyst", "SELECT query FROM mesh.query_log WHERE query NOT LIKE '%query_log%' AND status <> '00000' ORDER BY query_id")
	if want := []string{"EXECUTE d", "EXECUTE d"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("query_log: got %q, want %q", got, want)
	}
}

// TestExecuteArgumentEvaluatedOnce: a volatile argument is one value for
// every row and every reference of the prepared query.
func TestExecuteArgumentEvaluatedOnce(t *testing.T) {
	_, s := analystSession(t)
	if _, err := sessionRows(t, s, "PREPARE r(float8) AS SELECT count(DISTINCT $1), count(*) FILTER (WHERE $1 <> $1) FROM generate_series(1, 100)"); err != nil {
		t.Fatal(err)
	}
	got, err := sessionRows(t, s, "EXECUTE r(random())")
	if err != nil || len(got) != 1 || got[0] != "1|0" {
		t.Errorf("EXECUTE r(random()) = %q, %v; want one distinct value", got, err)
	}
}
