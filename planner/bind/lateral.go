package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/ops"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// lateralInfo describes a decorrelated LATERAL subquery: its correlation
// with the FROM items before it becomes the condition of the join with
// them, so it runs once, not once per left row.
type lateralInfo struct {
	corr []logical.Expr
	// scalar: an aggregate without GROUP BY, which yields one row for
	// every left row, matches or not; counts are its count() outputs,
	// 0 rather than NULL for a left row without matches.
	scalar bool
	counts logical.ColSet
	// post are select-list entries that read the left side (LATERAL
	// (SELECT l.a + l.b AS total)): computed over the join's rows, where
	// marker (a constant true of the subquery) tells a left join's
	// matched rows.
	post   []lateralPost
	marker logical.ColumnID
	// limit is set when the subquery's ORDER BY ... LIMIT sorts by a
	// select-list entry that reads the left side: applied per left row
	// after the join, over the left rows numbered by leftRow.
	limit   *lateralLimit
	leftRow logical.ColumnID
	// leftCols are the left side's columns (leftRow included) of a LEFT
	// JOIN with such a limit: its left rows are kept.
	leftCols []logical.ColumnID
}

// lateralPost is one select-list entry of a LATERAL subquery computed
// after the join: column id gets e's value.
type lateralPost struct {
	id logical.ColumnID
	e  logical.Expr
}

// bindLateral binds `LATERAL (subquery)`, which may read the columns of
// left, the FROM items before it.
func (b *binder) bindLateral(rs *pg_query.RangeSubselect, left *relation, outer *scope, loc int) (*relation, error) {
	q, err := b.bindSelect(rs.Subquery.GetSelectStmt(), left.scope)
	if err != nil {
		return nil, err
	}
	b.distinctSelectList(q)
	// The per-outer-row form (lateralPerOuterRow) reads the subquery whole,
	// with its own columns for outer ones it passes on; splitLateralTop
	// below renames q's select list in place for the other forms.
	fresh := b.freshOuterOutputs(q, logical.NewColSet(left.node.Output()...))
	scalar := isScalarAggregate(q.node)
	alias := "subquery"
	var colAliases []string
	if rs.Alias != nil {
		alias = rs.Alias.Aliasname
		colAliases = aliasNames(rs.Alias)
	}
	// perOuterRow binds the forms decorrelate cannot rewrite (a correlation
	// that is not an equality under an aggregate or a LIMIT) over numbered
	// left rows; it reads the subquery as bound, before splitLateralTop.
	perOuterRow := func(cause error) (*relation, error) {
		rel, ok, err := b.lateralPerOuterRow(fresh, left, alias, colAliases, outer)
		if err == nil && !ok {
			err = cause
		}
		if err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
		return rel, nil
	}
	// Whether the subquery needs the per-outer-row form is decided on it
	// as bound; that decorrelation is also the plan when splitLateralTop
	// leaves the subquery as it is (no select-list entry reads the left
	// side), so it is decorrelated once. Otherwise what the split leaves
	// is decorrelated again.
	plan, corr, err := b.decorrelate(fresh.node)
	if isNeedsEquality(err) {
		return perOuterRow(err)
	}
	node, post, marker, limit, changed := q.node, []lateralPost(nil), logical.ColumnID(0), (*lateralLimit)(nil), false
	if !scalar {
		node, post, marker, limit, changed = b.splitLateralTop(q)
	}
	if changed || fresh != q {
		plan, corr, err = b.decorrelate(node)
	}
	if err != nil {
		return perOuterRow(err)
	}
	rel, err := subqueryRelation(&relation{node: plan, cols: q.cols}, alias, colAliases, outer)
	if err != nil || len(corr) == 0 && len(post) == 0 {
		return rel, err
	}
	lat := &lateralInfo{corr: corr, scalar: scalar, counts: countColumns(plan), post: post, marker: marker, limit: limit}
	if scalar && len(lat.counts) > 0 && readsCountsIndirectly(plan, lat.counts) && !b.hasEmptyGroupValues(plan) {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "a correlated LATERAL aggregate must return count() itself, not an expression over it"), loc)
	}
	rel.lateral = lat
	return rel, nil
}

