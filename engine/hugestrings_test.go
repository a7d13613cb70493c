package engine

import (
	"context"
	"io"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// sessionErr runs sqls on one session of user and returns the error of
// the last one (each earlier one must succeed); results are drained.
func sessionErr(t *testing.T, e *Engine, user string, sqls ...string) error {
	t.Helper()
	s := session(t, e, user)
	for i, sql := range sqls {
		res, err := s.Query(context.Background(), sql)
		for err == nil {
			var b interface{ Release() }
			if b, err = res.Next(context.Background()); err == nil {
				b.Release()
			}
		}
		if res != nil {
			res.Close()
		}
		if err == io.EOF {
			err = nil
		}
		if i == len(sqls)-1 {
			return err
		}
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	return nil
}

// Functions that make strings far larger than their input (repeat, lpad,
// rpad) fail cleanly before they allocate past PostgreSQL's 1 GB field
// limit (54000, as PostgreSQL says) or the query's memory budget (53200),
// and a batch of large values stops at statement_timeout (57014).
func TestHugeStringsHonourLimits(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	for _, sql := range []string{
		"SELECT repeat('x', 2000000000)",
		"SELECT length(repeat('ab', 600000000))",
		"SELECT lpad('x', 2000000000)",
		"SELECT rpad('x', 1500000000, 'yz')",
	} {
		wantCode(t, sessionErr(t, e, "analyst", sql), sqltypes.CodeProgramLimitExceeded)
	}
	// 100 MB is within PostgreSQL's limit but not within a 64MB budget.
	for _, sql := range []string{"SELECT length(repeat('x', 100000000))", "SELECT length(lpad('', 100000000, 'é'))"} {
		wantCode(t, sessionErr(t, e, "analyst", "SET mesh.query_memory = '64MB'", sql), sqltypes.CodeOutOfMemory)
	}
	// Some 10 GB of strings in batches of 80 MB (well within the
	// budget): the timeout ends it.
	wantCode(t, sessionErr(t, e, "analyst", "SET mesh.query_memory = '1GB'", "SET statement_timeout = '200ms'",
		"SELECT sum(length(repeat(md5(g::text), 300))) FROM generate_series(1, 1000000) g"), sqltypes.CodeQueryCanceled)
}

// TestConcatenationHonoursLimits: operators and functions that build a
// value from others (||, concat, format, replace, jsonb_build_array, …) hold it to the 1 GB field limit
// before building past it (54000), and reserve what they build from the
// query's budget (53200): x || x || x || x over a large x doubled memory at
// every step, past any budget, up to gigabytes.
func TestConcatenationHonoursLimits(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	wantCode(t, sessionErr(t, e, "analyst", "SELECT length(x || x) FROM (SELECT repeat('ab', 300000000) x) s"), sqltypes.CodeProgramLimitExceeded)
	// The budget checks at an eighth of a 64MB budget, with the same
	// proportions: each x fits the budget, what is built from four of
	// them does not. (At 64MB, regexp_replace's 20 million matches under
	// -race cost about a minute of CPU.)
	const budget = "SET mesh.query_memory = '8MB'"
	for _, sql := range []string{
		"SELECT length(x || x || x || x) FROM (SELECT repeat('a', 2500000) x) s",
		"SELECT length(concat(x, x, x, x)) FROM (SELECT repeat('a', 2500000) x) s",
		"SELECT length(format('%s%s%s%s', x, x, x, x)) FROM (SELECT repeat('a', 2500000) x) s",
		// Every text function reserves what it builds, not only the
		// concatenations.
		"SELECT length(replace(x, 'a', 'aaaa')) FROM (SELECT repeat('a', 2500000) x) s",
		"SELECT length(regexp_replace(x, 'a', 'aaaa', 'g')) FROM (SELECT repeat('a', 2500000) x) s",
		"SELECT length(translate(x, 'a', 'é')||'') FROM (SELECT repeat('a', 5000000) x) s",
		"SELECT length(jsonb_build_array(x, x, x, x)::text) FROM (SELECT repeat('a', 2500000) x) s",
		"SELECT length(array_to_string(ARRAY[x, x, x, x], ',')) FROM (SELECT repeat('a', 2500000) x) s",
	} {
		wantCode(t, sessionErr(t, e, "analyst", budget, sql), sqltypes.CodeOutOfMemory)
	}
	// replace and regexp_replace know a value's length from its matches
	// and refuse one past the 1 GB field limit before building any of it
	// (1.2 GB from 3 MB here; they built it, then failed on the budget).
	for _, sql := range []string{
		"SELECT length(replace(x, 'a', repeat('b', 400))) FROM (SELECT repeat('a', 3000000) x) s",
		"SELECT length(regexp_replace(x, 'a', repeat('b', 400), 'g')) FROM (SELECT repeat('a', 3000000) x) s",
		"SELECT length(regexp_replace(x, '(a)', repeat('\\1', 400), 1, 0)) FROM (SELECT repeat('a', 3000000) x) s",
	} {
		wantCode(t, sessionErr(t, e, "analyst", budget, sql), sqltypes.CodeProgramLimitExceeded)
	}
	// What fails above is what is built from four x, not x itself.
	if err := sessionErr(t, e, "analyst", budget, "SELECT length(x || 'b') FROM (SELECT repeat('a', 2500000) x) s"); err != nil {
		t.Errorf("x || 'b' within the 8MB budget: %v", err)
	}
	if got := rows(t, e, "analyst", "SELECT length(x || x || x), length(concat(x, x)), length(format('%s-%s', x, x)) FROM (SELECT repeat('a', 1000000) x) s"); got[0] != "3000000|2000000|2000001" {
		t.Errorf("within the limits: %v", got)
	}
}

// TestRegexpStopsAtTimeout: a global regular-expression search over a
// long text (hundreds of thousands of matches, each within the engine's
// step budget) stops at statement_timeout; it ran on for minutes.
func TestRegexpStopsAtTimeout(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	for _, sql := range []string{
		"SELECT length(regexp_replace(repeat('ab', 2000000), '(a|ab)*?b', 'z', 'g'))",
		"SELECT regexp_count(repeat('ab', 2000000), '(a|ab)*?b')",
		"SELECT count(*) FROM regexp_matches(repeat('ab', 2000000), '(a|ab)*?b', 'g')",
	} {
		wantCode(t, sessionErr(t, e, "analyst", "SET statement_timeout = '300ms'", sql), sqltypes.CodeQueryCanceled)
	}
}
