package bind

import (
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// A subquery nested in a correlated subquery may read the outermost
// query two levels up from where decorrelate cannot pull the correlation
// out: the condition of the join its own decorrelation built, as in
//
//	SELECT (SELECT (SELECT max(p.w) FROM p WHERE p.k = q.k AND p.o = o.k)
//	        FROM q WHERE q.id = o.id) FROM o
//
// where the middle query is `q ⟕single P ON p.k = q.k AND p.o = o.k`.
// padOver evaluates such a plan for every numbered outer row at once: the
// outer rows join the plan where it first reads them (its innermost
// filter reading the outer row becomes a left join's condition), so their
// columns are there for every join condition, window and aggregate above,
// and each outer row keeps a row of padding when it has no rows. Filters
// above that point cannot drop rows (an outer row whose rows they all
// reject must stay): they become conditions the subquery's rows must meet,
// which the joins above add to theirs and keepOrPad applies at the end.
// It is one pass of joins and windows, never a subquery run per row.

// padded is a plan evaluated for every numbered outer row by padOver:
// node has the outer rows' columns and the plan's; an outer row without
// rows has one row of padding, marker NULL. The plan's rows are those
// that are no padding and where ok holds (nil: all).
type padded struct {
	node   logical.Node
	marker *logical.ColRef
	ok     []logical.Expr
}

// cond is the condition a row of node meets when it is the plan's.
func (p *padded) cond() logical.Expr {
	return logical.And(append([]logical.Expr{&logical.Unary{Op: logical.OpIsNotNull, E: p.marker, T: sqltypes.TypeBool}}, p.ok...))
}

// filtered reports whether some rows with data are not the plan's.
func (p *padded) filtered() bool { return len(p.ok) > 0 }

// padOver evaluates n for every row of o (see padded); ok is false for
// shapes it does not know, and for plans that read the outer rows in two
// places that are not above one another (both sides of a join).
func (b *binder) padOver(o outerRows, n logical.Node) (*padded, bool) {
	if !readsOuter(n, definedIDs(n)) {
		return b.padLeaf(o, n, nil), true
	}
	switch x := n.(type) {
	case *logical.Filter:
		if !readsOuter(x.Input, definedIDs(x.Input)) {
			return b.padLeaf(o, x.Input, x.Pred), true
		}
		if sunk, ok := b.sinkFilter(x); ok {
			return b.padOver(o, sunk)
		}
		r, ok := b.padOver(o, x.Input)
		if !ok {
			return nil, false
		}
		r.ok = append(r.ok, logical.Conjuncts(x.Pred)...)
		return r, true
	case *logical.Project:
		r, ok := b.padOver(o, x.Input)
		if !ok {
			return nil, false
		}
		p := &logical.Project{Input: r.node}
		have := logical.ColSet{}
		for i, e := range x.Exprs {
			if _, isCol := e.(*logical.ColRef); !isCol && r.filtered() {
				// Not computed for rows the subquery has not (a
				// division by zero PostgreSQL never meets).
				e = &logical.Case{Whens: []logical.When{{Cond: r.cond(), Then: e}}, T: e.Type()}
			}
			p.Exprs, p.Cols = append(p.Exprs, e), append(p.Cols, x.Cols[i])
			have.Add(x.Cols[i])
		}
		// The outer columns, the marker and what ok reads pass on.
		for _, id := range r.node.Output() {
			if !have.Has(id) {
				p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
			}
		}
		r.node = p
		return r, true
	case *logical.Sort:
		// Order means nothing without a LIMIT above (see Limit).
		return b.padOver(o, x.Input)
	case *logical.Limit:
		return b.padLimit(o, x)
	case *logical.Window:
		r, ok := b.padOver(o, x.Input)
		if !ok || r.filtered() {
			// Rows that are not the subquery's would be counted.
			return nil, false
		}
		w := *x
		w.Input = r.node
		w.PartitionBy = append([]logical.Expr{b.colRef(o.rowID)}, x.PartitionBy...)
		r.node = &w
		return r, true
	case *logical.Join:
		return b.padJoin(o, x)
	case *logical.Aggregate:
		return b.padAggregate(o, x)
	}
	return nil, false
}

// sinkFilter moves the conjuncts of f as far down its input as they stay
// the same condition: through projections that pass their columns on,
// below an aggregate's group columns, a row-numbering window, and onto
// the side of a join whose rows they read (the left side of a join that
// keeps each left row's standing: semi, anti, mark, left, single). Columns
// from outside count as constants. So `p ⋉ r` filtered by `p.k = q.k` is
// `(p WHERE p.k = q.k) ⋉ r`, which padOver joins to the outer rows by
// that condition rather than with every outer row. sunk is false when
// nothing moved.
func (b *binder) sinkFilter(f *logical.Filter) (n logical.Node, sunk bool) {
	if f.Barrier {
		return f, false
	}
	var stay []logical.Expr
	in := f.Input
	for _, c := range logical.Conjuncts(f.Pred) {
		if next, ok := b.sinkConjunct(in, c); ok {
			in, sunk = next, true
		} else {
			stay = append(stay, c)
		}
	}
	if len(stay) == 0 {
		return in, sunk
	}
	return &logical.Filter{Input: in, Pred: logical.And(stay)}, sunk
}

// sinkConjunct returns n with c applied below its top node, ok false
// when c cannot move below it.
func (b *binder) sinkConjunct(n logical.Node, c logical.Expr) (logical.Node, bool) {
	if hasSubquery(c) {
		return nil, false
	}
	defined := definedIDs(n)
	reads := logical.ColSet{}
	for id := range logical.ColumnsOf(c) {
		if defined.Has(id) {
			reads.Add(id)
		}
	}
	// under applies c to child: deeper when it can go, else as a filter.
	under := func(child logical.Node) logical.Node {
		if deeper, ok := b.sinkConjunct(child, c); ok {
			return deeper
		}
		return &logical.Filter{Input: child, Pred: c}
	}
	switch x := n.(type) {
	case *logical.Filter:
		// Only further down: a filter swapped with this one would be
		// sunk back and forth. Below a row filter only if c leaks
		// nothing of the rows it hides (rules.PushDownFilters).
		if x.Barrier && (!logical.IsLeakproof(c) || logical.IsVolatile(c)) {
			return nil, false
		}
		deeper, ok := b.sinkConjunct(x.Input, c)
		if !ok {
			return nil, false
		}
		f := *x
		f.Input = deeper
		return &f, true
	case *logical.Project:
		for i, id := range x.Cols {
			if ref, isCol := x.Exprs[i].(*logical.ColRef); reads.Has(id) && (!isCol || ref.ID != id) {
				return nil, false
			}
		}
		p := *x
		p.Input = under(x.Input)
		return &p, true
	case *logical.Aggregate:
		groups := logical.ColSet{}
		for i, id := range x.GroupCols {
			if ref, isCol := x.Groups[i].(*logical.ColRef); isCol && ref.ID == id {
				groups.Add(id)
			}
		}
		if len(x.Groups) == 0 || !reads.SubsetOf(groups) {
			return nil, false
		}
		a := *x
		a.Input = under(x.Input)
		return &a, true
	case *logical.Window:
		if len(x.PartitionBy) > 0 || len(x.OrderBy) > 0 || !logical.NewColSet(x.Cols...).SubsetOf(b.rowKeys) || readsAny(reads, x.Cols) {
			return nil, false
		}
		w := *x
		w.Input = under(x.Input)
		return &w, true
	case *logical.Join:
		left, right := logical.OutputSet(x.Left), logical.OutputSet(x.Right)
		j := *x
		switch {
		case reads.SubsetOf(left) && x.Type != logical.RightJoin && x.Type != logical.FullJoin:
			j.Left = under(x.Left)
		case reads.SubsetOf(right) && x.Type == logical.InnerJoin:
			j.Right = under(x.Right)
		default:
			return nil, false
		}
		j.Needed = nil
		return &j, true
	}
	return nil, false
}

// padLeaf joins the outer rows with in's rows that meet pred (nil: all),
// keeping each outer row.
func (b *binder) padLeaf(o outerRows, in logical.Node, pred logical.Expr) *padded {
	m := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	if pred == nil {
		pred = &logical.Const{T: sqltypes.TypeBool, V: true}
	}
	marker := b.colRef(m)
	return &padded{
		node:   &logical.Join{Type: logical.LeftJoin, Left: o.node, Right: b.withMarker(in, m), Cond: pred},
		marker: marker,
	}
}

// padLimit is padOver of `ORDER BY ... LIMIT n OFFSET m`: each outer
// row's rows are numbered in the subquery's order, its own rows first, and
// those outside the bounds are not its rows any more.
func (b *binder) padLimit(o outerRows, x *logical.Limit) (*padded, bool) {
	if x.Bounds != nil {
		return nil, false
	}
	in, keys := x.Input, []logical.SortKey(nil)
	if s, ok := in.(*logical.Sort); ok {
		in, keys = s.Input, s.Keys
	}
	r, ok := b.padOver(o, in)
	if !ok {
		return nil, false
	}
	fls := &logical.Const{T: sqltypes.TypeBool, V: false}
	own := &logical.Func{Name: "coalesce", Args: []logical.Expr{r.cond(), fls}, T: sqltypes.TypeBool}
	rn := b.meta.NewColumn("row_number", "", sqltypes.TypeInt8)
	r.node = &logical.Window{
		Input: r.node, PartitionBy: []logical.Expr{b.colRef(o.rowID)},
		OrderBy: append([]logical.SortKey{{Expr: own, Desc: true}}, keys...),
		Calls:   []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(true), T: sqltypes.TypeInt8}},
		Cols:    []logical.ColumnID{rn},
	}
	r.ok = append(r.ok, b.rowNumberWithin(rn, x.Offset, x.Count))
	return r, true
}