// lateralPerOuterRow binds a LATERAL subquery that decorrelate cannot
// rewrite because its correlation is not an equality (`o.order_date <
// f.first + 90`) under an aggregate or a LIMIT: the subquery is evaluated
// for every numbered row of left at once (aggregateOverOuter,
// limitOverOuter), and the relation holds left's columns and its own.
// ok is false for other shapes.
func (b *binder) lateralPerOuterRow(q *relation, left *relation, alias string, colAliases []string, outer *scope) (*relation, bool, error) {
	build := func(keep bool) (*perRowOut, bool, error) {
		r, ok, err := b.perRowOf(b.numberOuter(left.node), q.node, keep, false)
		if ok || err != nil {
			return r, ok, err
		}
		// A subquery in its select list or WHERE reading left too.
		if r, ok = b.perRowPadded(left.node, q.node, false); !ok || keep {
			return r, ok, nil
		}
		r.node = &logical.Filter{Input: r.node, Pred: &logical.Unary{Op: logical.OpIsNotNull, E: r.marker, T: sqltypes.TypeBool}}
		return r, true, nil
	}
	// The shape is checked by building the form an inner join takes,
	// which perRow below then uses as it is: only a LEFT JOIN, which
	// keeps the outer rows without a match, builds again.
	built, ok, err := build(false)
	if !ok || err != nil {
		return nil, false, err
	}
	builtOver := left.node
	sub, err := subqueryRelation(q, alias, colAliases, outer)
	if err != nil {
		return nil, false, err
	}
	sc := &scope{parent: outer}
	sc.cols = append(append(sc.cols, left.scope.cols...), sub.scope.cols...)
	rel := &relation{node: q.node, scope: sc, cols: q.cols}
	rel.perRow = func(keep bool, on logical.Expr) (logical.Node, error) {
		r, ok, err := built, true, error(nil)
		if built == nil || keep || left.node != builtOver {
			r, ok, err = build(keep)
		}
		built = nil // perRow's rewrites below change r: build anew if called again
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "this LATERAL subquery form, whose correlation is not an equality, is not supported yet")
		}
		switch {
		case on == nil:
		case keep:
			// ON of a LEFT JOIN: the rows it rejects become padding. Its
			// subqueries are computed for each of the rows first.
			cond := r.rename(on)
			if hasSubquery(cond) {
				node, conds, err := b.joinSubqueries(r.node, []logical.Expr{cond})
				if err != nil {
					return nil, err
				}
				r.node, cond = node, conds[0]
			}
			b.keepOrPad(r, cond)
		case hasSubquery(on):
			// An inner join's ON filters as WHERE does.
			if r.node, err = b.filterWithSubqueries(r.node, r.rename(on)); err != nil {
				return nil, err
			}
		default:
			r.node = &logical.Filter{Input: r.node, Pred: r.rename(on)}
		}
		repointColumns(rel, r.renamed, nil)
		if keep && r.marker != nil {
			// A whole-row reference to the subquery is NULL on the rows
			// padded for the outer rows without a match (count(l.*)).
			b.markRangesAt(rel.scope, sub.scope.cols, r.marker.ID)
		}
		return r.node, nil
	}
	return rel, true, nil
}

// freshOuterOutputs gives the outputs of q that pass a column of outer
// on unchanged (`LATERAL (SELECT t.id, ...)`) columns of their own: the
// join holds both, and under LEFT JOIN LATERAL the subquery's is NULL
// where the outer one is not.
func (b *binder) freshOuterOutputs(q *relation, outer logical.ColSet) *relation {
	node, renamed := b.freshOuterColumns(q.node, outer)
	if len(renamed) == 0 {
		return q
	}
	cols := append([]outCol(nil), q.cols...)
	for i, c := range cols {
		if nid, ok := renamed[c.id]; ok {
			cols[i].id = nid
		}
	}
	return &relation{node: node, scope: q.scope, cols: cols}
}

// joinPerOuterRow completes `left [LEFT] JOIN LATERAL (subquery) ON cond`
// for a subquery bound by lateralPerOuterRow: its relation already holds
// left. An inner join's ON filters the rows; a LEFT JOIN needs ON true.
func (b *binder) joinPerOuterRow(j *pg_query.JoinExpr, jt logical.JoinType, r *relation) (*relation, error) {
	if jt != logical.InnerJoin && jt != logical.LeftJoin {
		return nil, errAt(sqltypes.New(sqltypes.CodeInvalidColumnReference, "the combining JOIN type must be INNER or LEFT for a LATERAL reference"), location(j.Rarg))
	}
	if j.IsNatural || len(j.UsingClause) > 0 {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "NATURAL or USING with a LATERAL subquery whose correlation is not an equality is not supported yet").
			WithHint("Use ON."), location(j.Rarg))
	}
	var cond logical.Expr
	if j.Quals != nil {
		var err error
		if cond, err = b.bindPredicate(j.Quals, r.scope, "JOIN/ON"); err != nil {
			return nil, err
		}
		if logical.IsTrueConst(cond) {
			cond = nil
		}
	}
	node, err := r.perRow(jt == logical.LeftJoin, cond)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), location(j.Rarg))
	}
	r.node, r.perRow = node, nil
	return r, nil
}

