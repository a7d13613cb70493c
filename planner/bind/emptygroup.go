package bind

import (
	"slices"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// A correlated scalar subquery over an aggregate without GROUP BY always
// yields one row: for an outer row without inner rows, the aggregates of
// the empty input (count 0, the others NULL) go through the subquery's
// projection and HAVING. Decorrelated, the aggregate is grouped by the
// correlation keys and single-joined, and such an outer row finds no group
// at all. emptyGroupValue recomputes what the subquery returns for it.

// emptyGroupValue returns the value column id of plan takes when the
// aggregate below gets no input rows (the caller checks that plan is
// such an aggregate, maybe under a HAVING): plan's projections evaluated over
// count() = 0 and NULL for every other aggregate, NULL when a filter
// (HAVING) above the aggregate rejects that row. ok is false when plan
// has another shape between its top and its aggregate (a sort, a limit,
// a window, a join).
func (b *binder) emptyGroupValue(plan logical.Node, id logical.ColumnID) (logical.Expr, bool) {
	v, ok := b.emptyGroupColumn(plan, id)
	if !ok {
		return nil, false
	}
	kept, ok := b.emptyGroupKept(plan)
	if !ok {
		return nil, false
	}
	if kept == nil {
		return v, true
	}
	return &logical.Case{Whens: []logical.When{{Cond: kept, Then: v}}, T: b.meta.Column(id).Type}, true
}

// emptyGroupKept is whether the filters (HAVING) between plan's top and
// its aggregate keep the empty group's row: their predicates over it, nil
// where there are none. A filter applies whatever the value projected
// above it reads: (SELECT 5 … HAVING count(*) > 0) is NULL for no rows.
func (b *binder) emptyGroupKept(plan logical.Node) (logical.Expr, bool) {
	var preds []logical.Expr
	for {
		switch n := plan.(type) {
		case *logical.Aggregate:
			if len(preds) == 0 {
				return nil, true
			}
			return logical.And(preds), true
		case *logical.Project:
			plan = n.Input
		case *logical.Sort:
			plan = n.Input
		case *logical.Filter:
			pred, ok := b.emptyGroupExpr(n.Input, n.Pred)
			if !ok {
				return nil, false
			}
			preds = append(preds, pred)
			plan = n.Input
		default:
			return nil, false
		}
	}
}

// emptyGroupColumn is emptyGroupValue without the filters: the value the
// projections give column id over the empty group.
func (b *binder) emptyGroupColumn(plan logical.Node, id logical.ColumnID) (logical.Expr, bool) {
	typedNull := func() logical.Expr { return &logical.Const{T: b.meta.Column(id).Type} }
	switch n := plan.(type) {
	case *logical.Aggregate:
		for i, c := range n.AggCols {
			if c != id {
				continue
			}
			switch n.Aggs[i].Func {
			case "count", "count_star", "regr_count":
				return &logical.Const{T: b.meta.Column(id).Type, V: int64(0)}, true
			}
			return typedNull(), true
		}
		for _, c := range n.GroupCols {
			if c == id {
				return typedNull(), true
			}
		}
		return nil, false
	case *logical.Project:
		for i, c := range n.Cols {
			if c == id {
				return b.emptyGroupExpr(n.Input, n.Exprs[i])
			}
		}
		return nil, false
	case *logical.Sort:
		return b.emptyGroupColumn(n.Input, id) // of one row
	case *logical.Filter:
		return b.emptyGroupColumn(n.Input, id)
	}
	return nil, false
}

// emptyGroupExpr rewrites e, evaluated over input's rows, to its value
// for the empty group (see emptyGroupValue). Columns input does not
// define are the outer query's and stay.
func (b *binder) emptyGroupExpr(input logical.Node, e logical.Expr) (logical.Expr, bool) {
	defined := definedIDs(input)
	ok := true
	out := logical.Rewrite(e, func(x logical.Expr) logical.Expr {
		c, isCol := x.(*logical.ColRef)
		if !isCol || !defined.Has(c.ID) || !ok {
			return x
		}
		v, vok := b.emptyGroupColumn(input, c.ID)
		if !vok {
			ok = false
			return x
		}
		return v
	})
	return out, ok
}

// singleJoinEmptyGroup single-joins node with the decorrelated scalar
// subquery plan on corr and returns the subquery's value: its output for
// a matched outer row, else its empty-group value. A marker column tells
// the two apart, since a matched row's value may be NULL too.
//
// A HAVING above the aggregate is not applied in the join but to its
// result: a group it rejects is still a match (the subquery's value is
// NULL there), not an outer row without inner rows.
func (b *binder) singleJoinEmptyGroup(node, plan logical.Node, corr []logical.Expr, out logical.ColumnID) (logical.Node, logical.Expr, bool) {
	empty, ok := b.emptyGroupValue(plan, out)
	if !ok {
		return nil, nil, false
	}
	right, having := b.havingAsColumns(plan)
	marker := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	wrapped := b.withMarker(right, marker)
	j := &logical.Join{Type: logical.SingleJoin, Left: node, Right: wrapped, Cond: logical.And(corr)}
	unmatched := &logical.Unary{Op: logical.OpIsNull, E: b.colRef(marker), T: sqltypes.TypeBool}
	var kept logical.Expr = &logical.Const{T: sqltypes.TypeBool, V: true}
	if len(having) > 0 {
		refs := make([]logical.Expr, len(having))
		for i, id := range having {
			refs[i] = b.colRef(id)
		}
		kept = logical.And(refs)
	}
	res := b.colRef(out)
	return j, &logical.Case{Whens: []logical.When{{Cond: unmatched, Then: empty}, {Cond: kept, Then: res}}, T: res.T}, true
}

// havingAsColumns returns plan with each filter between its top and its
// aggregate (HAVING) turned into a boolean column it outputs, and those
// columns.
func (b *binder) havingAsColumns(plan logical.Node) (logical.Node, []logical.ColumnID) {
	switch n := plan.(type) {
	case *logical.Filter:
		in, cols := b.havingAsColumns(n.Input)
		p := &logical.Project{Input: in}
		for _, id := range in.Output() {
			p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
		}
		id := b.meta.NewColumn("having", "", sqltypes.TypeBool)
		p.Exprs, p.Cols = append(p.Exprs, n.Pred), append(p.Cols, id)
		return p, append(cols, id)
	case *logical.Project:
		in, cols := b.havingAsColumns(n.Input)
		if len(cols) == 0 {
			return n, nil
		}
		c := *n
		c.Input = in
		c.Exprs, c.Cols = slices.Clone(n.Exprs), slices.Clone(n.Cols)
		for _, id := range cols {
			c.Exprs, c.Cols = append(c.Exprs, b.colRef(id)), append(c.Cols, id)
		}
		return &c, cols
	case *logical.Sort:
		in, cols := b.havingAsColumns(n.Input)
		c := *n
		c.Input = in
		return &c, cols
	}
	return plan, nil
}

// hasEmptyGroupValues reports whether every output of plan has an
// empty-group value.
func (b *binder) hasEmptyGroupValues(plan logical.Node) bool {
	for _, id := range plan.Output() {
		if _, ok := b.emptyGroupValue(plan, id); !ok {
			return false
		}
	}
	return true
}

// lateralEmptyGroup gives the left rows of joined (left items LEFT JOIN a
// decorrelated LATERAL aggregate without GROUP BY) that found no group
// the aggregate's values for the empty input: COALESCE(sum(x), 0) is 0
// there, count(*) - count(x) too. It renames the changed columns in
// joined's scope and in *post (the ON condition applied above the join)
// and returns false, changing nothing, when some output has no such value.
func (b *binder) lateralEmptyGroup(joined *relation, post *logical.Expr) bool {
	join := joined.node.(*logical.Join)
	right := join.Right
	empties := map[logical.ColumnID]logical.Expr{}
	for _, id := range right.Output() {
		v, ok := b.emptyGroupValue(right, id)
		if !ok {
			return false
		}
		if c, isConst := v.(*logical.Const); !isConst || c.V != nil {
			empties[id] = v // a NULL is what the join gives anyway
		}
	}
	if len(empties) == 0 {
		return true
	}
	marker := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	join.Right = b.withMarker(right, marker)
	matched := &logical.Unary{Op: logical.OpIsNotNull, E: b.colRef(marker), T: sqltypes.TypeBool}
	p := &logical.Project{Input: join}
	renamed := map[logical.ColumnID]logical.ColumnID{}
	for _, id := range join.Left.Output() {
		p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
	}
	for _, id := range right.Output() {
		c := b.colRef(id)
		v, ok := empties[id]
		if !ok {
			p.Exprs, p.Cols = append(p.Exprs, c), append(p.Cols, id)
			continue
		}
		nid := b.meta.NewColumn(c.Name, "", c.T)
		p.Exprs = append(p.Exprs, &logical.Case{Whens: []logical.When{{Cond: matched, Then: c}}, Else: v, T: c.T})
		p.Cols = append(p.Cols, nid)
		renamed[id] = nid
	}
	joined.node = p
	*post = repointColumns(joined, renamed, *post)
	return true
}
