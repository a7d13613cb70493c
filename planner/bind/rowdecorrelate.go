package bind

import (
	"maps"

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
func (b *binder) scalarPerOuterRow(node logical.Node, sq *logical.Subquery) (out logical.Node, res logical.ColumnID, renamed map[logical.ColumnID]logical.ColumnID, ok bool, err error) {
	plan, fresh := b.freshOuterColumns(sq.Plan, logical.NewColSet(node.Output()...))
	number := func(narrow bool) (outerRows, logical.Node, func(logical.Node) logical.Node) {
		if narrow {
			return b.numberOuterNarrow(node, plan)
		}
		return b.numberOuter(node), plan, func(n logical.Node) logical.Node { return n }
	}
	perRow := func(narrow bool) (*perRowOut, func(logical.Node) logical.Node, bool, error) {
		o, p, joinBack := number(narrow)
		r, ok, err := b.aggregateOverOuter(o, p, true, false)
		if !ok && err == nil {
			o, p, joinBack = number(narrow)
			r, ok, err = b.limitOverOuter(o, p, true, true)
		}
		return r, joinBack, ok, err
	}
	// The narrow outer rows are a shared computation, which the rewrites
	// of unions over the outer rows cannot copy: those take them whole.
	r, joinBack, ok, err := perRow(true)
	if !ok || err != nil {
		r, joinBack, ok, err = perRow(false)
	}
	if !ok || err != nil {
		return nil, 0, nil, ok, err
	}
	renamed = r.renames(fresh)
	return joinBack(r.node), currentID(renamed, sq.Out), renamed, true, nil
}

// numberOuterNarrow numbers the rows of node for a subquery plan
// evaluated per outer row. When node has variable-width columns plan
// does not read (a grouped query's array_agg, a long text), those would
// be copied into every joined inner row and be grouping keys: instead
// the numbered rows are computed once (a shared WITH query's plan), plan
// runs over them narrowed to the row number and the columns it reads,
// under new IDs (plan is returned reading those), and joinBack joins its
// result to the whole rows by row number. Otherwise it is numberOuter,
// plan as is, and joinBack returns its input.
func (b *binder) numberOuterNarrow(node logical.Node, plan logical.Node) (outerRows, logical.Node, func(logical.Node) logical.Node) {
	same := func(n logical.Node) logical.Node { return n }
	o := b.numberOuter(node)
	own := definedIDs(plan)
	own.Add(node.Output()...)
	if readsOuter(node, definedIDs(node)) || readsOuter(plan, own) {
		// Correlated further out: a shared computation would hide that
		// correlation from the enclosing query's decorrelation.
		return o, plan, same
	}
	read := columnsRead(plan)
	var needed []logical.ColumnID
	wide := false
	for _, id := range o.cols {
		if read.Has(id) {
			needed = append(needed, id)
		} else if b.meta.Column(id).Type.Size() < 0 {
			wide = true
		}
	}
	if !wide {
		return o, plan, same
	}
	// Both references read one node (a WITH query's shared plan): the
	// narrow one under new IDs, the other under the outer rows' own.
	shared := &logical.Shared{Key: b.newCTEKey(), Name: "outer", Input: o.node, Memo: &logical.SharedMemo{}}
	ids := map[logical.ColumnID]logical.ColumnID{}
	narrow := outerRows{}
	p := &logical.Project{Input: shared}
	for _, id := range append([]logical.ColumnID{o.rowID}, needed...) {
		c := b.meta.Column(id)
		ids[id] = b.meta.NewColumn(c.Name, c.Table, c.Type)
		p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, ids[id])
		if id != o.rowID {
			narrow.cols = append(narrow.cols, ids[id])
		}
	}
	narrow.node, narrow.rowID = p, ids[o.rowID]
	b.rowKeys.Add(narrow.rowID)
	whole := &logical.Project{Input: shared}
	for _, id := range o.node.Output() {
		whole.Exprs, whole.Cols = append(whole.Exprs, b.colRef(id)), append(whole.Cols, id)
	}
	joinBack := func(perRow logical.Node) logical.Node {
		return &logical.Join{Type: logical.InnerJoin, Left: whole, Right: perRow,
			Cond: &logical.Binary{Op: expr.OpEq, L: b.colRef(o.rowID), R: b.colRef(narrow.rowID), T: sqltypes.TypeBool}}
	}
	return narrow, renamePlanCols(plan, ids), joinBack
}

