package bind

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/planner/parse"
	"github.com/meshql/meshql/sqltypes"
)

// pushCTEs makes the WITH list of a query visible; outer is that query's
// outer scope, which the list's queries see too (a WITH inside a
// subquery may read the outer query's columns, as in PostgreSQL).
func (b *binder) pushCTEs(w *pg_query.WithClause, outer *scope) error {
	lvl := &cteLevel{defs: map[string]*cteDef{}, recursive: w.Recursive, visible: len(w.Ctes), outer: outer}
	b.ctes = append(b.ctes, lvl)
	for i, cn := range w.Ctes {
		c := cn.GetCommonTableExpr()
		sel := c.Ctequery.GetSelectStmt()
		if sel == nil {
			return errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "WITH %s: only SELECT is supported in WITH", c.Ctename), int(c.Location))
		}
		if _, dup := lvl.defs[c.Ctename]; dup {
			return errAt(sqltypes.New(sqltypes.CodeDuplicateAlias, "WITH query name %q specified more than once", c.Ctename), int(c.Location))
		}
		if c.SearchClause != nil {
			return rejectSearch(c.SearchClause)
		}
		def := &cteDef{key: b.newCTEKey(), pos: i, level: len(b.ctes) - 1, name: c.Ctename, query: sel, share: c.Ctematerialized, loc: int(c.Location)}
		if w.Recursive && selfReferences(c.Ctequery, c.Ctename) {
			if err := checkRecursion(c.Ctename, sel, int(c.Location)); err != nil {
				return err
			}
			def.recursive = true
		}
		if c.CycleClause != nil {
			if !def.recursive {
				return errAt(sqltypes.New(sqltypes.CodeSyntaxError, "WITH query is not recursive"), int(c.Location))
			}
			def.cycle = c.CycleClause
		}
		for _, a := range c.Aliascolnames {
			def.colAliases = append(def.colAliases, a.GetString_().Sval)
		}
		lvl.defs[c.Ctename] = def
	}
	return nil
}

// newCTEKey numbers a WITH query (logical.Shared keys) or a recursive
// query's working table (logical.RecursiveUnion keys).
func (b *binder) newCTEKey() int {
	b.nCTEs++
	return b.nCTEs
}

func (b *binder) popCTEs() { b.ctes = b.ctes[:len(b.ctes)-1] }

// bindUnreferencedCTEs binds, and drops, each query of the innermost WITH
// list that no reference bound: PostgreSQL analyses every WITH query, so
// an unknown column or a literal of the wrong type in one the statement
// never reads is still an error (meshql ran the statement).
func (b *binder) bindUnreferencedCTEs() error {
	level := len(b.ctes) - 1
	lvl := b.ctes[level]
	defs := make([]*cteDef, 0, len(lvl.defs))
	for _, d := range lvl.defs {
		defs = append(defs, d)
	}
	// The last first: binding it may reference (and so bind) earlier ones.
	slices.SortFunc(defs, func(x, y *cteDef) int { return y.pos - x.pos })
	for _, d := range defs {
		if d.referenced {
			continue
		}
		d.referenced = true
		if _, err := b.bindCTEBody(d, level); err != nil {
			return err
		}
	}
	return nil
}

// lookupCTE finds the visible WITH query name, innermost list first;
// hidden is a query of that name a non-recursive list does not let this
// part of the query see (for the error when nothing else has the name).
func (b *binder) lookupCTE(name string) (def *cteDef, level int, hidden *cteDef) {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		d, ok := b.ctes[i].defs[name]
		if !ok {
			continue
		}
		if d.pos >= b.ctes[i].visible {
			if hidden == nil {
				hidden = d
			}
			continue
		}
		return d, i, hidden
	}
	return nil, -1, hidden
}

// inRecursiveTerm reports whether a reference to def, whose recursive term
// is being bound, stands in that term: the WITH queries bound since def
// are all nested inside it (a query of def's own list in between makes
// the reference mutual recursion).
func (b *binder) inRecursiveTerm(def *cteDef) bool {
	for i := len(b.binding) - 1; i >= 0; i-- {
		d := b.binding[i]
		if d == def {
			return true
		}
		if d.level <= def.level {
			return false
		}
	}
	return false
}

// bindCTEBody binds the query of def for one reference to it, seeing the
// WITH lists up to its own, and in its own list what PostgreSQL lets it
// see; a reference back to a query of its list still being bound is
// mutual recursion (0A000, as in PostgreSQL).
func (b *binder) bindCTEBody(def *cteDef, level int) (*relation, error) {
	for _, d := range b.binding {
		if d == def {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "mutual recursion between WITH items is not implemented"), def.loc)
		}
	}
	saved, lvl := b.ctes, b.ctes[level]
	savedVisible := lvl.visible
	if !lvl.recursive {
		lvl.visible = def.pos
	}
	b.ctes = b.ctes[:level+1]
	b.binding = append(b.binding, def)
	defer func() {
		b.ctes, lvl.visible = saved, savedVisible
		b.binding = b.binding[:len(b.binding)-1]
	}()
	if def.recursive {
		return b.bindRecursive(def)
	}
	return b.bindSelect(def.query, lvl.outer)
}

