package bind

import (
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// aggregatePerOuterRow decorrelates a scalar subquery over an aggregate
// without GROUP BY whose correlation is not an equality, such as psql's
// `array(SELECT rolname FROM pg_roles WHERE oid = ANY (pol.polroles))`:
// grouping the inner rows by their correlation columns (decorrelate's
// rewrite) needs `inner = outer`. Instead each outer row gets a number,
// the inner rows join it by the correlation predicate (a left join, so
// rows without matches stay), and the aggregate groups by that number,
// carrying the outer columns along as further keys:
//
//	outer ⟕[corr] (inner + matched marker)  GROUP BY row number, outer columns
//
// Every aggregate is filtered on the marker, so an outer row without
// matches aggregates no rows: count() is 0, array_agg NULL, as the
// subquery's own single row would say. It is still one join, never a
// subquery run per row. ok is false when the subquery has another shape;
// the caller then reports why decorrelation failed.
func (b *binder) aggregatePerOuterRow(node logical.Node, sq *logical.Subquery) (out logical.Node, ok bool, err error) {
	var tops []*logical.Project
	cur := sq.Plan
	for {
		p, isProject := cur.(*logical.Project)
		if !isProject {
			break
		}
		tops = append(tops, p)
		cur = p.Input
	}
	agg, isAgg := cur.(*logical.Aggregate)
	if !isAgg || len(agg.Groups) > 0 {
		return nil, false, nil
	}
	local := definedIDs(agg.Input)
	// Only the aggregate's input may read the outer row.
	var aggExprs []logical.Expr
	for _, c := range agg.Aggs {
		aggExprs = append(append(aggExprs, c.Args...), c.Filter)
	}
	for _, k := range agg.InputOrder {
		aggExprs = append(aggExprs, k.Expr)
	}
	if !readOnly(aggExprs, local) {
		return nil, false, nil
	}
	for _, p := range tops {
		if !readOnly(p.Exprs, definedIDs(sq.Plan)) {
			return nil, false, nil
		}
	}
	outerCols := node.Output()
	for _, id := range outerCols {
		if !groupable(b.meta.Column(id).Type) {
			return nil, false, nil
		}
	}
	rowID := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	numbered := b.numberRows(node, rowID)

	var input logical.Node
	var markers []logical.Expr
	isCorr := func(e logical.Expr) bool { return !logical.ColumnsOf(e).SubsetOf(local) }
	in, corr, err := b.pullUp(agg.Input, isCorr, local)
	if err == nil && len(corr) > 0 && !readsOuter(in, definedIDs(in)) {
		matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
		input = &logical.Join{Type: logical.LeftJoin, Left: numbered, Right: b.withMarker(in, matched), Cond: logical.And(corr)}
		markers = []logical.Expr{b.colRef(matched)}
	} else if input, markers, ok = b.applyOnOuter(agg.Input, numbered); !ok {
		return nil, false, nil
	}

	keys := append([]logical.ColumnID{rowID}, outerCols...)
	grouped := &logical.Aggregate{Input: input, AggCols: agg.AggCols, InputOrder: agg.InputOrder}
	for _, id := range keys {
		grouped.Groups, grouped.GroupCols = append(grouped.Groups, b.colRef(id)), append(grouped.GroupCols, id)
	}
	for _, call := range agg.Aggs {
		c := call
		c.Filter = logical.And(append(logical.Conjuncts(call.Filter), markers...))
		grouped.Aggs = append(grouped.Aggs, c)
	}
	out = grouped
	for i := len(tops) - 1; i >= 0; i-- {
		p := *tops[i]
		p.Input = out
		p.Exprs = append([]logical.Expr(nil), p.Exprs...)
		p.Cols = append([]logical.ColumnID(nil), p.Cols...)
		for _, id := range keys {
			p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
		}
		out = &p
	}
	return out, true, nil
}

// numberRows adds column id to n's output: each row's number, a key that
// tells n's rows apart once they are joined with more rows.
func (b *binder) numberRows(n logical.Node, id logical.ColumnID) logical.Node {
	return &logical.Window{
		Input: n,
		Calls: []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(false), T: sqltypes.TypeInt8}},
		Cols:  []logical.ColumnID{id},
	}
}