// padJoin is padOver of a join one side of which reads the outer rows.
// The rows that are not the subquery's match nothing (their ok is part of
// the condition), so a single join never fails for them.
func (b *binder) padJoin(o outerRows, x *logical.Join) (*padded, bool) {
	lOuter := readsOuter(x.Left, definedIDs(x.Left))
	rOuter := readsOuter(x.Right, definedIDs(x.Right))
	switch x.Type {
	case logical.LeftJoin, logical.SingleJoin, logical.MarkJoin, logical.SemiJoin, logical.AntiJoin:
		if rOuter {
			return nil, false
		}
		r, ok := b.padOver(o, x.Left)
		if !ok {
			return nil, false
		}
		cond := logical.And(append(logical.Conjuncts(x.Cond), r.cond()))
		if x.Type == logical.SemiJoin || x.Type == logical.AntiJoin {
			// Dropping the left rows would drop outer rows: a mark
			// says which have a match instead.
			mark := b.meta.NewColumn("exists", "", sqltypes.TypeBool)
			r.node = &logical.Join{Type: logical.MarkJoin, Left: r.node, Right: x.Right, Cond: cond, Mark: mark, ExistsMark: true}
			var has logical.Expr = &logical.Func{Name: "coalesce", Args: []logical.Expr{b.colRef(mark), &logical.Const{T: sqltypes.TypeBool, V: false}}, T: sqltypes.TypeBool}
			if x.Type == logical.AntiJoin {
				has = &logical.Unary{Op: logical.OpNot, E: has, T: sqltypes.TypeBool}
			}
			r.ok = append(r.ok, has)
			return r, true
		}
		j := *x
		j.Left, j.Cond, j.Needed = r.node, cond, nil
		r.node = &j
		return r, true
	case logical.InnerJoin:
		if lOuter && rOuter {
			return nil, false
		}
		side, other := x.Left, x.Right
		if rOuter {
			side, other = x.Right, x.Left
		}
		r, ok := b.padOver(o, side)
		if !ok {
			return nil, false
		}
		m := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
		cond := logical.And(append(logical.Conjuncts(x.Cond), r.cond()))
		r.node = &logical.Join{Type: logical.LeftJoin, Left: r.node, Right: b.withMarker(other, m), Cond: cond}
		r.ok = append(r.ok, &logical.Unary{Op: logical.OpIsNotNull, E: b.colRef(m), T: sqltypes.TypeBool})
		return r, true
	}
	return nil, false
}