// cteReference binds one reference to the WITH query def. A query AS NOT
// MATERIALIZED is inlined: every reference binds it afresh. Otherwise the
// query is bound once and every reference reads that one plan through a
// logical.Shared of def's key (rules.InlineSingleUse removes the wrapper
// again when there is only one reference); every reference renames its
// columns with a projection, so that each has its own column IDs while
// the plan below stays one node (a DAG, not copies: WITH
// queries that each read the one before twice must not double the plan
// at every level).
func (b *binder) cteReference(def *cteDef, level int) (*relation, error) {
	def.referenced = true
	if def.share == pg_query.CTEMaterialize_CTEMaterializeNever || def.correlated {
		q, err := b.bindCTEBody(def, level)
		if err != nil {
			return nil, err
		}
		return b.distinctOutputs(q), nil
	}
	if def.bound == nil {
		q, err := b.bindCTEBody(def, level)
		if err != nil {
			return nil, err
		}
		q = b.distinctOutputs(q)
		if readsOuter(q.node, definedIDs(q.node)) {
			// It reads the outer query's columns: a correlated subquery
			// at each reference, decorrelated there like any other (one
			// shared plan would hold the outer columns of the first).
			def.correlated = true
			return q, nil
		}
		c := *q
		c.node = &logical.Shared{Key: def.key, Name: def.name, Input: q.node,
			Materialized: def.share == pg_query.CTEMaterialize_CTEMaterializeAlways, Memo: &logical.SharedMemo{}}
		def.bound = &c
	}
	// The first reference too: the query's own columns must not appear
	// outside it, where a subquery holding another reference would take
	// a column of the first for one of its own (and not see the
	// correlation).
	q := *def.bound
	q.cols = slices.Clone(q.cols)
	p := &logical.Project{Input: q.node}
	for i, c := range q.cols {
		p.Exprs = append(p.Exprs, b.colRef(c.id))
		q.cols[i].id = b.meta.NewColumn(c.name, b.meta.Column(c.id).Table, c.t)
		p.Cols = append(p.Cols, q.cols[i].id)
	}
	q.node = p
	return &q, nil
}

// bindFromList binds the FROM clause; items are cross-joined left to right,
// and a function item sees the items before it (implicit LATERAL, as in
// PostgreSQL for function calls).
func (b *binder) bindFromList(items []*pg_query.Node, outer *scope) (*relation, error) {
	if len(items) == 0 {
		// SELECT without FROM reads one row of no columns.
		return &relation{node: &logical.Values{Rows: [][]logical.Expr{{}}}, scope: &scope{parent: outer}}, nil
	}
	var acc *relation
	for _, it := range items {
		r, err := b.bindFromItem(it, acc, outer)
		if err != nil {
			return nil, err
		}
		if r.perRow != nil {
			if r.node, err = r.perRow(false, nil); err != nil {
				return nil, errAt(sqltypes.AsError(err), location(it))
			}
			r.perRow, acc = nil, r // it holds acc
			continue
		}
		if acc == nil || r.lateralOf(acc) {
			acc = r
			continue
		}
		if err := distinctRanges(acc, r); err != nil {
			return nil, errAt(err, location(it))
		}
		acc = crossJoin(acc, r)
		if r.lateral != nil {
			if acc, err = b.applyLateral(acc, r.lateral, location(it)); err != nil {
				return nil, err
			}
		}
	}
	return acc, nil
}

// lateralOf reports whether r was built on top of left (an UNNEST that read
// left's columns), so it already contains left.
func (r *relation) lateralOf(left *relation) bool {
	u := unnestOf(r.node)
	return u != nil && (u.Input == left.node || r.over == left.node)
}

// unnestOf returns the Unnest of a function in FROM: n itself, or the
// input of the projection that reads the fields of json_to_record's rows
// (bindRecordFunction); nil for other nodes.
func unnestOf(n logical.Node) *logical.Unnest {
	if p, ok := n.(*logical.Project); ok {
		n = p.Input
	}
	u, _ := n.(*logical.Unnest)
	return u
}

// distinctRanges rejects two FROM items with the same name, as PostgreSQL does.
func distinctRanges(l, r *relation) *sqltypes.Error {
	names := map[string]bool{}
	for _, c := range l.scope.cols {
		if c.table != "" {
			names[c.table] = true
		}
	}
	for _, c := range r.scope.cols {
		if c.table != "" && names[c.table] {
			return sqltypes.New(sqltypes.CodeDuplicateAlias, "table name %q specified more than once", c.table)
		}
	}
	return nil
}

func crossJoin(l, r *relation) *relation {
	sc := &scope{parent: l.scope.parent}
	sc.cols = append(append(sc.cols, l.scope.cols...), r.scope.cols...)
	return &relation{node: &logical.Join{Type: logical.InnerJoin, Left: l.node, Right: r.node}, scope: sc}
}

// bindFromItem binds one FROM item; left is what precedes it (for lateral
// function calls), nil for the first item.
func (b *binder) bindFromItem(n *pg_query.Node, left *relation, outer *scope) (*relation, error) {
	switch {
	case n.GetRangeVar() != nil:
		return b.bindRangeVar(n.GetRangeVar(), outer)
	case n.GetRangeSubselect() != nil:
		rs := n.GetRangeSubselect()
		sel := rs.Subquery.GetSelectStmt()
		if rs.Lateral && left != nil {
			return b.bindLateral(rs, left, outer, location(n))
		}
		q, err := b.bindSelect(sel, outer)
		if err != nil {
			return nil, err
		}
		alias := "subquery"
		var colAliases []string
		if rs.Alias != nil {
			alias = rs.Alias.Aliasname
			colAliases = aliasNames(rs.Alias)
		}
		return subqueryRelation(b.distinctOutputs(q), alias, colAliases, outer)
	case n.GetJoinExpr() != nil:
		return b.bindJoin(n.GetJoinExpr(), left, outer)
	case n.GetRangeFunction() != nil:
		if rv := catalogFunctionTable(n.GetRangeFunction()); rv != nil {
			return b.bindRangeVar(rv, outer)
		}
		return b.bindRangeFunction(n.GetRangeFunction(), left, outer)
	}
	if n.GetRangeTableSample() != nil {
		return b.bindTableSample(n.GetRangeTableSample(), outer)
	}
	return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "unsupported FROM item %s", nodeKind(n)), location(n))
}