// splitLeftReadingOutputs takes the select-list entries of a LATERAL
// subquery that read the left side (its outer columns) out of its top
// projection, to be computed after the join (lateralPost); the projection
// passes on the inner columns they read, and a constant true marker. n is
// returned as is when no entry reads the left side.
func (b *binder) splitLeftReadingOutputs(n logical.Node) (logical.Node, []lateralPost, logical.ColumnID) {
	p, ok := n.(*logical.Project)
	if !ok {
		return n, nil, 0
	}
	local := definedIDs(p.Input)
	inner := &logical.Project{Input: p.Input}
	have := logical.ColSet{}
	var post []lateralPost
	for i, e := range p.Exprs {
		if logical.ColumnsOf(e).SubsetOf(local) {
			inner.Exprs, inner.Cols = append(inner.Exprs, e), append(inner.Cols, p.Cols[i])
			have.Add(p.Cols[i])
			continue
		}
		post = append(post, lateralPost{id: p.Cols[i], e: e})
	}
	if len(post) == 0 {
		return n, nil, 0
	}
	for _, pe := range post {
		for _, id := range logical.ColumnsOf(pe.e).Sorted() {
			if local.Has(id) && !have.Has(id) {
				inner.Exprs, inner.Cols = append(inner.Exprs, b.colRef(id)), append(inner.Cols, id)
				have.Add(id)
			}
		}
	}
	marker := b.meta.NewColumn("?lateral?", "", sqltypes.TypeBool)
	inner.Exprs = append(inner.Exprs, &logical.Const{T: sqltypes.TypeBool, V: true})
	inner.Cols = append(inner.Cols, marker)
	return inner, post, marker
}

// applyLateralPost computes the select-list entries of the LATERAL
// subquery that read the left side over the joined rows (NULL for a left
// join's unmatched ones), then applies the join's ON condition if it had
// to wait for them. A LEFT JOIN's ON may have subqueries
// (lateralOnSubqueries): they are computed for every joined row, after
// the LIMIT, and the left rows whose rows all fail the ON keep one padded
// row.
func (b *binder) applyLateralPost(joined *relation, lat *lateralInfo, leftJoin bool, on logical.Expr) error {
	p := &logical.Project{Input: joined.node}
	for _, id := range joined.node.Output() {
		p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
	}
	for _, pe := range lat.post {
		e := pe.e
		if leftJoin {
			e = &logical.Case{Whens: []logical.When{{Cond: &logical.Unary{Op: logical.OpIsNotNull, E: b.colRef(lat.marker), T: sqltypes.TypeBool}, Then: e}}, T: e.Type()}
		}
		p.Exprs, p.Cols = append(p.Exprs, e), append(p.Cols, pe.id)
	}
	joined.node = p
	renamed := map[logical.ColumnID]logical.ColumnID{}
	if lat.limit != nil {
		renamed = b.applyLateralLimit(joined, lat)
	}
	switch {
	case on == nil || logical.IsTrueConst(on):
	case leftJoin:
		r := &perRowOut{node: joined.node, rowID: lat.leftRow, keys: lat.leftCols, marker: b.colRef(lat.marker), renamed: renamed}
		if nid, ok := renamed[lat.marker]; ok {
			r.marker = b.colRef(nid)
		}
		if hasSubquery(on) {
			if len(renamed) > 0 {
				// The subqueries' plans read the columns the OFFSET's
				// padding renamed.
				return sqltypes.New(sqltypes.CodeFeatureNotSupported, "a subquery in the ON condition of LEFT JOIN LATERAL that reads the LATERAL subquery's columns is not supported yet when the subquery has an OFFSET or LIMIT 0 and its ORDER BY reads the left side")
			}
			node, conds, err := b.joinSubqueries(r.node, []logical.Expr{on})
			if err != nil {
				return err
			}
			r.node, on = node, conds[0]
		}
		b.keepOrPad(r, renameCols(on, renamed))
		joined.node = r.node
		repointColumns(joined, r.renamed, nil)
	default:
		joined.node = &logical.Filter{Input: joined.node, Pred: on}
	}
	return nil
}

