package rules

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
)

// PushDownFilters moves each WHERE/ON conjunct as close to the scans as its
// meaning allows: through projections that keep its columns, into the side
// of a join it reads (never into the null-extended side of an outer join,
// but an outer join whose null-extended rows a conjunct rejects becomes
// inner first),
// below grouping when it reads only grouping columns, below a window when
// its partition keys fix what it reads, and finally into
// Scan.Filters. Conjuncts of a cross join that read both sides become its
// join condition, which turns comma joins into equi-joins. A join key's
// comparison with constants is copied to the keys it equals where that
// removes only rows the join could not return (deriveTransitive).
//
// A row filter (Filter.Barrier) is a security barrier, as PostgreSQL
// treats row-level security quals: conjuncts from above move below it
// only when they are leakproof (logical.IsLeakproof); the others stay
// above it, so that they run only on the rows it keeps. 1/(CASE WHEN
// name LIKE 'Q%' THEN 0 ELSE 1 END) = 1 then cannot fail on a hidden
// customer, and no source (a Parquet scan's statistics, a PostgreSQL
// WHERE clause) sees it beside the row filter, in whatever order that
// source would evaluate them. Comparisons of columns with constants are
// leakproof and still reach the source.
func PushDownFilters(n logical.Node) (logical.Node, error) {
	p := &pusher{shared: map[logical.Node]logical.Node{}}
	return p.push(n, nil), nil
}

// pusher keeps the inputs of WITH queries read more than once, pushed
// into once (no predicate crosses a logical.Shared), so that every
// reference keeps reading one plan.
type pusher struct{ shared map[logical.Node]logical.Node }

func (p *pusher) push(n logical.Node, preds []logical.Expr) logical.Node {
	switch x := n.(type) {
	case *logical.Filter:
		if x.Barrier {
			return p.pushBarrier(x, preds)
		}
		return p.push(x.Input, append(preds, logical.Conjuncts(x.Pred)...))
	case *logical.Scan:
		var keep []logical.Expr
		if x.Barrier {
			preds, keep = splitLeakproof(preds)
		}
		if len(preds) == 0 {
			return wrap(x, keep)
		}
		c := *x
		c.Filters = append(append([]logical.Expr(nil), x.Filters...), preds...)
		return wrap(&c, keep)
	case *logical.Project:
		inputCols := logical.OutputSet(x.Input)
		down, keep := split(preds, inputCols)
		c := *x
		c.Input = p.push(x.Input, down)
		return wrap(&c, keep)
	case *logical.Sort:
		c := *x
		c.Input = p.push(x.Input, preds)
		return &c
	case *logical.Aggregate:
		// Only conjuncts over grouping columns that pass an input column
		// through may move below the grouping.
		passthrough := logical.ColSet{}
		in := logical.OutputSet(x.Input)
		for _, id := range x.GroupCols {
			if in.Has(id) {
				passthrough.Add(id)
			}
		}
		down, keep := split(preds, passthrough)
		if len(x.Groups) == 0 {
			down, keep = nil, preds // a global aggregate returns a row even for no input
		}
		c := *x
		c.Input = p.push(x.Input, down)
		return wrap(&c, keep)
	case *logical.Window:
		// A conjunct fixed by the partition keys keeps or drops whole
		// partitions: the window values of the rows it keeps are the
		// same below it. A LATERAL subquery's top rows per outer row are
		// numbered by the outer row's number, so the outer query's WHERE
		// on the outer columns filters the outer rows before the join.
		keys := logical.ColSet{}
		for _, e := range x.PartitionBy {
			if c, ok := e.(*logical.ColRef); ok {
				keys.Add(c.ID)
			}
		}
		below := logical.Determined(x.Input, keys)
		if x.RowKey {
			// Numbering fewer rows tells them apart all the same: a
			// WHERE over a LATERAL join's outer rows (a join condition
			// of a comma join among them) filters before they are
			// numbered, not after their cross product is.
			below = logical.OutputSet(x.Input)
		}
		down, keep := split(preds, below)
		c := *x
		c.Input = p.push(x.Input, down)
		return wrap(&c, keep)
	case *logical.Unnest:
		down, keep := split(preds, logical.OutputSet(x.Input))
		c := *x
		c.Input = p.push(x.Input, down)
		return wrap(&c, keep)
	case *logical.Join:
		return p.pushJoin(x, preds)
	case *logical.Shared:
		in, ok := p.shared[x.Input]
		if !ok {
			in = p.push(x.Input, nil)
			p.shared[x.Input] = in
		}
		return wrap(x.WithChildren([]logical.Node{in}), preds)
	case *logical.Limit:
		c := *x
		c.Input = p.push(x.Input, nil)
		if x.Bounds != nil {
			c.Bounds = p.push(x.Bounds, nil)
		}
		return wrap(&c, preds)
	}
	// Values and anything unknown: push into children separately, keep preds.
	ch := n.Children()
	if len(ch) > 0 {
		nc := make([]logical.Node, len(ch))
		for i, cn := range ch {
			nc[i] = p.push(cn, nil)
		}
		n = n.WithChildren(nc)
	}
	return wrap(n, preds)
}

