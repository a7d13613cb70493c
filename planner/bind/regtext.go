package bind

import (
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// regOutput binds the cast of a reg* value e to text (or varchar), which
// clients write to learn an object's name (psql's oid::regclass::text,
// psycopg 3's oid::regtype::text): PostgreSQL's output function of the
// type (regclassout, regtypeout, …), the name as the session sees it,
// which the engine gives as the statement runs. Without the engine's
// action the id prints as its number.
func (b *binder) regOutput(e logical.Expr, t sqltypes.Type, loc int) (logical.Expr, error) {
	fn := e.Type().String() + "out"
	var name logical.Expr = &logical.Cast{E: &logical.Cast{E: e, T: sqltypes.TypeOid, Explicit: true}, T: sqltypes.TypeText, Explicit: true}
	if b.opts.Action != nil {
		if _, _, ok := b.opts.Action(fn, 1); ok {
			name = &logical.Func{Name: fn, Args: []logical.Expr{e}, T: sqltypes.TypeText}
		}
	}
	if t.Kind == sqltypes.Text {
		return name, nil
	}
	return b.castBound(name, t, "", loc)
}