// catalogFunctionTable reads a call of a catalog set-returning function
// without arguments in FROM (pg_get_keywords(), pg_show_all_settings()) as
// the pg_catalog table of the same name that the engine serves; nil for
// other FROM functions.
func catalogFunctionTable(rf *pg_query.RangeFunction) *pg_query.RangeVar {
	if len(rf.Functions) != 1 || rf.IsRowsfrom || rf.Ordinality {
		return nil
	}
	items := rf.Functions[0].GetList().GetItems()
	if len(items) == 0 {
		return nil
	}
	fc := items[0].GetFuncCall()
	if fc == nil || len(fc.Args) > 0 || (funcName(fc) != "pg_get_keywords" && funcName(fc) != "pg_show_all_settings") {
		return nil
	}
	if len(fc.Funcname) == 2 && fc.Funcname[0].GetString_().GetSval() != "pg_catalog" {
		return nil
	}
	alias := rf.Alias
	if alias == nil {
		alias = &pg_query.Alias{Aliasname: funcName(fc)}
	}
	return &pg_query.RangeVar{Schemaname: "pg_catalog", Relname: funcName(fc), Inh: true, Relpersistence: "p", Alias: alias, Location: fc.Location}
}

// distinctOutputs gives each output column of q that repeats another (a
// bare column selected twice: SELECT status AS a, status AS b) a column
// of its own. They are two columns to the query reading q: GROUP BY
// CUBE (d.a, d.b) groups by one and not the other (one id made them one
// key, and every set grouped both).
func (b *binder) distinctOutputs(q *relation) *relation {
	seen := logical.ColSet{}
	dup := false
	for _, c := range q.cols {
		dup = dup || seen.Has(c.id)
		seen.Add(c.id)
	}
	if !dup {
		return q
	}
	out := *q
	out.cols = slices.Clone(q.cols)
	p := &logical.Project{Input: q.node}
	seen = logical.ColSet{}
	for i, c := range q.cols {
		p.Exprs = append(p.Exprs, b.colRef(c.id))
		if seen.Has(c.id) {
			out.cols[i].id = b.meta.NewColumn(c.name, "", c.t)
		}
		seen.Add(c.id)
		p.Cols = append(p.Cols, out.cols[i].id)
	}
	out.node = p
	return &out
}

// subqueryRelation exposes a bound query's output columns under alias.
func subqueryRelation(q *relation, alias string, colAliases []string, outer *scope) (*relation, error) {
	if len(colAliases) > len(q.cols) {
		return nil, sqltypes.New(sqltypes.CodeInvalidColumnReference, "table %q has %d columns available but %d columns specified", alias, len(q.cols), len(colAliases))
	}
	sc := &scope{parent: outer}
	for i, c := range q.cols {
		name := c.name
		if i < len(colAliases) {
			name = colAliases[i]
		}
		sc.add(scopeCol{table: alias, name: name, id: c.id, t: c.t})
	}
	return &relation{node: q.node, scope: sc, cols: q.cols}, nil
}

func aliasNames(a *pg_query.Alias) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, c := range a.Colnames {
		out = append(out, c.GetString_().Sval)
	}
	return out
}

func (b *binder) bindRangeVar(rv *pg_query.RangeVar, outer *scope) (_ *relation, err error) {
	alias := rv.Relname
	var colAliases []string
	if rv.Alias != nil {
		alias = rv.Alias.Aliasname
		colAliases = aliasNames(rv.Alias)
	}
	if rv.Schemaname == "" && rv.Catalogname == "" {
		def, level, hidden := b.lookupCTE(rv.Relname)
		if hidden != nil && rv.Schemaname == "" {
			defer func() {
				// As PostgreSQL explains a forward reference.
				if e, ok := err.(*sqltypes.Error); ok && e.Code == sqltypes.CodeUndefinedTable {
					err = e.WithDetail("There is a WITH item named %q, but it cannot be referenced from this part of the query.", rv.Relname).
						WithHint("Use WITH RECURSIVE, or re-order the WITH items to remove forward references.")
				}
			}()
		}
		if def != nil {
			if def.working != nil && b.inRecursiveTerm(def) {
				wr, err := b.workingRelation(def, alias)
				if err != nil {
					return nil, err
				}
				return subqueryRelation(wr, alias, colAliases, outer)
			}
			q, err := b.cteReference(def, level)
			if err != nil {
				return nil, err
			}
			if len(colAliases) == 0 {
				colAliases = def.colAliases
			}
			return subqueryRelation(q, alias, colAliases, outer)
		}
	}
	if rv.Catalogname != "" && rv.Catalogname != "mesh" {
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "cross-database references are not implemented: %s.%s.%s", rv.Catalogname, rv.Schemaname, rv.Relname), int(rv.Location))
	}
	t, err := b.cat.ResolveTable(b.ctx, rv.Schemaname, rv.Relname, b.who)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), int(rv.Location))
	}
	// Policies name the product's own columns, so the relation is secured
	// under those names and only then renamed by the column aliases:
	// FROM p AS x(a, b) must not rename a masked column out of its mask.
	var rel *relation
	if t.Source == nil {
		if rel, err = b.bindDerived(t, alias, nil, outer, int(rv.Location)); err != nil {
			return nil, err
		}
	} else {
		scan := &logical.Scan{Product: t.Product, Table: t.Source, Name: t.Name, Alias: alias}
		sc := &scope{parent: outer}
		for _, c := range t.Columns {
			id := b.meta.NewColumn(c.Name, alias, c.Type)
			scan.Cols = append(scan.Cols, id)
			scan.SourceIdx = append(scan.SourceIdx, c.SourceIndex)
			scan.SourceTypes = append(scan.SourceTypes, c.SourceType)
			sc.add(scopeCol{table: alias, name: c.Name, id: id, t: c.Type, system: c.System})
		}
		rel = &relation{node: scan, scope: sc}
	}
	if rel, err = b.securedRelation(rel, t, int(rv.Location)); err != nil {
		return nil, err
	}
	rowTyped(rel.scope, t)
	nameRelation(rel.scope, alias, t.Name, rv.Relname, rv.Alias != nil)
	return renameColumns(rel, alias, colAliases)
}

