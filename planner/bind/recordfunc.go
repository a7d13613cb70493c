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
// ...) in FROM: the list of each document's objects, each as the text[]
// of the declared columns' fields (expr.JSONRecordRowsFunc, which splits
// a document once for all its columns), unnested over each row of base
// (implicit LATERAL) like json_each; a projection above reads each field
// (expr.JSONRecordFieldFunc) cast to its column's type. _to_record of a
// NULL document is one row of NULLs, as in PostgreSQL (its object is
// then empty).
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
	rows := &logical.Func{Name: expr.JSONRecordRowsFunc(name), Args: []logical.Expr{doc}, T: expr.JSONRecordRowsType}
	fieldsType := *expr.JSONRecordRowsType.Elem
	fields := b.meta.NewColumn("?fields?", alias, fieldsType)
	u := &logical.Unnest{Input: base.node, Lists: []logical.Expr{rows}, Cols: []logical.ColumnID{fields}}
	// The projection passes base's columns on and drops the fields.
	p := &logical.Project{Input: u}
	for _, id := range base.node.Output() {
		p.Exprs, p.Cols = append(p.Exprs, b.colRef(id)), append(p.Cols, id)
	}
	sc := &scope{parent: outer}
	if left != nil {
		sc.cols = append(sc.cols, left.scope.cols...)
	}
	seen := map[string]bool{}
	for k, n := range rf.Coldeflist {
		cd := n.GetColumnDef()
		if seen[cd.Colname] {
			return nil, errAt(sqltypes.New(sqltypes.CodeDuplicateColumn, "column name \"%s\" specified more than once", cd.Colname), int(cd.Location))
		}
		seen[cd.Colname] = true
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
		rows.Args = append(rows.Args, &logical.Const{T: sqltypes.TypeText, V: cd.Colname}, &logical.Const{T: sqltypes.TypeBool, V: raw})
		var field logical.Expr = &logical.Func{Name: expr.JSONRecordFieldFunc(name),
			Args: []logical.Expr{&logical.ColRef{ID: fields, Name: "?fields?", T: fieldsType}, &logical.Const{T: sqltypes.TypeInt4, V: int32(k)}, &logical.Const{T: sqltypes.TypeBool, V: raw}},
			T:    elem}
		switch {
		case (t.Kind == sqltypes.Varchar || t.Kind == sqltypes.Bpchar) && t.Precision > 0:
			// PostgreSQL reads a field through the type's input function:
			// a longer string is 22001, not cut as a cast would.
			field = &logical.Func{Name: expr.AssignCastFunc, Args: []logical.Expr{field}, T: t}
		case !t.Equal(elem):
			if field, err = b.coerce(field, t); err != nil {
				return nil, errAt(sqltypes.AsError(err), int(cd.Location))
			}
		}
		if field, err = roundToTypmod(field, cd.TypeName); err != nil {
			return nil, err
		}
		id := b.meta.NewColumn(cd.Colname, alias, t)
		p.Exprs, p.Cols = append(p.Exprs, field), append(p.Cols, id)
		sc.add(scopeCol{table: alias, name: cd.Colname, id: id, t: t})
	}
	return &relation{node: p, scope: sc}, nil
}