// pushBarrier pushes a row filter and the leakproof conjuncts from above
// it down together; the others stay above. On a product's scan the row
// filter becomes the scan's Barrier filters, which keep out later
// conjuncts that are not leakproof too. A derived product's row filter
// moves into its plan as far as any conjunct could.
func (p *pusher) pushBarrier(f *logical.Filter, preds []logical.Expr) logical.Node {
	down, keep := splitLeakproof(preds)
	own := logical.Conjuncts(f.Pred)
	if s, ok := f.Input.(*logical.Scan); ok {
		c := *s
		c.Barrier = true
		c.Filters = append(append([]logical.Expr(nil), s.Filters...), own...)
		return wrap(p.push(&c, down), keep)
	}
	return wrap(p.push(f.Input, append(own, down...)), keep)
}

// splitLeakproof separates the predicates that may run beside a row
// filter, before it: leakproof and not volatile.
func splitLeakproof(preds []logical.Expr) (leakproof, rest []logical.Expr) {
	for _, p := range preds {
		if logical.IsLeakproof(p) && !logical.IsVolatile(p) {
			leakproof = append(leakproof, p)
		} else {
			rest = append(rest, p)
		}
	}
	return leakproof, rest
}

func (p *pusher) pushJoin(j *logical.Join, preds []logical.Expr) logical.Node {
	leftCols, rightCols := logical.OutputSet(j.Left), logical.OutputSet(j.Right)
	var toLeft, toRight, cond, keep []logical.Expr
	// A volatile conjunct (random() < 0.1, a TABLESAMPLE's draw) is drawn
	// for each row it is written over: the join's, not one input's.
	preds, volatilePreds := splitVolatile(preds)
	conds, volatileConds := splitVolatile(logical.Conjuncts(j.Cond))
	if t := reduceOuterJoin(j.Type, preds, leftCols, rightCols); t != j.Type {
		c := *j
		c.Type = t
		j = &c
	}
	switch j.Type {
	case logical.InnerJoin:
		all := append(append([]logical.Expr(nil), preds...), conds...)
		both := logical.ColSet{}
		both.AddSet(leftCols)
		both.AddSet(rightCols)
		// Every conjunct holds for every row an inner join returns, so
		// each key filter holds for the keys equal to its column; so do
		// the equalities of the inner joins below (a JOIN b ON a.x = b.x
		// JOIN c ON b.x = c.x WHERE a.x < 100 restricts c.x too).
		eqs := append(innerEqualities(j.Left, nil), innerEqualities(j.Right, nil)...)
		all = append(all, deriveTransitive(append(eqs, all...), all, both, nil)...)
		for _, p := range all {
			cols := logical.ColumnsOf(p)
			switch {
			case cols.SubsetOf(leftCols):
				toLeft = append(toLeft, p)
			case cols.SubsetOf(rightCols):
				toRight = append(toRight, p)
			default:
				cond = append(cond, p)
			}
		}
	case logical.MarkJoin:
		// The mark is three-valued: a right row that fails the condition
		// with NULL makes the mark NULL, so no condition conjunct may
		// filter the right side early.
		for _, p := range preds {
			if logical.ColumnsOf(p).SubsetOf(leftCols) {
				toLeft = append(toLeft, p)
			} else {
				keep = append(keep, p)
			}
		}
		cond = conds
	case logical.LeftJoin, logical.SemiJoin, logical.AntiJoin, logical.SingleJoin:
		for _, p := range preds {
			if logical.ColumnsOf(p).SubsetOf(leftCols) {
				toLeft = append(toLeft, p)
			} else {
				keep = append(keep, p)
			}
		}
		for _, p := range conds {
			if logical.ColumnsOf(p).SubsetOf(rightCols) {
				toRight = append(toRight, p)
			} else {
				cond = append(cond, p)
			}
		}
	case logical.RightJoin:
		for _, p := range preds {
			if logical.ColumnsOf(p).SubsetOf(rightCols) {
				toRight = append(toRight, p)
			} else {
				keep = append(keep, p)
			}
		}
		for _, p := range conds {
			if logical.ColumnsOf(p).SubsetOf(leftCols) {
				toLeft = append(toLeft, p)
			} else {
				cond = append(cond, p)
			}
		}
	default: // FULL: nothing moves
		keep, cond = preds, conds
	}
	keep, cond = append(keep, volatilePreds...), append(cond, volatileConds...)
	if j.Type != logical.InnerJoin {
		toLeft, toRight = deriveIntoNullable(j, conds, toLeft, toRight, cond, leftCols, rightCols)
	}
	c := *j
	c.Left = p.push(j.Left, toLeft)
	c.Right = p.push(j.Right, toRight)
	c.Cond = logical.And(cond)
	return wrap(&c, keep)
}

