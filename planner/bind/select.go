package bind

import (
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// relation is a bound FROM item or query.
type relation struct {
	node  logical.Node
	scope *scope   // columns visible to the enclosing clauses
	cols  []outCol // query output columns (for subqueries and the top level)
	// lateral is set on a decorrelated LATERAL subquery until it is
	// joined with the FROM items before it.
	lateral *lateralInfo
	// perRow is set instead on a LATERAL subquery whose correlation is
	// not an equality: it builds the subquery evaluated for every row of
	// the FROM items before it, their columns included, keeping the rows
	// without a result when keep (LEFT JOIN), and applying the join's ON
	// condition on (nil: none).
	perRow func(keep bool, on logical.Expr) (logical.Node, error)
	// over is, for a function in FROM bound over the rows of the FROM
	// items before it, their node: its unnest's input, or the joins of
	// its arguments' subqueries over it (bindRangeFunction).
	over logical.Node
}

type outCol struct {
	name string
	id   logical.ColumnID
	t    sqltypes.Type
	// at is where the select-list entry is in the statement, plus one (0:
	// unknown): a set operation's errors about the column point there.
	at int
	// untyped is the select-list entry when it is an untyped literal
	// (NULL, 'text'), which a set operation types like its other input's
	// column, as PostgreSQL leaves a leaf's unknown literals unresolved.
	untyped *logical.Const
}

// target is one bound select-list entry.
type target struct {
	name  string
	expr  logical.Expr
	ast   *pg_query.Node // for ordinal / alias references from GROUP BY
	bound logical.Expr   // set instead of ast for columns expanded from *
	// untyped is the entry before it was made text, when it is an untyped literal.
	untyped *logical.Const
}

// bindTarget binds a select-list entry.
func (b *binder) bindTarget(t target, sc *scope, agg *aggState) (logical.Expr, error) {
	if t.bound != nil {
		return t.bound, nil
	}
	return b.bindExpr(t.ast, sc, agg)
}

func (b *binder) bindSelect(sel *pg_query.SelectStmt, outer *scope) (*relation, error) {
	if err := b.interrupted(); err != nil {
		return nil, err
	}
	srfOK := b.srfOK
	b.srfOK = false // not in a subquery's clauses
	defer func() { b.srfOK = srfOK }()
	if sel.WithClause != nil {
		if err := b.pushCTEs(sel.WithClause, outer); err != nil {
			return nil, err
		}
		defer b.popCTEs()
		rel, err := b.bindSelectBody(sel, outer)
		if err != nil {
			return nil, err
		}
		if err := b.bindUnreferencedCTEs(); err != nil {
			return nil, err
		}
		return rel, nil
	}
	return b.bindSelectBody(sel, outer)
}

// bindSelectBody binds sel past its WITH list.
func (b *binder) bindSelectBody(sel *pg_query.SelectStmt, outer *scope) (*relation, error) {
	if sel.Op != pg_query.SetOperation_SETOP_NONE {
		return b.bindSetOp(sel, outer)
	}
	if len(sel.ValuesLists) > 0 {
		return b.bindValues(sel, outer)
	}
	if sel.IntoClause != nil {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "SELECT INTO is not supported: meshql is read-only")
	}
	if len(sel.LockingClause) > 0 {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "SELECT FOR UPDATE/SHARE is not supported: meshql is read-only")
	}
	return b.bindSelectLevel(sel, outer)
}