// perRowOut is a subquery evaluated for every numbered outer row: node
// has the outer row number rowID, the outer columns (keys, rowID first)
// and the subquery's. With marker, a NULL marker tells the padding row of
// an outer row without a result from its real rows. renamed maps a
// column of the subquery to the one that now holds its value, where
// padding had to null it (keepOrPad).
type perRowOut struct {
	node    logical.Node
	rowID   logical.ColumnID
	keys    []logical.ColumnID
	marker  *logical.ColRef
	renamed map[logical.ColumnID]logical.ColumnID
}

// current returns the column that holds the subquery's column id.
func (r *perRowOut) current(id logical.ColumnID) logical.ColumnID {
	return currentID(r.renamed, id)
}

// renames returns where each column of the subquery now is, the
// subquery's plan having given some of its columns new IDs (fresh) before
// it was evaluated per outer row: old ID to the one holding its value.
func (r *perRowOut) renames(fresh map[logical.ColumnID]logical.ColumnID) map[logical.ColumnID]logical.ColumnID {
	out := map[logical.ColumnID]logical.ColumnID{}
	for id, nid := range r.renamed {
		out[id] = nid
	}
	for id, nid := range fresh {
		out[id] = r.current(nid)
	}
	return out
}

// currentID returns the column that holds id's value after renamed.
func currentID(renamed map[logical.ColumnID]logical.ColumnID, id logical.ColumnID) logical.ColumnID {
	if nid, ok := renamed[id]; ok {
		return nid
	}
	return id
}

// rename points e at the columns that now hold the subquery's values.
func (r *perRowOut) rename(e logical.Expr) logical.Expr {
	if e == nil {
		return nil
	}
	return renameCols(e, r.renamed)
}

// nullUnless passes on the columns of in: those of keep as they are, the
// others under new IDs (returned: old to new), NULL where cond does not
// hold.
func (b *binder) nullUnless(in logical.Node, keep logical.ColSet, cond logical.Expr) (*logical.Project, map[logical.ColumnID]logical.ColumnID) {
	p := &logical.Project{Input: in}
	renamed := map[logical.ColumnID]logical.ColumnID{}
	for _, id := range in.Output() {
		c := b.colRef(id)
		if keep.Has(id) {
			p.Exprs, p.Cols = append(p.Exprs, c), append(p.Cols, id)
			continue
		}
		nid := b.meta.NewColumn(c.Name, "", c.T)
		p.Exprs = append(p.Exprs, &logical.Case{Whens: []logical.When{{Cond: cond, Then: c}}, T: c.T})
		p.Cols = append(p.Cols, nid)
		renamed[id] = nid
	}
	return p, renamed
}

// reapply puts the projections tops (outermost first, as projectionsOf
// returns them) back over r.node after keepOrPad: the innermost reads the
// renamed columns, and the outermost's columns are the subquery's again.
func (r *perRowOut) reapply(b *binder, tops []*logical.Project) {
	if len(tops) == 0 {
		return
	}
	tops = append([]*logical.Project(nil), tops...)
	last := *tops[len(tops)-1]
	last.Exprs = make([]logical.Expr, len(last.Exprs))
	for j, e := range tops[len(tops)-1].Exprs {
		last.Exprs[j] = r.rename(e)
	}
	tops[len(tops)-1] = &last
	r.node = b.reapplyProjections(r.node, tops, r.keys, r.marker)
	for _, id := range tops[0].Cols {
		delete(r.renamed, id)
	}
}

// keepOrPad keeps, of each outer row's rows in r, those where ok holds
// (and that are not padding), or, when none of them does, one row with
// the subquery's columns NULL: what a LEFT JOIN LATERAL with a condition
// (or an OFFSET that skips every match) leaves of an outer row. It is a
// window over the outer row number, so each input is still read once.
// The subquery's columns get new IDs, recorded in r.renamed, and the
// marker is TRUE on the rows kept for ok only.
func (b *binder) keepOrPad(r *perRowOut, ok logical.Expr) {
	b.keepOrPadRows(r, ok, false)
}