// nameRelation records on a relation's range (named alias) the relation
// it reads, qualified is its schema-qualified name: an unaliased range
// answers schema.relname.column, an aliased one only its alias (and
// names it in the hint of a reference by the relation's name).
func nameRelation(sc *scope, alias, qualified, relname string, aliased bool) {
	schema, ok := strings.CutSuffix(qualified, "."+relname)
	if !ok {
		return
	}
	for i, c := range sc.cols {
		if c.table != alias {
			continue
		}
		if aliased {
			sc.cols[i].relation = qualified
		} else {
			sc.cols[i].schema = schema
		}
	}
}

// rowTyped marks the columns of a product's range with the product's row
// type (scopeCol.rowType), so that its whole-row value is of that type as
// in PostgreSQL, unless a mask changed a column's type: the row is then
// not what pg_attribute says the type holds, and stays an anonymous record.
func rowTyped(sc *scope, t *Table) {
	if t.Product == nil {
		return
	}
	declared := map[string]sqltypes.Type{}
	for _, c := range t.Columns {
		declared[c.Name] = c.Type
	}
	for _, c := range sc.cols {
		if d, ok := declared[c.name]; !c.system && (!ok || !d.Equal(c.t)) {
			return
		}
	}
	oid := uint32(t.Product.RowTypeOID())
	for i := range sc.cols {
		sc.cols[i].rowType = oid
	}
}

// renameColumns applies a range's column aliases, in column order.
func renameColumns(rel *relation, alias string, colAliases []string) (*relation, error) {
	if len(colAliases) == 0 {
		return rel, nil
	}
	// System columns come last and keep their names.
	available := len(rel.scope.cols)
	for available > 0 && rel.scope.cols[available-1].system {
		available--
	}
	if len(colAliases) > available {
		return nil, sqltypes.New(sqltypes.CodeInvalidColumnReference, "table %q has %d columns available but %d columns specified", alias, available, len(colAliases))
	}
	sc := &scope{parent: rel.scope.parent, cols: append([]scopeCol(nil), rel.scope.cols...)}
	for i, name := range colAliases {
		sc.cols[i].name = name
	}
	return &relation{node: rel.node, scope: sc, cols: rel.cols}, nil
}

// bindDerived expands a derived data product (a view defined by SQL over
// other products) in place.
func (b *binder) bindDerived(t *Table, alias string, colAliases []string, outer *scope, loc int) (*relation, error) {
	if b.depth >= maxViewDepth {
		return nil, errAt(sqltypes.New(sqltypes.CodeProgramLimitExceeded, "derived products nest deeper than %d levels at %s (a cycle?)", maxViewDepth, t.Name), loc)
	}
	stmts, err := parse.Parse(t.DefiningSQL)
	if err != nil || len(stmts) != 1 || stmts[0].Node.GetSelectStmt() == nil {
		return nil, errAt(sqltypes.New(sqltypes.CodeFDWError, "derived product %s has an invalid definition", t.Name).WithDetail("%v", err), loc)
	}
	saved, savedBinding, savedWho, savedDefiner := b.ctes, b.binding, b.who, b.definer
	b.ctes, b.binding = nil, nil
	b.depth++
	if b.opts.Mesh != nil && t.Product != nil && t.Product.Source.Security == catalog.SecurityDefiner {
		// The inputs are read with the owner's rights; the consumer's
		// policy on the derived product itself is applied by the caller.
		b.who = policy.Definer(b.opts.Mesh, t.Product)
		b.definer++
		b.hidesRows = b.hidesRows || !b.opts.Principal.HasRole(policy.AdminRole)
	}
	b.noteWholeRowNames(stmts[0].Node)
	q, err := b.bindSelect(stmts[0].Node.GetSelectStmt(), nil)
	b.depth--
	b.ctes, b.binding, b.who, b.definer = saved, savedBinding, savedWho, savedDefiner
	if err != nil {
		e := sqltypes.AsError(err)
		return nil, errAt(sqltypes.New(e.Code, "in derived product %s: %s", t.Name, e.Msg), loc)
	}
	return subqueryRelation(q, alias, colAliases, outer)
}

