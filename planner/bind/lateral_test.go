package bind

import (
	"context"
	"fmt"
	"testing"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/parse"
)

// bindStandalone parses and binds sql, a SELECT that reads no table,
// with a binder of its own: the binder (its counters and row keys tell
// what the rewrites did), the bound relation and the binding's error.
func bindStandalone(t testing.TB, sql string) (*binder, *relation, error) {
	t.Helper()
	stmts, err := parse.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	b := &binder{ctx: context.Background(), meta: &logical.Metadata{}, params: newParamTypes(nil, nil)}
	rel, err := b.bindSelect(stmts[0].Node.GetSelectStmt(), nil)
	return b, rel, err
}

// bindCounting binds sql (which reads no table) and returns the binder,
// whose counters tell how often correlated subqueries were rewritten.
func bindCounting(t *testing.T, sql string) *binder {
	t.Helper()
	b, _, err := bindStandalone(t, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return b
}

// TestLateralRewrittenOnce: a LATERAL subquery is decorrelated (or
// evaluated per outer row) once. The exceptions are the forms that need
// a second, different rewrite: a select list reading the left side is
// split off the subquery after deciding how to decorrelate it, and a
// LEFT JOIN's per-outer-row form keeps unmatched rows, which the check
// of the shape does not build.
func TestLateralRewrittenOnce(t *testing.T) {
	const from = "FROM (VALUES (1), (2), (3)) l(a) "
	for _, tc := range []struct {
		name, sql              string
		decorrelations, perRow int
	}{
		{"equality aggregate", from + ", LATERAL (SELECT sum(x) AS s FROM (VALUES (1), (2)) v(x) WHERE v.x = l.a) s", 1, 0},
		{"equality rows", from + "CROSS JOIN LATERAL (SELECT x FROM (VALUES (1), (2)) v(x) WHERE v.x = l.a) s", 1, 0},
		{"non-equality aggregate", from + ", LATERAL (SELECT sum(x) AS s FROM (VALUES (1), (2)) v(x) WHERE v.x < l.a) s", 1, 1},
		{"non-equality top-n", from + "JOIN LATERAL (SELECT x FROM (VALUES (1), (2)) v(x) WHERE v.x < l.a ORDER BY x LIMIT 1) s ON true", 1, 1},
		{"left join non-equality", from + "LEFT JOIN LATERAL (SELECT sum(x) AS s FROM (VALUES (1), (2)) v(x) WHERE v.x < l.a) s ON true", 1, 2},
		{"select list reads left", from + "CROSS JOIN LATERAL (SELECT x, l.a * 10 AS y FROM (VALUES (1), (2)) v(x) WHERE v.x = l.a) s", 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bindCounting(t, "SELECT * "+tc.sql)
			t.Logf("decorrelations %d per-row builds %d", b.decorrelations, b.perRowBuilds)
			if b.decorrelations != tc.decorrelations || b.perRowBuilds != tc.perRow {
				t.Errorf("decorrelations %d, per-row builds %d; want %d, %d", b.decorrelations, b.perRowBuilds, tc.decorrelations, tc.perRow)
			}
		})
	}
}

// BenchmarkBindLateral binds a query of several LATERAL subqueries, the
// decorrelated and the per-outer-row forms.
func BenchmarkBindLateral(b *testing.B) {
	sql := "SELECT * FROM (VALUES (1, 2), (2, 3), (3, 4)) l(a, c)"
	for i := range 4 {
		sql += fmt.Sprintf(", LATERAL (SELECT sum(x) AS s%[1]d, count(*) AS n%[1]d FROM (VALUES (1, 'a'), (2, 'b')) v(x, y) WHERE v.x = l.a AND y <> 'z') e%[1]d", i)
		sql += fmt.Sprintf(", LATERAL (SELECT max(x) AS m%[1]d FROM (VALUES (1), (2)) v(x) WHERE v.x < l.c) r%[1]d", i)
		sql += fmt.Sprintf(", LATERAL (SELECT x AS t%[1]d FROM (VALUES (1), (2)) v(x) WHERE v.x <= l.a ORDER BY x DESC LIMIT 1) k%[1]d", i)
	}
	stmts, err := parse.Parse(sql)
	if err != nil {
		b.Fatal(err)
	}
	sel := stmts[0].Node.GetSelectStmt()
	b.ReportAllocs()
	for b.Loop() {
		bb := &binder{ctx: context.Background(), meta: &logical.Metadata{}, params: newParamTypes(nil, nil)}
		if _, err := bb.bindSelect(sel, nil); err != nil {
			b.Fatal(err)
		}
	}
}
