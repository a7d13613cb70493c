package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// workingDef is a recursive WITH query whose recursive term is being
// bound: a reference to it there reads the working table.
type workingDef struct {
	key   int
	names []string
	types []sqltypes.Type
	// cycle is the query's CYCLE clause: the working table has its mark
	// and path after the query's columns, and prevPath is the path column
	// of the recursive term's working-table read.
	cycle    *cycleSpec
	prevPath logical.ColumnID
}

// recursionContext is where a recursive reference stands, as PostgreSQL's
// checkWellFormedRecursion tells the places it may not appear.
type recursionContext uint8

const (
	recursionOK recursionContext = iota
	recursionNonRecursiveTerm
	recursionSublink
	recursionOuterJoin
	recursionIntersect
	recursionExcept
)

var recursionPlaces = [...]string{"", "its non-recursive term", "a subquery", "an outer join", "INTERSECT", "EXCEPT"}

// selfReferences reports whether n reads the WITH query name.
func selfReferences(n *pg_query.Node, name string) bool {
	if rv := n.GetRangeVar(); rv != nil && isSelfRef(rv, name) {
		return true
	}
	found := false
	walkChildren(n, func(c *pg_query.Node) {
		if !found && selfReferences(c, name) {
			found = true
		}
	})
	return found
}

func isSelfRef(rv *pg_query.RangeVar, name string) bool {
	return rv.Schemaname == "" && rv.Catalogname == "" && rv.Relname == name
}

// checkRecursion rejects a WITH query that reads itself in a shape
// PostgreSQL does not run, with PostgreSQL's errors: it must be
// non-recursive-term UNION [ALL] recursive-term, the recursive term
// reading the query exactly once, outside subqueries, the nullable side
// of outer joins, INTERSECT and EXCEPT, and the whole without ORDER BY,
// OFFSET or LIMIT.
func checkRecursion(name string, sel *pg_query.SelectStmt, loc int) error {
	if sel.Op != pg_query.SetOperation_SETOP_UNION {
		return errAt(sqltypes.New(sqltypes.CodeInvalidRecursion,
			"recursive query %q does not have the form non-recursive-term UNION [ALL] recursive-term", name), loc)
	}
	c := &recursionCheck{name: name}
	c.walk(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel.Larg}}, recursionNonRecursiveTerm)
	if c.err == nil {
		c.walk(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel.Rarg}}, recursionOK)
	}
	if c.err != nil {
		return c.err
	}
	notImplemented := func(what string, n *pg_query.Node) error {
		return errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s in a recursive query is not implemented", what), location(n))
	}
	switch {
	case len(sel.SortClause) > 0:
		return notImplemented("ORDER BY", sel.SortClause[0])
	case sel.LimitOffset != nil:
		return notImplemented("OFFSET", sel.LimitOffset)
	case sel.LimitCount != nil:
		return notImplemented("LIMIT", sel.LimitCount)
	case len(sel.LockingClause) > 0:
		return notImplemented("FOR UPDATE/SHARE", sel.LockingClause[0])
	}
	return nil
}

type recursionCheck struct {
	name string
	refs int
	err  error
}

func (c *recursionCheck) walk(n *pg_query.Node, ctx recursionContext) {
	if c.err != nil || n == nil {
		return
	}
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		if !isSelfRef(rv, c.name) {
			return
		}
		if ctx != recursionOK {
			c.err = errAt(sqltypes.New(sqltypes.CodeInvalidRecursion, "recursive reference to query %q must not appear within %s", c.name, recursionPlaces[ctx]), int(rv.Location))
			return
		}
		if c.refs++; c.refs > 1 {
			c.err = errAt(sqltypes.New(sqltypes.CodeInvalidRecursion, "recursive reference to query %q must not appear more than once", c.name), int(rv.Location))
		}
		return
	case n.GetSelectStmt() != nil && n.GetSelectStmt().Op != pg_query.SetOperation_SETOP_NONE:
		s := n.GetSelectStmt()
		left, right := ctx, ctx
		switch s.Op {
		case pg_query.SetOperation_SETOP_INTERSECT:
			left, right = recursionIntersect, recursionIntersect
		case pg_query.SetOperation_SETOP_EXCEPT:
			right = recursionExcept
		}
		c.walk(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: s.Larg}}, left)
		c.walk(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: s.Rarg}}, right)
		return
	case n.GetJoinExpr() != nil:
		j := n.GetJoinExpr()
		left, right := ctx, ctx
		switch j.Jointype {
		case pg_query.JoinType_JOIN_LEFT:
			right = recursionOuterJoin
		case pg_query.JoinType_JOIN_RIGHT:
			left = recursionOuterJoin
		case pg_query.JoinType_JOIN_FULL:
			left, right = recursionOuterJoin, recursionOuterJoin
		}
		c.walk(j.Larg, left)
		c.walk(j.Rarg, right)
		c.walk(j.Quals, ctx)
		return
	case n.GetSubLink() != nil:
		sl := n.GetSubLink()
		c.walk(sl.Testexpr, ctx)
		c.walk(sl.Subselect, recursionSublink)
		return
	}
	walkChildren(n, func(ch *pg_query.Node) { c.walk(ch, ctx) })
}

