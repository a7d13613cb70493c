package bind

import (
	"errors"
	"slices"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// definedIDs returns every column produced anywhere in plan. A node
// passing a column on under its own ID defines it only where it comes
// from: `SELECT o.k FROM t ... LIMIT 1`, with o outside, reads o.k from
// outside even though its projection and limit output it.
func definedIDs(n logical.Node) logical.ColSet {
	s := logical.ColSet{}
	logical.Inspect(n, func(n logical.Node) bool {
		if p, ok := n.(*logical.Project); ok {
			for i, id := range p.Cols {
				if c, isCol := p.Exprs[i].(*logical.ColRef); !isCol || c.ID != id {
					s.Add(id)
				}
			}
		} else {
			passed := logical.ColSet{}
			for _, c := range n.Children() {
				passed.Add(c.Output()...)
			}
			for _, id := range n.Output() {
				if !passed.Has(id) {
					s.Add(id)
				}
			}
		}
		return true
	})
	return s
}

// decorrelate pulls the predicates of a subquery that read outer columns
// up out of it, so that they can become the condition of the join that
// replaces the subquery; the subquery is then evaluated once, never per
// outer row. Under an aggregate, equality correlations (inner = outer)
// turn into grouping keys: `(SELECT avg(x) FROM t WHERE t.k = o.k)` becomes
// `SELECT k, avg(x) FROM t GROUP BY k` joined on k.
//
// Forms it cannot rewrite fail with 0A000 rather than run per row.
func (b *binder) decorrelate(plan logical.Node) (logical.Node, []logical.Expr, error) {
	b.decorrelations++
	local := definedIDs(plan)
	isCorr := func(e logical.Expr) bool { return !logical.ColumnsOf(e).SubsetOf(local) }
	out, corr, err := b.pullUp(plan, isCorr, local)
	if err != nil {
		return nil, nil, err
	}
	// Nothing correlated may remain inside (the rewrite may have defined
	// new columns, such as a row number for LIMIT).
	if readsOuter(out, definedIDs(out)) {
		return nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "this correlated subquery form is not supported yet: an outer reference where it cannot be decorrelated (such as under a RIGHT or FULL join, a set operation, a computed LIMIT, a function in FROM, or on both sides of a join)").
			WithHint("Move the outer reference into the subquery's WHERE, or join the outer table inside it.")
	}
	return out, corr, nil
}

// readsOuter reports whether an expression anywhere in n reads a column
// outside defined.
func readsOuter(n logical.Node, defined logical.ColSet) bool {
	return !columnsRead(n).SubsetOf(defined)
}

// flowsClosed reports whether every node of n reads only the columns its
// inputs give it, its own, or columns from outside n (correlations).
func flowsClosed(n logical.Node) bool {
	defined := definedIDs(n)
	ok := true
	logical.Inspect(n, func(x logical.Node) bool {
		avail := logical.NewColSet(x.Output()...)
		for _, c := range x.Children() {
			avail.Add(c.Output()...)
		}
		logical.VisitExprs(x, func(e logical.Expr) {
			for id := range logical.ColumnsOf(e) {
				if defined.Has(id) && !avail.Has(id) {
					ok = false
				}
			}
		})
		return true
	})
	return ok
}

// columnsRead returns the columns the expressions anywhere in n read.
func columnsRead(n logical.Node) logical.ColSet {
	read := logical.ColSet{}
	logical.Inspect(n, func(n logical.Node) bool {
		logical.VisitExprs(n, func(e logical.Expr) { read.AddSet(logical.ColumnsOf(e)) })
		return true
	})
	return read
}

