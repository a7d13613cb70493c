package logical

import (
	"slices"
	"testing"

	"github.com/meshql/meshql/sqltypes"
)

// TestVisitExprsMatchesMapExprs: VisitExprs sees exactly the expressions
// MapExprs rewrites, in the same order, for every node that holds any;
// a field one of them forgets would make a rewrite or a check miss it.
func TestVisitExprsMatchesMapExprs(t *testing.T) {
	next := ColumnID(0)
	e := func() Expr { next++; return &ColRef{ID: next, T: sqltypes.TypeInt8} }
	key := func() SortKey { return SortKey{Expr: e()} }
	in := &Values{}
	for _, n := range []Node{
		&Scan{Filters: []Expr{e(), e()}},
		&Filter{Input: in, Pred: e()},
		&Project{Input: in, Exprs: []Expr{e(), e()}},
		&Join{Left: in, Right: in, Cond: e()},
		&Join{Left: in, Right: in}, // no condition: nothing to see
		&Aggregate{Input: in, Groups: []Expr{e()}, Aggs: []AggCall{{Args: []Expr{e()}, Filter: e(), Order: []SortKey{key()}}, {Args: []Expr{e()}}}, InputOrder: []SortKey{key()}},
		&Sort{Input: in, Keys: []SortKey{key(), key()}},
		&Window{Input: in, PartitionBy: []Expr{e()}, OrderBy: []SortKey{key()}, Calls: []WindowCall{{Args: []Expr{e()}, Filter: e(), RangeKey: e(), RangeStart: e(), RangeEnd: e()}, {Args: []Expr{e()}}}},
		&Unnest{Input: in, Lists: []Expr{e(), e()}, Cond: e()},
		&Values{Rows: [][]Expr{{e(), e()}, {e(), e()}}},
	} {
		var mapped, visited []Expr
		MapExprs(n, func(x Expr) Expr { mapped = append(mapped, x); return x })
		VisitExprs(n, func(x Expr) { visited = append(visited, x) })
		if !slices.Equal(mapped, visited) {
			t.Errorf("%T: MapExprs sees %v, VisitExprs %v", n, mapped, visited)
		}
	}
}