// bindRecursive binds a recursive WITH query (checkRecursion passed): the
// anchor first, whose columns give the working table's names and types,
// then the recursive term with references to the query reading the
// working table, its columns cast to the anchor's types.
func (b *binder) bindRecursive(def *cteDef) (*relation, error) {
	sel := def.query
	// Bound seeing the outer query, so that a reference to it is refused
	// as unsupported, not as a missing table.
	outer := b.ctes[def.level].outer
	anchor, err := b.bindSelect(sel.Larg, outer)
	if err != nil {
		return nil, err
	}
	if err := refuseOuterReads(anchor.node, def); err != nil {
		return nil, err
	}
	w := &workingDef{key: b.newCTEKey()}
	var anchorExprs []logical.Expr
	for i, c := range anchor.cols {
		name := c.name
		if i < len(def.colAliases) {
			name = def.colAliases[i]
		}
		e, err := b.coerce(&logical.ColRef{ID: c.id, Name: c.name, T: c.t}, resolvedType(c.t))
		if err != nil {
			return nil, err
		}
		anchorExprs = append(anchorExprs, e)
		w.names, w.types = append(w.names, name), append(w.types, e.Type())
	}
	if def.cycle != nil {
		if w.cycle, err = b.bindCycle(def.cycle, w.names, w.types); err != nil {
			return nil, err
		}
		cyc, err := b.anchorCycleColumns(w.cycle, anchorExprs)
		if err != nil {
			return nil, err
		}
		anchorExprs = append(anchorExprs, cyc...)
		w.names = append(w.names, w.cycle.mark, w.cycle.path)
		w.types = append(w.types, w.cycle.markType, pathType)
	}
	def.working = w
	rec, err := b.bindSelect(sel.Rarg, outer)
	def.working = nil
	if err != nil {
		return nil, err
	}
	if err := refuseOuterReads(rec.node, def); err != nil {
		return nil, err
	}
	if len(rec.cols) != len(anchor.cols) {
		return nil, sqltypes.New(sqltypes.CodeSyntaxError, "each UNION query must have the same number of columns")
	}
	if w.cycle != nil {
		// The previous row's path goes along with each new row.
		p, ok := rec.node.(*logical.Project)
		if !ok || !logical.OutputSet(p.Input).Has(w.prevPath) {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "CYCLE with a recursive term that groups, removes duplicates, sorts or limits is not supported"), def.loc)
		}
		c := *p
		c.Exprs = append(append([]logical.Expr(nil), p.Exprs...), b.colRef(w.prevPath))
		c.Cols = append(append([]logical.ColumnID(nil), p.Cols...), w.prevPath)
		rec = &relation{node: &c, cols: rec.cols}
	}
	ru := &logical.RecursiveUnion{Key: w.key, Name: def.name, Distinct: !sel.All}
	var recExprs []logical.Expr
	var cols []outCol
	for i, c := range rec.cols {
		t := w.types[i]
		if overall, ok, err := recursiveColumnType(t, c.t); err != nil {
			return nil, err
		} else if !ok {
			return nil, errAt(sqltypes.New(sqltypes.CodeDatatypeMismatch,
				"recursive query %q column %d has type %s in non-recursive term but type %s overall", def.name, i+1, t, overall).
				WithHint("Cast the output of the non-recursive term to the correct type."), def.loc)
		}
		e, err := b.coerce(&logical.ColRef{ID: c.id, Name: c.name, T: c.t}, t)
		if err != nil {
			return nil, err
		}
		if !e.Type().Equal(t) {
			e = &logical.Cast{E: e, T: t}
		}
		recExprs = append(recExprs, e)
	}
	if w.cycle != nil {
		cyc, err := b.recursiveCycleColumns(w.cycle, recExprs, b.colRef(w.prevPath))
		if err != nil {
			return nil, err
		}
		recExprs = append(recExprs, cyc...)
	}
	for i, t := range w.types {
		id := b.meta.NewColumn(w.names[i], "", t)
		ru.Cols = append(ru.Cols, id)
		cols = append(cols, outCol{name: w.names[i], id: id, t: t})
	}
	ru.Anchor = &logical.Project{Input: anchor.node, Exprs: anchorExprs, Cols: colIDs(b, anchorExprs)}
	ru.Recursive = &logical.Project{Input: rec.node, Exprs: recExprs, Cols: colIDs(b, recExprs)}
	return &relation{node: ru, cols: cols}, nil
}

