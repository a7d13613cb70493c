package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Whole-row references (a range's name used as a value, `t` or `t.*`)
// are bound where PostgreSQL's JSON functions take a row: row_to_json(t),
// to_json(t), to_jsonb(t), json_agg(t) and jsonb_agg(t), as the JSON
// object its columns make, which is what those functions return for it.
// Elsewhere, as a value of its own, the row is a record (bindWholeRow).

// bindWholeRowJSON binds n as the JSON object of a range's columns when n
// names a range of sc rather than a column; whole is false otherwise.
// present is the range's presence column (see markRanges), nil when no
// outer join null-extends it: the object is NULL where present is.
func (b *binder) bindWholeRowJSON(n *pg_query.Node, sc *scope, agg *aggState) (e, present logical.Expr, whole bool, err error) {
	cols, refs, present, whole, err := b.wholeRowRefs(n, sc, agg)
	if !whole || err != nil {
		return nil, nil, whole, err
	}
	var args []logical.Expr
	for i, c := range cols {
		args = append(args, &logical.Const{T: sqltypes.TypeText, V: c.name}, refs[i])
	}
	t, err := funcType("row_to_json", args)
	if err != nil {
		return nil, nil, true, errAt(sqltypes.AsError(err), int(n.GetColumnRef().Location))
	}
	return &logical.Func{Name: "row_to_json", Args: args, T: t}, present, true, nil
}

// bindWholeRow binds n, a bare range name used as a value (`SELECT t FROM
// t`), as the record of the range's columns, NULL on the rows an outer
// join adds for it; whole is false when n names no range of sc.
func (b *binder) bindWholeRow(n *pg_query.Node, sc *scope, agg *aggState) (e logical.Expr, whole bool, err error) {
	cols, refs, present, whole, err := b.wholeRowRefs(n, sc, agg)
	if !whole || err != nil {
		return nil, whole, err
	}
	var oid uint32
	if len(cols) > 0 {
		oid = cols[0].rowType
	}
	return nullWhenAbsent(&logical.Func{Name: expr.RowFunc, Args: refs, T: recordOf(refs, oid)}, present), true, nil
}

// recordOf is the type of the record of fields, of composite type oid
// (0: an anonymous record).
func recordOf(fields []logical.Expr, oid uint32) sqltypes.Type {
	types := make([]sqltypes.Type, len(fields))
	for i, f := range fields {
		types[i] = f.Type()
	}
	return sqltypes.RecordOf(types, oid)
}

// wholeRowRefs binds the columns of the range n names as a whole row (see
// wholeRowRange), each as a reference t.c would be: a column the user
// may not read is 42501, as PostgreSQL's column privileges make reading
// the whole row, and a masked column is read masked.
func (b *binder) wholeRowRefs(n *pg_query.Node, sc *scope, agg *aggState) (cols []scopeCol, refs []logical.Expr, present logical.Expr, whole bool, err error) {
	rs, table := wholeRowRange(n, sc, false)
	if rs == nil {
		return nil, nil, nil, false, nil
	}
	loc := int(n.GetColumnRef().Location)
	if cols, err = rs.rangeColumns(table, loc); err != nil {
		return nil, nil, nil, true, err
	}
	if present, err = b.rowPresence(rs, table, sc, agg, loc); err != nil {
		return nil, nil, nil, true, err
	}
	for _, c := range cols {
		ref, err := b.bindExpr(&pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
			Fields: []*pg_query.Node{pg_query.MakeStrNode(table), pg_query.MakeStrNode(c.name)}, Location: int32(loc)}}}, sc, agg)
		if err != nil {
			return nil, nil, nil, true, err
		}
		refs = append(refs, ref)
	}
	return cols, refs, present, true, nil
}

// wholeRowRange returns the scope, sc or an enclosing one, holding the
// nearest range n names when n is `t.*` or (unless starOnly) a bare `t`
// that no column of any level is called: PostgreSQL tries a bare name as a
// column first, in every enclosing query, before as a range. s is nil for
// anything else.
func wholeRowRange(n *pg_query.Node, sc *scope, starOnly bool) (s *scope, name string) {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) == 0 || len(cr.Fields) > 2 {
		return nil, ""
	}
	name = cr.Fields[0].GetString_().GetSval()
	star := len(cr.Fields) == 2 && cr.Fields[1].GetAStar() != nil
	if name == "" || len(cr.Fields) == 2 && !star || starOnly && !star {
		return nil, ""
	}
	for s := sc; s != nil && !star; s = s.parent {
		if s.hasColumn("", name) {
			return nil, ""
		}
	}
	for s := sc; s != nil; s = s.parent {
		if s.hasTable(name) {
			if _, scalar := s.scalarRange(name); scalar {
				// Its whole row is a column's value (scopeCol.scalar).
				return nil, ""
			}
			return s, name
		}
	}
	return nil, ""
}

