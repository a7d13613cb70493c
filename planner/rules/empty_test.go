package rules

import (
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestRemoveEmpty: a subtree no row can leave becomes an empty Values
// with the same output; what still yields rows from an empty input (an
// aggregate without GROUP BY, the preserved side of an outer join) stays.
func TestRemoveEmpty(t *testing.T) {
	scan := func(ids ...logical.ColumnID) *logical.Scan { return &logical.Scan{Name: "t", Cols: ids} }
	falseC := &logical.Const{T: sqltypes.TypeBool, V: false}
	nullC := &logical.Const{T: sqltypes.TypeBool, V: nil}
	trueC := &logical.Const{T: sqltypes.TypeBool, V: true}
	col := &logical.ColRef{ID: 1, T: sqltypes.TypeBool}
	and := func(l, r logical.Expr) logical.Expr { return logical.And([]logical.Expr{l, r}) }
	empty := func() logical.Node { return &logical.Filter{Input: scan(1, 2), Pred: falseC} }
	join := func(jt logical.JoinType, l, r logical.Node) logical.Node {
		return &logical.Join{Type: jt, Left: l, Right: r, Cond: trueC}
	}
	tests := []struct {
		name  string
		plan  logical.Node
		empty bool
	}{
		{"WHERE false", empty(), true},
		{"WHERE NULL AND x", &logical.Filter{Input: scan(1), Pred: and(col, nullC)}, true},
		{"WHERE x OR false", &logical.Filter{Input: scan(1), Pred: &logical.Binary{Op: expr.OpOr, L: col, R: falseC, T: sqltypes.TypeBool}}, false},
		{"scan filter false", &logical.Scan{Name: "t", Cols: []logical.ColumnID{1}, Filters: []logical.Expr{col, falseC}}, true},
		{"WHERE true", &logical.Filter{Input: scan(1), Pred: trueC}, false},
		{"LIMIT 0", &logical.Limit{Input: scan(1), Count: 0}, true},
		{"LIMIT ALL", &logical.Limit{Input: scan(1), Count: -1}, false},
		{"sort above", &logical.Sort{Input: empty()}, true},
		{"project above", &logical.Project{Input: empty(), Exprs: []logical.Expr{col}, Cols: []logical.ColumnID{7}}, true},
		{"grouped aggregate", &logical.Aggregate{Input: empty(), Groups: []logical.Expr{col}, GroupCols: []logical.ColumnID{1}}, true},
		{"aggregate without GROUP BY", &logical.Aggregate{Input: empty(), AggCols: []logical.ColumnID{9}}, false},
		{"inner join, empty right", join(logical.InnerJoin, scan(3), empty()), true},
		{"inner join ON false", &logical.Join{Type: logical.InnerJoin, Left: scan(3), Right: scan(4), Cond: falseC}, true},
		{"left join, empty right", join(logical.LeftJoin, scan(3), empty()), false},
		{"left join ON false", &logical.Join{Type: logical.LeftJoin, Left: scan(3), Right: scan(4), Cond: falseC}, false},
		{"left join, empty left", join(logical.LeftJoin, empty(), scan(3)), true},
		{"anti join, empty right", join(logical.AntiJoin, scan(3), empty()), false},
		{"semi join, empty right", join(logical.SemiJoin, scan(3), empty()), true},
		{"right join, empty left", join(logical.RightJoin, empty(), scan(3)), false},
		{"full join, one side empty", join(logical.FullJoin, empty(), scan(3)), false},
		{"full join, both empty", join(logical.FullJoin, empty(), empty()), true},
		{"union keeps its inputs", &logical.SetOp{Kind: logical.Union, All: true, Left: empty(), Right: scan(5), Cols: []logical.ColumnID{6, 7}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RemoveEmpty(tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			v, isValues := got.(*logical.Values)
			if gotEmpty := isValues && len(v.Rows) == 0; gotEmpty != tc.empty {
				t.Fatalf("got %T, want empty=%v", got, tc.empty)
			}
			if want := tc.plan.Output(); len(got.Output()) != len(want) {
				t.Errorf("output %v, want %v", got.Output(), want)
			} else {
				for i := range want {
					if got.Output()[i] != want[i] {
						t.Errorf("output %v, want %v", got.Output(), want)
					}
				}
			}
		})
	}
}
