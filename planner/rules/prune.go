package rules

import (
	"slices"

	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
)

// PruneColumns removes every column that nothing above needs: scans read
// only the columns a query uses, projections and aggregates drop unused
// outputs. required is the set of columns the plan's consumer reads.
func PruneColumns(n logical.Node, required logical.ColSet) (logical.Node, error) {
	p := &pruner{shared: map[logical.Node]logical.Node{}}
	return p.prune(n, required), nil
}

// pruner prunes the input of a WITH query read more than once (all its
// outputs kept) once, so that every reference keeps reading one plan.
type pruner struct{ shared map[logical.Node]logical.Node }

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

func (p *pruner) prune(n logical.Node, required logical.ColSet) logical.Node {
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
		c.Input = p.prune(x.Input, withCols(required, x.Pred))
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
			// Keep one column so that batches still carry their row
			// count: a column read as it is, else a NULL, for a value
			// nobody reads is not computed (nor its errors raised, as
			// PostgreSQL drops unused subquery outputs).
			c.Exprs, c.Cols = []logical.Expr{&logical.Const{T: x.Exprs[0].Type()}}, x.Cols[:1]
			for i, e := range x.Exprs {
				if _, ok := e.(*logical.ColRef); ok {
					c.Exprs, c.Cols = x.Exprs[i:i+1], x.Cols[i:i+1]
					break
				}
			}
		}
		c.Input = p.prune(x.Input, withCols(logical.ColSet{}, c.Exprs...))
		return &c
	case *logical.Join:
		if x.Type == logical.SingleJoin && !readsAny(required, x.Right.Output()) {
			// A scalar subquery whose value nobody reads (its
			// comparison folded to NULL, its CASE arm dropped) is not
			// evaluated, nor its 21000 raised, as in PostgreSQL: each
			// left row comes out once either way.
			return p.prune(x.Left, required)
		}
		c := *x
		c.Needed = logical.ColSet{}
		for _, id := range x.Output() {
			if required.Has(id) {
				c.Needed.Add(id)
			}
		}
		need := withCols(required, x.Cond)
		c.Left = p.prune(x.Left, need)
		switch x.Type {
		case logical.SemiJoin, logical.AntiJoin, logical.MarkJoin:
			// Nothing above reads the right side's columns (a scan can
			// be on both sides, see ReduceSemiJoinBuilds).
			c.Right = p.prune(x.Right, withCols(logical.ColSet{}, x.Cond))
		default:
			c.Right = p.prune(x.Right, need)
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
		if !slices.ContainsFunc(c.Aggs, func(a logical.AggCall) bool { return ops.OrderSensitive(a.Func) }) {
			// The input order served only the aggregates nobody reads:
			// no sort (a LATERAL string_agg(... ORDER BY ...) unread
			// sorted 370k joined rows for nothing).
			c.InputOrder = nil
		}
		need := withCols(logical.ColSet{}, x.Groups...)
		for _, k := range c.InputOrder {
			need = withCols(need, k.Expr)
		}
		for _, a := range c.Aggs {
			need = withCols(need, a.Args...)
			need = withCols(need, a.Filter)
			for _, k := range a.Order {
				need = withCols(need, k.Expr)
			}
		}
		c.Input = p.prune(x.Input, need)
		return &c
	case *logical.Sort:
		c := *x
		need := required
		for _, k := range x.Keys {
			need = withCols(need, k.Expr)
		}
		c.Input = p.prune(x.Input, need)
		return &c
	case *logical.Limit:
		c := *x
		c.Input = p.prune(x.Input, required)
		if x.Bounds != nil {
			c.Bounds = p.prune(x.Bounds, logical.OutputSet(x.Bounds))
		}
		return &c
	case *logical.Unnest:
		c := *x
		reads := x.Lists
		if x.Cond != nil {
			reads = append(append([]logical.Expr(nil), reads...), x.Cond)
		}
		c.Input = p.prune(x.Input, withCols(required, reads...))
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
			return p.prune(x.Input, required)
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
		c.Input = p.prune(x.Input, need)
		return &c
	case *logical.Shared:
		// Every reference keeps all columns, so that the copies stay alike.
		in, ok := p.shared[x.Input]
		if !ok {
			in = p.prune(x.Input, logical.OutputSet(x.Input))
			p.shared[x.Input] = in
		}
		return x.WithChildren([]logical.Node{in})
	case *logical.RecursiveUnion:
		// Each round reads every column the round before produced.
		c := *x
		c.Anchor = p.prune(x.Anchor, logical.OutputSet(x.Anchor))
		c.Recursive = p.prune(x.Recursive, logical.OutputSet(x.Recursive))
		return &c
	case *logical.SetOp:
		if x.Appends {
			return p.pruneAppend(x, required)
		}
		// Every column takes part in duplicate elimination: keep them all.
		c := *x
		c.Left = p.prune(x.Left, logical.OutputSet(x.Left))
		c.Right = p.prune(x.Right, logical.OutputSet(x.Right))
		return &c
	}
	return n
}

// pruneAppend drops the columns of a flattenable UNION ALL (see
// logical.SetOp.Appends) that nothing above reads, from the union and from
// each branch alike, so that no branch computes them.
func (p *pruner) pruneAppend(x *logical.SetOp, required logical.ColSet) logical.Node {
	var keep []int
	for i, id := range x.Cols {
		if required.Has(id) {
			keep = append(keep, i)
		}
	}
	none := len(keep) == 0
	if none {
		// Batches must still carry the row count.
		keep = []int{0}
	}
	left, lok := p.pruneBranch(x.Left, keep, none)
	right, rok := p.pruneBranch(x.Right, keep, none)
	if !lok || !rok {
		c := *x
		c.Left = p.prune(x.Left, logical.OutputSet(x.Left))
		c.Right = p.prune(x.Right, logical.OutputSet(x.Right))
		return &c
	}
	c := *x
	c.Cols, c.Left, c.Right = pick(x.Cols, keep), left, right
	return &c
}

// pruneBranch prunes a set operation's branch n to its columns at the
// positions keep; ok is false if the pruned branch outputs others too (a
// node that keeps the columns its own work reads, under no projection).
// With none (nothing reads the union's columns) a projection's column
// becomes a NULL of its type.
func (p *pruner) pruneBranch(n logical.Node, keep []int, none bool) (out logical.Node, ok bool) {
	if pr, ok := n.(*logical.Project); ok && none {
		c := *pr
		c.Exprs, c.Cols = []logical.Expr{&logical.Const{T: pr.Exprs[0].Type()}}, pr.Cols[:1]
		c.Input = p.prune(pr.Input, logical.ColSet{})
		return &c, true
	}
	want := pick(n.Output(), keep)
	need := logical.ColSet{}
	for _, id := range want {
		need.Add(id)
	}
	out = p.prune(n, need)
	return out, slices.Equal(out.Output(), want)
}

func readsAny(required logical.ColSet, ids []logical.ColumnID) bool {
	for _, id := range ids {
		if required.Has(id) {
			return true
		}
	}
	return false
}

func pick(ids []logical.ColumnID, at []int) []logical.ColumnID {
	out := make([]logical.ColumnID, len(at))
	for i, j := range at {
		out[i] = ids[j]
	}
	return out
}