// rowJSONCall finishes row_to_json(t [, pretty]), to_json(t) and
// to_jsonb(t) over row, the bound row object.
func (b *binder) rowJSONCall(name string, row logical.Expr, fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	f := row.(*logical.Func)
	switch {
	case name == "row_to_json" && len(fc.Args) == 2:
		pretty, err := b.bindExpr(fc.Args[1], sc, agg)
		if err != nil {
			return nil, err
		}
		if pretty, err = b.coerce(pretty, sqltypes.TypeBool); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
		c, ok := pretty.(*logical.Const)
		if !ok || c.V == nil {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "row_to_json's pretty flag must be a constant"), loc)
		}
		if c.V.(bool) {
			f.Name = "row_to_json_pretty"
		}
	case len(fc.Args) != 1:
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s with %d arguments does not exist", name, len(fc.Args)), loc)
	}
	if name == "to_jsonb" {
		return &logical.Cast{E: f, T: sqltypes.TypeJSONB}, nil
	}
	return f, nil
}

// A range an outer join null-extends gives PostgreSQL's whole-row value
// NULL on the rows the join added, while its columns are NULL on those
// rows and on a row of its own that holds only NULLs: row_to_json(o) and
// count(o.*) over `c LEFT JOIN o` tell the two apart. Such a range gets a
// presence column, a constant TRUE computed below the join, which the
// join turns NULL with the rest of the range; whole-row references read
// it. Only ranges whose name the statement uses as a whole-row reference
// get one.

// noteWholeRowNames adds the names stmt may use as whole-row references
// to b.wholeRowNames: `t.*`, and every bare name (a column or a range).
func (b *binder) noteWholeRowNames(stmt *pg_query.Node) {
	if b.wholeRowNames == nil {
		b.wholeRowNames = map[string]bool{}
	}
	var visit func(n *pg_query.Node)
	visit = func(n *pg_query.Node) {
		if cr := n.GetColumnRef(); cr != nil {
			star := len(cr.Fields) == 2 && cr.Fields[1].GetAStar() != nil
			if len(cr.Fields) == 1 || star {
				if name := cr.Fields[0].GetString_().GetSval(); name != "" {
					b.wholeRowNames[name] = true
				}
			}
			return
		}
		walkChildren(n, visit)
	}
	visit(stmt)
}

// markRanges gives side's ranges that the statement reads as whole rows,
// and that have no presence column yet, one (shared: the join extends
// all of side's ranges at once). An inner range that already has one keeps
// it, as whatever null-extends side null-extends it too.
func (b *binder) markRanges(side *relation) {
	b.markRangesBy(side, &logical.Const{T: sqltypes.TypeBool, V: true})
}

// markRangesBy is markRanges with the presence column computed by present:
// TRUE, or NULL on the rows side itself adds for a join (a function's
// row without elements, outerFunction).
func (b *binder) markRangesBy(side *relation, present logical.Expr) {
	names := b.unmarkedWholeRows(side.scope.cols)
	if len(names) == 0 {
		return
	}
	id := b.meta.NewColumn("present", "", sqltypes.TypeBool)
	side.node = b.withColumn(side.node, id, present)
	addMarkers(side.scope, names, id)
}

// markRangesAt gives the ranges of cols that the statement reads as whole
// rows the presence column id, a column of sc's plan already: the matched
// marker of a LEFT JOIN LATERAL planned per outer row, NULL on the rows
// it pads.
func (b *binder) markRangesAt(sc *scope, cols []scopeCol, id logical.ColumnID) {
	addMarkers(sc, b.unmarkedWholeRows(cols), id)
}

// unmarkedWholeRows returns the ranges of cols read as whole rows that
// have no presence column yet.
func (b *binder) unmarkedWholeRows(cols []scopeCol) []string {
	var names []string
	marked := map[string]bool{}
	for _, c := range cols {
		if c.marker {
			marked[c.table] = true
		}
	}
	for _, c := range cols {
		if c.table != "" && b.wholeRowNames[c.table] && !marked[c.table] {
			names = append(names, c.table)
			marked[c.table] = true
		}
	}
	return names
}

func addMarkers(sc *scope, names []string, id logical.ColumnID) {
	for _, name := range names {
		sc.add(scopeCol{table: name, name: wholeRowMarker, id: id, t: sqltypes.TypeBool, hidden: true, qualifiedOnly: true, marker: true})
	}
}

// rowPresence returns the presence column of the range table of rs bound
// in sc (an outer reference when rs is an enclosing scope), or nil when
// no outer join null-extends the range.
func (b *binder) rowPresence(rs *scope, table string, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	for _, c := range rs.cols {
		if c.marker && c.table == table {
			e, err := b.bindExpr(&pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
				Fields: []*pg_query.Node{pg_query.MakeStrNode(table), pg_query.MakeStrNode(wholeRowMarker)}, Location: int32(loc)}}}, sc, agg)
			if ref, ok := e.(*logical.ColRef); ok {
				// Errors name it as PostgreSQL names the whole row.
				named := *ref
				named.Name = table + ".*"
				e = &named
			}
			return e, err
		}
	}
	return nil, nil
}

// nullWhenAbsent makes e NULL on the rows where present (nil: always
// there) is NULL.
func nullWhenAbsent(e, present logical.Expr) logical.Expr {
	if present == nil {
		return e
	}
	there := &logical.Unary{Op: logical.OpIsNotNull, E: present, T: sqltypes.TypeBool}
	return &logical.Case{Whens: []logical.When{{Cond: there, Then: e}}, T: e.Type()}
}
