package rules

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// ConstEvaluator evaluates an expression that reads no columns.
type ConstEvaluator func(e logical.Expr) (sqltypes.Datum, error)

// FoldConstants replaces column-free subexpressions by their values. An
// expression whose evaluation fails is left alone, so that the error (if
// the row that would raise it is ever reached) happens at run time, as in
// PostgreSQL: `CASE WHEN false THEN 1/0 END` must not fail.
func FoldConstants(n logical.Node, eval ConstEvaluator) (logical.Node, error) {
	return logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		return logical.MapExprs(n, func(e logical.Expr) logical.Expr { return FoldExpr(e, eval) }), nil
	})
}

// FoldExpr folds one expression.
func FoldExpr(e logical.Expr, eval ConstEvaluator) logical.Expr {
	return logical.Rewrite(e, func(x logical.Expr) logical.Expr {
		switch x.(type) {
		case *logical.Const, *logical.ColRef, *logical.Param:
			return x
		}
		if x.Type().VarScale {
			// A literal has one scale; the value keeps its own.
			return x
		}
		switch f := x.(type) {
		case *logical.Func:
			// A series can be any length: folding generate_series(1,
			// 3000000) built the whole array while planning, where no
			// cancel or timeout reaches, and printed it in EXPLAIN.
			if f.Name == "generate_series" || f.Name == "generate_series_array" || expr.IsVolatile(f.Name) {
				return x
			}
		}
		for _, c := range x.Children() {
			if _, ok := c.(*logical.Const); !ok {
				return x
			}
		}
		v, err := eval(x)
		if err != nil {
			return x
		}
		return &logical.Const{T: x.Type(), V: v}
	})
}
