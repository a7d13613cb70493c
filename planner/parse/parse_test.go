package parse

import (
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