func (b *binder) pullUp(n logical.Node, isCorr func(logical.Expr) bool, local logical.ColSet) (logical.Node, []logical.Expr, error) {
	switch x := n.(type) {
	case *logical.Filter:
		in, corr, err := b.pullUp(x.Input, isCorr, local)
		if err != nil {
			return nil, nil, err
		}
		var keep []logical.Expr
		for _, c := range logical.Conjuncts(x.Pred) {
			if isCorr(c) {
				corr = append(corr, c)
			} else {
				keep = append(keep, c)
			}
		}
		if len(keep) == 0 {
			return in, corr, nil
		}
		f := *x // a row filter stays a security barrier
		f.Input, f.Pred = in, logical.And(keep)
		return &f, corr, nil
	case *logical.Project:
		in, corr, err := b.pullUp(x.Input, isCorr, local)
		if err != nil || len(corr) == 0 {
			if err == nil {
				c := *x
				c.Input = in
				return &c, nil, nil
			}
			return nil, nil, err
		}
		c := *x
		c.Input = in
		c.Exprs = append([]logical.Expr(nil), x.Exprs...)
		c.Cols = append([]logical.ColumnID(nil), x.Cols...)
		have := logical.NewColSet(c.Cols...)
		// Keep the inner columns the pulled-up predicates read.
		for _, p := range corr {
			for _, id := range logical.ColumnsOf(p).Sorted() {
				if local.Has(id) && !have.Has(id) {
					c.Exprs = append(c.Exprs, b.colRef(id))
					c.Cols = append(c.Cols, id)
					have.Add(id)
				}
			}
		}
		return &c, corr, nil
	case *logical.Aggregate:
		in, corr, err := b.pullUp(x.Input, isCorr, local)
		if err != nil {
			return nil, nil, err
		}
		c := *x
		c.Input = in
		if len(corr) == 0 {
			return &c, nil, nil
		}
		c.Groups = append([]logical.Expr(nil), x.Groups...)
		c.GroupCols = append([]logical.ColumnID(nil), x.GroupCols...)
		have := logical.NewColSet(c.GroupCols...)
		for _, p := range corr {
			inner, ok := innerSideOfEquality(p, isCorr)
			if !ok {
				return nil, nil, errNeedsEquality("a correlated aggregate subquery", p)
			}
			if !have.Has(inner.ID) {
				c.Groups = append(c.Groups, inner)
				c.GroupCols = append(c.GroupCols, inner.ID)
				have.Add(inner.ID)
			}
		}
		return &c, corr, nil
	case *logical.Limit:
		return b.pullUpLimit(x, isCorr, local)
	case *logical.Window:
		// A window over one outer row's matches is the window over the
		// partition of their inner correlation columns.
		in, corr, err := b.pullUp(x.Input, isCorr, local)
		if err != nil {
			return nil, nil, err
		}
		c := *x
		c.Input = in
		if len(corr) > 0 {
			c.PartitionBy = append([]logical.Expr(nil), x.PartitionBy...)
			for _, p := range corr {
				inner, ok := innerSideOfEquality(p, isCorr)
				if !ok {
					return nil, nil, errNeedsEquality("a window function in a correlated subquery", p)
				}
				c.PartitionBy = append(c.PartitionBy, inner)
			}
		}
		return &c, corr, nil
	case *logical.Sort:
		in, corr, err := b.pullUp(x.Input, isCorr, local)
		if err != nil {
			return nil, nil, err
		}
		if len(corr) > 0 {
			return in, corr, nil // order is meaningless inside a decorrelated subquery
		}
		c := *x
		c.Input = in
		return &c, nil, nil
	case *logical.Join:
		if x.Type == logical.SemiJoin {
			return b.pullUpSemi(x, isCorr, local)
		}
		if preservesLeft(x) {
			return b.pullUpPreserved(x, isCorr, local)
		}
		if x.Type != logical.InnerJoin {
			return x, nil, nil // correlation below other outer joins stays and is rejected
		}
		l, lc, err := b.pullUp(x.Left, isCorr, local)
		if err != nil {
			return nil, nil, err
		}
		r, rc, err := b.pullUp(x.Right, isCorr, local)
		if err != nil {
			return nil, nil, err
		}
		c := *x
		c.Left, c.Right = l, r
		corr := append(lc, rc...)
		var keep []logical.Expr
		for _, p := range logical.Conjuncts(x.Cond) {
			if isCorr(p) {
				corr = append(corr, p)
			} else {
				keep = append(keep, p)
			}
		}
		c.Cond = logical.And(keep)
		return &c, corr, nil
	}
	return n, nil, nil
}

