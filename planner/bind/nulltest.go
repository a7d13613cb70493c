package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindNullTest binds x IS [NOT] NULL. Over a row value — ROW(a, b), a
// whole-row reference t or t.*, a record such as json_each(j) — it is
// PostgreSQL's test of every field: IS NULL when all are NULL, IS NOT
// NULL when none is (so a row can be neither), both for a row of no field.
func (b *binder) bindNullTest(nt *pg_query.NullTest, sc *scope, agg *aggState) (logical.Expr, error) {
	op := logical.OpIsNull
	if nt.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL {
		op = logical.OpIsNotNull
	}
	if e, ok, err := b.rowSubqueryNullTest(nt, sc, agg); ok || err != nil {
		return e, err
	}
	fields, isRow, err := b.rowFields(nt.Arg, sc, agg)
	if err != nil {
		return nil, err
	}
	if !isRow {
		e, err := b.bindNullTestArg(nt.Arg, sc, agg)
		if err != nil {
			return nil, err
		}
		f, isRecord := e.(*logical.Func)
		if !isRecord || f.Name != expr.RecordFunc {
			return &logical.Unary{Op: op, E: e, T: sqltypes.TypeBool}, nil
		}
		fields = f.Args
	}
	if len(fields) == 0 {
		return &logical.Const{T: sqltypes.TypeBool, V: true}, nil // vacuously both
	}
	tests := make([]logical.Expr, len(fields))
	for i, f := range fields {
		tests[i] = &logical.Unary{Op: op, E: f, T: sqltypes.TypeBool}
	}
	return logical.And(tests), nil
}

// rowFields binds the fields of n when n is a row constructor (a t.*
// inside it standing for t's columns) or a whole-row reference; isRow is
// false for anything else.
func (b *binder) rowFields(n *pg_query.Node, sc *scope, agg *aggState) (fields []logical.Expr, isRow bool, err error) {
	row := n.GetRowExpr()
	if row == nil {
		return b.wholeRowColumns(n, sc, false)
	}
	for _, a := range row.Args {
		cols, star, err := b.wholeRowColumns(a, sc, true)
		if err != nil {
			return nil, true, err
		}
		if star {
			fields = append(fields, cols...)
			continue
		}
		e, err := b.bindNullTestArg(a, sc, agg)
		if err != nil {
			return nil, true, err
		}
		fields = append(fields, e)
	}
	return fields, true, nil
}

// wholeRowColumns returns the columns of the range n names when n is
// `t.*` or (unless starOnly) a bare `t` that no column is called: the
// nearest range of that name, in an enclosing query's scope too (a
// correlated `o IS NULL`). A column the session may not read is 42501,
// as a whole-row reference reads every column.
func (b *binder) wholeRowColumns(n *pg_query.Node, sc *scope, starOnly bool) ([]logical.Expr, bool, error) {
	s, name := wholeRowRange(n, sc, starOnly)
	if s == nil {
		return nil, false, nil
	}
	cols, err := s.rangeColumns(name, int(n.GetColumnRef().Location))
	if err != nil {
		return nil, true, err
	}
	refs := make([]logical.Expr, len(cols))
	for i, c := range cols {
		c.sec.read()
		refs[i] = &logical.ColRef{ID: c.id, Name: c.name, T: c.t}
	}
	return refs, true, nil
}

// rowSubqueryNullTest binds (SELECT ROW(a, b) ...) IS [NOT] NULL, and the
// same over a whole-row reference (SELECT t FROM t ...), which meshql has
// no record value for: the test moves into the subquery's select list,
// and a subquery without a row is a NULL row (IS NULL true, IS NOT NULL
// false). ok is false for other forms, and for a subquery whose select
// list an ordinal, an alias or DISTINCT refers to.
func (b *binder) rowSubqueryNullTest(nt *pg_query.NullTest, sc *scope, agg *aggState) (logical.Expr, bool, error) {
	sl := nt.Arg.GetSubLink()
	if sl == nil || sl.SubLinkType != pg_query.SubLinkType_EXPR_SUBLINK {
		return nil, false, nil
	}
	sel := sl.Subselect.GetSelectStmt()
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.TargetList) != 1 || len(sel.DistinctClause) > 0 {
		return nil, false, nil
	}
	rt := sel.TargetList[0].GetResTarget()
	if rt == nil || rt.Name != "" || rt.Val.GetRowExpr() == nil && !isWholeRowCandidate(rt.Val) {
		return nil, false, nil
	}
	for _, n := range sel.GroupClause {
		if n.GetAConst() != nil {
			return nil, false, nil
		}
	}
	for _, n := range sel.SortClause {
		if n.GetSortBy().GetNode().GetAConst() != nil {
			return nil, false, nil
		}
	}
	out := proto.Clone(sl).(*pg_query.SubLink)
	inner := out.Subselect.GetSelectStmt().TargetList[0].GetResTarget()
	inner.Val = &pg_query.Node{Node: &pg_query.Node_NullTest{NullTest: &pg_query.NullTest{Arg: inner.Val, Nulltesttype: nt.Nulltesttype, Location: nt.Location}}}
	e, err := b.bindSubLink(out, sc, agg)
	if err != nil {
		return nil, true, err
	}
	none := &logical.Const{T: sqltypes.TypeBool, V: nt.Nulltesttype == pg_query.NullTestType_IS_NULL}
	return &logical.Func{Name: "coalesce", Args: []logical.Expr{e, none}, T: sqltypes.TypeBool}, true, nil
}

// isWholeRowCandidate reports whether n may be a whole-row reference: a
// bare name (which may also be a column, whose IS NULL means the same
// inside the subquery as outside). A t.* in a select list is t's columns.
func isWholeRowCandidate(n *pg_query.Node) bool {
	cr := n.GetColumnRef()
	return cr != nil && len(cr.Fields) == 1 && cr.Fields[0].GetString_() != nil
}