func (b *binder) bindJoin(j *pg_query.JoinExpr, left *relation, outer *scope) (*relation, error) {
	l, err := b.bindFromItem(j.Larg, left, outer)
	if err != nil {
		return nil, err
	}
	if l.lateral != nil || l.perRow != nil {
		// `FROM t, LATERAL (...) x JOIN v`: x reads t, which is outside
		// this join; its correlation would be lost.
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "a LATERAL subquery as the left side of a JOIN is not supported yet").
			WithHint("Write FROM t CROSS JOIN LATERAL (...) x JOIN v ON ..."), location(j.Larg))
	}
	var jt logical.JoinType
	switch j.Jointype {
	case pg_query.JoinType_JOIN_INNER:
		jt = logical.InnerJoin
	case pg_query.JoinType_JOIN_LEFT:
		jt = logical.LeftJoin
	case pg_query.JoinType_JOIN_RIGHT:
		jt = logical.RightJoin
	case pg_query.JoinType_JOIN_FULL:
		jt = logical.FullJoin
	default:
		return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "join type %s is not supported", j.Jointype), location(j.Larg))
	}
	r, err := b.bindFromItem(j.Rarg, l, outer)
	if err != nil {
		return nil, err
	}
	var joined *relation
	if r.perRow != nil {
		if joined, err = b.joinPerOuterRow(j, jt, r); err != nil {
			return nil, err
		}
	} else if r.lateralOf(l) {
		if joined, r, err = b.joinFunction(j, jt, l, r); err != nil {
			return nil, err
		}
	}
	switch {
	case joined != nil:
	case r.lateralOf(l):
		// CROSS JOIN UNNEST(l.col): the unnest already holds l. A LEFT
		// JOIN keeps the rows whose array is empty or NULL.
		if jt == logical.LeftJoin {
			b.outerFunction(l, r, false)
		}
		joined = r
	default:
		if err := distinctRanges(l, r); err != nil {
			return nil, errAt(err, location(j.Rarg))
		}
		if jt == logical.LeftJoin || jt == logical.FullJoin {
			b.markRanges(r)
		}
		if jt == logical.RightJoin || jt == logical.FullJoin {
			b.markRanges(l)
		}
		joined = crossJoin(l, r)
		join := joined.node.(*logical.Join)
		join.Type = jt
		lateralDone := false // by lateralOnSubqueries
		switch {
		case j.IsNatural || len(j.UsingClause) > 0:
			if _, err := b.bindUsing(j, jt, l, r, joined); err != nil {
				return nil, err
			}
		case j.Quals != nil:
			cond, err := b.bindPredicate(j.Quals, joined.scope, "JOIN/ON")
			if err != nil {
				return nil, err
			}
			if !hasSubquery(cond) {
				join.Cond = cond
				break
			}
			if (jt == logical.LeftJoin || jt == logical.RightJoin) && r.lateral == nil {
				if cond, err = b.filterInnerSide(join, cond); err != nil {
					return nil, err
				}
				if !hasSubquery(cond) {
					join.Cond = cond
					break
				}
			}
			if jt != logical.InnerJoin && r.lateral == nil {
				if cond, err = b.sideSubqueries(join, cond); err != nil {
					return nil, err
				}
				if !hasSubquery(cond) {
					join.Cond = cond
					break
				}
				perPair := b.outerJoinPerPair
				if jt == logical.FullJoin {
					perPair = b.fullJoinPerPair
				}
				if joined.node, err = perPair(joined, cond); err != nil {
					return nil, err
				}
				break
			}
			if r.lateral != nil {
				if joined, err = b.lateralOnSubqueries(joined, r.lateral, cond, location(j.Rarg)); err != nil {
					return nil, errAt(sqltypes.AsError(err), location(j.Quals))
				}
				lateralDone = true
				break
			}
			// An inner join's ON filters the joined rows, as WHERE does:
			// its subqueries become joins the same way.
			if joined.node, err = b.filterWithSubqueries(join, cond); err != nil {
				return nil, err
			}
		}
		if r.lateral != nil && !lateralDone {
			if joined, err = b.applyLateral(joined, r.lateral, location(j.Rarg)); err != nil {
				return nil, err
			}
		}
	}
	if j.Alias != nil {
		sc := &scope{parent: outer}
		names := aliasNames(j.Alias)
		for i, c := range joined.scope.star("") {
			if i < len(names) {
				c.name = names[i]
			}
			c.table, c.qualifiedOnly, c.hidden = j.Alias.Aliasname, false, false
			sc.add(c)
		}
		joined.scope = sc
	}
	return joined, nil
}