// preservesLeft reports whether a join keeps each left row's own
// standing: every left row yields its output rows (padded, marked or
// dropped) from the right side alone, so a filter on left columns gives
// the same rows above the join as below it. A single join does only when
// no left row can match twice: it fails (21000) for one that does, which
// the filter may have removed in PostgreSQL.
func preservesLeft(x *logical.Join) bool {
	switch x.Type {
	case logical.LeftJoin, logical.AntiJoin, logical.MarkJoin:
		return true
	case logical.SingleJoin:
		return onePerKey(x.Right, x.Cond)
	}
	return false
}

// onePerKey reports whether n has at most one row for each value of the
// columns cond equates with others: n is grouped (under projections and
// filters) by columns that cond all equates.
func onePerKey(n logical.Node, cond logical.Expr) bool {
	keyed := logical.ColSet{}
	for _, p := range logical.Conjuncts(cond) {
		if l, r, ok := logical.ColumnEquality(p); ok {
			keyed.Add(l.ID, r.ID)
		}
	}
	for {
		switch x := n.(type) {
		case *logical.Project:
			for i, id := range x.Cols {
				if c, ok := x.Exprs[i].(*logical.ColRef); ok && keyed.Has(id) {
					keyed.Add(c.ID)
				}
			}
			n = x.Input
		case *logical.Filter:
			n = x.Input
		case *logical.Aggregate:
			return len(x.GroupCols) > 0 && logical.NewColSet(x.GroupCols...).SubsetOf(keyed)
		default:
			return false
		}
	}
}

// pullUpPreserved pulls correlations out of the left side of a join that
// preserves it, which is what a subquery in a correlated subquery's
// select list leaves behind: `(SELECT (SELECT max(r.n) FROM r WHERE r.k =
// p.k) FROM p WHERE p.c = o.c)` made p's own subquery a join over `p
// WHERE p.c = o.c`, whose filter may move above it. The join's condition
// and right side must not read outer columns (they stay, and are
// rejected).
func (b *binder) pullUpPreserved(x *logical.Join, isCorr func(logical.Expr) bool, local logical.ColSet) (logical.Node, []logical.Expr, error) {
	if slices.ContainsFunc(logical.Conjuncts(x.Cond), isCorr) {
		return x, nil, nil
	}
	l, corr, err := b.pullUp(x.Left, isCorr, local)
	if err != nil {
		return nil, nil, err
	}
	c := *x
	c.Left = l
	return &c, corr, nil
}

// pullUpSemi pulls correlations out of a semi join, which is what a
// subquery correlated two levels up leaves behind: in
// `EXISTS (SELECT FROM p WHERE EXISTS (SELECT FROM o WHERE o.pid = p.pid
// AND o.cid = c.cid))` the inner EXISTS became `p SEMI JOIN o ON o.pid =
// p.pid AND o.cid = c.cid`, whose condition reads c. When the semi join's
// own condition equates columns of its two sides and every correlation is
// `column = outer`, the semi join is the inner join of its left side with
// the distinct right-side columns those conditions read: for one outer row
// and one left row at most one distinct right row matches, so no left row
// is repeated, and the correlations can move up like an inner join's.
// Other semi joins keep their correlation (and are rejected).
func (b *binder) pullUpSemi(x *logical.Join, isCorr func(logical.Expr) bool, local logical.ColSet) (logical.Node, []logical.Expr, error) {
	l, corr, err := b.pullUp(x.Left, isCorr, local)
	if err != nil {
		return nil, nil, err
	}
	c := *x
	c.Left = l
	var keep, pulled []logical.Expr
	for _, p := range logical.Conjuncts(x.Cond) {
		if isCorr(p) {
			pulled = append(pulled, p)
		} else {
			keep = append(keep, p)
		}
	}
	if len(pulled) == 0 || readsOuter(x.Right, definedIDs(x.Right)) {
		return &c, corr, nil
	}
	right := definedIDs(x.Right)
	var groups []logical.Expr
	var groupCols []logical.ColumnID
	have := logical.ColSet{}
	addRight := func(col *logical.ColRef) {
		if right.Has(col.ID) && !have.Has(col.ID) {
			have.Add(col.ID)
			groups = append(groups, col)
			groupCols = append(groupCols, col.ID)
		}
	}
	for _, p := range keep {
		l, r, ok := logical.ColumnEquality(p)
		if !ok || right.Has(l.ID) == right.Has(r.ID) {
			return &c, corr, nil
		}
		addRight(l)
		addRight(r)
	}
	for _, p := range pulled {
		inner, ok := innerSideOfEquality(p, isCorr)
		if !ok {
			return &c, corr, nil
		}
		addRight(inner)
	}
	distinct := &logical.Aggregate{Input: x.Right, Groups: groups, GroupCols: groupCols}
	return &logical.Join{Type: logical.InnerJoin, Left: l, Right: distinct, Cond: logical.And(keep)}, append(corr, pulled...), nil
}

