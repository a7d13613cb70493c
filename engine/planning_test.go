package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// doublingWith is WITH c0 AS (SELECT 1 AS x), c1 AS (c0 UNION ALL c0), …
// up to cn, whose count(*) is 2^n; materialized "" or " NOT MATERIALIZED"
// (every reference inlined, as PostgreSQL, so the plan doubles per level).
func doublingWith(n int, materialized, query string) string {
	parts := []string{"c0 AS (SELECT 1 AS x)"}
	for i := 1; i <= n; i++ {
		parts = append(parts, fmt.Sprintf("c%d AS%s (SELECT x FROM c%d UNION ALL SELECT x FROM c%d)", i, materialized, i-1, i-1))
	}
	return "WITH " + strings.Join(parts, ", ") + " " + fmt.Sprintf(query, n)
}

// A WITH query read twice by the next, level after level, is planned once
// per level: the plan of sixty levels (2^60 rows) is as small as the SQL
// and planned at once, and the rows are PostgreSQL's (each level computed
// once).
func TestWithQueriesReadTwicePlanLinearly(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	plan, err := queryErr(t, e, "analyst", "EXPLAIN "+doublingWith(60, "", "SELECT count(*) FROM c%d"))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) > 10*60 {
		t.Errorf("EXPLAIN of 60 levels has %d lines", len(plan))
	}
	if got := rows(t, e, "analyst", doublingWith(14, "", "SELECT count(*), sum(x) FROM c%d")); strings.Join(got, ",") != "16384|16384" {
		t.Errorf("14 levels: %v", got)
	}
	// A self-join of a shared WITH query: each reference its own columns.
	if got := rows(t, e, "analyst", "WITH c AS (SELECT x FROM (VALUES (1), (2)) v(x)) SELECT a.x, b.x FROM c a JOIN c b ON a.x < b.x"); strings.Join(got, ",") != "1|2" {
		t.Errorf("self-join of a WITH query: %v", got)
	}
}

// Every level of a shared WITH chain is kept in batches of up to the
// batch size, however small the batches it is made of: one-row levels read
// twice made 2^n one-row batches at level n, each going through the
// operators of every level above (twenty levels took 14 s).
func TestSharedWithLevelsKeepFullBatches(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	plan, err := queryErr(t, e, "analyst", "EXPLAIN ANALYZE "+doublingWith(15, "", "SELECT count(*) FROM c%d"))
	if err != nil {
		t.Fatal(err)
	}
	scan := regexp.MustCompile(`CTE Scan \(name=c(\d+)\) \[actual rows=(\d+) batches=(\d+) `)
	seen := 0
	for _, line := range plan {
		m := scan.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seen++
		level, _ := strconv.Atoi(m[1])
		rows, _ := strconv.Atoi(m[2])
		batches, _ := strconv.Atoi(m[3])
		if rows != 1<<level {
			t.Errorf("c%d read %d rows, want %d", level, rows, 1<<level)
		}
		if want := (rows + executor.DefaultBatchSize - 1) / executor.DefaultBatchSize; batches != want {
			t.Errorf("c%d read in %d batches, want %d: %s", level, batches, want, line)
		}
	}
	if seen < 2*14 {
		t.Errorf("%d CTE scans in the plan:\n%s", seen, strings.Join(plan, "\n"))
	}
}

// A statement whose planning takes long (here every reference inlined,
// AS NOT MATERIALIZED, doubling the plan at each level) stops at
// statement_timeout with 57014, and while planned it is active in
// pg_stat_activity, where pg_cancel_backend stops it.
func TestPlanningObservesTimeoutAndCancel(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	slow := doublingWith(40, " NOT MATERIALIZED", "SELECT count(*) FROM c%d")
	err := sessionErr(t, e, "analyst", "SET statement_timeout = '200ms'", slow)
	if se := wantCode(t, err, sqltypes.CodeQueryCanceled); se.Msg != "canceling statement due to statement timeout" {
		t.Errorf("timed out with %q", se.Msg)
	}

	// Shared, the levels plan at once, and the 2^40 rows of a cross join
	// of the last with itself run until the timeout.
	err = sessionErr(t, e, "analyst", "SET statement_timeout = '300ms'", doublingWith(20, "", "SELECT count(*) FROM c%[1]d a, c%[1]d b"))
	wantCode(t, err, sqltypes.CodeQueryCanceled)

	analyst := session(t, e, "analyst")
	pid := itoa(analyst.ProcessID())
	done := runAsync(analyst, slow)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := rows(t, e, "admin", "SELECT state, query FROM pg_stat_activity WHERE pid = "+pid)
		if strings.Join(got, ",") == "active|"+slow {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session planning is shown as %v", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := rows(t, e, "admin", "SELECT pg_cancel_backend("+pid+")"); got[0] != "t" {
		t.Errorf("pg_cancel_backend = %v", got)
	}
	if se := wantCode(t, waitErr(t, done), sqltypes.CodeQueryCanceled); se.Msg != "canceling statement due to user request" {
		t.Errorf("canceled with %q", se.Msg)
	}
	// The session goes on: its next statement plans and runs.
	if res, err := analyst.Query(t.Context(), "SELECT 1"); err != nil {
		t.Errorf("after the cancel: %v", err)
	} else {
		res.Close()
	}
}
