package bind

import (
	"maps"
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// An aggregate call belongs to the query block whose columns its
// arguments read — the innermost such block when they read several, its
// own when they read none (PostgreSQL's agglevelsup). So in
//
//	SELECT (SELECT count(*) FROM p WHERE p.price > max(o.amount)) FROM o
//
// max(o.amount) is an aggregate of the outer query, computed by its
// Aggregate like any other of its calls, and the subquery reads its result
// as an outer column: a correlation, which decorrelation joins on as it
// does any other.

// queryLevel is one SELECT block being bound (binder.levels).
type queryLevel struct {
	// outer is the scope the block is bound in (nil at the top): the
	// scopes above it belong to the enclosing blocks.
	outer *scope
	// agg collects the block's aggregate calls while the clause being
	// bound may hold them (select list, HAVING, ORDER BY of an
	// aggregating block); nil elsewhere, where clause names the clause
	// for the error.
	agg    *aggState
	clause string
	// aggOK: the clause being bound may hold aggregates, but the block
	// did not look like an aggregating one. An inner block that finds one
	// of its aggregates sets wantAgg, and the block is bound again as an
	// aggregating one (forced).
	aggOK   bool
	wantAgg bool
	forced  bool
}

// enter records the clause a block binds next; agg is where its
// aggregate calls go (nil: none allowed there).
func (l *queryLevel) enter(clause string, agg *aggState, aggOK bool) {
	l.clause, l.agg, l.aggOK = clause, agg, aggOK
}

// notAllowed is the error for a call of kind what (aggregate functions,
// window functions, ...) met where the clause being bound allows none.
func (l *queryLevel) notAllowed(code, what string, loc int) error {
	if l == nil || l.clause == "" {
		return errAt(sqltypes.New(code, "%s are not allowed here", what), loc)
	}
	return errAt(sqltypes.New(code, "%s are not allowed in %s", what, l.clause), loc)
}

// current is the block being bound (nil outside any SELECT block).
func (b *binder) current() *queryLevel {
	if len(b.levels) == 0 {
		return nil
	}
	return b.levels[len(b.levels)-1]
}

// bindingIn names the clause the current block binds until restore: a
// part of FROM or a condition, for the errors of calls it cannot hold.
func (b *binder) bindingIn(clause string) (restore func()) {
	lvl := b.current()
	if lvl == nil {
		return func() {}
	}
	saved := lvl.clause
	lvl.clause = clause
	return func() { lvl.clause = saved }
}

// bindSelectLevel binds a SELECT block as one query level, a second time
// as an aggregating query when a subquery of its select list, HAVING or
// ORDER BY turned out to hold one of its aggregates (SELECT (SELECT
// sum(o.x)) FROM o is an aggregate over o: one row).
func (b *binder) bindSelectLevel(sel *pg_query.SelectStmt, outer *scope) (*relation, error) {
	lvl := &queryLevel{outer: outer}
	b.levels = append(b.levels, lvl)
	defer func() { b.levels = b.levels[:len(b.levels)-1] }()
	notices := len(b.notices)
	rel, err := b.bindSelectBlock(sel, outer, lvl)
	if lvl.wantAgg && !lvl.forced {
		lvl.forced = true
		b.notices = b.notices[:notices]
		rel, err = b.bindSelectBlock(sel, outer, lvl)
	}
	return rel, err
}

// aggregateLevel returns the index in b.levels of the block the aggregate
// call fc, met while binding in scope sc, belongs to: the innermost block
// one of the columns its arguments, FILTER or ORDER BY name is of. A
// column that does not resolve is left to binding to report.
func (b *binder) aggregateLevel(fc *pg_query.FuncCall, sc *scope) int {
	return b.callLevel(sc, append(append(slices.Clone(fc.Args), fc.AggFilter), fc.AggOrder...)...)
}

// callLevel is aggregateLevel for a call whose arguments are args
// (grouping() is its block's like an aggregate).
func (b *binder) callLevel(sc *scope, args ...*pg_query.Node) int {
	cur := len(b.levels) - 1
	if cur <= 0 {
		return cur
	}
	best := -1
	var visit func(n *pg_query.Node)
	visit = func(n *pg_query.Node) {
		if n == nil || best == cur {
			return
		}
		if sl := n.GetSubLink(); sl != nil {
			// A subquery's references to enclosing blocks count too
			// (PostgreSQL's find_minimum_var_level): its own columns are
			// its business, outer ones are read where the call is.
			best = max(best, b.subqueryLevel(sl.Subselect, sc), b.boundSubqueryLevel(sl.Subselect, sc))
			return
		}
		if cr := n.GetColumnRef(); cr != nil {
			best = max(best, b.columnLevel(cr, sc))
			return
		}
		walkChildren(n, visit)
	}
	for _, a := range args {
		visit(a)
	}
	if best < 0 {
		return cur
	}
	return best
}

// subqueryLevel returns the innermost level of b.levels that a
// subquery's qualified references to enclosing blocks name (-1: none).
// A name is the subquery's own where a block of it declares that range
// and the reference is inside that block; unqualified names are taken as
// its own, which may place a call one level out where PostgreSQL, knowing
// the subquery's columns, would not.
func (b *binder) subqueryLevel(sub *pg_query.Node, sc *scope) int {
	level := -1
	var visit func(n *pg_query.Node, own map[string]bool)
	var visitSelect func(sel *pg_query.SelectStmt, own map[string]bool)
	visitSelect = func(sel *pg_query.SelectStmt, own map[string]bool) {
		if sel.Larg != nil || sel.Rarg != nil {
			// Each branch has its own FROM; ORDER BY and LIMIT read
			// neither.
			for _, branch := range []*pg_query.SelectStmt{sel.Larg, sel.Rarg} {
				if branch != nil {
					visitSelect(branch, own)
				}
			}
			rest := []*pg_query.Node{sel.LimitCount, sel.LimitOffset}
			rest = append(rest, sel.SortClause...)
			if sel.WithClause != nil {
				rest = append(rest, sel.WithClause.Ctes...)
			}
			for _, n := range rest {
				visit(n, own)
			}
			return
		}
		inner := maps.Clone(own)
		for _, item := range sel.FromClause {
			declareRange(item, inner)
		}
		walkMsg(sel.ProtoReflect(), func(n *pg_query.Node) { visit(n, inner) })
	}
	visit = func(n *pg_query.Node, own map[string]bool) {
		if n == nil {
			return
		}
		if sel := n.GetSelectStmt(); sel != nil {
			visitSelect(sel, own)
			return
		}
		if cr := n.GetColumnRef(); cr != nil {
			if len(cr.Fields) >= 2 {
				if t := cr.Fields[len(cr.Fields)-2].GetString_(); t != nil && !own[t.Sval] {
					level = max(level, b.columnLevel(cr, sc))
				}
			}
			return
		}
		walkChildren(n, func(c *pg_query.Node) { visit(c, own) })
	}
	visit(sub, map[string]bool{})
	return level
}

// boundSubqueryLevel is subqueryLevel for the unqualified names of sub,
// which only its binding tells from its own columns: the innermost level
// of b.levels whose columns the bound subquery reads (-1: none, or sub
// has no unqualified name, or does not bind). A column read only inside
// an aggregate of an enclosing block is not in the bound plan; qualified,
// subqueryLevel counts it.
func (b *binder) boundSubqueryLevel(sub *pg_query.Node, sc *scope) int {
	sel := sub.GetSelectStmt()
	if sel == nil || !hasUnqualifiedColumn(sub) {
		return -1
	}
	notices, wantAgg := len(b.notices), make([]bool, len(b.levels))
	for i, l := range b.levels {
		wantAgg[i] = l.wantAgg
	}
	q, err := b.bindSelect(sel, sc)
	// The call binds the subquery again: what this binding noted is its.
	b.notices = b.notices[:notices]
	for i, l := range b.levels {
		l.wantAgg = wantAgg[i]
	}
	if err != nil {
		return -1
	}
	level := -1
	defined := definedIDs(q.node)
	for id := range columnsRead(q.node) {
		if !defined.Has(id) {
			level = max(level, b.idLevel(id, sc))
		}
	}
	return level
}

// hasUnqualifiedColumn reports whether n names a column without a range.
func hasUnqualifiedColumn(n *pg_query.Node) bool {
	found := false
	var visit func(n *pg_query.Node)
	visit = func(n *pg_query.Node) {
		if n == nil || found {
			return
		}
		if cr := n.GetColumnRef(); cr != nil {
			found = len(cr.Fields) == 1 && cr.Fields[0].GetString_() != nil
			return
		}
		walkChildren(n, visit)
	}
	visit(n)
	return found
}

// idLevel returns the index in b.levels of the block whose scope (from sc
// outwards) holds column id, or -1.
func (b *binder) idLevel(id logical.ColumnID, sc *scope) int {
	k := len(b.levels) - 1
	for s := sc; s != nil; s = s.parent {
		for k >= 0 && s == b.levels[k].outer {
			k--
		}
		for _, c := range s.cols {
			if c.id == id {
				return k
			}
		}
	}
	return -1
}

// declareRange adds the range names a FROM item declares to own: a
// table's alias, or its name without one (an alias hides it: in `FROM q
// r`, q.id is an enclosing block's q), a subquery's or function's alias,
// and a join's alias or else the names of both its sides.
func declareRange(item *pg_query.Node, own map[string]bool) {
	switch {
	case item == nil:
	case item.GetRangeVar() != nil:
		rv := item.GetRangeVar()
		if rv.Alias != nil {
			own[rv.Alias.Aliasname] = true
		} else {
			own[rv.Relname] = true
		}
	case item.GetRangeSubselect() != nil:
		if a := item.GetRangeSubselect().Alias; a != nil {
			own[a.Aliasname] = true
		}
	case item.GetRangeFunction() != nil:
		if a := item.GetRangeFunction().Alias; a != nil {
			own[a.Aliasname] = true
		}
	case item.GetRangeTableSample() != nil:
		declareRange(item.GetRangeTableSample().Relation, own)
	case item.GetJoinExpr() != nil:
		j := item.GetJoinExpr()
		if j.Alias != nil {
			own[j.Alias.Aliasname] = true
			return
		}
		declareRange(j.Larg, own)
		declareRange(j.Rarg, own)
	}
}

// columnLevel returns the index in b.levels of the block whose scope
// resolves cr, or -1 when none does. A name that is no column of a scope
// but the name of one of its ranges (a whole-row reference) resolves there.
func (b *binder) columnLevel(cr *pg_query.ColumnRef, sc *scope) int {
	var parts []string
	for _, f := range cr.Fields {
		if s := f.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	_, table, name, ok := qualifiedName(parts)
	if !ok {
		return -1
	}
	k := len(b.levels) - 1
	for s := sc; s != nil; s = s.parent {
		for k >= 0 && s == b.levels[k].outer {
			k-- // s is the enclosing block's
		}
		if s.hasOwn(table, name) {
			return k
		}
	}
	return -1
}

// hasOwn reports whether s itself (not its parents) resolves the
// reference: a column, or a range of that name for a bare name (a
// whole-row reference, or t.*).
func (s *scope) hasOwn(table, name string) bool {
	return s.hasColumn(table, name) || table == "" && s.hasTable(name)
}

// hasColumn reports whether s itself (not its parents) has the column.
func (s *scope) hasColumn(table, name string) bool {
	for _, c := range s.cols {
		if c.name == name && (table == "" && !c.qualifiedOnly || table != "" && c.table == table) {
			return true
		}
	}
	return false
}

// bindOuter binds an aggregate or grouping() call of the enclosing block
// b.levels[k] by bind, as that block would, and returns the reference to
// its result the inner block reads. what names the kind of call for the
// error where that block's clause allows none (42803).
func (b *binder) bindOuter(k int, what string, loc int, bind func(sc *scope, agg *aggState) (logical.Expr, error)) (logical.Expr, error) {
	lvl := b.levels[k]
	if lvl.agg == nil {
		if lvl.aggOK {
			// The block binds again as an aggregating one (bindSelectLevel).
			lvl.wantAgg = true
		}
		return nil, lvl.notAllowed(sqltypes.CodeGroupingError, what, loc)
	}
	// In the scope the subquery was met in, with the blocks inside it out
	// of sight.
	levels, win, inAggArgs, srfOK := b.levels, b.win, b.inAggArgs, b.srfOK
	b.levels = b.levels[:k+1]
	defer func() { b.levels, b.win, b.inAggArgs, b.srfOK = levels, win, inAggArgs, srfOK }()
	return bind(levels[k+1].outer, lvl.agg)
}

// ungroupedOuterColumn returns a column of the aggregating block a (one
// of a.local) that a subquery inside e reads although the block does not
// group by it: after the Aggregate that column no longer exists.
func (a *aggState) ungroupedOuterColumn(e logical.Expr, allowed logical.ColSet) (logical.ColumnID, bool) {
	var bad logical.ColumnID
	found := false
	logical.Walk(e, func(x logical.Expr) bool {
		sq, ok := x.(*logical.Subquery)
		if !ok || found {
			return !found
		}
		defined := definedIDs(sq.Plan)
		for _, id := range columnsRead(sq.Plan).Sorted() {
			if !defined.Has(id) && a.local.Has(id) && !allowed.Has(id) {
				bad, found = id, true
				break
			}
		}
		return !found
	})
	return bad, found
}