// withMarker adds the column marker, always TRUE, to n's output: after
// a left join it tells matched rows from the NULL padding.
func (b *binder) withMarker(n logical.Node, marker logical.ColumnID) logical.Node {
	p := &logical.Project{Input: n}
	for _, id := range n.Output() {
		p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
	}
	p.Exprs, p.Cols = append(p.Exprs, &logical.Const{T: sqltypes.TypeBool, V: true}), append(p.Cols, marker)
	return p
}

// applyOnOuter handles an aggregate input whose correlation is not a
// predicate but a set-returning function over the outer row, as psql's
// `FROM generate_series(0, array_upper(pr.prattrs, 1)) s, pg_attribute
// WHERE attnum = prattrs[s]` or `FROM unnest(tc.reloptions) x`: the
// function moves onto the outer side (an outer unnest of the numbered
// outer rows, so rows with no elements stay), the rest of the input joins
// it with left joins, and every filter becomes part of the returned
// markers, which the aggregates require to be TRUE. Rows of an outer row
// that fail them are padding, not data; the outer row itself always
// survives to be grouped. ok is false for other shapes.
func (b *binder) applyOnOuter(n, outer logical.Node) (logical.Node, []logical.Expr, bool) {
	switch x := n.(type) {
	case *logical.Unnest:
		v, isValues := x.Input.(*logical.Values)
		if !isValues || len(v.Rows) != 1 || len(v.Cols) != 0 {
			return nil, nil, false
		}
		u := *x
		u.Input, u.Outer = outer, true
		if u.Ord == 0 {
			u.Ord = b.meta.NewColumn("ordinality", "", sqltypes.TypeInt8)
		}
		return &u, []logical.Expr{&logical.Unary{Op: logical.OpIsNotNull, E: b.colRef(u.Ord), T: sqltypes.TypeBool}}, true
	case *logical.Filter:
		if j, ok := x.Input.(*logical.Join); ok {
			// Filters over a join can as well be its ON condition: a row
			// they reject is padding either way.
			return b.applyJoinOnOuter(j, logical.Conjuncts(x.Pred), outer)
		}
		in, markers, ok := b.applyOnOuter(x.Input, outer)
		return in, append(markers, logical.Conjuncts(x.Pred)...), ok
	case *logical.Project:
		in, markers, ok := b.applyOnOuter(x.Input, outer)
		if !ok {
			return nil, nil, false
		}
		p := *x
		p.Input = in
		p.Exprs = append([]logical.Expr(nil), x.Exprs...)
		p.Cols = append([]logical.ColumnID(nil), x.Cols...)
		have := logical.NewColSet(p.Cols...)
		for _, id := range in.Output() {
			if !have.Has(id) {
				p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
			}
		}
		return &p, markers, true
	case *logical.Join:
		return b.applyJoinOnOuter(x, nil, outer)
	}
	return nil, nil, false
}

// applyJoinOnOuter is applyOnOuter of an inner join with extra ON
// conditions: the side with the outer function goes onto the outer rows,
// the other side is left joined to them.
func (b *binder) applyJoinOnOuter(j *logical.Join, conds []logical.Expr, outer logical.Node) (logical.Node, []logical.Expr, bool) {
	if j.Type != logical.InnerJoin {
		return nil, nil, false
	}
	lOuter, rOuter := readsOuter(j.Left, definedIDs(j.Left)), readsOuter(j.Right, definedIDs(j.Right))
	side, other := j.Left, j.Right
	switch {
	case rOuter && !lOuter:
		side, other = j.Right, j.Left
	case !lOuter || rOuter:
		return nil, nil, false
	}
	in, markers, ok := b.applyOnOuter(side, outer)
	if !ok {
		return nil, nil, false
	}
	matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	cond := logical.And(append(logical.Conjuncts(j.Cond), conds...))
	if cond == nil {
		cond = &logical.Const{T: sqltypes.TypeBool, V: true}
	}
	joined := &logical.Join{Type: logical.LeftJoin, Left: in, Right: b.withMarker(other, matched), Cond: cond}
	return joined, append(markers, b.colRef(matched)), true
}

// readOnly reports whether exprs (nil ones allowed) read only defined.
func readOnly(exprs []logical.Expr, defined logical.ColSet) bool {
	for _, e := range exprs {
		if e != nil && !logical.ColumnsOf(e).SubsetOf(defined) {
			return false
		}
	}
	return true
}

// groupable reports whether values of t can be group keys.
func groupable(t sqltypes.Type) bool { return !t.HasKind(sqltypes.JSON) }
