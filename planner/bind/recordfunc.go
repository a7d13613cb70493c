package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// isRecordFunction reports whether name returns "record" rows whose
// columns the query declares: FROM json_to_recordset(j) AS t(a int, b text).
func isRecordFunction(name string) bool {
	switch name {
	case "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset":
		return true
	}
	return false
}

// bindRecordFunction binds json(b)_to_record[set](doc) AS alias(col type,
// ...) in FROM: one list per declared column (expr.JSONRecordFieldFunc),
// cast to the column's type, unnested in lockstep over each row of base
// (implicit LATERAL) like json_each. _to_record of a NULL document is one
// row of NULLs, as in PostgreSQL (its object is then empty).
func (b *binder) bindRecordFunction(rf *pg_query.RangeFunction, fc *pg_query.FuncCall, base, left *relation, outer *scope) (*relation, error) {
	name, loc := funcName(fc), int(fc.Location)
	if len(rf.Coldeflist) == 0 {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "a column definition list is required for functions returning \"record\""), loc)
	}
	if rf.Ordinality {
		return nil, errAt(sqltypes.New(sqltypes.CodeSyntaxError, "WITH ORDINALITY cannot be used with a column definition list").
			WithHint("Put the column definition list inside ROWS FROM()."), loc)
	}
	if len(fc.Args) != 1 {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s takes one argument", name), loc)
	}
	doc, err := b.bindExpr(fc.Args[0], base.scope, nil)
	if err != nil {
		return nil, err
	}
	docType := expr.JSONSetArgType(name)
	if doc.Type().Kind == sqltypes.Unknown {
		if doc, err = b.coerce(doc, docType); err != nil {
			return nil, errAt(sqltypes.AsError(err), location(fc.Args[0]))
		}
	}
	if doc.Type().Kind != docType.Kind {
		return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "function %s(%s) does not exist", name, doc.Type()).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts."), loc)
	}
	if name == "json_to_record" || name == "jsonb_to_record" {
		doc = &logical.Func{Name: "coalesce", Args: []logical.Expr{doc, &logical.Const{T: docType, V: "{}"}}, T: docType}
	}
	alias := name
	if rf.Alias != nil {
		alias = rf.Alias.Aliasname
	}
	u := &logical.Unnest{Input: base.node}
	sc := &scope{parent: outer}
	if left != nil {
		sc.cols = append(sc.cols, left.scope.cols...)
	}
	for _, n := range rf.Coldeflist {
		cd := n.GetColumnDef()
		t, err := resolveTypeName(cd.TypeName)
		if err != nil {
			return nil, err
		}
		if t.Kind == sqltypes.List || t.Kind == sqltypes.Record {
			return nil, errAt(sqltypes.New(sqltypes.CodeFeatureNotSupported, "%s columns of type %s are not supported", name, t).
				WithHint("Declare the column as json or jsonb and read it with json functions."), int(cd.Location))
		}
		raw := t.Kind == sqltypes.JSON || t.Kind == sqltypes.JSONB
		elem := sqltypes.TypeText
		if raw {
			elem = sqltypes.TypeJSON
		}
		var list logical.Expr = &logical.Func{Name: expr.JSONRecordFieldFunc(name),
			Args: []logical.Expr{doc, &logical.Const{T: sqltypes.TypeText, V: cd.Colname}, &logical.Const{T: sqltypes.TypeBool, V: raw}},
			T:    sqltypes.ListOf(elem)}
		if !t.Equal(elem) {
			if list, err = b.coerce(list, sqltypes.ListOf(t)); err != nil {
				return nil, errAt(sqltypes.AsError(err), int(cd.Location))
			}
		}
		id := b.meta.NewColumn(cd.Colname, alias, t)
		u.Lists = append(u.Lists, list)
		u.Cols = append(u.Cols, id)
		sc.add(scopeCol{table: alias, name: cd.Colname, id: id, t: t})
	}
	return &relation{node: u, scope: sc}, nil
}