// keepOrPadRows is keepOrPad; with oneRow, an outer row with more than
// one row where ok holds fails with 21000 (a scalar subquery's).
func (b *binder) keepOrPadRows(r *perRowOut, ok logical.Expr, oneRow bool) {
	conds := []logical.Expr{ok}
	if r.marker != nil {
		conds = append(conds, &logical.Unary{Op: logical.OpIsNotNull, E: r.marker, T: sqltypes.TypeBool})
	}
	okID := b.meta.NewColumn("ok", "", sqltypes.TypeBool)
	fls := &logical.Const{T: sqltypes.TypeBool, V: false}
	okExpr := &logical.Func{Name: "coalesce", Args: []logical.Expr{logical.And(conds), fls}, T: sqltypes.TypeBool}
	withOK := b.withColumn(r.node, okID, okExpr)
	w, oks, rn := b.countOK(withOK, r.rowID, okID)
	eq := func(id logical.ColumnID, v int64) logical.Expr {
		return &logical.Binary{Op: expr.OpEq, L: b.colRef(id), R: &logical.Const{T: sqltypes.TypeInt8, V: v}, T: sqltypes.TypeBool}
	}
	var pred logical.Expr = &logical.Binary{Op: expr.OpOr, L: b.colRef(okID), R: logical.And([]logical.Expr{eq(oks, 0), eq(rn, 1)}), T: sqltypes.TypeBool}
	if oneRow {
		check := &logical.Func{Name: expr.OneRowFunc, Args: []logical.Expr{b.colRef(oks)}, T: sqltypes.TypeBool}
		pred = logical.And([]logical.Expr{check, pred})
	}
	keep := &logical.Filter{Input: w, Pred: pred}
	out, fresh := b.nullUnless(keep, logical.NewColSet(r.keys...), b.colRef(okID))
	if r.renamed == nil {
		r.renamed = map[logical.ColumnID]logical.ColumnID{}
	}
	for orig, cur := range r.renamed {
		if nid, ok := fresh[cur]; ok {
			r.renamed[orig] = nid
		}
	}
	for id, nid := range fresh {
		if _, ok := r.renamed[id]; !ok {
			r.renamed[id] = nid
		}
	}
	marker := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	out.Exprs = append(out.Exprs, &logical.Case{Whens: []logical.When{{Cond: b.colRef(okID), Then: &logical.Const{T: sqltypes.TypeBool, V: true}}}, T: sqltypes.TypeBool})
	out.Cols = append(out.Cols, marker)
	r.node, r.marker = out, b.colRef(marker)
}

