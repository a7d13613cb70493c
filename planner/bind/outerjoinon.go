package bind

import (
	"github.com/meshql/meshql/executor/expr"
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
	node, ok, err := b.pairsSatisfying(join, cond, []logical.ColumnID{matched})
	if err != nil {
		return nil, err
	}
	// The nullable side's columns are nulled on the row kept for a
	// preserved row without a pair.
	isNull := logical.NewColSet(nullCols...)
	r := &perRowOut{node: node, rowID: rowID}
	for _, id := range node.Output() {
		if !isNull.Has(id) {
			r.keys = append(r.keys, id)
		}
	}
	b.keepOrPad(r, b.colRef(ok))
	repointColumns(joined, r.renamed, nil)
	return r.node, nil
}

// fullJoinPerPair is outerJoinPerPair for a FULL join, whose two sides
// are both preserved: both are numbered, and each pair of the full join
// on the rest of the condition is kept when it satisfies the whole
// condition. A row of either side without such a pair keeps one of its
// pairs with the other side's columns nulled; a pair can be that for its
// left row and its right row at once, so the pairs are doubled (a join
// with the two tags 1 and 2), tag 1 holding the satisfied pairs and the
// left rows' padding and tag 2 the right rows'.
func (b *binder) fullJoinPerPair(joined *relation, cond logical.Expr) (logical.Node, error) {
	join := joined.node.(*logical.Join)
	leftCols, rightCols := join.Left.Output(), join.Right.Output()
	lRow, rRow := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8), b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	lMatched, rMatched := b.meta.NewColumn("matched", "", sqltypes.TypeBool), b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	join.Left = b.withMarker(b.numberRows(join.Left, lRow), lMatched)
	join.Right = b.withMarker(b.numberRows(join.Right, rRow), rMatched)
	node, ok, err := b.pairsSatisfying(join, cond, []logical.ColumnID{lMatched, rMatched})
	if err != nil {
		return nil, err
	}
	// pad: a row of side (numbered row) without a satisfying pair, on
	// the first of its pairs.
	int8 := func(v int64) logical.Expr { return &logical.Const{T: sqltypes.TypeInt8, V: v} }
	eq := func(id logical.ColumnID, v int64) logical.Expr {
		return &logical.Binary{Op: expr.OpEq, L: b.colRef(id), R: int8(v), T: sqltypes.TypeBool}
	}
	pad := func(row, matched logical.ColumnID) logical.Expr {
		var oks, rn logical.ColumnID
		node, oks, rn = b.countOK(node, row, ok)
		return logical.And([]logical.Expr{&logical.Unary{Op: logical.OpIsNotNull, E: b.colRef(matched), T: sqltypes.TypeBool}, eq(oks, 0), eq(rn, 1)})
	}
	lPad, rPad := pad(lRow, lMatched), pad(rRow, rMatched)
	tag := b.meta.NewColumn("tag", "", sqltypes.TypeInt8)
	tags := &logical.Values{Rows: [][]logical.Expr{{int8(1)}, {int8(2)}}, Cols: []logical.ColumnID{tag}}
	doubled := &logical.Join{Type: logical.InnerJoin, Left: node, Right: tags, Cond: &logical.Const{T: sqltypes.TypeBool, V: true}}
	or := func(l, r logical.Expr) logical.Expr { return boolBinary(expr.OpOr, l, r) }
	first := logical.And([]logical.Expr{eq(tag, 1), or(b.colRef(ok), lPad)})
	second := logical.And([]logical.Expr{eq(tag, 2), rPad})
	kept := &logical.Filter{Input: doubled, Pred: or(first, second)}
	// Tag 1 rows are satisfied pairs or left padding: the left columns
	// are real; the right ones are on satisfied pairs and tag 2 rows.
	out := &logical.Project{Input: kept}
	renamed := map[logical.ColumnID]logical.ColumnID{}
	add := func(cols []logical.ColumnID, when logical.Expr) {
		for _, id := range cols {
			c := b.colRef(id)
			nid := b.meta.NewColumn(c.Name, "", c.T)
			out.Exprs = append(out.Exprs, &logical.Case{Whens: []logical.When{{Cond: when, Then: c}}, T: c.T})
			out.Cols = append(out.Cols, nid)
			renamed[id] = nid
		}
	}
	add(leftCols, eq(tag, 1))
	add(rightCols, or(b.colRef(ok), eq(tag, 2)))
	repointColumns(joined, renamed, nil)
	return out, nil
}

// pairsSatisfying joins the pairs of join on the conjuncts of cond
// without subqueries, computes the others as joins over those pairs, and
// adds the column ok: the pair is real (every marker not NULL: not an
// outer join's padding) and satisfies all of cond.
func (b *binder) pairsSatisfying(join *logical.Join, cond logical.Expr, markers []logical.ColumnID) (logical.Node, logical.ColumnID, error) {
	plain, withSub := splitBySubquery(cond)
	join.Cond = logical.And(plain)
	if join.Cond == nil {
		join.Cond = &logical.Const{T: sqltypes.TypeBool, V: true}
	}
	node, exprs, err := b.joinSubqueries(join, []logical.Expr{logical.And(withSub)})
	if err != nil {
		return nil, 0, err
	}
	ok := b.meta.NewColumn("ok", "", sqltypes.TypeBool)
	fls := &logical.Const{T: sqltypes.TypeBool, V: false}
	var conds []logical.Expr
	for _, m := range markers {
		conds = append(conds, &logical.Unary{Op: logical.OpIsNotNull, E: b.colRef(m), T: sqltypes.TypeBool})
	}
	conds = append(conds, &logical.Func{Name: "coalesce", Args: []logical.Expr{exprs[0], fls}, T: sqltypes.TypeBool})
	return b.withColumn(node, ok, logical.And(conds)), ok, nil
}

// splitBySubquery splits cond's conjuncts into those without and those
// with a subquery.
func splitBySubquery(cond logical.Expr) (plain, withSub []logical.Expr) {
	for _, c := range logical.Conjuncts(cond) {
		if hasSubquery(c) {
			withSub = append(withSub, c)
		} else {
			plain = append(plain, c)
		}
	}
	return plain, withSub
}
