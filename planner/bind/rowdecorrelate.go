package bind

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// scalarPerOuterRow decorrelates a scalar subquery whose correlation is
// not an equality, such as psql's `array(SELECT rolname FROM pg_roles
// WHERE oid = ANY (pol.polroles))` or a running total `(SELECT sum(x)
// FROM p WHERE p.d < o.d)`: grouping the inner rows by their correlation
// columns (decorrelate's rewrite) needs `inner = outer`. Instead each
// outer row of node gets a number, the inner rows join it by the
// correlation predicate (a left join, so rows without matches stay), and
// an aggregate without GROUP BY groups by that number, carrying the outer
// columns along as further keys:
//
//	outer ⟕[corr] (inner + matched marker)  GROUP BY row number, outer columns
//
// Every aggregate is filtered on the marker, so an outer row without
// matches aggregates no rows: count() is 0, array_agg NULL, as the
// subquery's own single row would say. ORDER BY ... LIMIT 1 keeps the
// first row of each row number instead (limitOverOuter). It is still one
// join, never a subquery run per row. It returns node with sq's value as
// the column res; ok is false when the subquery has another shape, and
// the caller then reports why decorrelation failed.
func (b *binder) scalarPerOuterRow(node logical.Node, sq *logical.Subquery) (out logical.Node, res logical.ColumnID, ok bool, err error) {
	plan, renamed := b.freshOuterColumns(sq.Plan, logical.NewColSet(node.Output()...))
	res = sq.Out
	if nid, isRenamed := renamed[res]; isRenamed {
		res = nid
	}
	if out, ok, err = b.aggregateOverOuter(node, plan, true, false); ok || err != nil {
		return out, res, ok, err
	}
	out, ok, err = b.limitOverOuter(node, plan, true, true)
	return out, res, ok, err
}

// aggregateOverOuter is scalarPerOuterRow's plan for any subquery over an
// aggregate without GROUP BY (a scalar subquery's or a LATERAL one's): the
// result has node's columns and plan's, one row per row of node. A HAVING
// drops the row when keep is false (CROSS JOIN LATERAL) and otherwise
// nulls plan's columns, as a scalar subquery or LEFT JOIN LATERAL without
// a row does.
//
// With grouped, an aggregate with GROUP BY (LATERAL only: its groups are
// rows) is grouped by the outer row number and its own keys. Without keep
// an outer row without matches has no group; with keep (LEFT JOIN) the
// match marker is a key too, so such a row forms one group of padding,
// whose select list the marker nulls.
func (b *binder) aggregateOverOuter(node, plan logical.Node, keep, grouped bool) (out logical.Node, ok bool, err error) {
	tops, cur := projectionsOf(plan)
	var having logical.Expr
	if f, isFilter := cur.(*logical.Filter); isFilter {
		having, cur = f.Pred, f.Input
	}
	agg, isAgg := cur.(*logical.Aggregate)
	if !isAgg {
		return nil, false, nil
	}
	withGroups := len(agg.Groups) > 0
	// A HAVING that drops every group of a kept outer row would have to
	// leave one row of padding.
	if withGroups && (!grouped || keep && (having != nil || len(tops) == 0)) {
		return nil, false, nil
	}
	local := definedIDs(agg.Input)
	// Only the aggregate's input may read the outer row.
	aggExprs := append([]logical.Expr(nil), agg.Groups...)
	for _, c := range agg.Aggs {
		aggExprs = append(append(aggExprs, c.Args...), c.Filter)
	}
	for _, k := range agg.InputOrder {
		aggExprs = append(aggExprs, k.Expr)
	}
	if !readOnly(aggExprs, local) {
		return nil, false, nil
	}
	outerCols := node.Output()
	// Above the aggregate the outer columns are group keys, so the
	// select list and HAVING may read them.
	visible := definedIDs(plan)
	visible.Add(outerCols...)
	for _, p := range tops {
		if !readOnly(p.Exprs, visible) {
			return nil, false, nil
		}
	}
	if !readOnly([]logical.Expr{having}, visible) {
		return nil, false, nil
	}
	for _, id := range outerCols {
		if !groupable(b.meta.Column(id).Type) {
			return nil, false, nil
		}
	}
	rowID := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	numbered := b.numberRows(node, rowID)

	var input logical.Node
	var markers []logical.Expr
	keys := append([]logical.ColumnID{rowID}, outerCols...)
	var marker *logical.ColRef
	if in, corr, pulled := b.pullUpCorrelation(agg.Input, local); pulled {
		matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
		jt := logical.LeftJoin
		switch {
		case withGroups && keep:
			marker = b.colRef(matched)
			keys = append(keys, matched)
		case withGroups:
			jt = logical.InnerJoin
		}
		input = &logical.Join{Type: jt, Left: numbered, Right: b.withMarker(in, matched), Cond: logical.And(corr)}
		markers = []logical.Expr{b.colRef(matched)}
	} else if withGroups {
		return nil, false, nil
	} else if input, markers, ok = b.applyOnOuter(agg.Input, numbered); !ok {
		return nil, false, nil
	}

	g := &logical.Aggregate{Input: input, AggCols: agg.AggCols, InputOrder: agg.InputOrder}
	for _, id := range keys {
		g.Groups, g.GroupCols = append(g.Groups, b.colRef(id)), append(g.GroupCols, id)
	}
	g.Groups, g.GroupCols = append(g.Groups, agg.Groups...), append(g.GroupCols, agg.GroupCols...)
	for _, call := range agg.Aggs {
		c := call
		c.Filter = logical.And(append(logical.Conjuncts(call.Filter), markers...))
		g.Aggs = append(g.Aggs, c)
	}
	out = g
	switch {
	case having != nil && keep:
		out, marker = b.nullUnlessHaving(g, keys, having)
	case having != nil:
		out = &logical.Filter{Input: g, Pred: having}
	}
	return b.reapplyProjections(out, tops, keys, marker, agg.AggCols...), true, nil
}