// padAggregate is padOver of an aggregate: grouped by the outer row too,
// over the subquery's rows only (its ok filters every call). Without
// GROUP BY every outer row has its one row, the aggregates of no rows
// where it has none. With GROUP BY the padding is a group of its own (the
// marker is a key), and a group of rows none of which are the subquery's
// is not one of its groups.
func (b *binder) padAggregate(o outerRows, x *logical.Aggregate) (*padded, bool) {
	r, ok := b.padOver(o, x.Input)
	if !ok {
		return nil, false
	}
	keys := o.keys()
	if len(x.Groups) > 0 {
		keys = append(keys, r.marker.ID)
	}
	g := &logical.Aggregate{Input: r.node, InputOrder: x.InputOrder, AggCols: append([]logical.ColumnID(nil), x.AggCols...)}
	for _, id := range keys {
		g.Groups, g.GroupCols = append(g.Groups, b.colRef(id)), append(g.GroupCols, id)
	}
	g.Groups, g.GroupCols = append(g.Groups, x.Groups...), append(g.GroupCols, x.GroupCols...)
	for _, call := range x.Aggs {
		c := call
		c.Filter = logical.And(append(logical.Conjuncts(call.Filter), r.cond()))
		g.Aggs = append(g.Aggs, c)
	}
	if len(x.Groups) == 0 {
		m := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
		return &padded{node: b.withMarker(g, m), marker: b.colRef(m)}, true
	}
	out := &padded{node: g, marker: r.marker}
	if r.filtered() {
		id := b.meta.NewColumn("ok", "", sqltypes.TypeBool)
		fls := &logical.Const{T: sqltypes.TypeBool, V: false}
		okExpr := &logical.Func{Name: "coalesce", Args: []logical.Expr{r.cond(), fls}, T: sqltypes.TypeBool}
		g.Aggs = append(g.Aggs, logical.AggCall{Func: "bool_or", Args: []logical.Expr{okExpr}, T: sqltypes.TypeBool})
		g.AggCols = append(g.AggCols, id)
		out.ok = []logical.Expr{b.colRef(id)}
	}
	return out, true
}

