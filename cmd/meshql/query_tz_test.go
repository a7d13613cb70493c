package main

import "testing"

// TestQueryTimeZone: timestamptz values print in the session's TimeZone,
// as PostgreSQL's text output and psql show them (Asia/Kolkata is UTC+5:30
// all year), also after SET TIME ZONE in the same invocation, and inside
// arrays.
func TestQueryTimeZone(t *testing.T) {
	q := "SET TIME ZONE 'Asia/Kolkata'; SELECT TIMESTAMPTZ '2026-01-01 12:00:00+00' AS t, current_setting('TimeZone') AS z, ARRAY[TIMESTAMPTZ '2026-07-01 00:00:00+00'] AS a"
	code, stdout, stderr := runCLI(t, "query", "--data-dir", demoDataDir(t, "0.01"), "--demo-scale", "0.01", "--format", "csv", q)
	if want := "SET\nt,z,a\n2026-01-01 17:30:00+05:30,Asia/Kolkata,\"{\"\"2026-07-01 05:30:00+05:30\"\"}\"\n"; code != 0 || stdout != want {
		t.Errorf("exit %d, %q, want %q; %s", code, stdout, want, stderr)
	}
}
