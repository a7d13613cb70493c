package main

import (
	"strings"
	"testing"
)

// TestErrorLineAsPsql: the LINE/caret lines are what psql 15 printed for
// the same statements and positions (PostgreSQL's own errors, captured
// from psql -c against a PostgreSQL 15 server).
func TestErrorLineAsPsql(t *testing.T) {
	long := "SELECT '" + strings.Repeat("a", 87) + "', nope, '" + strings.Repeat("b", 51) + "'"
	longRight := "SELECT '" + strings.Repeat("a", 39) + "', nope, '" + strings.Repeat("b", 77) + "'"
	for _, c := range []struct {
		sql  string
		pos  int
		want string
	}{
		{"SELEC 1", 1, "LINE 1: SELEC 1\n        ^\n"},
		{"SELECT 1,\n  2 +", 16, "LINE 2:   2 +\n             ^\n"}, // at end of input
		{long, strings.Index(long, "nope") + 1,
			"LINE 1: ...aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', nope, 'bbb...\n" +
				"                                                             ^\n"},
		{longRight, strings.Index(longRight, "nope") + 1,
			"LINE 1: SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', nope, 'bbb...\n" +
				"                                                          ^\n"},
		{"SELECT 'aaaaaa',\tnope", 18, "LINE 1: SELECT 'aaaaaa', nope\n                         ^\n"},
	} {
		var b strings.Builder
		errorLine(&b, c.sql, c.pos)
		if b.String() != c.want {
			t.Errorf("%q at %d:\n%s\nwant\n%s", c.sql, c.pos, b.String(), c.want)
		}
	}
}

// TestQueryErrorShowsPosition: meshql query prints where a statement's
// error is, as psql does, between the message and the hint.
func TestQueryErrorShowsPosition(t *testing.T) {
	code, _, errOut := runCLI(t, "query", "--data-dir", demoDataDir(t, "0.01"), "--demo-scale", "0.01", "SELECT nope FROM sales.orders_v1")
	want := "ERROR:  column \"nope\" does not exist (SQLSTATE 42703)\nLINE 1: SELECT nope FROM sales.orders_v1\n               ^\n"
	if code != 1 || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant it to hold\n%s", code, errOut, want)
	}
}