// aggregateOverOuter is scalarPerOuterRow's plan for any subquery over an
// aggregate without GROUP BY (a scalar subquery's or a LATERAL one's): the
// result has node's columns and plan's, one row per row of node. A HAVING
// drops the row when keep is false (CROSS JOIN LATERAL) and otherwise
// nulls plan's columns, as a scalar subquery or LEFT JOIN LATERAL without
// a row does.
//
// With grouped, an aggregate with GROUP BY (its groups are rows) is
// grouped by the outer row number and its own keys. Without keep an outer
// row without matches has no group; with keep (LEFT JOIN) the match
// marker is a key too, so such a row forms one group of padding, and a
// HAVING keeps the groups it accepts or else one row of padding
// (keepOrPad).
func (b *binder) aggregateOverOuter(o outerRows, plan logical.Node, keep, grouped bool) (*perRowOut, bool, error) {
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
	if withGroups && !grouped {
		return nil, false, nil
	}
	local := definedIDs(agg.Input)
	outerCols := o.cols
	// The aggregates' arguments, FILTER and ORDER BY may read the outer
	// row too (`sum(o.a + q.v)`, an aggregate of both levels is the inner
	// query's): they are computed over the join, where its columns are.
	// What they read of queries further out stays a correlation of the
	// result, for the enclosing query's decorrelation.
	aggExprs := append([]logical.Expr(nil), agg.Groups...)
	for _, c := range agg.Aggs {
		aggExprs = append(append(aggExprs, c.Args...), c.Filter)
		for _, k := range c.Order {
			aggExprs = append(aggExprs, k.Expr)
		}
	}
	for _, k := range agg.InputOrder {
		aggExprs = append(aggExprs, k.Expr)
	}
	argsReadOuter := !readOnly(aggExprs, local)
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
	rowID, numbered := o.rowID, o.node

	var input logical.Node
	var markers []logical.Expr
	keys := append([]logical.ColumnID{rowID}, outerCols...)
	outerKeys := keys
	var marker *logical.ColRef
	rename := func(e logical.Expr) logical.Expr { return e }
	// joinOuter joins the numbered outer rows with in's rows by cond.
	joinOuter := func(in logical.Node, cond logical.Expr) {
		matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
		jt := logical.LeftJoin
		switch {
		case withGroups && keep:
			marker = b.colRef(matched)
			keys = append(keys, matched)
		case withGroups:
			jt = logical.InnerJoin
		}
		input = &logical.Join{Type: jt, Left: numbered, Right: b.withMarker(in, matched), Cond: cond}
		markers = []logical.Expr{b.colRef(matched)}
	}
	if in, corr, pulled := b.pullUpCorrelation(agg.Input, local); pulled {
		if !withGroups && !argsReadOuter {
			if early, merged, ok := b.preAggregateInner(in, corr, agg); ok {
				in, agg = early, merged
			}
		}
		joinOuter(in, logical.And(corr))
	} else if in, ms, ok := b.applyOnOuter(agg.Input, numbered); ok && !withGroups {
		input, markers = in, ms
	} else if !readsOuter(agg.Input, local) {
		if !argsReadOuter {
			return nil, false, nil
		}
		// Only the aggregates read the outer row: every inner row is
		// aggregated for every outer row, as PostgreSQL's subplan does.
		joinOuter(agg.Input, &logical.Const{T: sqltypes.TypeBool, V: true})
	} else {
		// Some other input reading the outer row (a UNION in FROM):
		// its rows per outer row, padded where the groups need it.
		r, ok, err := b.perRowOf(o, agg.Input, keep || !withGroups, true)
		if !ok || err != nil {
			return nil, ok, err
		}
		input, rename = r.node, r.rename
		if r.marker != nil {
			markers = []logical.Expr{&logical.Unary{Op: logical.OpIsNotNull, E: r.marker, T: sqltypes.TypeBool}}
			if withGroups {
				marker = r.marker
				keys = append(keys, r.marker.ID)
			}
		}
	}

	g := &logical.Aggregate{Input: input, AggCols: agg.AggCols}
	for _, id := range keys {
		g.Groups, g.GroupCols = append(g.Groups, b.colRef(id)), append(g.GroupCols, id)
	}
	for _, e := range agg.Groups {
		g.Groups = append(g.Groups, rename(e))
	}
	g.GroupCols = append(g.GroupCols, agg.GroupCols...)
	for _, k := range agg.InputOrder {
		k.Expr = rename(k.Expr)
		g.InputOrder = append(g.InputOrder, k)
	}
	for _, call := range agg.Aggs {
		c := call
		c.Args = make([]logical.Expr, len(call.Args))
		for i, a := range call.Args {
			c.Args[i] = rename(a)
		}
		c.Order = append([]logical.SortKey(nil), call.Order...)
		for i := range c.Order {
			c.Order[i].Expr = rename(c.Order[i].Expr)
		}
		c.Filter = logical.And(append(logical.Conjuncts(rename(call.Filter)), markers...))
		g.Aggs = append(g.Aggs, c)
	}
	out := &perRowOut{node: b.carryOuterColumns(g, rowID, outerCols), rowID: rowID, keys: outerKeys}
	if withGroups && keep && (having != nil || len(tops) == 0) {
		// The padding group's aggregates are those of no rows (a count
		// is 0): every column of it is nulled instead.
		if having == nil {
			having = &logical.Const{T: sqltypes.TypeBool, V: true}
		}
		out.marker = marker
		b.keepOrPad(out, having)
		out.reapply(b, tops)
		return out, true, nil
	}
	switch {
	case having != nil && keep:
		var p *logical.Project
		p, marker = b.nullUnlessHaving(g, keys, having)
		p.Input = b.carryOuterColumns(g, rowID, outerCols) // g's aggregates renamed
		out.node = p
	case having != nil:
		out.node = &logical.Filter{Input: out.node, Pred: having}
	}
	out.node, out.marker = b.reapplyProjections(out.node, tops, keys, marker, agg.AggCols...), marker
	return out, true, nil
}