// needsEqualityError is the 0A000 of a correlation decorrelate can only
// rewrite as an equality; bindLateral tells it apart (isNeedsEquality) to
// bind such a subquery over numbered outer rows instead.
type needsEqualityError struct{ err *sqltypes.Error }

func (e needsEqualityError) Error() string { return e.err.Error() }
func (e needsEqualityError) Unwrap() error { return e.err }

func errNeedsEquality(what string, p logical.Expr) error {
	return needsEqualityError{sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s needs equality correlations (inner = outer); got %s", what, p)}
}

func isNeedsEquality(err error) bool {
	var e needsEqualityError
	return errors.As(err, &e)
}

// innerSideOfEquality returns the inner column of `inner = outer`.
func innerSideOfEquality(p logical.Expr, isCorr func(logical.Expr) bool) (*logical.ColRef, bool) {
	bin, ok := p.(*logical.Binary)
	if !ok || bin.Op != expr.OpEq {
		return nil, false
	}
	for _, side := range [][2]logical.Expr{{bin.L, bin.R}, {bin.R, bin.L}} {
		if c, ok := side[0].(*logical.ColRef); ok && !isCorr(c) && allOuter(side[1], isCorr) {
			return c, true
		}
	}
	return nil, false
}

// allOuter reports whether e reads only outer columns.
func allOuter(e logical.Expr, isCorr func(logical.Expr) bool) bool {
	for id := range logical.ColumnsOf(e) {
		if !isCorr(&logical.ColRef{ID: id}) {
			return false
		}
	}
	return len(logical.ColumnsOf(e)) > 0
}

// regroupedCounts is countColumns of plan, orig decorrelated, narrowed to
// the aggregates that had no GROUP BY in orig: decorrelation grouped them
// by their correlation columns, so an outer row without matches lost the
// row whose count is 0. An aggregate orig groups already has no group for
// such a row either way, and its counts are its groups' own.
func regroupedCounts(orig, plan logical.Node) logical.ColSet {
	scalar := logical.ColSet{}
	var rec func(n logical.Node)
	rec = func(n logical.Node) {
		if a, ok := n.(*logical.Aggregate); ok && len(a.Groups) == 0 {
			scalar.Add(a.AggCols...)
		}
		for _, c := range n.Children() {
			rec(c)
		}
	}
	rec(orig)
	out := logical.ColSet{}
	for id := range countColumns(plan) {
		if scalar.Has(id) {
			out.Add(id)
		}
	}
	return out
}

// countColumns returns the count() outputs of the grouped aggregates in
// plan: once a correlated aggregate is grouped and outer-joined, a group
// with no rows yields NULL where SQL's count yields 0. An aggregate without
// groups (an uncorrelated subquery's) always yields its one row.
func countColumns(plan logical.Node) logical.ColSet {
	out := logical.ColSet{}
	logical.Inspect(plan, func(n logical.Node) bool {
		if a, ok := n.(*logical.Aggregate); ok && len(a.Groups) > 0 {
			for i, c := range a.Aggs {
				// regr_count is a count too: 0, not NULL, of no rows.
				if c.Func == "count" || c.Func == "count_star" || c.Func == "regr_count" {
					out.Add(a.AggCols[i])
				}
			}
		}
		return true
	})
	return out
}