// deriveIntoNullable adds to the side of an outer or semi join whose rows
// only count when they match the restrictions that key filters of the
// other side imply through the join's equalities: LEFT JOIN b ON a.x =
// b.y WHERE a.x < 100 reads b with b.y < 100, and so does the ON a.x <
// 100 of that join, which pads the a rows it fails but never drops them.
// A filter on b's key never moves to a (the join keeps every a row); one
// in WHERE has made the join inner before this. A semi join keeps a rows
// only by their matches, so its ON b.y < 100 restricts a.x too. An anti
// join (NOT EXISTS; NOT IN only where neither side is ever NULL) keeps
// an a row when no b row matches it: a b row the derived restriction
// removes matches no a row the join considers, so b is restricted as a
// LEFT JOIN's null-extended side is, and a never is. A mark join is left
// alone: there a right row that cannot match still makes NOT IN NULL.
func deriveIntoNullable(j *logical.Join, conds, toLeft, toRight, cond []logical.Expr, leftCols, rightCols logical.ColSet) (left, right []logical.Expr) {
	over := func(es []logical.Expr, cols logical.ColSet) []logical.Expr {
		var out []logical.Expr
		for _, e := range es {
			if logical.ColumnsOf(e).SubsetOf(cols) {
				out = append(out, e)
			}
		}
		return out
	}
	cat := func(a, b []logical.Expr) []logical.Expr { return append(append([]logical.Expr(nil), a...), b...) }
	// The equalities of inner joins within a side hold on all its rows.
	leftEqs, rightEqs := innerEqualities(j.Left, nil), innerEqualities(j.Right, nil)
	switch j.Type {
	case logical.SemiJoin:
		toLeft = append(toLeft, deriveTransitive(cat(cat(conds, toLeft), rightEqs), toRight, leftCols, toLeft)...)
		fallthrough
	case logical.LeftJoin, logical.SingleJoin, logical.AntiJoin:
		toRight = append(toRight, deriveTransitive(cat(cat(conds, toLeft), leftEqs), cat(toLeft, over(cond, leftCols)), rightCols, toRight)...)
	case logical.RightJoin:
		toLeft = append(toLeft, deriveTransitive(cat(cat(conds, toRight), rightEqs), cat(toRight, over(cond, rightCols)), leftCols, toLeft)...)
	}
	return toLeft, toRight
}

// innerEqualities appends to out the column equalities that hold on every
// row of n: the conditions of a tree of inner joins and the filters over
// them, as deriveTransitive reads equalities.
func innerEqualities(n logical.Node, out []logical.Expr) []logical.Expr {
	var pred logical.Expr
	switch x := n.(type) {
	case *logical.Join:
		if x.Type != logical.InnerJoin {
			return out
		}
		out = innerEqualities(x.Right, innerEqualities(x.Left, out))
		pred = x.Cond
	case *logical.Filter:
		out = innerEqualities(x.Input, out)
		pred = x.Pred
	default:
		return out
	}
	for _, c := range logical.Conjuncts(pred) {
		if b, ok := c.(*logical.Binary); ok && b.Op == expr.OpEq && !logical.IsVolatile(c) {
			out = append(out, c)
		}
	}
	return out
}

// splitVolatile separates the predicates that call a volatile function.
func splitVolatile(preds []logical.Expr) (stable, volatile []logical.Expr) {
	for _, p := range preds {
		if logical.IsVolatile(p) {
			volatile = append(volatile, p)
		} else {
			stable = append(stable, p)
		}
	}
	return stable, volatile
}

// split separates the predicates that read only cols. A volatile one
// stays: below grouping or an unnest it would be drawn for other rows.
func split(preds []logical.Expr, cols logical.ColSet) (down, keep []logical.Expr) {
	for _, p := range preds {
		if logical.ColumnsOf(p).SubsetOf(cols) && !logical.IsVolatile(p) {
			down = append(down, p)
		} else {
			keep = append(keep, p)
		}
	}
	return down, keep
}

func wrap(n logical.Node, preds []logical.Expr) logical.Node {
	if len(preds) == 0 {
		return n
	}
	return &logical.Filter{Input: n, Pred: logical.And(preds)}
}
