package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindToNumber binds to_number(text, format) as the cast to numeric of
// the number it reads as text (expr.ToNumberTextFunc): numeric input then
// gives each value the scale it was read with, as PostgreSQL's
// numeric_to_number does through numeric_in. The static scale is the
// format's digits after the point when the format is a constant.
func (b *binder) bindToNumber(fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	text, err := b.bindScalarCall(expr.ToNumberTextFunc, fc, sc, agg)
	if err != nil {
		return nil, err
	}
	t := sqltypes.NumericType(0, 0)
	if f, ok := text.(*logical.Func).Args[1].(*logical.Const); ok && f.V != nil {
		if s, ok := expr.ToNumberScale(f.V.(string)); ok {
			t = sqltypes.NumericType(0, s)
		}
	}
	rt, err := castType(sqltypes.TypeText, t)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Cast{E: text, T: rt}, nil
}
