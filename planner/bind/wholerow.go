package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// Whole-row references (a range's name used as a value, `t` or `t.*`)
// are bound where PostgreSQL's JSON functions take a row: row_to_json(t),
// to_json(t), to_jsonb(t), json_agg(t) and jsonb_agg(t). meshql has no
// record type; the row becomes the JSON object its columns make, which is
// what those functions return for it.

// bindWholeRowJSON binds n as the JSON object of a range's columns when n
// names a range of sc rather than a column; whole is false otherwise.
func (b *binder) bindWholeRowJSON(n *pg_query.Node, sc *scope, agg *aggState) (e logical.Expr, whole bool, err error) {
	rs, table := wholeRowRange(n, sc, false)
	if rs == nil {
		return nil, false, nil
	}
	loc := int(n.GetColumnRef().Location)
	cols, err := rs.rangeColumns(table, loc)
	if err != nil {
		return nil, true, err
	}
	var args []logical.Expr
	for _, c := range cols {
		ref, err := b.bindExpr(&pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
			Fields: []*pg_query.Node{pg_query.MakeStrNode(table), pg_query.MakeStrNode(c.name)}, Location: int32(loc)}}}, sc, agg)
		if err != nil {
			return nil, true, err
		}
		args = append(args, &logical.Const{T: sqltypes.TypeText, V: c.name}, ref)
	}
	t, err := funcType("row_to_json", args)
	if err != nil {
		return nil, true, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: "row_to_json", Args: args, T: t}, true, nil
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
