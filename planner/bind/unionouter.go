package bind

import (
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// unionOverOuter evaluates `A UNION [ALL] B` whose branches read the
// outer rows, as `LATERAL (SELECT ... WHERE t.k < o.k UNION ALL SELECT
// o.v)`: each branch is evaluated for every outer row (perRowOf) over a
// copy of the numbered outer rows, the copies one shared computation (a
// WITH query's), and the branches' rows, outer columns and numbers
// included, are concatenated; UNION groups them by outer row number and
// values. With keep a further copy adds one row of padding per outer
// row, which keepOrPad keeps for the outer rows without any other. The
// outer columns come out under o's IDs. ok is false for other shapes;
// outer rows that read a WITH query or hold a subquery cannot be copied
// (clonePlan), which is 0A000.
func (b *binder) unionOverOuter(o outerRows, plan logical.Node, keep bool) (*perRowOut, bool, error) {
	tops, cur := projectionsOf(plan)
	so, isSetOp := cur.(*logical.SetOp)
	if !isSetOp || so.Kind != logical.Union || !topsReadOnly(tops, plan, o) {
		return nil, false, nil
	}
	for _, id := range append(o.node.Output(), so.Cols...) {
		if !so.All && !groupable(b.meta.Column(id).Type) {
			return nil, false, nil
		}
	}
	// A UNION in a branch copies the copy: one more reference.
	shared, isShared := o.node.(*logical.Shared)
	if !isShared {
		shared = &logical.Shared{Key: b.newCTEKey(), Name: "lateral", Input: o.node}
	}
	copyOf := func() (outerRows, map[logical.ColumnID]logical.ColumnID, bool) {
		n, ok := b.clonePlan(shared.Input)
		if !ok {
			return outerRows{}, nil, false
		}
		ids := map[logical.ColumnID]logical.ColumnID{}
		for i, id := range o.node.Output() {
			ids[id] = n.Output()[i]
		}
		c := outerRows{node: &logical.Shared{Key: shared.Key, Name: shared.Name, Input: n}, rowID: ids[o.rowID]}
		for _, id := range o.cols {
			c.cols = append(c.cols, ids[id])
		}
		return c, ids, true
	}
	// branch puts the outer keys, cols (values of the branch's select
	// list, by position) and a marker value in the union's column order.
	branch := func(c outerRows, in logical.Node, vals []logical.Expr, marker logical.Expr) logical.Node {
		p := &logical.Project{Input: in}
		for _, id := range c.keys() {
			p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
		}
		for _, v := range vals {
			id := b.meta.NewColumn("?column?", "", v.Type())
			p.Exprs, p.Cols = append(p.Exprs, v), append(p.Cols, id)
		}
		p.Exprs, p.Cols = append(p.Exprs, marker), append(p.Cols, b.meta.NewColumn("matched", "", sqltypes.TypeBool))
		return p
	}
	var branches []logical.Node
	for _, br := range []logical.Node{so.Left, so.Right} {
		c, ids, ok := copyOf()
		if !ok {
			return nil, false, sqltypes.New(sqltypes.CodeFeatureNotSupported, "a UNION reading the outer rows is not supported yet when they read a WITH query or hold a subquery").
				WithHint("Write the WITH query as a subquery in FROM.")
		}
		// The branch reads the copy's outer columns.
		r, ok, err := b.perRowOf(c, renamePlanCols(br, ids), false, true)
		if !ok || err != nil {
			return nil, ok, err
		}
		var vals []logical.Expr
		for _, id := range br.Output() {
			vals = append(vals, b.colRef(r.current(id)))
		}
		branches = append(branches, branch(c, r.node, vals, &logical.Const{T: sqltypes.TypeBool, V: true}))
	}
	if keep {
		c, _, _ := copyOf() // copied above already
		var nulls []logical.Expr
		for _, id := range so.Cols {
			nulls = append(nulls, &logical.Const{T: b.meta.Column(id).Type})
		}
		branches = append(branches, branch(c, c.node, nulls, &logical.Const{T: sqltypes.TypeBool}))
	}
	marker := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	cols := append(append(o.keys(), so.Cols...), marker)
	node := branches[0]
	for i, br := range branches[1:] {
		u := &logical.SetOp{Kind: logical.Union, All: true, Left: node, Right: br, Cols: cols}
		if i < len(branches)-2 {
			u.Cols = make([]logical.ColumnID, len(cols))
			for j, id := range cols {
				m := b.meta.Column(id)
				u.Cols[j] = b.meta.NewColumn(m.Name, "", m.Type)
			}
		}
		node = u
	}
	if !so.All {
		g := &logical.Aggregate{Input: node}
		for _, id := range cols {
			g.Groups, g.GroupCols = append(g.Groups, b.colRef(id)), append(g.GroupCols, id)
		}
		node = g
	}
	out := &perRowOut{node: node, rowID: o.rowID, keys: o.keys()}
	if keep {
		out.marker = b.colRef(marker)
		b.keepOrPad(out, &logical.Const{T: sqltypes.TypeBool, V: true})
	}
	out.reapply(b, tops)
	return out, true, nil
}