// isScalarAggregate reports whether n computes an aggregate without
// GROUP BY (one row whatever its input).
func isScalarAggregate(n logical.Node) bool {
	for {
		switch x := n.(type) {
		case *logical.Project:
			n = x.Input
		case *logical.Sort:
			n = x.Input
		case *logical.Aggregate:
			return len(x.Groups) == 0
		default:
			return false
		}
	}
}

// havingOverScalarAggregate reports whether n filters the one row of an
// aggregate without GROUP BY (HAVING): the row may be kept or dropped,
// even for an empty input.
func havingOverScalarAggregate(n logical.Node) bool {
	_, ok := scalarHaving(n)
	return ok
}

// scalarHaving returns the HAVING of an aggregate without GROUP BY under
// n's projections and sorts (havingOverScalarAggregate).
func scalarHaving(n logical.Node) (*logical.Filter, bool) {
	for {
		switch x := n.(type) {
		case *logical.Project:
			n = x.Input
		case *logical.Sort:
			n = x.Input
		case *logical.Filter:
			return x, isScalarAggregate(x.Input)
		default:
			return nil, false
		}
	}
}

// readsCountsIndirectly reports whether the top projection of plan
// computes an output from a count() column rather than passing it on.
func readsCountsIndirectly(plan logical.Node, counts logical.ColSet) bool {
	p, ok := plan.(*logical.Project)
	if !ok {
		return false
	}
	for _, e := range p.Exprs {
		if _, isCol := e.(*logical.ColRef); isCol {
			continue
		}
		for id := range logical.ColumnsOf(e) {
			if counts.Has(id) {
				return true
			}
		}
	}
	return false
}

// applyLateral turns the cross join joined (left items ⋈ a LATERAL
// subquery) into the join on the subquery's correlation. An aggregate
// without GROUP BY keeps every left row: an inner join becomes a left
// join with its own ON condition applied above, and count() outputs of
// unmatched rows become 0.
func (b *binder) applyLateral(joined *relation, lat *lateralInfo, loc int) (*relation, error) {
	join := joined.node.(*logical.Join)
	on := join.Cond
	var postOn logical.Expr // ON over the entries computed after the join
	if len(lat.post) > 0 {
		switch {
		case join.Type == logical.InnerJoin:
			postOn, on = on, nil
		case join.Type == logical.LeftJoin && on != nil && !logical.IsTrueConst(on):
			// The condition reads the entries computed after the join:
			// the rows it rejects become padding then (keepOrPad).
			postOn, on = on, nil
		}
	}
	if lat.limit != nil || postOn != nil && join.Type == logical.LeftJoin {
		lat.leftRow = b.meta.NewColumn("row_id", "", sqltypes.TypeInt8)
		join.Left = b.numberRows(join.Left, lat.leftRow)
		if join.Type == logical.LeftJoin {
			lat.leftCols = join.Left.Output()
		}
	}
	var post logical.Expr
	nullUnless := false // post nulls the subquery's row instead of dropping the left row
	switch join.Type {
	case logical.InnerJoin:
		if lat.scalar {
			join.Type, post, on = logical.LeftJoin, on, nil
		}
	case logical.LeftJoin:
		if lat.scalar && on != nil && !logical.IsTrueConst(on) {
			post, on, nullUnless = on, nil, true
		}
	default:
		return nil, errAt(sqltypes.New(sqltypes.CodeInvalidColumnReference, "the combining JOIN type must be INNER or LEFT for a LATERAL reference"), loc)
	}
	cond := append([]logical.Expr(nil), lat.corr...)
	if on != nil {
		cond = append(cond, on)
	}
	join.Cond = logical.And(cond)
	leftCols := logical.NewColSet(join.Left.Output()...)
	if lat.scalar && (on == nil || logical.IsTrueConst(on)) {
		if ok := b.lateralEmptyGroup(joined, &post); ok {
			lat.counts = nil // handled with the other outputs
		}
	}
	if lat.scalar && len(lat.counts) > 0 {
		p := &logical.Project{Input: joined.node}
		renamed := map[logical.ColumnID]logical.ColumnID{}
		for _, id := range joined.node.Output() {
			if !lat.counts.Has(id) {
				p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
				continue
			}
			c := b.colRef(id)
			zero := &logical.Const{T: c.T, V: int64(0)}
			nid := b.meta.NewColumn(c.Name, "", c.T)
			p.Exprs = append(p.Exprs, &logical.Func{Name: "coalesce", Args: []logical.Expr{c, zero}, T: c.T})
			p.Cols = append(p.Cols, nid)
			renamed[id] = nid
		}
		joined.node = p
		post = repointColumns(joined, renamed, post)
	}
	switch {
	case nullUnless:
		if hasSubquery(post) {
			// ON (SELECT ...) over the aggregate's final values
			// (lateralOnSubqueries): computed for every joined row.
			node, conds, err := b.joinSubqueries(joined.node, []logical.Expr{post})
			if err != nil {
				return nil, err
			}
			joined.node, post = node, conds[0]
		}
		b.nullLateralUnless(joined, leftCols, post)
	case hasSubquery(post):
		node, err := b.filterWithSubqueries(joined.node, post)
		if err != nil {
			return nil, err
		}
		joined.node = node
	case post != nil && !logical.IsTrueConst(post):
		joined.node = &logical.Filter{Input: joined.node, Pred: post}
	}
	if len(lat.post) > 0 {
		if err := b.applyLateralPost(joined, lat, join.Type == logical.LeftJoin, postOn); err != nil {
			return nil, err
		}
	}
	return joined, nil
}

