package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// regTypeText binds x::regtype::text (and ::varchar), which clients write
// to learn a type's name (psycopg 3's TypeInfo: oid::regtype::text).
// meshql's reg* values are plain ids, so the cast to text would print the
// number; PostgreSQL's regtype output is format_type(x, NULL), or the
// number for an id that names no type. ok is false for other casts.
func (b *binder) regTypeText(arg *pg_query.Node, t sqltypes.Type, loc int, sc *scope, agg *aggState) (logical.Expr, bool, error) {
	inner := arg.GetTypeCast()
	if inner == nil || (t.Kind != sqltypes.Text && t.Kind != sqltypes.Varchar) {
		return nil, false, nil
	}
	kind := regKind(inner.TypeName)
	if kind == "regclass" && b.opts.Action != nil {
		// x::regclass::text: PostgreSQL's regclassout, the relation's
		// name as the session sees it (psql and tools print
		// oid::regclass::text), which the engine looks up as the
		// statement runs.
		if _, _, ok := b.opts.Action("regclassout", 1); ok {
			id, err := b.bindPlainCast(inner, sc, agg)
			if err != nil {
				return nil, true, err
			}
			name := logical.Expr(&logical.Func{Name: "regclassout", Args: []logical.Expr{id}, T: sqltypes.TypeText})
			if t.Kind != sqltypes.Text {
				if name, err = b.castBound(name, t, "", loc); err != nil {
					return nil, true, err
				}
			}
			return name, true, nil
		}
	}
	if kind != "regtype" {
		return nil, false, nil
	}
	id, err := b.bindPlainCast(inner, sc, agg)
	if err != nil {
		return nil, true, err
	}
	number, err := b.castBound(id, t, "", loc)
	if err != nil {
		return nil, true, err
	}
	name := &logical.Func{Name: "format_type", Args: []logical.Expr{id, &logical.Const{T: sqltypes.TypeInt4}}, T: sqltypes.TypeText}
	unknown := &logical.Binary{Op: expr.OpEq, L: name, R: &logical.Const{T: sqltypes.TypeText, V: "???"}, T: sqltypes.TypeBool}
	return &logical.Case{T: t, Whens: []logical.When{{Cond: unknown, Then: number}}, Else: name}, true, nil
}
