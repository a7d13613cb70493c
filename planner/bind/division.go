package bind

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// existsOverCorrelatedAnti rewrites [NOT] EXISTS over an anti join that
// is correlated two levels up, the shape of relational division:
//
//	NOT EXISTS (SELECT FROM p WHERE NOT EXISTS
//	    (SELECT FROM o WHERE o.pid = p.pid AND o.cid = c.cid))
//
// The inner NOT EXISTS became `p ANTI JOIN o ON o.pid = p.pid AND o.cid =
// c.cid`, whose condition reads c, so it cannot be planned as a join of
// c's level. For one c, the anti join keeps the rows of p minus those with
// a match, so it has rows exactly when p has more rows than it has rows
// with a match:
//
//	EXISTS(...) ⟺ count(p) > matched(c),  NOT EXISTS(...) ⟺ count(p) = matched(c)
//
// matched(c) is a correlated count over p joined with the distinct o
// columns the conditions read (at most one per p row and c, as in
// pullUpSemi), which decorrelates into a GROUP BY of o.cid; count(p) is
// uncorrelated, over a copy of p with its own column ids. A c whose
// o.cid is NULL or absent matches nothing, so matched is 0, as the
// anti join would keep every row of p.
//
// ok is false when the subquery is not of this shape: the anti join's
// own condition must equate columns of its two sides, each correlation
// must be `column of o = outer`, and nothing else may read outer columns.
func (b *binder) existsOverCorrelatedAnti(sq *logical.Subquery, negated bool) (logical.Expr, bool) {
	plan := sq.Plan
	var leftPreds []logical.Expr
	for {
		switch x := plan.(type) {
		case *logical.Project:
			plan = x.Input
			continue
		case *logical.Filter:
			leftPreds = append(leftPreds, logical.Conjuncts(x.Pred)...)
			plan = x.Input
			continue
		}
		break
	}
	anti, ok := plan.(*logical.Join)
	if !ok || anti.Type != logical.AntiJoin {
		return nil, false
	}
	local := definedIDs(anti)
	isCorr := func(e logical.Expr) bool { return !logical.ColumnsOf(e).SubsetOf(local) }
	if readsOuter(anti.Left, definedIDs(anti.Left)) || readsOuter(anti.Right, definedIDs(anti.Right)) {
		return nil, false
	}
	for _, p := range leftPreds {
		if isCorr(p) {
			return nil, false
		}
	}
	right := definedIDs(anti.Right)
	var keep, pulled []logical.Expr
	var distinctCols []logical.ColumnID
	have := logical.ColSet{}
	addRight := func(c *logical.ColRef) {
		if right.Has(c.ID) && !have.Has(c.ID) {
			have.Add(c.ID)
			distinctCols = append(distinctCols, c.ID)
		}
	}
	for _, p := range logical.Conjuncts(anti.Cond) {
		if isCorr(p) {
			inner, ok := innerSideOfEquality(p, isCorr)
			if !ok || !right.Has(inner.ID) {
				return nil, false
			}
			addRight(inner)
			pulled = append(pulled, p)
			continue
		}
		l, r, ok := logical.ColumnEquality(p)
		if !ok || right.Has(l.ID) == right.Has(r.ID) {
			return nil, false
		}
		addRight(l)
		addRight(r)
		keep = append(keep, p)
	}
	if len(pulled) == 0 {
		return nil, false // uncorrelated inside: the usual path plans it
	}
	var left logical.Node = anti.Left
	if len(leftPreds) > 0 {
		left = &logical.Filter{Input: left, Pred: logical.And(leftPreds)}
	}
	leftCopy, ok := b.clonePlan(left)
	if !ok {
		return nil, false
	}
	groups := make([]logical.Expr, len(distinctCols))
	for i, id := range distinctCols {
		groups[i] = b.colRef(id)
	}
	distinct := &logical.Aggregate{Input: anti.Right, Groups: groups, GroupCols: distinctCols}
	matchedPlan := &logical.Filter{
		Input: &logical.Join{Type: logical.InnerJoin, Left: left, Right: distinct, Cond: logical.And(keep)},
		Pred:  logical.And(pulled),
	}
	count := func(in logical.Node, name string) *logical.Subquery {
		id := b.meta.NewColumn(name, "", sqltypes.TypeInt8)
		agg := &logical.Aggregate{Input: in, Aggs: []logical.AggCall{{Func: "count_star", T: sqltypes.TypeInt8}}, AggCols: []logical.ColumnID{id}}
		return &logical.Subquery{Kind: logical.SubqueryScalar, Plan: agg, Out: id, T: sqltypes.TypeInt8}
	}
	op := expr.OpGt
	if negated {
		op = expr.OpEq
	}
	return &logical.Binary{Op: op, L: count(leftCopy, "count"), R: count(matchedPlan, "matched"), T: sqltypes.TypeBool}, true
}

