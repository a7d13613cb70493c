package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/internal/testclock"
	"github.com/meshql/meshql/sqltypes"
)

// tickingEngine serves the demo mesh (no data read) on a clock that moves
// a second at every reading, starting at start, so that two readings never
// agree: a value two functions share was read once.
func tickingEngine(t *testing.T, start time.Time) *Session {
	t.Helper()
	mesh, err := catalog.Load("../testdata/mesh", catalog.LoadOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	tick := testclock.Ticking(start, time.Second)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	e, err := New(Config{Mesh: mesh, Mem: mem, Workers: 2, Clock: tick})
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.NewSession("analyst", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close) // registered last, so it runs before AssertSize
	return s
}

// row runs sql on s and returns its single row as "a|b" ("" for a
// statement without rows).
func row(t *testing.T, s *Session, sql string) string {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	rows, err := drainRows(t, res)
	if err != nil || len(rows) > 1 || len(rows) == 0 && res.Columns != nil {
		t.Fatalf("%s: %v %v", sql, rows, err)
	}
	if len(rows) == 0 {
		return ""
	}
	return rows[0]
}

// TestTransactionClock: inside BEGIN … COMMIT every statement's now() is
// the BEGIN's start while statement_timestamp() is each statement's own,
// as in PostgreSQL; outside a block each statement is its own transaction.
func TestTransactionClock(t *testing.T) {
	s := tickingEngine(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	const q = "SELECT now()::text, transaction_timestamp()::text, current_timestamp::text, statement_timestamp()::text"
	split := func(r string) []string { return strings.Split(r, "|") }

	out1, out2 := split(row(t, s, q)), split(row(t, s, q))
	if out1[0] != out1[3] || out1[0] == out2[0] {
		t.Errorf("outside a block: now() %s, statement_timestamp() %s, then now() %s; want now() = statement_timestamp(), anew each statement", out1[0], out1[3], out2[0])
	}

	row(t, s, "BEGIN")
	in1, in2 := split(row(t, s, q)), split(row(t, s, q))
	for _, in := range [][]string{in1, in2} {
		if in[0] != in1[0] || in[1] != in[0] || in[2] != in[0] {
			t.Errorf("in a block: now(), transaction_timestamp(), current_timestamp = %v; want the first statement's now() %s for all", in[:3], in1[0])
		}
		if in[3] <= in[0] {
			t.Errorf("in a block: statement_timestamp() %s; want after the BEGIN's %s", in[3], in[0])
		}
	}
	if in1[3] == in2[3] {
		t.Errorf("in a block: both statements' statement_timestamp() is %s; want each its own", in1[3])
	}
	if got := row(t, s, "SELECT 'now'::timestamptz = now(), ('n'||'ow')::timestamptz = now(), current_date = 'today'::date"); got != "t|t|t" {
		t.Errorf("in a block: 'now' literal, run-time 'now' and 'today' vs now(): %s; want t|t|t", got)
	}
	row(t, s, "COMMIT")
	after := split(row(t, s, q))
	if after[0] == in1[0] || after[0] != after[3] {
		t.Errorf("after COMMIT: now() %s (block's %s), statement_timestamp() %s; want a new transaction", after[0], in1[0], after[3])
	}
}

// TestPreparedClockBoundOnce: a prepared statement is analyzed once: its
// 'now' literal keeps the instant of that analysis (PostgreSQL reads
// literals at parse analysis, too), while now(), current_date and a
// run-time 'now' are read anew at every execution.
func TestPreparedClockBoundOnce(t *testing.T) {
	s := tickingEngine(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	sts, err := s.Prepare(context.Background(), "SELECT 'now'::timestamptz::text, now()::text, ('n'||'ow')::timestamptz = now(), current_date = now()::date")
	if err != nil {
		t.Fatal(err)
	}
	st := sts[0]
	analysis := st.st
	var literal, prevNow string
	for run := range 3 {
		got := strings.Split(executeRows(t, st)[0], "|")
		if run == 0 {
			literal = got[0]
		}
		if got[0] != literal {
			t.Errorf("run %d: 'now' literal %s; want the analysis's %s", run, got[0], literal)
		}
		if got[1] == prevNow || got[1] == literal {
			t.Errorf("run %d: now() %s (previous %s, literal %s); want each execution's own", run, got[1], prevNow, literal)
		}
		if got[2] != "t" || got[3] != "t" {
			t.Errorf("run %d: ('n'||'ow')::timestamptz = now() %s, current_date = now()::date %s; want t, t", run, got[2], got[3])
		}
		prevNow = got[1]
	}
	if st.st != analysis {
		t.Error("the statement was analyzed again for a later execution")
	}
}

// TestAgeReadsTransactionDate: age(x) counts from midnight of the
// transaction's current_date, also when the clock crosses midnight while
// the statement runs (it reads no clock of its own).
func TestAgeReadsTransactionDate(t *testing.T) {
	s := tickingEngine(t, time.Date(2026, 2, 28, 23, 59, 56, 0, time.UTC))
	for range 6 {
		if got := row(t, s, "SELECT age((current_date - 1)::timestamp), age(current_date::timestamp)"); got != "1 day|00:00:00" {
			t.Errorf("age(current_date - 1), age(current_date) = %s; want 1 day|00:00:00", got)
		}
	}
}

// TestWallClockPerRow: clock_timestamp() and timeofday() read the clock at
// each row, after the statement's start.
func TestWallClockPerRow(t *testing.T) {
	s := tickingEngine(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if got := row(t, s, "SELECT count(DISTINCT clock_timestamp()), count(DISTINCT timeofday()), count(DISTINCT now()), min(clock_timestamp()) > now() FROM generate_series(1, 5)"); got != "5|5|1|t" {
		t.Errorf("distinct clock_timestamp(), timeofday(), now() over 5 rows, clock after now(): %s; want 5|5|1|t", got)
	}
}

// TestExecuteArgumentsReadItsClock: EXECUTE's arguments are evaluated in
// the EXECUTE's statement, which the prepared query runs in too: its
// now() and statement_timestamp() are the arguments', not the PREPARE's
// or a reading of their own.
func TestExecuteArgumentsReadItsClock(t *testing.T) {
	s := tickingEngine(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	row(t, s, "PREPARE p(timestamptz, timestamptz) AS SELECT $1 = now(), $2 = statement_timestamp(), $1 = 'now'::timestamptz")
	for _, block := range []bool{false, true} {
		if block {
			row(t, s, "BEGIN")
		}
		// 'now' is read when PREPARE analyzed the query: an earlier
		// statement's start.
		if got := row(t, s, "EXECUTE p(now(), statement_timestamp())"); got != "t|t|f" {
			t.Errorf("in a block %v: EXECUTE p(now(), statement_timestamp()) = %s; want t|t|f", block, got)
		}
	}
	row(t, s, "COMMIT")
}

// TestExecuteAtZeroClock: a front that forgets to read the statement's
// clock gets XX000, not a query whose now() reads nothing.
func TestExecuteAtZeroClock(t *testing.T) {
	s := tickingEngine(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	sts, err := s.Prepare(context.Background(), "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sts[0].ExecuteAt(context.Background(), nil, Clock{}); sqltypes.Code(err) != sqltypes.CodeInternal {
		t.Errorf("ExecuteAt at a zero clock: %v; want XX000", err)
	}
}
