package bind

import (
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// carryOuterColumns takes the variable-width group keys of g that its
// key rowID determines (an outer row's own columns, grouped per outer
// row number by aggregateOverOuter) out of its grouping and carries each
// as min() of its one value per group, returning a node with g's output:
// the row number alone tells the groups apart, and hashing and comparing
// every row's long texts as keys was a third of a per-row subquery's
// time. Keys min does not return unchanged (numerics of a varying scale,
// types it does not order) stay keys.
func (b *binder) carryOuterColumns(g *logical.Aggregate, rowID logical.ColumnID, determined []logical.ColumnID) logical.Node {
	carry := logical.ColSet{}
	for _, id := range determined {
		t := b.meta.Column(id).Type
		if id == rowID || t.Size() >= 0 || t.VarScale {
			continue
		}
		if et, err := ops.AggregateType("min", []sqltypes.Type{t}); err != nil || !et.Equal(t) {
			continue
		}
		carry.Add(id)
	}
	hasRow := false
	for _, id := range g.GroupCols {
		hasRow = hasRow || id == rowID
	}
	if len(carry) == 0 || !hasRow {
		return g
	}
	out := *g
	out.Groups, out.GroupCols = nil, nil
	out.Aggs = append([]logical.AggCall(nil), g.Aggs...)
	out.AggCols = append([]logical.ColumnID(nil), g.AggCols...)
	back := &logical.Project{Input: &out}
	for i, id := range g.GroupCols {
		if !carry.Has(id) {
			out.Groups, out.GroupCols = append(out.Groups, g.Groups[i]), append(out.GroupCols, id)
			back.Exprs, back.Cols = append(back.Exprs, b.colRef(id)), append(back.Cols, id)
			continue
		}
		c := b.colRef(id)
		value := b.meta.NewColumn(c.Name, "", c.T)
		out.Aggs = append(out.Aggs, logical.AggCall{Func: "min", Args: []logical.Expr{c}, T: c.T})
		out.AggCols = append(out.AggCols, value)
		back.Exprs, back.Cols = append(back.Exprs, b.colRef(value)), append(back.Cols, id)
	}
	if len(out.GroupCols) == len(g.GroupCols) {
		return g
	}
	for _, id := range g.AggCols {
		back.Exprs, back.Cols = append(back.Exprs, b.colRef(id)), append(back.Cols, id)
	}
	return back
}