// clonePlan copies n with fresh ids for every column it defines, so that
// the copy can sit in the same plan as n. Plans holding a shared WITH
// query are not copied (ok false): both copies would name one computation.
// Neither are plans with a subquery expression left in them.
func (b *binder) clonePlan(n logical.Node) (logical.Node, bool) {
	ids := map[logical.ColumnID]logical.ColumnID{}
	fresh := func(old []logical.ColumnID) []logical.ColumnID {
		out := make([]logical.ColumnID, len(old))
		for i, id := range old {
			m := b.meta.Column(id)
			out[i] = b.meta.NewColumn(m.Name, m.Table, m.Type)
			ids[id] = out[i]
		}
		return out
	}
	remapSet := func(s logical.ColSet) logical.ColSet {
		if s == nil {
			return nil
		}
		out := logical.ColSet{}
		for id := range s {
			if n, ok := ids[id]; ok {
				id = n
			}
			out.Add(id)
		}
		return out
	}
	refuse := false // a shared WITH query, or a subquery not yet planned
	out, err := logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		// A scan's filters read its own columns: renew them first. Every
		// other node's expressions read its inputs' columns.
		if x, ok := n.(*logical.Scan); ok {
			c := *x
			c.Cols = fresh(x.Cols)
			c.FilterOnly = remapSet(x.FilterOnly)
			n = &c
		}
		remap := func(e logical.Expr) logical.Expr {
			return logical.Rewrite(e, func(e logical.Expr) logical.Expr {
				switch c := e.(type) {
				case *logical.ColRef:
					if id, ok := ids[c.ID]; ok {
						return b.colRef(id)
					}
				case *logical.Subquery:
					refuse = true
				}
				return e
			})
		}
		n = logical.MapExprs(n, remap)
		switch x := n.(type) {
		case *logical.Project:
			c := *x
			c.Cols = fresh(x.Cols)
			n = &c
		case *logical.Aggregate:
			c := *x
			c.GroupCols, c.AggCols = fresh(x.GroupCols), fresh(x.AggCols)
			n = &c
		case *logical.Window:
			c := *x
			c.Cols = fresh(x.Cols)
			n = &c
		case *logical.Unnest:
			c := *x
			c.Cols = fresh(x.Cols)
			if x.Ord != 0 {
				c.Ord = fresh([]logical.ColumnID{x.Ord})[0]
			}
			if x.Cond != nil {
				c.Cond = remap(x.Cond) // it reads the unnest's own columns too
			}
			n = &c
		case *logical.SetOp:
			c := *x
			c.Cols = fresh(x.Cols)
			n = &c
		case *logical.Values:
			c := *x
			c.Cols = fresh(x.Cols)
			n = &c
		case *logical.Join:
			c := *x
			c.Needed = remapSet(x.Needed)
			if x.Type == logical.MarkJoin {
				c.Mark = fresh([]logical.ColumnID{x.Mark})[0]
			}
			n = &c
		case *logical.Shared, *logical.RecursiveUnion, *logical.WorkTable:
			refuse = true
		}
		return n, nil
	})
	if err != nil || refuse {
		return nil, false
	}
	return out, true
}
