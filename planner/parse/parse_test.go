package parse

import (
	"strconv"
	"strings"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

func TestSplitsStatements(t *testing.T) {
	stmts, err := Parse("SELECT 1; select 2 ;")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 || stmts[0].SQL != "SELECT 1" || stmts[1].SQL != "select 2" || stmts[1].Offset != 10 {
		t.Fatalf("got %+v", stmts)
	}
	if stmts, err := Parse(" -- only a comment\n;"); err != nil || len(stmts) != 0 {
		t.Fatalf("empty query: %v %v", stmts, err)
	}
}

func TestSyntaxErrorPositionAndHint(t *testing.T) {
	cases := []struct {
		name, sql string
		pos       int
		hint      string
	}{
		{"typo", "selec 1", 1, ""},
		{"seed cross-sell form", "SELECT * FROM orders o JOIN UNNEST(o.bought) AS product_id JOIN products p USING (product_id)", 94, // PostgreSQL reports "at end of input"
			"JOIN needs an ON or USING condition. To expand an array into rows, write CROSS JOIN UNNEST(o.bought) AS u(product_id)"},
		{"join with condition is not the mistake", "SELECT * FROM a JOIN b ON GROUP", 27, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.sql)
			e, ok := err.(*sqltypes.Error)
			if !ok {
				t.Fatalf("want *sqltypes.Error, got %T %v", err, err)
			}
			if e.Code != sqltypes.CodeSyntaxError || e.Position != tc.pos || e.Hint != tc.hint {
				t.Fatalf("got code=%s pos=%d hint=%q msg=%q", e.Code, e.Position, e.Hint, e.Msg)
			}
		})
	}
}

// A statement nested past the parse tree's depth limit is 54001, as
// PostgreSQL answers one past its stack, not a syntax error.
func TestTooDeepIsStackDepth(t *testing.T) {
	sql := "SELECT " + strings.Repeat("1+", 20000) + "1"
	_, err := Parse(sql)
	if sqltypes.Code(err) != sqltypes.CodeStackDepthExceeded {
		t.Fatalf("got %v, want 54001", err)
	}
	if _, err := Parse("SELECT " + strings.Repeat("1+", 2000) + "1"); err != nil {
		t.Fatalf("2,000 terms: %v", err)
	}
}

// TestDeepStatementsDoNotCrash: statements nested far past the limit are
// 54001 like the ones just past it. Each of these killed the server (the
// C side that serializes the parse tree overflowed its stack) before the
// nesting estimate refused them; long statements that are wide rather
// than deep still parse.
func TestDeepStatementsDoNotCrash(t *testing.T) {
	deep := map[string]string{
		"30,000-term chain":  "SELECT " + strings.Repeat("1+", 30000) + "1",
		"100,000-term chain": "SELECT " + strings.Repeat("1*", 100000) + "1",
		"casts":              "SELECT 1" + strings.Repeat("::int", 40000),
		"parentheses":        "SELECT " + strings.Repeat("(", 40000) + "1" + strings.Repeat(")", 40000),
		"function calls":     "SELECT " + strings.Repeat("abs(", 30000) + "1" + strings.Repeat(")", 30000),
		"CASE":               "SELECT " + strings.Repeat("CASE WHEN true THEN ", 30000) + "1" + strings.Repeat(" END", 30000),
		"NOT":                "SELECT " + strings.Repeat("NOT ", 40000) + "true",
		"fingerprint":        "SELECT " + strings.Repeat("1+", 30000) + "1",
	}
	for name, sql := range deep {
		var err error
		if name == "fingerprint" {
			_, err = Fingerprint(sql)
		} else {
			_, err = Parse(sql)
		}
		if sqltypes.Code(err) != sqltypes.CodeStackDepthExceeded {
			t.Errorf("%s: got %v, want 54001", name, err)
		}
	}
	terms := make([]string, 30000)
	for i := range terms {
		terms[i] = "x = " + strconv.Itoa(i)
	}
	wide := map[string]string{
		"IN list":          "SELECT 1 WHERE 1 IN (" + strings.Repeat("1,", 30000) + "1)",
		"OR chain":         "SELECT 1 FROM t WHERE " + strings.Join(terms, " OR "),
		"select list":      "SELECT " + strings.Repeat("a + 1, ", 20000) + "1",
		"VALUES":           "VALUES " + strings.Repeat("(1 + 2), ", 20000) + "(1)",
		"long string":      "SELECT '" + strings.Repeat("+(", 30000) + "'",
		"long comment":     "SELECT 1 -- " + strings.Repeat("1+", 30000),
		"clauses of a CTE": "WITH a AS (SELECT " + strings.Repeat("1+", 4000) + "1) SELECT " + strings.Repeat("2+", 4000) + "2 FROM a WHERE " + strings.Repeat("3+", 4000) + "3 = 0",
	}
	for name, sql := range wide {
		if _, err := Parse(sql); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
