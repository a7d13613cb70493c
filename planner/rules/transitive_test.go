package rules

import (
	"strings"
	"testing"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// TestTransitiveKeyFilters: a constant filter on one join key restricts
// the key it equals on the other side, so that side's scan reads fewer
// rows, but only where the rows it removes could not have been returned:
// any side of an inner join, the null-extended side of an outer join, the
// right side of a semi join (and its left by the right's ON filter).
// A preserved side is never filtered by the other side's key, and keys
// whose types compare differently are not linked. Integer keys of
// different widths are (an integer joined to a bigint), with constants
// the narrower column cannot hold dropped.
func TestTransitiveKeyFilters(t *testing.T) {
	col := func(id logical.ColumnID, ty sqltypes.Type) *logical.ColRef {
		return &logical.ColRef{ID: id, Name: map[logical.ColumnID]string{1: "a", 2: "a2", 3: "b", 4: "b2"}[id], T: ty}
	}
	lt := func(c *logical.ColRef) logical.Expr {
		return &logical.Binary{Op: expr.OpLt, L: c, R: &logical.Const{T: c.T, V: int64(100)}, T: sqltypes.TypeBool}
	}
	list := func(c *logical.ColRef, negated bool, vs ...int64) logical.Expr {
		l := &logical.InList{E: c, Negated: negated}
		for _, v := range vs {
			l.List = append(l.List, &logical.Const{T: c.T, V: v})
		}
		return l
	}
	in := func(c *logical.ColRef, vs ...int64) logical.Expr {
		if len(vs) == 0 {
			vs = []int64{5, 7}
		}
		return list(c, false, vs...)
	}
	notIn := func(c *logical.ColRef, vs ...int64) logical.Expr { return list(c, true, vs...) }
	cmp := func(op expr.BinaryOp, c *logical.ColRef, v int64) logical.Expr {
		return &logical.Binary{Op: op, L: c, R: &logical.Const{T: c.T, V: v}, T: sqltypes.TypeBool}
	}
	eq := func(l, r *logical.ColRef) logical.Expr {
		return &logical.Binary{Op: expr.OpEq, L: l, R: r, T: sqltypes.TypeBool}
	}
	a, b := col(1, sqltypes.TypeInt8), col(3, sqltypes.TypeInt8)
	// An integer key joined to a bigint one compares as bigint.
	a2 := col(2, sqltypes.TypeInt4)
	widenedEq := &logical.Binary{Op: expr.OpEq, L: &logical.Cast{E: a2, T: sqltypes.TypeInt8}, R: b, T: sqltypes.TypeBool}
	narrowedEq := &logical.Binary{Op: expr.OpEq, L: a2, R: &logical.Cast{E: b, T: sqltypes.TypeInt4}, T: sqltypes.TypeBool}
	join := func(jt logical.JoinType, cond ...logical.Expr) *logical.Join {
		return &logical.Join{Type: jt, Left: int8Row(1, 2), Right: int8Row(3, 4), Cond: logical.And(cond)}
	}
	where := func(n logical.Node, p logical.Expr) logical.Node { return &logical.Filter{Input: n, Pred: p} }
	tests := []struct {
		name        string
		in          logical.Node
		left, right string // the filter each input ends with ("" for none)
	}{
		{"inner, WHERE on the left key", where(join(logical.InnerJoin, eq(a, b)), lt(a)), "a < 100", "b < 100"},
		{"inner, WHERE on the right key", where(join(logical.InnerJoin, eq(a, b)), lt(b)), "a < 100", "b < 100"},
		{"inner, IN list in ON", join(logical.InnerJoin, eq(a, b), in(a)), "a IN (5, 7)", "b IN (5, 7)"},
		{"inner, through a second equality", where(join(logical.InnerJoin, eq(a, b), eq(b, col(4, sqltypes.TypeInt8))), lt(a)), "a < 100", "b = b2 AND b < 100 AND b2 < 100"},
		{"left, WHERE on the preserved key", where(join(logical.LeftJoin, eq(a, b)), lt(a)), "a < 100", "b < 100"},
		{"left, ON on the preserved key", join(logical.LeftJoin, eq(a, b), lt(a)), "", "b < 100"},
		{"left, ON on the null-extended key", join(logical.LeftJoin, eq(a, b), lt(b)), "", "b < 100"},
		{"right, WHERE on the preserved key", where(join(logical.RightJoin, eq(a, b)), lt(b)), "a < 100", "b < 100"},
		{"right, ON on the preserved key", join(logical.RightJoin, eq(a, b), lt(b)), "a < 100", ""},
		{"full, ON on both keys", join(logical.FullJoin, eq(a, b), lt(a), lt(b)), "", ""},
		{"semi, ON on the right key", join(logical.SemiJoin, eq(a, b), lt(b)), "a < 100", "b < 100"},
		{"anti, WHERE on the left key", where(join(logical.AntiJoin, eq(a, b)), lt(a)), "a < 100", "b < 100"},
		{"anti, ON on the left key", join(logical.AntiJoin, eq(a, b), lt(a)), "", "b < 100"},
		{"anti, ON on the right key", join(logical.AntiJoin, eq(a, b), lt(b)), "", "b < 100"},
		{"mark, WHERE on the left key", where(join(logical.MarkJoin, eq(a, b)), lt(a)), "a < 100", ""},
		{"int8 key cast to numeric", where(join(logical.InnerJoin, &logical.Binary{Op: expr.OpEq, L: &logical.Cast{E: a, T: sqltypes.Type{Kind: sqltypes.Numeric}}, R: col(4, sqltypes.Type{Kind: sqltypes.Numeric}), T: sqltypes.TypeBool}), lt(a)), "a < 100", ""},
		{"int4 key widened to an int8 key", where(join(logical.InnerJoin, widenedEq), lt(a2)), "a2 < 100", "b < 100"},
		{"int8 key into a widened int4 key", where(join(logical.InnerJoin, widenedEq), lt(b)), "a2 < 100", "b < 100"},
		{"int8 constant beyond int4", where(join(logical.InnerJoin, widenedEq), cmp(expr.OpLt, b, 1<<40)), "", "b < 1099511627776"},
		{"int8 list partly beyond int4", where(join(logical.InnerJoin, widenedEq), in(b, 5, 1<<40)), "a2 IN 5", "b IN 5, 1099511627776"},
		{"int8 NOT IN partly beyond int4", where(join(logical.InnerJoin, widenedEq), notIn(b, 1<<40, 7)), "a2 NOT IN 7", "b NOT IN 1099511627776, 7"},
		{"int8 list wholly beyond int4", where(join(logical.InnerJoin, widenedEq), in(b, 1<<40)), "", "b IN 1099511627776"},
		{"int4 key narrowed from int8 is no link", where(join(logical.InnerJoin, narrowedEq), lt(b)), "", "b < 100"},
		{"float keys", where(join(logical.InnerJoin, eq(col(1, sqltypes.TypeFloat8), col(3, sqltypes.TypeFloat8))), lt(col(1, sqltypes.TypeFloat8))), "a < 100", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := PushDownFilters(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			for out != nil {
				if _, ok := out.(*logical.Join); ok {
					break
				}
				out = out.Children()[0]
			}
			j := out.(*logical.Join)
			for _, side := range []struct {
				name, want string
				n          logical.Node
			}{{"left", tc.left, j.Left}, {"right", tc.right, j.Right}} {
				got := ""
				if f, ok := side.n.(*logical.Filter); ok {
					got = strings.ReplaceAll(f.Pred.String(), "(", "")
					got = strings.ReplaceAll(got, ")", "")
				}
				want := strings.ReplaceAll(strings.ReplaceAll(side.want, "(", ""), ")", "")
				if got != want {
					t.Errorf("%s input is filtered by %q, want %q:\n%s", side.name, got, want, describe(tc.in, ""))
				}
			}
		})
	}
}
