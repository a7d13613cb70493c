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
	table, ok := wholeRowName(n, sc)
	if !ok {
		return nil, false, nil
	}
	loc := int(n.GetColumnRef().Location)
	cols, err := sc.rangeColumns(table, loc)
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

// wholeRowName is the range n names when n is `t` or `t.*` for a range t
// of sc, and no column of sc is called t (a column takes precedence).
func wholeRowName(n *pg_query.Node, sc *scope) (string, bool) {
	cr := n.GetColumnRef()
	if cr == nil || len(cr.Fields) == 0 || len(cr.Fields) > 2 {
		return "", false
	}
	name := cr.Fields[0].GetString_().GetSval()
	if name == "" {
		return "", false
	}
	if len(cr.Fields) == 2 {
		if cr.Fields[1].GetAStar() == nil {
			return "", false
		}
	} else {
		for s := sc; s != nil; s = s.parent {
			for _, c := range s.cols {
				if c.name == name && !c.qualifiedOnly {
					return "", false
				}
			}
		}
	}
	if !sc.hasTable(name) {
		return "", false
	}
	return name, true
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