// nullUnlessHaving computes the aggregates of grouped under new columns
// and passes them on under their own only where having holds, NULL
// elsewhere: the outer row stays, without the subquery's row. The marker
// returned is TRUE where having holds, NULL elsewhere, for the select
// list above to be NULL there too.
func (b *binder) nullUnlessHaving(grouped *logical.Aggregate, keys []logical.ColumnID, having logical.Expr) (*logical.Project, *logical.ColRef) {
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
// order, keeps each outer row's first rows. Under the LIMIT may also be a
// GROUP BY (its groups per outer row come from aggregateOverOuter). The
// result has node's columns and plan's. With keep, an outer row without
// rows stays, plan's columns NULL (LEFT JOIN LATERAL, a scalar
// subquery); one whose rows all fall outside the OFFSET and LIMIT too
// (keepOrPad). A scalar subquery must yield at most one row, which only
// LIMIT 1 ensures here (joinSubquery drops a larger LIMIT without
// OFFSET). ok is false for other shapes.
func (b *binder) limitOverOuter(o outerRows, plan logical.Node, keep, scalar bool) (*perRowOut, bool, error) {
	tops, cur := projectionsOf(plan)
	lim, isLimit := cur.(*logical.Limit)
	if !isLimit || lim.Bounds != nil {
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
	visible := definedIDs(plan)
	visible.Add(o.cols...)
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
	r, ok, err := b.rowsOverOuter(o, input, keep, false)
	if !ok || err != nil {
		return nil, ok, err
	}
	if scalar && lim.Count != 1 && lim.Count != 0 {
		return nil, false, sqltypes.New(sqltypes.CodeFeatureNotSupported, "a scalar subquery with OFFSET and a correlation that is not an equality needs LIMIT 1 (or an aggregate) to yield at most one row")
	}
	r.reapply(b, below)
	for i := range keys {
		keys[i].Expr = r.rename(keys[i].Expr)
	}
	rn := b.meta.NewColumn("row_number", "", sqltypes.TypeInt8)
	w := &logical.Window{
		Input: r.node, PartitionBy: []logical.Expr{b.colRef(r.rowID)}, OrderBy: keys,
		Calls: []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(len(keys) > 0), T: sqltypes.TypeInt8}},
		Cols:  []logical.ColumnID{rn},
	}
	within := b.rowNumberWithin(rn, lim.Offset, lim.Count)
	if keep && (lim.Offset > 0 || lim.Count == 0) {
		// Rows of an outer row may all fall outside: keepOrPad leaves
		// one row of padding then.
		r.node = w
		b.keepOrPad(r, within)
		r.reapply(b, tops)
		return r, true, nil
	}
	pred := within
	if keep && r.marker != nil {
		// The padding row of an outer row without matches is numbered 1.
		pred = &logical.Binary{Op: expr.OpOr, L: &logical.Unary{Op: logical.OpIsNull, E: r.marker, T: sqltypes.TypeBool}, R: pred, T: sqltypes.TypeBool}
	}
	r.node = &logical.Filter{Input: w, Pred: pred}
	r.reapply(b, tops)
	return r, true, nil
}

// rowsOverOuter evaluates input, the part of a subquery under its LIMIT
// and select list, for every numbered outer row: a join by the
// correlation pulled out of it, or a GROUP BY's groups per outer row.
// With keep an outer row without rows has one row of padding (its marker
// NULL). With uncorrelated, an input that does not read the outer row at
// all (a UNION branch) joins every outer row.
func (b *binder) rowsOverOuter(o outerRows, input logical.Node, keep, uncorrelated bool) (*perRowOut, bool, error) {
	in, corr, pulled := b.pullUpCorrelation(input, definedIDs(input))
	switch {
	case pulled:
	case uncorrelated && !readsOuter(input, definedIDs(input)):
		in, corr = input, []logical.Expr{&logical.Const{T: sqltypes.TypeBool, V: true}}
	default:
		if r, ok, err := b.aggregateOverOuter(o, input, keep, true); ok || err != nil {
			return r, ok, err
		}
		return b.unionOverOuter(o, input, keep)
	}
	matched := b.meta.NewColumn("matched", "", sqltypes.TypeBool)
	jt := logical.InnerJoin
	if keep {
		jt = logical.LeftJoin
	}
	r := &perRowOut{
		node:  &logical.Join{Type: jt, Left: o.node, Right: b.withMarker(in, matched), Cond: logical.And(corr)},
		rowID: o.rowID,
		keys:  o.keys(),
	}
	if keep {
		r.marker = b.colRef(matched)
	}
	return r, true, nil
}

// outerRows are the rows a subquery is evaluated for, numbered: node is
// the outer rows with their number rowID, cols their own columns.
type outerRows struct {
	node  logical.Node
	rowID logical.ColumnID
	cols  []logical.ColumnID
}

// keys returns the row number and the outer columns.
func (o outerRows) keys() []logical.ColumnID {
	return append([]logical.ColumnID{o.rowID}, o.cols...)
}

