package bind

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// outerJoinPerPair plans a LEFT or RIGHT join whose ON condition has a
// subquery reading both sides, as `a LEFT JOIN b ON EXISTS (SELECT ...
// WHERE c.x = a.x AND c.y = b.y)`: such a subquery can only be evaluated
// per pair of rows, so the join pairs the numbered preserved rows with the
// nullable side on the rest of the condition (an outer join, so every
// preserved row has at least one pair), the subqueries become joins over
// those pairs as in WHERE, and then each preserved row keeps the pairs
// that satisfy the whole condition, or, when none does, one of its pairs
// with the nullable side's columns nulled. Each input is read once.
func (b *binder) outerJoinPerPair(joined *relation, cond logical.Expr) (logical.Node, error) {
	join := joined.node.(*logical.Join)
	preserved, nullable := &join.Left, &join.Right
	if join.Type == logical.RightJoin {
		preserved, nullable = nullable, preserved
	}
	nullCols := (*nullable).Output()
	rowID := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	*preserved = b.numberRows(*preserved, rowID)
	matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	*nullable = b.withMarker(*nullable, matched)
	var plain, withSub []logical.Expr
	for _, c := range logical.Conjuncts(cond) {
		if hasSubquery(c) {
			withSub = append(withSub, c)
		} else {
			plain = append(plain, c)
		}
	}
	join.Cond = logical.And(plain)
	if join.Cond == nil {
		join.Cond = &logical.Const{T: sqltypes.TypeBool, V: true}
	}
	node, exprs, err := b.joinSubqueries(join, []logical.Expr{logical.And(withSub)})
	if err != nil {
		return nil, err
	}
	// ok: a real pair (not the outer join's padding) satisfying it all.
	ok := b.meta.NewColumn("ok", "", sqltypes.TypeBool)
	fls := &logical.Const{T: sqltypes.TypeBool, V: false}
	okExpr := logical.And([]logical.Expr{
		&logical.Unary{Op: logical.OpIsNotNull, E: b.colRef(matched), T: sqltypes.TypeBool},
		&logical.Func{Name: "coalesce", Args: []logical.Expr{exprs[0], fls}, T: sqltypes.TypeBool},
	})
	withOK := &logical.Project{Input: node}
	for _, id := range node.Output() {
		withOK.Exprs, withOK.Cols = append(withOK.Exprs, b.colRef(id)), append(withOK.Cols, id)
	}
	withOK.Exprs, withOK.Cols = append(withOK.Exprs, okExpr), append(withOK.Cols, ok)
	oks, rn := b.meta.NewColumn("ok_pairs", "", sqltypes.TypeInt8), b.meta.NewColumn("row_number", "", sqltypes.TypeInt8)
	w := &logical.Window{
		Input:       withOK,
		PartitionBy: []logical.Expr{b.colRef(rowID)},
		Calls: []logical.WindowCall{
			{Func: "count_star", Filter: b.colRef(ok), Frame: ops.DefaultFrame(false), T: sqltypes.TypeInt8},
			{Func: "row_number", Frame: ops.DefaultFrame(false), T: sqltypes.TypeInt8},
		},
		Cols: []logical.ColumnID{oks, rn},
	}
	int8 := func(v int64) logical.Expr { return &logical.Const{T: sqltypes.TypeInt8, V: v} }
	eq := func(id logical.ColumnID, v int64) logical.Expr {
		return &logical.Binary{Op: expr.OpEq, L: b.colRef(id), R: int8(v), T: sqltypes.TypeBool}
	}
	keep := &logical.Filter{Input: w, Pred: &logical.Binary{Op: expr.OpOr, L: b.colRef(ok), R: logical.And([]logical.Expr{eq(oks, 0), eq(rn, 1)}), T: sqltypes.TypeBool}}
	// The nullable side's columns, nulled on the row kept for a preserved
	// row without a pair.
	out := &logical.Project{Input: keep}
	isNull := logical.NewColSet(nullCols...)
	renamed := map[logical.ColumnID]logical.ColumnID{}
	for _, id := range node.Output() {
		c := b.colRef(id)
		if !isNull.Has(id) {
			out.Exprs, out.Cols = append(out.Exprs, c), append(out.Cols, id)
			continue
		}
		nid := b.meta.NewColumn(c.Name, "", c.T)
		out.Exprs = append(out.Exprs, &logical.Case{Whens: []logical.When{{Cond: b.colRef(ok), Then: c}}, T: c.T})
		out.Cols = append(out.Cols, nid)
		renamed[id] = nid
	}
	repointColumns(joined, renamed, nil)
	return out, nil
}