// nullUnlessHaving computes the aggregates of grouped under new columns
// and passes them on under their own only where having holds, NULL
// elsewhere: the outer row stays, without the subquery's row. The marker
// returned is TRUE where having holds, NULL elsewhere, for the select
// list above to be NULL there too.
func (b *binder) nullUnlessHaving(grouped *logical.Aggregate, keys []logical.ColumnID, having logical.Expr) (logical.Node, *logical.ColRef) {
	renamed := map[logical.ColumnID]logical.ColumnID{}
	fresh := make([]logical.ColumnID, len(grouped.AggCols))
	for i, id := range grouped.AggCols {
		c := b.colRef(id)
		fresh[i] = b.meta.NewColumn(c.Name, "", c.T)
		renamed[id] = fresh[i]
	}
	old := grouped.AggCols
	grouped.AggCols = fresh
	cond := renameCols(having, renamed)
	p := &logical.Project{Input: grouped}
	for _, id := range keys {
		p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
	}
	for i, id := range old {
		c := b.colRef(fresh[i])
		p.Exprs = append(p.Exprs, &logical.Case{Whens: []logical.When{{Cond: cond, Then: c}}, T: c.T})
		p.Cols = append(p.Cols, id)
	}
	held := b.meta.NewColumn("having", "", sqltypes.TypeBool)
	p.Exprs = append(p.Exprs, &logical.Case{Whens: []logical.When{{Cond: cond, Then: &logical.Const{T: sqltypes.TypeBool, V: true}}}, T: sqltypes.TypeBool})
	p.Cols = append(p.Cols, held)
	return p, b.colRef(held)
}

