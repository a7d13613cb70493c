package physical

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
)

// lowerExtra lowers the operator expressions of logical/expr_extra.go;
// args are e's children, already lowered. handled is false for any other
// expression. lowerExpr calls it for types its own switch does not know.
func lowerExtra(e logical.Expr, args []expr.Expr) (expr.Expr, bool, error) {
	var (
		out expr.Expr
		err error
	)
	switch x := e.(type) {
	case *logical.AnyArray:
		if x.Like != nil {
			out, err = expr.AnyLike(args[0], args[1], x.Like.Negated, x.Like.ILike, x.All)
			break
		}
		if x.Cmp != nil {
			var cmp expr.Expr
			if cmp, err = lowerExpr(x.Cmp, layout{x.LID: 0, x.EID: 1}); err == nil {
				out, err = expr.AnyOperator(x.Name, cmp, args[0], args[1], x.All)
			}
			break
		}
		out, err = expr.AnyArray(x.Op, args[0], args[1], x.All)
	case *logical.Regex:
		out, err = expr.RegexMatch(args[0], args[1], x.CI, x.Negated)
	case *logical.Similar:
		out, err = expr.SimilarTo(args[0], args[1], x.Negated)
	case *logical.JSONGet:
		if x.Path {
			out, err = expr.JSONPath(args[0], args[1], x.AsText)
		} else {
			out, err = expr.JSONGet(args[0], args[1], x.AsText)
		}
	default:
		return nil, false, nil
	}
	return out, true, err
}