// bindUsing turns USING (cols) / NATURAL into equality conditions and
// merges each pair into one visible column (COALESCE for FULL JOIN) in
// joined's scope. It returns the condition, which it also sets on
// joined's node when that is the join (not for a function over l's rows,
// joinFunction).
func (b *binder) bindUsing(j *pg_query.JoinExpr, jt logical.JoinType, l, r, joined *relation) (logical.Expr, error) {
	var names []string
	if j.IsNatural {
		right := r.scope.naturalNames()
		for _, name := range l.scope.naturalNames() {
			if slices.Contains(right, name) {
				names = append(names, name)
			}
		}
	} else {
		for _, u := range j.UsingClause {
			names = append(names, u.GetString_().Sval)
		}
	}
	var conds []logical.Expr
	var merged []scopeCol
	mergedNames := map[string]bool{}
	for _, name := range names {
		lc, err := l.scope.lookup("", "", name, location(j.Larg))
		if sqltypes.Code(err) == sqltypes.CodeInsufficientPrivilege {
			return nil, err
		}
		if err != nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedColumn, "column %q specified in USING clause does not exist in left table", name), -1)
		}
		rc, err := r.scope.lookup("", "", name, location(j.Rarg))
		if sqltypes.Code(err) == sqltypes.CodeInsufficientPrivilege {
			return nil, err
		}
		if err != nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedColumn, "column %q specified in USING clause does not exist in right table", name), -1)
		}
		le, re, err := b.unify(&logical.ColRef{ID: lc.id, Name: name, T: lc.t}, &logical.ColRef{ID: rc.id, Name: name, T: rc.t}, "=", -1)
		if err != nil {
			return nil, err
		}
		eq, err := b.makeBinary(opEq, le, re, -1)
		if err != nil {
			return nil, err
		}
		conds = append(conds, eq)
		m := scopeCol{name: name, t: lc.t, id: lc.id}
		if jt == logical.RightJoin {
			m.id, m.t = rc.id, rc.t
		}
		merged = append(merged, m)
		mergedNames[name] = true
	}
	cond := logical.And(conds)
	join, isJoin := joined.node.(*logical.Join)
	if isJoin {
		join.Cond = cond
	}
	if isJoin && jt == logical.FullJoin && len(merged) > 0 {
		// The merged column of a FULL JOIN is COALESCE(left, right).
		proj := &logical.Project{Input: join}
		for _, id := range join.Output() {
			m := b.meta.Column(id)
			proj.Exprs = append(proj.Exprs, &logical.ColRef{ID: id, Name: m.Name, T: m.Type})
			proj.Cols = append(proj.Cols, id)
		}
		for i, name := range names {
			lc, _ := l.scope.lookup("", "", name, -1)
			rc, _ := r.scope.lookup("", "", name, -1)
			le, re, err := b.unify(&logical.ColRef{ID: lc.id, Name: name, T: lc.t}, &logical.ColRef{ID: rc.id, Name: name, T: rc.t}, "=", -1)
			if err != nil {
				return nil, err
			}
			co := &logical.Func{Name: "coalesce", Args: []logical.Expr{le, re}, T: le.Type()}
			id := b.meta.NewColumn(name, "", co.T)
			proj.Exprs = append(proj.Exprs, co)
			proj.Cols = append(proj.Cols, id)
			merged[i].id, merged[i].t = id, co.T
		}
		joined.node = proj
	}
	// Merged columns come first, then the remaining columns of each side;
	// the side copies of merged columns stay reachable only qualified.
	sc := &scope{parent: joined.scope.parent}
	for _, m := range merged {
		sc.add(m)
	}
	for _, c := range joined.scope.cols {
		if mergedNames[c.name] {
			c.qualifiedOnly = true
			c.hidden = true
		}
		sc.add(c)
	}
	if a := j.JoinUsingAlias; a != nil {
		// USING (...) AS j names the merged columns only: j.id.
		for _, m := range merged {
			m.table, m.qualifiedOnly = a.Aliasname, true
			sc.add(m)
		}
	}
	joined.scope = sc
	return cond, nil
}

// bindRangeFunction binds a set-returning function in FROM: unnest (of
// one or several arrays, expanded in lockstep), generate_series, or ROWS
// FROM (...) of them. It is evaluated once per row of left (implicit
// LATERAL).
func (b *binder) bindRangeFunction(rf *pg_query.RangeFunction, left *relation, outer *scope) (*relation, error) {
	defer b.bindingIn("functions in FROM")()
	base := left
	if base == nil {
		base = &relation{node: &logical.Values{Rows: [][]logical.Expr{{}}}, scope: &scope{parent: outer}}
	}
	var lists []logical.Expr
	var defaults []string // column names without an alias list
	named := false        // the columns have names of their own (OUT parameters)
	if len(rf.Functions) == 1 {
		if fc := rf.Functions[0].GetList().GetItems()[0].GetFuncCall(); fc != nil && isRecordFunction(funcName(fc)) {
			return b.bindRecordFunction(rf, fc, base, left, outer)
		}
	}
	var elemTypes []sqltypes.Type // of each list's rows
	for _, f := range rf.Functions {
		items := f.GetList().GetItems()
		fc := items[0].GetFuncCall()
		if fc == nil || !isSetFunction(funcName(fc)) {
			// A scalar function in FROM is a table of one row, its value.
			v, err := b.bindFromScalar(items[0], base.scope)
			if err != nil {
				return nil, err
			}
			lists = append(lists, &logical.Array{Elems: []logical.Expr{v}, T: sqltypes.ListOf(v.Type())})
			elemTypes = append(elemTypes, v.Type())
			defaults = append(defaults, defaultName(items[0]))
			named = false
			continue
		}
		fl, err := b.bindSetFunction(fc, base.scope, nil)
		if err != nil {
			return nil, err
		}
		lists = append(lists, fl...)
		for _, l := range fl {
			elemTypes = append(elemTypes, setElemType(l))
		}
		cols := setFunctionColumns(funcName(fc))
		named = cols != nil
		for i := range fl {
			if cols != nil {
				defaults = append(defaults, cols[i])
			} else {
				defaults = append(defaults, funcName(fc))
			}
		}
	}
	alias := defaults[0]
	if len(rf.Functions) > 1 {
		alias = "rows_from"
	}
	names := aliasNames(rf.Alias)
	if rf.Alias != nil {
		alias = rf.Alias.Aliasname
		if len(lists) == 1 && !named {
			defaults[0] = alias // a single column takes the table alias
		}
	}
	if len(names) > len(lists)+btoi(rf.Ordinality) {
		return nil, sqltypes.New(sqltypes.CodeInvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, len(lists)+btoi(rf.Ordinality), len(names))
	}
	input := base.node
	if slices.ContainsFunc(lists, hasSubquery) {
		// ARRAY(SELECT ...) or a scalar subquery in the arguments: joined
		// below the function, over the left rows it reads.
		var err error
		if input, lists, err = b.joinSubqueries(input, lists); err != nil {
			return nil, err
		}
	}
	u := &logical.Unnest{Input: input, Lists: lists}
	sc := &scope{parent: outer}
	if left != nil {
		sc.cols = append(sc.cols, left.scope.cols...)
	}
	for i := range lists {
		name := defaults[i]
		if i < len(names) {
			name = names[i]
		}
		t := elemTypes[i]
		id := b.meta.NewColumn(name, alias, t)
		u.Cols = append(u.Cols, id)
		// A function of one column (json_array_elements' OUT value too)
		// returns a scalar, which its whole row is: json_array_elements(j)
		// AS e lets e mean e.value.
		sc.add(scopeCol{table: alias, name: name, id: id, t: t, scalar: len(lists) == 1 && !rf.Ordinality})
	}
	if rf.Ordinality {
		ordName := "ordinality"
		if len(names) > len(lists) {
			ordName = names[len(lists)]
		}
		u.Ord = b.meta.NewColumn(ordName, alias, sqltypes.TypeInt8)
		sc.add(scopeCol{table: alias, name: ordName, id: u.Ord, t: sqltypes.TypeInt8})
	}
	return &relation{node: b.splitJSONEach(u), scope: sc, over: base.node}, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bindSetFunction binds unnest(a [, b ...]) to its array arguments, and
// generate_series(...) to the array of its values.
func (b *binder) bindSetFunction(fc *pg_query.FuncCall, sc *scope, agg *aggState) ([]logical.Expr, error) {
	var list logical.Expr
	if err := b.ambiguousCall(funcName(fc), fc); err != nil {
		return nil, err
	}
	var err error
	switch funcName(fc) {
	case "generate_series":
		list, err = b.bindSeries(fc, sc, agg)
	case "regexp_split_to_table":
		// The set-returning twin of regexp_split_to_array.
		list, err = b.bindScalarCall("regexp_split_to_array", fc, sc, agg)
	case "string_to_table":
		list, err = b.bindScalarCall("string_to_array", fc, sc, agg)
	case "generate_subscripts":
		list, err = b.bindSubscripts(fc, sc, agg)
	case "regexp_matches":
		list, err = b.bindScalarCall("regexp_matches", fc, sc, agg)
	case "jsonb_path_query", "jsonb_path_query_tz":
		list, err = b.bindJSONPathCall(fc, sc, agg)
	case "json_each", "jsonb_each", "json_each_text", "jsonb_each_text":
		// One list of members; its keys and values are two columns.
		pairs, err := b.bindJSONSetCall(fc, sc, agg, expr.JSONSetPairsFunc(funcName(fc)))
		if err != nil {
			return nil, err
		}
		return jsonEachColumns(funcName(fc), pairs[0]), nil
	case "json_array_elements", "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text",
		"json_object_keys", "jsonb_object_keys":
		return b.bindJSONSetCall(fc, sc, agg, funcName(fc))
	}
	if err != nil {
		return nil, err
	}
	if list != nil {
		return []logical.Expr{list}, nil
	}
	if len(fc.Args) == 0 {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function unnest() does not exist"), int(fc.Location))
	}
	var lists []logical.Expr
	for _, an := range fc.Args {
		list, err := b.bindExpr(an, sc, agg)
		if err != nil {
			return nil, err
		}
		if list.Type().Kind == sqltypes.Unknown {
			return nil, errAt(sqltypes.New(sqltypes.CodeIndeterminateDatatype, "could not determine polymorphic type because input has type unknown"), int(fc.Location))
		}
		if list.Type().Kind != sqltypes.List {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function unnest(%s) does not exist", list.Type()).
				WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), int(fc.Location))
		}
		lists = append(lists, list)
	}
	return lists, nil
}