// limitOverOuter decorrelates `... ORDER BY k LIMIT n OFFSET m` whose
// correlation is not an equality (the latest order before each order):
// the inner rows join the numbered outer rows by the correlation, and
// row_number() partitioned by the outer row number, in the subquery's
// order, keeps each outer row's first rows. The result has node's columns
// and plan's. With keep, an outer row without rows stays, plan's columns
// NULL (LEFT JOIN LATERAL, a scalar subquery). A scalar subquery must
// yield at most one row, which only LIMIT 1 ensures here. ok is false for
// other shapes.
func (b *binder) limitOverOuter(node, plan logical.Node, keep, scalar bool) (logical.Node, bool, error) {
	tops, cur := projectionsOf(plan)
	lim, isLimit := cur.(*logical.Limit)
	if !isLimit {
		return nil, false, nil
	}
	input := lim.Input
	var keys []logical.SortKey
	if s, ok := input.(*logical.Sort); ok {
		input, keys = s.Input, s.Keys
	}
	// Projections under the sort may read the outer row too (a select
	// list computed before ORDER BY): they go over the join.
	below, input := projectionsOf(input)
	local := definedIDs(input)
	outerCols := node.Output()
	in, corr, pulled := b.pullUpCorrelation(input, local)
	if !pulled {
		return nil, false, nil
	}
	visible := definedIDs(plan)
	visible.Add(outerCols...)
	for _, p := range append(tops, below...) {
		if !readOnly(p.Exprs, visible) {
			return nil, false, nil
		}
	}
	for _, k := range keys {
		if !readOnly([]logical.Expr{k.Expr}, definedIDs(lim.Input)) {
			return nil, false, nil
		}
	}
	if scalar && (lim.Count < 0 || lim.Count > 1) {
		return nil, false, sqltypes.New(sqltypes.CodeFeatureNotSupported, "a scalar subquery with a correlation that is not an equality needs LIMIT 1 (or an aggregate) to yield at most one row")
	}
	if keep && lim.Offset > 0 {
		return nil, false, sqltypes.New(sqltypes.CodeFeatureNotSupported, "OFFSET in a LEFT JOIN LATERAL or scalar subquery whose correlation is not an equality is not supported yet")
	}
	rowID := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	numbered := b.numberRows(node, rowID)
	matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	jt := logical.InnerJoin
	if keep {
		jt = logical.LeftJoin
	}
	joined := logical.Node(&logical.Join{Type: jt, Left: numbered, Right: b.withMarker(in, matched), Cond: logical.And(corr)})
	var marker *logical.ColRef
	if keep {
		marker = b.colRef(matched)
	}
	outerKeys := append([]logical.ColumnID{rowID}, outerCols...)
	joined = b.reapplyProjections(joined, below, outerKeys, marker)
	rn := b.meta.NewColumn("row_number", "", sqltypes.TypeInt8)
	w := &logical.Window{
		Input: joined, PartitionBy: []logical.Expr{b.colRef(rowID)}, OrderBy: keys,
		Calls: []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(len(keys) > 0), T: sqltypes.TypeInt8}},
		Cols:  []logical.ColumnID{rn},
	}
	bound := func(op expr.BinaryOp, v int64) logical.Expr {
		return &logical.Binary{Op: op, L: b.colRef(rn), R: &logical.Const{T: sqltypes.TypeInt8, V: v}, T: sqltypes.TypeBool}
	}
	pred := bound(expr.OpGt, lim.Offset)
	if lim.Count >= 0 {
		pred = logical.And([]logical.Expr{pred, bound(expr.OpLe, lim.Offset+lim.Count)})
	}
	if keep {
		// The padding row of an outer row without matches is numbered 1.
		pred = &logical.Binary{Op: expr.OpOr, L: &logical.Unary{Op: logical.OpIsNull, E: marker, T: sqltypes.TypeBool}, R: pred, T: sqltypes.TypeBool}
	}
	out := logical.Node(&logical.Filter{Input: w, Pred: pred})
	return b.reapplyProjections(out, tops, outerKeys, marker), true, nil
}

// projectionsOf splits the projections off the top of plan, outermost
// first, and returns what is below them.
func projectionsOf(plan logical.Node) ([]*logical.Project, logical.Node) {
	var tops []*logical.Project
	for {
		p, isProject := plan.(*logical.Project)
		if !isProject {
			return tops, plan
		}
		tops = append(tops, p)
		plan = p.Input
	}
}

