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
	isCorr := func(e logical.Expr) bool { return !logical.ColumnsOf(e).SubsetOf(local) }
	in, corr, err := b.pullUp(agg.Input, isCorr, local)
	if err != nil || len(corr) == 0 || readsOuter(in, definedIDs(in)) {
		return nil, false, nil
	}
	outerCols := node.Output()
	for _, id := range outerCols {
		if !groupable(b.meta.Column(id).Type) {
			return nil, false, nil
		}
	}

	rowID := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	numbered := &logical.Window{
		Input: node,
		Calls: []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(false), T: sqltypes.TypeInt8}},
		Cols:  []logical.ColumnID{rowID},
	}
	matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	marked := &logical.Project{Input: in}
	for _, id := range in.Output() {
		marked.Exprs, marked.Cols = append(marked.Exprs, b.colRef(id)), append(marked.Cols, id)
	}
	marked.Exprs, marked.Cols = append(marked.Exprs, &logical.Const{T: sqltypes.TypeBool, V: true}), append(marked.Cols, matched)
	joined := &logical.Join{Type: logical.LeftJoin, Left: numbered, Right: marked, Cond: logical.And(corr)}

	keys := append([]logical.ColumnID{rowID}, outerCols...)
	grouped := &logical.Aggregate{Input: joined, AggCols: agg.AggCols, InputOrder: agg.InputOrder}
	for _, id := range keys {
		grouped.Groups, grouped.GroupCols = append(grouped.Groups, b.colRef(id)), append(grouped.GroupCols, id)
	}
	for _, call := range agg.Aggs {
		c := call
		c.Filter = logical.And(append(logical.Conjuncts(call.Filter), b.colRef(matched)))
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
func groupable(t sqltypes.Type) bool {
	for e := &t; e != nil; e = e.Elem {
		if e.Kind == sqltypes.JSON {
			return false
		}
	}
	return true
}