// perRowPadded evaluates plan, a subquery reading only node's columns
// from outside, for every row of node by padOver, and keeps of each outer
// row the subquery's rows or one row of padding (keepOrPad; with oneRow
// more than one row fails with 21000). ok is false where padOver is.
func (b *binder) perRowPadded(node, plan logical.Node, oneRow bool) (*perRowOut, bool) {
	// What plan reads of queries further out stays a correlation of the
	// result, for the enclosing query's decorrelation.
	for _, id := range node.Output() {
		if !groupable(b.meta.Column(id).Type) {
			return nil, false
		}
	}
	o := b.numberOuter(node)
	p, ok := b.padOver(o, plan)
	if !ok {
		return nil, false
	}
	r := &perRowOut{node: p.node, rowID: o.rowID, keys: o.keys(), marker: p.marker}
	var keep logical.Expr = &logical.Const{T: sqltypes.TypeBool, V: true}
	if p.filtered() {
		keep = logical.And(p.ok)
	}
	b.keepOrPadRows(r, keep, oneRow)
	return r, true
}

// scalarPadded is scalarPerOuterRow by perRowPadded: res is the column
// holding sq's value. An outer row with more than one row fails with
// 21000, as a single join does.
func (b *binder) scalarPadded(node logical.Node, sq *logical.Subquery) (logical.Node, logical.ColumnID, map[logical.ColumnID]logical.ColumnID, bool) {
	plan, fresh := b.freshOuterColumns(sq.Plan, logical.NewColSet(node.Output()...))
	r, ok := b.perRowPadded(node, plan, true)
	if !ok {
		return nil, 0, nil, false
	}
	renamed := r.renames(fresh)
	return r.node, currentID(renamed, sq.Out), renamed, true
}

// readsAny reports whether reads holds one of ids.
func readsAny(reads logical.ColSet, ids []logical.ColumnID) bool {
	for _, id := range ids {
		if reads.Has(id) {
			return true
		}
	}
	return false
}