// reapplyProjections puts the projections tops (outermost first) back
// over out, each also passing on keys; with a marker (matched rows, NULL
// for a left join's padding) the marker passes too and every value
// computed is NULL for the padding, as a subquery without rows has none.
// notNulled are further columns that are not NULL in the padding.
func (b *binder) reapplyProjections(out logical.Node, tops []*logical.Project, keys []logical.ColumnID, marker *logical.ColRef, notNulled ...logical.ColumnID) logical.Node {
	outerKeys := logical.NewColSet(keys...)
	outerKeys.Add(notNulled...)
	if marker != nil {
		keys = append(append([]logical.ColumnID(nil), keys...), marker.ID)
	}
	for i := len(tops) - 1; i >= 0; i-- {
		p := *tops[i]
		p.Input = out
		p.Exprs = make([]logical.Expr, 0, len(p.Exprs)+len(keys))
		for _, e := range tops[i].Exprs {
			// A column of the subquery's own is NULL in the padding
			// already, but for notNulled (a count of no rows is 0).
			if c, isCol := e.(*logical.ColRef); isCol && !outerKeys.Has(c.ID) {
				p.Exprs = append(p.Exprs, e)
				continue
			}
			if marker != nil {
				e = &logical.Case{Whens: []logical.When{{Cond: &logical.Unary{Op: logical.OpIsNotNull, E: marker, T: sqltypes.TypeBool}, Then: e}}, T: e.Type()}
			}
			p.Exprs = append(p.Exprs, e)
		}
		p.Cols = append([]logical.ColumnID(nil), p.Cols...)
		have := logical.NewColSet(p.Cols...)
		for _, id := range keys {
			if !have.Has(id) {
				p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
			}
		}
		out = &p
	}
	return out
}

// freshOuterColumns gives the columns of plan's select list that pass a
// column of outer on under its own ID (`(SELECT t.id ...)`) new IDs, and
// returns the renaming: evaluated over the outer rows, where the select
// list may be NULL for a row the outer column is not. The select list is
// the first projection under plan's LIMIT and sort, or one under it that
// passes the column up.
func (b *binder) freshOuterColumns(plan logical.Node, outer logical.ColSet) (logical.Node, map[logical.ColumnID]logical.ColumnID) {
	renamed := map[logical.ColumnID]logical.ColumnID{}
	var rec func(n logical.Node) logical.Node
	rec = func(n logical.Node) logical.Node {
		switch x := n.(type) {
		case *logical.Limit:
			c := *x
			c.Input = rec(x.Input)
			return &c
		case *logical.Sort:
			c := *x
			c.Input = rec(x.Input)
			c.Keys = append([]logical.SortKey(nil), x.Keys...)
			for i := range c.Keys {
				c.Keys[i].Expr = renameCols(c.Keys[i].Expr, renamed)
			}
			return &c
		case *logical.Project:
			c := *x
			c.Input = rec(x.Input)
			c.Exprs = append([]logical.Expr(nil), x.Exprs...)
			c.Cols = append([]logical.ColumnID(nil), x.Cols...)
			for i, id := range c.Cols {
				c.Exprs[i] = renameCols(c.Exprs[i], renamed)
				if !outer.Has(id) {
					continue
				}
				if _, ok := renamed[id]; !ok {
					col := b.colRef(id)
					renamed[id] = b.meta.NewColumn(col.Name, "", col.T)
				}
				c.Cols[i] = renamed[id]
			}
			return &c
		}
		return n
	}
	return rec(plan), renamed
}

// pullUpCorrelation pulls the predicates of in that read the outer row
// out of it; pulled is false when in reads the outer row otherwise.
func (b *binder) pullUpCorrelation(in logical.Node, local logical.ColSet) (logical.Node, []logical.Expr, bool) {
	isCorr := func(e logical.Expr) bool { return !logical.ColumnsOf(e).SubsetOf(local) }
	out, corr, err := b.pullUp(in, isCorr, local)
	if err != nil || len(corr) == 0 || readsOuter(out, definedIDs(out)) {
		return nil, nil, false
	}
	return out, corr, true
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
