package engine

import (
	"regexp"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestRecursiveQueryExplain checks that EXPLAIN [ANALYZE] shows a
// recursive query's union and its working-table read, and that the
// query's memory is all released (the rounds' batches included).
func TestRecursiveQueryExplain(t *testing.T) {
	e, mem := demoDataEngine(t)
	defer mem.AssertSize(t, 0)
	const q = "WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n + 1 FROM r WHERE n < 5) SELECT count(*) FROM r"
	for _, prefix := range []string{"EXPLAIN ", "EXPLAIN ANALYZE "} {
		text := strings.Join(rows(t, e, "analyst", prefix+q), "\n")
		for _, want := range []string{"Recursive Union", "name=r", "WorkTable Scan"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q:\n%s", prefix, want, text)
			}
		}
		if strings.Index(text, "WorkTable Scan") < strings.Index(text, "Recursive Union") {
			t.Errorf("%s: the working-table read must sit under the union:\n%s", prefix, text)
		}
	}
	if got := rows(t, e, "analyst", q); len(got) != 1 || got[0] != "5" {
		t.Errorf("got %v, want 5", got)
	}
	// The recursive term's operators count every round: 5 rounds read
	// the working table (one row each) and 4 pass the filter.
	text := strings.Join(rows(t, e, "analyst", "EXPLAIN ANALYZE "+q), "\n")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Filter \(predicate=\(n < 5\)\) \[actual rows=4 batches=4 time=\S+ loops=5\]`),
		regexp.MustCompile(`WorkTable Scan \(name=r\) \[actual rows=5 batches=5 time=\S+ loops=5\]`),
	} {
		if !want.MatchString(text) {
			t.Errorf("EXPLAIN ANALYZE lacks %s:\n%s", want, text)
		}
	}
}

// An endless recursion stops at statement_timeout (57014), and a growing
// one at the query's memory budget (53200): the rounds' rows are kept
// within the budget. Either way every batch is released.
func TestRecursiveQueryLimits(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	wantCode(t, sessionErr(t, e, "analyst", "SET statement_timeout = '200ms'",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n FROM r) SELECT count(*) FROM r"), sqltypes.CodeQueryCanceled)
	// A LIMIT above an endless recursion ends it, as in PostgreSQL,
	// which computes a recursive query's rows only as they are read.
	if err := sessionErr(t, e, "analyst", "SET statement_timeout = '20s'",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r LIMIT 5"); err != nil {
		t.Errorf("LIMIT over an endless recursion: %v", err)
	}
	// Each round doubles the rows.
	wantCode(t, sessionErr(t, e, "analyst", "SET mesh.query_memory = '4MB'",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r, (VALUES (1), (2)) AS v(x)) SELECT count(*) FROM r"), sqltypes.CodeOutOfMemory)
}