func nodeKind(n *pg_query.Node) string {
	s := strings.TrimPrefix(strings.TrimPrefix(strings.Split(n.String(), ":")[0], "Node_"), "{")
	return strings.TrimSpace(s)
}

// timestampSeriesType is the element type of generate_series(start, stop,
// step) when step is an interval and the ends are dates or timestamps.
func timestampSeriesType(args []logical.Expr) (sqltypes.Type, bool) {
	if len(args) != 3 {
		return sqltypes.Type{}, false
	}
	step := args[2].Type().Kind
	t, temporal := sqltypes.TypeTimestamp, false
	for _, a := range args[:2] {
		switch a.Type().Kind {
		case sqltypes.Timestamp:
			temporal = true
		case sqltypes.TimestampTZ, sqltypes.Date:
			t, temporal = sqltypes.TypeTimestampTZ, true
		case sqltypes.Unknown:
			t = sqltypes.TypeTimestampTZ
		default:
			return sqltypes.Type{}, false
		}
	}
	// An untyped step is an interval once an end is a date or timestamp.
	return t, step == sqltypes.Interval || step == sqltypes.Unknown && temporal
}

// bindSeries binds generate_series(start, stop [, step]) over integers as
// the unnest of the array of its values (generate_series_array), so that it
// shares Unnest's plan and lateral handling. The series is built whole for
// each input row: meant for the short series catalog queries use.
func (b *binder) bindSeries(fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	args, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	if ts, ok := timestampSeriesType(args); ok {
		// generate_series(start, stop, interval): timestamp when both ends
		// are timestamp, else timestamptz (PostgreSQL's preferred type, so
		// date ends give a timestamptz series).
		coerced := make([]logical.Expr, 3)
		for i, a := range args {
			t := ts
			if i == 2 {
				t = sqltypes.TypeInterval
			}
			if coerced[i], err = b.coerce(a, t); err != nil {
				return nil, errAt(sqltypes.AsError(err), int(fc.Location))
			}
		}
		rt, err := funcType("generate_series_array", coerced)
		if err != nil {
			return nil, errAt(sqltypes.AsError(err), int(fc.Location))
		}
		return &logical.Func{Name: "generate_series_array", Args: coerced, T: rt}, nil
	}
	coerced, _, err := b.unifyAll(args, int(fc.Location))
	if err != nil {
		return nil, err
	}
	rt, err := funcType("generate_series_array", coerced)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), int(fc.Location))
	}
	return &logical.Func{Name: "generate_series_array", Args: coerced, T: rt}, nil
}