// bindSelectBlock binds a plain SELECT block: FROM, WHERE, GROUP BY, the
// select list, HAVING, ORDER BY, DISTINCT, LIMIT. lvl follows the clause
// being bound, for the aggregates subqueries find to be this block's.
func (b *binder) bindSelectBlock(sel *pg_query.SelectStmt, outer *scope, lvl *queryLevel) (*relation, error) {
	sel = rewriteExpandArray(sel)
	win, err := newWinState(sel.WindowClause)
	if err != nil {
		return nil, err
	}
	savedWin := b.win
	defer func() { b.win = savedWin }()

	b.win = nil // no window functions in FROM or WHERE
	lvl.enter("FROM clause of their own query level", nil, false)
	from, err := b.bindFromList(sel.FromClause, outer)
	if err != nil {
		return nil, err
	}
	node := from.node
	if sel.WhereClause != nil {
		lvl.enter("WHERE", nil, false)
		pred, err := b.bindPredicate(sel.WhereClause, from.scope, "WHERE")
		if err != nil {
			return nil, err
		}
		if node, err = b.filterWithSubqueries(node, pred); err != nil {
			return nil, err
		}
	}

	b.win = nil
	targets, err := b.expandTargets(sel.TargetList, from.scope)
	if err != nil {
		return nil, err
	}
	aggregating := len(sel.GroupClause) > 0 || sel.HavingClause != nil || lvl.forced ||
		anyAggregate(sel, func(fc *pg_query.FuncCall) bool { return b.aggregateLevel(fc, from.scope) == len(b.levels)-1 })
	var agg *aggState
	if aggregating {
		agg = &aggState{local: logical.ColSet{}, localNames: map[logical.ColumnID]string{}}
		for _, c := range from.scope.cols {
			agg.local.Add(c.id)
			if c.table != "" {
				agg.localNames[c.id] = c.table + "." + c.name
			} else {
				agg.localNames[c.id] = c.name
			}
		}
		lvl.enter("GROUP BY", nil, false)
		if err := b.bindGroupBy(sel.GroupClause, sel.GroupDistinct, targets, from.scope, agg); err != nil {
			return nil, err
		}
	}
	// The select list, HAVING and ORDER BY may hold this block's
	// aggregates, also inside their subqueries.
	lvl.enter("", agg, true)
	// groupErr is the first column read outside GROUP BY and aggregates:
	// PostgreSQL checks that (42803) after the rest of the statement, so
	// an ORDER BY key missing from a DISTINCT select list (42P10) wins.
	var groupErr error
	groupify := func(e logical.Expr, n *pg_query.Node) (logical.Expr, error) {
		g, err := agg.groupify(e, n)
		if err != nil && sqltypes.Code(err) == sqltypes.CodeGroupingError {
			if groupErr == nil {
				groupErr = err
			}
			return e, nil
		}
		return g, err
	}
	b.win = win
	for i := range targets {
		b.srfOK = true
		e, err := b.bindTarget(targets[i], from.scope, agg)
		b.srfOK = false
		if err != nil {
			return nil, err
		}
		if agg != nil {
			if e, err = groupify(e, targets[i].ast); err != nil {
				return nil, err
			}
		}
		if e.Type().Kind == sqltypes.Unknown {
			// An untyped literal in the select list is text, as in PostgreSQL.
			if c, ok := e.(*logical.Const); ok {
				targets[i].untyped = c
			}
			if e, err = b.coerce(e, sqltypes.TypeText); err != nil {
				return nil, err
			}
		}
		targets[i].expr = e
	}
	var having logical.Expr
	if sel.HavingClause != nil {
		b.win = nil
		restore := b.bindingIn("HAVING")
		h, err := b.bindExpr(sel.HavingClause, from.scope, agg)
		restore()
		if err != nil {
			return nil, err
		}
		if h, err = b.coerceBool(h, "HAVING", location(sel.HavingClause)); err != nil {
			return nil, err
		}
		if having, err = groupify(h, sel.HavingClause); err != nil {
			return nil, err
		}
	}

	// ORDER BY keys: output ordinals and aliases first, then expressions
	// over the input (PostgreSQL's rule for ORDER BY, unlike GROUP BY).
	type orderKey struct {
		target     int // index into targets, or -1
		expr       logical.Expr
		desc       bool
		nullsFirst bool
	}
	var keys []orderKey
	b.win = win
	// resolve binds an ORDER BY or DISTINCT ON item: a select-list entry
	// (by ordinal, alias, or an equal expression) or an expression.
	resolve := func(n *pg_query.Node, clause string) (orderKey, error) {
		k := orderKey{target: -1}
		if idx, ok, err := ordinalOrAlias(n, targets, from.scope, clause, sameTargets(targets)); err != nil {
			return k, err
		} else if ok {
			k.target = idx
			return k, nil
		}
		// An entry written again is that entry, as in PostgreSQL (which
		// compares the expressions' trees): also a subquery or a window
		// function, which bind anew to another plan or window column.
		for i, t := range targets {
			if t.ast != nil && sameExpr(t.ast, n) {
				k.target = i
				return k, nil
			}
		}
		e, err := b.bindExpr(n, from.scope, agg)
		if err != nil {
			return k, err
		}
		if e, err = b.paramAsText(e); err != nil {
			return k, err
		}
		if agg != nil {
			if e, err = groupify(e, n); err != nil {
				return k, err
			}
		}
		k.expr = e
		for i, t := range targets {
			if logical.Key(t.expr) == logical.Key(e) {
				k.target, k.expr = i, nil
				break
			}
		}
		return k, nil
	}
	for _, sn := range sel.SortClause {
		sb := sn.GetSortBy()
		k, err := resolve(sb.Node, "ORDER BY")
		if err != nil {
			return nil, err
		}
		if k.desc, k.nullsFirst, err = sortDirection(sb); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	// Checked before any subquery is planned, as PostgreSQL checks it
	// while analysing the statement: a query that also has a subquery
	// meshql cannot decorrelate fails with this error, not 0A000.
	distinctOn := len(sel.DistinctClause) > 0 && sel.DistinctClause[0] != nil && sel.DistinctClause[0].Node != nil
	if len(sel.DistinctClause) > 0 && !distinctOn {
		for _, k := range keys {
			if k.target < 0 {
				return nil, errAt(sqltypes.New(sqltypes.CodeInvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list"), -1)
			}
		}
	}
	// SELECT DISTINCT ON (exprs): the first row of each group of equal
	// exprs, in ORDER BY's order.
	var onKeys []orderKey
	if distinctOn {
		for _, n := range sel.DistinctClause {
			k, err := resolve(n, "DISTINCT ON")
			if err != nil {
				return nil, err
			}
			onKeys = append(onKeys, k)
		}
	}
	if groupErr != nil {
		return nil, groupErr
	}

	b.win = win
	if err := win.checkUnused(b, from.scope, agg); err != nil {
		return nil, err
	}
	if agg != nil {
		if node, err = agg.node(b, node); err != nil {
			return nil, err
		}
		if having != nil {
			if node, err = b.filterWithSubqueries(node, having); err != nil {
				return nil, err
			}
		}
	}
	if node, err = win.apply(b, node); err != nil {
		return nil, err
	}
	// Subqueries in the select list and ORDER BY become joins below the projection.
	exprs := make([]logical.Expr, 0, len(targets)+len(keys))
	for _, t := range targets {
		exprs = append(exprs, t.expr)
	}
	for _, ks := range [][]orderKey{keys, onKeys} {
		for _, k := range ks {
			if k.expr != nil {
				exprs = append(exprs, k.expr)
			}
		}
	}
	if node, exprs, err = b.joinSubqueries(node, exprs); err != nil {
		return nil, err
	}
	node, exprs = b.expandSetFunctions(node, exprs)
	for i := range targets {
		targets[i].expr = exprs[i]
	}
	ki := len(targets)
	for _, ks := range [][]orderKey{keys, onKeys} {
		for i := range ks {
			if ks[i].expr != nil {
				ks[i].expr = exprs[ki]
				ki++
			}
		}
	}

	distinct := len(sel.DistinctClause) > 0 && !distinctOn
	sorted := map[int]bool{}
	for _, k := range keys {
		sorted[k.target] = true
	}
	late := postponed(sel, node, targets, sorted, distinct || distinctOn)
	// Project the select list plus hidden sort expressions; a postponed
	// entry's input columns pass through to the projection above LIMIT.
	proj := &logical.Project{Input: node}
	var cols []outCol
	for i, t := range targets {
		id := b.projectColumn(t.expr, t.name)
		cols = append(cols, outCol{name: t.name, id: id, t: t.expr.Type(), untyped: t.untyped, at: leftmost(t.ast) + 1})
		if late[i] {
			continue
		}
		proj.Exprs = append(proj.Exprs, t.expr)
		proj.Cols = append(proj.Cols, id)
	}
	for i, t := range targets {
		if late[i] {
			passThrough(b, proj, logical.ColumnsOf(t.expr))
		}
	}
	hidden := 0
	hiddenRefs := map[string]*logical.ColRef{} // by logical.Key: ORDER BY and DISTINCT ON share them
	// keyRef is a key's column: its select-list entry's, or a hidden one.
	keyRef := func(k orderKey) (*logical.ColRef, error) {
		if k.target >= 0 {
			return &logical.ColRef{ID: cols[k.target].id, Name: cols[k.target].name, T: cols[k.target].t}, nil
		}
		if distinct {
			return nil, errAt(sqltypes.New(sqltypes.CodeInvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list"), -1)
		}
		key := logical.Key(k.expr)
		if ref, ok := hiddenRefs[key]; ok {
			return ref, nil
		}
		id := b.projectColumn(k.expr, "?sort?")
		proj.Exprs = append(proj.Exprs, k.expr)
		proj.Cols = append(proj.Cols, id)
		hidden++
		hiddenRefs[key] = &logical.ColRef{ID: id, Name: k.expr.String(), T: k.expr.Type()}
		return hiddenRefs[key], nil
	}
	var sortKeys []logical.SortKey
	for _, k := range keys {
		ref, err := keyRef(k)
		if err != nil {
			return nil, err
		}
		sortKeys = append(sortKeys, logical.SortKey{Expr: ref, Desc: k.desc, NullsFirst: k.nullsFirst})
	}
	var onRefs []logical.Expr
	for _, k := range onKeys {
		ref, err := keyRef(k)
		if err != nil {
			return nil, err
		}
		onRefs = append(onRefs, ref)
	}
	node = proj
	if distinct {
		node = distinctOver(b, node, proj.Cols)
	}
	if distinctOn {
		if node, err = b.firstOfEachGroup(node, onRefs, sortKeys); err != nil {
			return nil, err
		}
		hidden++ // its row_number column
	}
	if len(sortKeys) > 0 {
		node = &logical.Sort{Input: node, Keys: sortKeys}
	}
	if sel.LimitCount != nil || sel.LimitOffset != nil {
		lvl.enter("LIMIT", nil, false)
		lim, err := b.bindLimit(sel, from.scope)
		if err != nil {
			return nil, err
		}
		var extra bool
		if node, extra, err = b.applyLimit(sel, node, sortKeys, lim); err != nil {
			return nil, err
		}
		if extra {
			hidden++
		}
	}
	if hidden > 0 || len(late) > 0 {
		final := &logical.Project{Input: node}
		for i, c := range cols {
			var e logical.Expr = &logical.ColRef{ID: c.id, Name: c.name, T: c.t}
			if late[i] {
				e = targets[i].expr
			}
			final.Exprs = append(final.Exprs, e)
			final.Cols = append(final.Cols, c.id)
		}
		node = final
	}
	return &relation{node: node, cols: cols}, nil
}

// postponed returns the select-list entries computed above LIMIT, for
// the rows the query returns only (as PostgreSQL computes its select list
// while LIMIT pulls rows): the volatile ones (random(), a per-row
// pg_cancel_backend/pg_terminate_backend/meshql_cancel) that neither ORDER BY nor
// DISTINCT reads. `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
// LIMIT 1` thus ends one session, not every one of the batch LIMIT cuts.
// Entries reading a column node does not give (an outer query's) stay.
func postponed(sel *pg_query.SelectStmt, node logical.Node, targets []target, sorted map[int]bool, distinct bool) map[int]bool {
	if sel.LimitCount == nil && sel.LimitOffset == nil || distinct {
		return nil
	}
	var given logical.ColSet
	var late map[int]bool
	for i, t := range targets {
		if !logical.IsVolatile(t.expr) && !performsSignal(t.expr) {
			continue
		}
		if sorted[i] {
			continue
		}
		if given == nil {
			given = logical.ColSet{}
			given.Add(node.Output()...)
		}
		if !logical.ColumnsOf(t.expr).SubsetOf(given) {
			continue
		}
		if late == nil {
			late = map[int]bool{}
		}
		late[i] = true
	}
	return late
}

// performsSignal reports whether e signals sessions or queries (the engine performs
// these calls per row when they read columns).
func performsSignal(e logical.Expr) bool {
	found := false
	logical.Walk(e, func(x logical.Expr) bool {
		f, ok := x.(*logical.Func)
		found = found || ok && expr.ActsOnSessions(f.Name)
		return !found
	})
	return found
}

// passThrough adds to proj each of cols it does not output yet, as is.
func passThrough(b *binder, proj *logical.Project, cols logical.ColSet) {
	for _, id := range cols.Sorted() {
		if slices.Contains(proj.Cols, id) {
			continue
		}
		m := b.meta.Column(id)
		proj.Exprs = append(proj.Exprs, &logical.ColRef{ID: id, Name: m.Name, T: m.Type})
		proj.Cols = append(proj.Cols, id)
	}
}

// projectColumn returns the ID a projection of e gets: a plain column keeps
// its own, anything else gets a new one.
func (b *binder) projectColumn(e logical.Expr, name string) logical.ColumnID {
	if c, ok := e.(*logical.ColRef); ok {
		return c.ID
	}
	return b.meta.NewColumn(name, "", e.Type())
}

// distinctOver groups by every column of node.
func distinctOver(b *binder, node logical.Node, cols []logical.ColumnID) logical.Node {
	agg := &logical.Aggregate{Input: node}
	seen := logical.ColSet{}
	for _, id := range cols {
		if seen.Has(id) {
			continue
		}
		seen.Add(id)
		m := b.meta.Column(id)
		agg.Groups = append(agg.Groups, &logical.ColRef{ID: id, Name: m.Name, T: m.Type})
		agg.GroupCols = append(agg.GroupCols, id)
	}
	return agg
}

func setOpName(sel *pg_query.SelectStmt) string {
	name := map[pg_query.SetOperation]string{
		pg_query.SetOperation_SETOP_UNION:     "UNION",
		pg_query.SetOperation_SETOP_INTERSECT: "INTERSECT",
		pg_query.SetOperation_SETOP_EXCEPT:    "EXCEPT",
	}[sel.Op]
	if sel.All {
		name += " ALL"
	}
	return name
}