// nullLateralUnless applies the ON condition of `LEFT JOIN LATERAL
// (aggregate) ON on`: the aggregate has exactly one row for every left
// row, its empty-group values included, so the left join keeps that row
// where on holds and nulls the subquery's columns where it does not.
func (b *binder) nullLateralUnless(joined *relation, leftCols logical.ColSet, on logical.Expr) {
	p, renamed := b.nullUnless(joined.node, leftCols, on)
	joined.node = p
	repointColumns(joined, renamed, nil)
}

// repointColumns points joined's scope and post (nil or an expression
// over joined) at the new columns of renamed, once a projection above the
// join replaced the old ones.
func repointColumns(joined *relation, renamed map[logical.ColumnID]logical.ColumnID, post logical.Expr) logical.Expr {
	for i, c := range joined.scope.cols {
		if nid, ok := renamed[c.id]; ok {
			joined.scope.cols[i].id = nid
		}
	}
	if post == nil {
		return nil
	}
	return renameCols(post, renamed)
}

// pullUpLimit decorrelates `... ORDER BY k LIMIT n OFFSET m` over a
// correlated input: the first rows for each outer row are the first rows
// of each partition of the inner correlation columns, numbered by
// row_number() over that partition in the subquery's order. Only
// equality correlations partition the rows this way.
func (b *binder) pullUpLimit(x *logical.Limit, isCorr func(logical.Expr) bool, local logical.ColSet) (logical.Node, []logical.Expr, error) {
	input := x.Input
	var keys []logical.SortKey
	if s, ok := input.(*logical.Sort); ok {
		input, keys = s.Input, s.Keys
	}
	in, corr, err := b.pullUp(input, isCorr, local)
	if err != nil {
		return nil, nil, err
	}
	if len(corr) == 0 {
		c := *x
		if keys != nil {
			c.Input = &logical.Sort{Input: in, Keys: keys}
		} else {
			c.Input = in
		}
		return &c, nil, nil
	}
	if x.Bounds != nil {
		return nil, nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "a LIMIT or OFFSET that is not a literal is not supported in a correlated subquery")
	}
	var partition []logical.Expr
	for _, p := range corr {
		inner, ok := innerSideOfEquality(p, isCorr)
		if !ok {
			return nil, nil, errNeedsEquality("LIMIT in a correlated subquery", p)
		}
		partition = append(partition, inner)
	}
	rn := b.meta.NewColumn("row_number", "", sqltypes.TypeInt8)
	w := &logical.Window{
		Input: in, PartitionBy: partition, OrderBy: keys,
		Calls: []logical.WindowCall{{Func: "row_number", Frame: ops.DefaultFrame(len(keys) > 0), T: sqltypes.TypeInt8}},
		Cols:  []logical.ColumnID{rn},
	}
	return &logical.Filter{Input: w, Pred: b.rowNumberWithin(rn, x.Offset, x.Count)}, corr, nil
}

// rowNumberWithin is the condition that row number rn falls within
// OFFSET offset LIMIT count (count -1: no limit).
func (b *binder) rowNumberWithin(rn logical.ColumnID, offset, count int64) logical.Expr {
	bound := func(op expr.BinaryOp, v int64) logical.Expr {
		return &logical.Binary{Op: op, L: b.colRef(rn), R: &logical.Const{T: sqltypes.TypeInt8, V: v}, T: sqltypes.TypeBool}
	}
	keep := []logical.Expr{bound(expr.OpGt, offset)}
	if count >= 0 {
		keep = append(keep, bound(expr.OpLe, offset+count))
	}
	return logical.And(keep)
}
