package rules

import (
	"github.com/meshql/meshql/planner/logical"
)

// PruneColumns removes every column that nothing above needs: scans read
// only the columns a query uses, projections and aggregates drop unused
// outputs. required is the set of columns the plan's consumer reads.
func PruneColumns(n logical.Node, required logical.ColSet) (logical.Node, error) {
	return prune(n, required), nil
}

func withCols(required logical.ColSet, es ...logical.Expr) logical.ColSet {
	out := logical.ColSet{}
	out.AddSet(required)
	for _, e := range es {
		if e != nil {
			out.AddSet(logical.ColumnsOf(e))
		}
	}
	return out
}

func prune(n logical.Node, required logical.ColSet) logical.Node {
	switch x := n.(type) {
	case *logical.Scan:
		need := withCols(required, x.Filters...)
		c := *x
		c.Cols, c.SourceIdx, c.SourceTypes, c.FilterOnly = nil, nil, nil, nil
		for i, id := range x.Cols {
			if need.Has(id) {
				if !required.Has(id) {
					if c.FilterOnly == nil {
						c.FilterOnly = logical.ColSet{}
					}
					c.FilterOnly.Add(id)
				}
				c.Cols = append(c.Cols, id)
				c.SourceIdx = append(c.SourceIdx, x.SourceIdx[i])
				c.SourceTypes = append(c.SourceTypes, x.SourceTypes[i])
			}
		}
		if len(c.Cols) == 0 && len(x.Cols) > 0 {
			// count(*) still needs rows: read the first column.
			c.Cols, c.SourceIdx, c.SourceTypes = x.Cols[:1], x.SourceIdx[:1], x.SourceTypes[:1]
		}
		return &c
	case *logical.Filter:
		c := *x
		c.Input = prune(x.Input, withCols(required, x.Pred))
		return &c
	case *logical.Project:
		c := *x
		c.Exprs, c.Cols = nil, nil
		for i, id := range x.Cols {
			if required.Has(id) {
				c.Exprs = append(c.Exprs, x.Exprs[i])
				c.Cols = append(c.Cols, id)
			}
		}
		if len(c.Exprs) == 0 && len(x.Exprs) > 0 {
			// Keep one column so that batches still carry their row count.
			c.Exprs, c.Cols = x.Exprs[:1], x.Cols[:1]
		}
		c.Input = prune(x.Input, withCols(logical.ColSet{}, c.Exprs...))
		return &c
	case *logical.Join:
		c := *x
		c.Needed = logical.ColSet{}
		for _, id := range x.Output() {
			if required.Has(id) {
				c.Needed.Add(id)
			}
		}
		need := withCols(required, x.Cond)
		c.Left = prune(x.Left, need)
		switch x.Type {
		case logical.SemiJoin, logical.AntiJoin, logical.MarkJoin:
			// Nothing above reads the right side's columns (a scan can
			// be on both sides, see ReduceSemiJoinBuilds).
			c.Right = prune(x.Right, withCols(logical.ColSet{}, x.Cond))
		default:
			c.Right = prune(x.Right, need)
		}
		return &c
	case *logical.Aggregate:
		c := *x
		c.Aggs, c.AggCols = nil, nil
		for i, id := range x.AggCols {
			if required.Has(id) {
				c.Aggs = append(c.Aggs, x.Aggs[i])
				c.AggCols = append(c.AggCols, id)
			}
		}
		if len(c.Aggs) == 0 && len(x.Groups) == 0 && len(x.Aggs) > 0 {
			// A global aggregate must still produce its single row.
			c.Aggs, c.AggCols = x.Aggs[:1], x.AggCols[:1]
		}
		need := withCols(logical.ColSet{}, x.Groups...)
		for _, k := range x.InputOrder {
			need = withCols(need, k.Expr)
		}
		for _, a := range c.Aggs {
			need = withCols(need, a.Args...)
			need = withCols(need, a.Filter)
			for _, k := range a.Order {
				need = withCols(need, k.Expr)
			}
		}
		c.Input = prune(x.Input, need)
		return &c
	case *logical.Sort:
		c := *x
		need := required
		for _, k := range x.Keys {
			need = withCols(need, k.Expr)
		}
		c.Input = prune(x.Input, need)
		return &c
	case *logical.Limit:
		c := *x
		c.Input = prune(x.Input, required)
		if x.Bounds != nil {
			c.Bounds = prune(x.Bounds, logical.OutputSet(x.Bounds))
		}
		return &c
	case *logical.Unnest:
		c := *x
		reads := x.Lists
		if x.Cond != nil {
			reads = append(append([]logical.Expr(nil), reads...), x.Cond)
		}
		c.Input = prune(x.Input, withCols(required, reads...))
		return &c
	case *logical.Window:
		// A window function nobody reads is not computed (nor are its
		// errors raised, as PostgreSQL drops unused subquery outputs).
		c := *x
		c.Calls, c.Cols = nil, nil
		for i, w := range x.Calls {
			if required.Has(x.Cols[i]) {
				c.Calls, c.Cols = append(c.Calls, w), append(c.Cols, x.Cols[i])
			}
		}
		if len(c.Calls) == 0 {
			return prune(x.Input, required)
		}
		need := withCols(required, x.PartitionBy...)
		for _, k := range x.OrderBy {
			need = withCols(need, k.Expr)
		}
		for _, w := range c.Calls {
			need = withCols(need, w.Args...)
			need = withCols(need, w.Filter)
			need = withCols(need, w.RangeExprs()...)
			need = withCols(need, w.Offsets[:]...)
		}
		c.Input = prune(x.Input, need)
		return &c
	case *logical.Shared:
		// Every reference keeps all columns, so that the copies stay alike.
		c := *x
		c.Input = prune(x.Input, logical.OutputSet(x.Input))
		return &c
	case *logical.RecursiveUnion:
		// Each round reads every column the round before produced.
		c := *x
		c.Anchor = prune(x.Anchor, logical.OutputSet(x.Anchor))
		c.Recursive = prune(x.Recursive, logical.OutputSet(x.Recursive))
		return &c
	case *logical.SetOp:
		// Every column takes part in duplicate elimination: keep them all.
		c := *x
		c.Left = prune(x.Left, logical.OutputSet(x.Left))
		c.Right = prune(x.Right, logical.OutputSet(x.Right))
		return &c
	}
	return n
}
