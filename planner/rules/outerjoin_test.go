package rules

import (
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestReduceOuterJoin: columns 1 and 2 are the left side's, 3 and 4 the
// right side's. A WHERE conjunct that cannot be TRUE when a side's columns
// are all NULL takes away that side's null-extended rows.
func TestReduceOuterJoin(t *testing.T) {
	col := func(id logical.ColumnID) logical.Expr { return &logical.ColRef{ID: id, T: sqltypes.TypeInt8} }
	lit := &logical.Const{T: sqltypes.TypeInt8, V: int64(5)}
	bin := func(op expr.BinaryOp, l, r logical.Expr) logical.Expr {
		return &logical.Binary{Op: op, L: l, R: r, T: sqltypes.TypeBool}
	}
	un := func(op logical.UnaryOp, e logical.Expr) logical.Expr {
		return &logical.Unary{Op: op, E: e, T: sqltypes.TypeBool}
	}
	coalesce := &logical.Func{Name: "coalesce", Args: []logical.Expr{col(3), lit}, T: sqltypes.TypeInt8}
	left, right := logical.ColSet{}, logical.ColSet{}
	left.Add(1, 2)
	right.Add(3, 4)
	tests := []struct {
		name string
		in   logical.JoinType
		pred logical.Expr
		want logical.JoinType
	}{
		{"comparison with the right side", logical.LeftJoin, bin(expr.OpGt, col(3), lit), logical.InnerJoin},
		{"arithmetic and a cast", logical.LeftJoin, bin(expr.OpEq, &logical.Cast{E: bin(expr.OpAdd, col(4), col(1)), T: sqltypes.TypeInt4}, lit), logical.InnerJoin},
		{"IS NOT NULL", logical.LeftJoin, un(logical.OpIsNotNull, col(4)), logical.InnerJoin},
		{"NOT of a comparison", logical.LeftJoin, un(logical.OpNot, bin(expr.OpEq, col(3), lit)), logical.InnerJoin},
		{"OR of two rejecting", logical.LeftJoin, bin(expr.OpOr, bin(expr.OpEq, col(3), lit), un(logical.OpIsNotNull, col(4))), logical.InnerJoin},
		{"AND with one rejecting", logical.LeftJoin, bin(expr.OpAnd, bin(expr.OpEq, col(1), lit), bin(expr.OpLt, col(3), lit)), logical.InnerJoin},
		{"IN list", logical.LeftJoin, &logical.InList{E: col(3), List: []logical.Expr{lit}, Negated: true}, logical.InnerJoin},
		{"only the preserved side", logical.LeftJoin, bin(expr.OpGt, col(1), lit), logical.LeftJoin},
		{"IS NULL keeps the null-extended rows", logical.LeftJoin, un(logical.OpIsNull, col(3)), logical.LeftJoin},
		{"IS DISTINCT FROM", logical.LeftJoin, bin(expr.OpIsDistinctFrom, col(3), lit), logical.LeftJoin},
		{"OR with a preserved-side arm", logical.LeftJoin, bin(expr.OpOr, bin(expr.OpEq, col(3), lit), bin(expr.OpEq, col(1), lit)), logical.LeftJoin},
		{"NOT (a AND b) can be TRUE", logical.LeftJoin, un(logical.OpNot, bin(expr.OpAnd, bin(expr.OpEq, col(3), lit), bin(expr.OpEq, col(1), lit))), logical.LeftJoin},
		{"a function", logical.LeftJoin, bin(expr.OpEq, coalesce, lit), logical.LeftJoin},
		{"right join, left side rejected", logical.RightJoin, bin(expr.OpGt, col(2), lit), logical.InnerJoin},
		{"right join, right side", logical.RightJoin, bin(expr.OpGt, col(3), lit), logical.RightJoin},
		{"full join, left side rejected", logical.FullJoin, bin(expr.OpGt, col(2), lit), logical.LeftJoin},
		{"full join, right side rejected", logical.FullJoin, bin(expr.OpGt, col(3), lit), logical.RightJoin},
		{"full join, both", logical.FullJoin, bin(expr.OpEq, col(2), col(3)), logical.InnerJoin},
		{"semi join untouched", logical.SemiJoin, bin(expr.OpEq, col(2), col(3)), logical.SemiJoin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := reduceOuterJoin(tc.in, []logical.Expr{tc.pred}, left, right); got != tc.want {
				t.Errorf("%s under WHERE %s: got %s join, want %s", tc.in, tc.pred, got, tc.want)
			}
		})
	}
}
