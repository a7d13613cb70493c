package engine

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// TestStatDatabaseCounters: pg_stat_database's row for the mesh database
// counts, as PostgreSQL's does, a statement outside a transaction block
// as one transaction (committed, or rolled back when it fails, also
// while its rows stream) and a block as one at its COMMIT or ROLLBACK (a
// COMMIT of a failed block rolls back); tup_returned counts the rows
// scans read from sources and sessions the sessions opened.
func TestStatDatabaseCounters(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	s, err := e.NewSession("admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	stat := func() (commits, rollbacks, returned, sessions int64) {
		t.Helper()
		got, err := queryErr(t, e, "admin", `SELECT xact_commit, xact_rollback, tup_returned, sessions FROM pg_stat_database WHERE datname = current_database()`)
		if err != nil || len(got) != 1 {
			t.Fatalf("pg_stat_database: %q, %v", got, err)
		}
		var n [4]int64
		for i, f := range strings.Split(got[0], "|") {
			if n[i], err = strconv.ParseInt(f, 10, 64); err != nil {
				t.Fatalf("pg_stat_database: %q", got)
			}
		}
		return n[0], n[1], n[2], n[3]
	}
	exec := func(sql string, fails bool) {
		t.Helper()
		res, err := s.Query(ctx, sql)
		if err == nil {
			_, err = drainRows(t, res)
		}
		if (err != nil) != fails {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	c0, r0, ret0, s0 := stat()
	exec(`SELECT count(*) FROM sales.orders_v1`, false)               // commit
	exec(`SELECT * FROM no_such_table`, true)                         // rollback (bind)
	exec(`SELECT 1/(order_id - order_id) FROM sales.orders_v1`, true) // rollback (while streaming)
	exec(`BEGIN`, false)
	exec(`SELECT 1`, false)
	exec(`SELECT 2`, false)
	exec(`COMMIT`, false) // commit: one block
	exec(`BEGIN`, false)
	exec(`SELECT 1/0`, true)
	exec(`COMMIT`, false) // rollback: the block failed
	exec(`BEGIN`, false)
	exec(`ROLLBACK`, false)                   // rollback
	exec(`SET application_name = 'x'`, false) // commit
	c1, r1, ret1, s1 := stat()
	// stat's own query, run in a session of its own, committed once.
	if dc, dr := c1-c0, r1-r0; dc != 1+1+1+1 || dr != 4 {
		t.Errorf("xact_commit +%d, xact_rollback +%d; want +4, +4", dc, dr)
	}
	if ret1 <= ret0 {
		t.Errorf("tup_returned %d after %d: scans read rows", ret1, ret0)
	}
	if s1-s0 != 1 {
		t.Errorf("sessions +%d between two reads of one session each, want +1", s1-s0)
	}
}