// numberOuter numbers the rows of node.
func (b *binder) numberOuter(node logical.Node) outerRows {
	rowID := b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
	return outerRows{node: b.numberRows(node, rowID), rowID: rowID, cols: node.Output()}
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
			// The expressions read the input's columns: renamed below,
			// not by this projection (SELECT t.a, t.a || 'z' reads t.a).
			below := maps.Clone(renamed)
			for i, id := range c.Cols {
				c.Exprs[i] = renameCols(c.Exprs[i], below)
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
	if b.rowKeys == nil {
		b.rowKeys = logical.ColSet{}
	}
	b.rowKeys.Add(id)
	return &logical.Window{
		Input:  n,
		Calls:  []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(false), T: sqltypes.TypeInt8}},
		Cols:   []logical.ColumnID{id},
		RowKey: true,
	}
}

// countOK adds, over the rows of in with the same row (a numbered outer
// row), oks: how many of them have ok, and rn: each one's number.
func (b *binder) countOK(in logical.Node, row, ok logical.ColumnID) (w logical.Node, oks, rn logical.ColumnID) {
	oks, rn = b.meta.NewColumn("ok_rows", "", sqltypes.TypeInt8), b.meta.NewColumn("row_number", "", sqltypes.TypeInt8)
	return &logical.Window{
		Input:       in,
		PartitionBy: []logical.Expr{b.colRef(row)},
		Calls: []logical.WindowCall{
			{Func: "count_star", Filter: b.colRef(ok), Frame: ops.DefaultFrame(false), T: sqltypes.TypeInt8},
			{Func: "row_number", Frame: ops.DefaultFrame(false), T: sqltypes.TypeInt8},
		},
		Cols: []logical.ColumnID{oks, rn},
	}, oks, rn
}

// withMarker adds the column marker, always TRUE, to n's output: after
// a left join it tells matched rows from the NULL padding.
func (b *binder) withMarker(n logical.Node, marker logical.ColumnID) logical.Node {
	return b.withColumn(n, marker, &logical.Const{T: sqltypes.TypeBool, V: true})
}

// withColumn passes n's columns through and adds id, computed by e.
func (b *binder) withColumn(n logical.Node, id logical.ColumnID, e logical.Expr) logical.Node {
	p := &logical.Project{Input: n}
	for _, c := range n.Output() {
		p.Exprs, p.Cols = append(p.Exprs, b.colRef(c)), append(p.Cols, c)
	}
	p.Exprs, p.Cols = append(p.Exprs, e), append(p.Cols, id)
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
		if !isValues || len(v.Rows) != 1 || len(v.Cols) != 0 || x.Cond != nil {
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

// perRowOf evaluates plan, a subquery reading the outer rows o, for every
// one of them at once (see perRowOut): an aggregate, a LIMIT, a UNION,
// or, for a branch of a UNION, a join by the correlation (or with every
// outer row when it has none). ok is false for other shapes.
func (b *binder) perRowOf(o outerRows, plan logical.Node, keep, branch bool) (*perRowOut, bool, error) {
	b.perRowBuilds++
	if r, ok, err := b.aggregateOverOuter(o, plan, keep, true); ok || err != nil {
		return r, ok, err
	}
	if r, ok, err := b.limitOverOuter(o, plan, keep, false); ok || err != nil {
		return r, ok, err
	}
	if r, ok, err := b.unionOverOuter(o, plan, keep); ok || err != nil {
		return r, ok, err
	}
	if !branch {
		return nil, false, nil
	}
	tops, input := projectionsOf(plan)
	if !topsReadOnly(tops, plan, o) {
		return nil, false, nil
	}
	r, ok, err := b.rowsOverOuter(o, input, keep, true)
	if !ok || err != nil {
		return nil, ok, err
	}
	r.reapply(b, tops)
	return r, true, nil
}

// topsReadOnly reports whether the projections tops over plan read only
// its columns and the outer rows'.
func topsReadOnly(tops []*logical.Project, plan logical.Node, o outerRows) bool {
	visible := definedIDs(plan)
	visible.Add(o.cols...)
	for _, p := range tops {
		if !readOnly(p.Exprs, visible) {
			return false
		}
	}
	return true
}

// renamePlanCols points the column references of every expression in n
// at renamed's columns.
func renamePlanCols(n logical.Node, renamed map[logical.ColumnID]logical.ColumnID) logical.Node {
	out, _ := logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		return logical.MapExprs(n, func(e logical.Expr) logical.Expr { return renameCols(e, renamed) }), nil
	})
	return out
}