// workingRelation is one reference to a recursive query inside its
// recursive term: a read of the working table.
func (b *binder) workingRelation(def *cteDef, alias string) (*relation, error) {
	w := def.working
	wt := &logical.WorkTable{Key: w.key, Name: def.name}
	var cols []outCol
	for i, name := range w.names {
		id := b.meta.NewColumn(name, alias, w.types[i])
		wt.Cols = append(wt.Cols, id)
		cols = append(cols, outCol{name: name, id: id, t: w.types[i]})
	}
	if w.cycle == nil {
		return &relation{node: wt, cols: cols}, nil
	}
	n := len(wt.Cols) - 2
	w.prevPath = wt.Cols[n+1]
	node, err := b.notCycled(w.cycle, wt, b.colRef(wt.Cols[n]))
	if err != nil {
		return nil, err
	}
	return &relation{node: node, cols: cols}, nil
}

// resolvedType is the type an anchor column of unknown type (a string
// literal) takes: text, as PostgreSQL resolves it.
func resolvedType(t sqltypes.Type) sqltypes.Type {
	if t.Kind == sqltypes.Unknown {
		return sqltypes.TypeText
	}
	return t
}

// recursiveColumnType checks a recursive term's column type against the
// anchor's as PostgreSQL does: their common type, chosen as its
// select_common_type does (the anchor's when both are text or varchar),
// must be the anchor's type, and an anchor type modifier (numeric(p,s),
// varchar(n), char(n), of an array's elements too) must be the recursive
// term's as well. When not, overall is the type PostgreSQL names.
// (meshql does not track timestamp precision, so timestamp(p) passes.)
func recursiveColumnType(anchor, rec sqltypes.Type) (overall sqltypes.Type, ok bool, err error) {
	common := anchor
	if !anchor.Leaf().IsString() || !rec.Leaf().IsString() || anchor.Ndims() != rec.Ndims() {
		var found bool
		if common, found = selectCommonType(anchor, rec); !found {
			return sqltypes.Type{}, false, sqltypes.New(sqltypes.CodeDatatypeMismatch, "UNION types %s and %s cannot be matched", anchor, rec)
		}
		if common.Kind == sqltypes.Unknown {
			common = sqltypes.TypeText
		}
	}
	if !sameBaseType(common, anchor) {
		return withoutModifier(common), false, nil
	}
	if m := typeModifier(anchor.Leaf()); m != [2]int32{} && m != typeModifier(rec.Leaf()) {
		return withoutModifier(anchor), false, nil
	}
	return anchor, true, nil
}

// typeModifier is a type's PostgreSQL typmod, zero for none.
func typeModifier(t sqltypes.Type) [2]int32 {
	switch t.Kind {
	case sqltypes.Numeric:
		if t.Precision > 0 && !t.VarScale {
			return [2]int32{t.Precision, t.Scale}
		}
	case sqltypes.Varchar, sqltypes.Bpchar:
		return [2]int32{t.Precision, 0}
	}
	return [2]int32{}
}

// sameBaseType compares types without their modifiers.
func sameBaseType(a, b sqltypes.Type) bool {
	return withoutModifier(a).Equal(withoutModifier(b))
}

// withoutModifier drops a type's modifier (numeric(3,1) is numeric).
func withoutModifier(t sqltypes.Type) sqltypes.Type {
	if t.Kind == sqltypes.List {
		return sqltypes.ArrayOf(withoutModifier(t.Leaf()), t.Ndims())
	}
	switch t.Kind {
	case sqltypes.Numeric:
		return sqltypes.NumericType(0, 0)
	case sqltypes.Varchar, sqltypes.Bpchar:
		return sqltypes.Type{Kind: t.Kind}
	}
	return t
}

// readsWorkTable reports whether n reads the working table of a recursive
// query whose recursive term is being bound (a finished recursive query
// inside n reads its own).
func readsWorkTable(n logical.Node) bool {
	found := false
	logical.Inspect(n, func(n logical.Node) bool {
		switch n.(type) {
		case *logical.WorkTable:
			found = true
		case *logical.RecursiveUnion:
			return false
		}
		return !found
	})
	return found
}

// rejectSearch answers a WITH query's SEARCH clause.
func rejectSearch(c *pg_query.CTESearchClause) error {
	return errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "the SEARCH clause of a recursive query is not supported").
		WithHint("Carry a depth or path column in the query and ORDER BY it."), int(c.Location))
}

// refuseOuterReads is the 0A000 of a recursive query's term that reads
// the outer query's columns (PostgreSQL reruns the recursion per outer
// row; meshql cannot decorrelate a recursion).
func refuseOuterReads(term logical.Node, def *cteDef) error {
	if !readsOuter(term, definedIDs(term)) {
		return nil
	}
	return errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "a WITH RECURSIVE query reading the outer query's columns is not supported yet"), def.loc)
}