// bindSubscripts binds generate_subscripts(arr, dim [, reverse]) as the
// series from array_lower to array_upper of dimension dim (downwards when
// reverse): no rows for a NULL array or a dimension it does not have.
func (b *binder) bindSubscripts(fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(fc.Location)
	args, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	if err := untypedPolymorphic("generate_subscripts", args); err != nil {
		return nil, err
	}
	if len(args) < 2 || len(args) > 3 || args[0].Type().Kind != sqltypes.List {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function generate_subscripts(%s) does not exist", typeNames(args)).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), loc)
	}
	bound := func(fn string) (logical.Expr, error) {
		a := []logical.Expr{args[0], args[1]}
		t, err := funcType(fn, a)
		if err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
		return &logical.Func{Name: fn, Args: a, T: t}, nil
	}
	lower, err := bound("array_lower")
	if err != nil {
		return nil, err
	}
	upper, err := bound("array_upper")
	if err != nil {
		return nil, err
	}
	series := []logical.Expr{lower, upper}
	if len(args) == 3 {
		reverse, err := b.coerce(args[2], sqltypes.TypeBool)
		if err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
		// CASE WHEN reverse THEN upper ELSE lower END … step -1 or 1.
		pick := func(a, b logical.Expr) logical.Expr {
			return &logical.Case{Whens: []logical.When{{Cond: reverse, Then: a}}, Else: b, T: sqltypes.TypeInt4}
		}
		step := pick(&logical.Const{T: sqltypes.TypeInt4, V: int32(-1)}, &logical.Const{T: sqltypes.TypeInt4, V: int32(1)})
		series = []logical.Expr{pick(upper, lower), pick(lower, upper), step}
	}
	rt, err := funcType("generate_series_array", series)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: "generate_series_array", Args: series, T: rt}, nil
}

// typeNames lists the types of args as a function signature does.
func typeNames(args []logical.Expr) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Type().String()
	}
	return strings.Join(names, ", ")
}

// hasSubquery reports whether e contains a subquery expression.
func hasSubquery(e logical.Expr) bool {
	found := false
	logical.Walk(e, func(x logical.Expr) bool {
		if _, ok := x.(*logical.Subquery); ok {
			found = true
		}
		return !found
	})
	return found
}

// filterInnerSide moves the ON conjuncts of an outer join that read only
// its inner (nullable) side, through uncorrelated subqueries, into a
// filter of that side: they decide which of its rows can match, exactly
// as in the join condition, and there their subqueries become joins as in
// WHERE. It returns the conjuncts that stay in the condition.
func (b *binder) filterInnerSide(join *logical.Join, cond logical.Expr) (logical.Expr, error) {
	inner := &join.Right
	if join.Type == logical.RightJoin {
		inner = &join.Left
	}
	cols := logical.NewColSet((*inner).Output()...)
	var moved, kept []logical.Expr
	for _, c := range logical.Conjuncts(cond) {
		if hasSubquery(c) && readsFrom(c).SubsetOf(cols) {
			moved = append(moved, c)
			continue
		}
		kept = append(kept, c)
	}
	if len(moved) == 0 {
		return cond, nil
	}
	filtered, err := b.filterWithSubqueries(*inner, logical.And(moved))
	if err != nil {
		return nil, err
	}
	*inner = filtered
	if len(kept) == 0 {
		return nil, nil
	}
	return logical.And(kept), nil
}

// readsFrom returns the columns e reads from outside itself, through its
// subqueries' correlations too.
func readsFrom(e logical.Expr) logical.ColSet {
	read, defined := logical.ColumnsOf(e), logical.ColSet{}
	logical.Walk(e, func(x logical.Expr) bool {
		if sq, ok := x.(*logical.Subquery); ok {
			defined.AddSet(definedIDs(sq.Plan))
			read.AddSet(columnsRead(sq.Plan))
		}
		return true
	})
	out := logical.ColSet{}
	for _, id := range read.Sorted() {
		if !defined.Has(id) {
			out.Add(id)
		}
	}
	return out
}

// sideSubqueries computes each subquery left in an outer join's ON
// condition that reads the columns of one side only (or none) as a column
// of that side: a mark or single join below the outer join, which keeps
// every row of the side exactly once, so the join keeps its own semantics
// and its condition reads the column. This is how `a LEFT JOIN b ON b.k =
// a.k AND EXISTS (SELECT ... WHERE c.x = a.y)` and any subquery of a FULL
// join's ON run. A subquery reading both sides stays in the condition.
func (b *binder) sideSubqueries(join *logical.Join, cond logical.Expr) (logical.Expr, error) {
	sides := []*logical.Node{&join.Left, &join.Right} // the preserved side first
	if join.Type == logical.RightJoin {
		sides[0], sides[1] = sides[1], sides[0]
	}
	var err error
	out := logical.Rewrite(cond, func(x logical.Expr) logical.Expr {
		sq, ok := x.(*logical.Subquery)
		if !ok || err != nil {
			return x
		}
		reads := readsFrom(sq)
		for _, side := range sides {
			if !reads.SubsetOf(logical.NewColSet((*side).Output()...)) {
				continue
			}
			var repl logical.Expr
			*side, repl, err = b.joinSubquery(*side, sq)
			if err != nil {
				return x
			}
			return repl
		}
		return x
	})
	return out, err
}

// bindFromScalar binds a function in FROM that returns one value, not a
// set (upper(x), string_to_array(...), coalesce(...)): PostgreSQL reads it
// as a table of one row holding that value, NULL included.
func (b *binder) bindFromScalar(n *pg_query.Node, sc *scope) (logical.Expr, error) {
	v, err := b.bindExpr(n, sc, nil)
	if err != nil {
		return nil, err
	}
	if v.Type().Kind == sqltypes.Unknown {
		return b.coerce(v, sqltypes.TypeText)
	}
	return v, nil
}
