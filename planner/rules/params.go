package rules

import (
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// SubstituteParams replaces every $n by the constant values[n-1]. A
// missing value is 08P01-style protocol misuse, reported as 22023.
func SubstituteParams(n logical.Node, values []sqltypes.Datum) (logical.Node, error) {
	var missing int
	out, err := logical.Transform(n, func(n logical.Node) (logical.Node, error) {
		return logical.MapExprs(n, func(e logical.Expr) logical.Expr {
			return logical.Rewrite(e, func(x logical.Expr) logical.Expr {
				if p, ok := x.(*logical.Param); ok {
					if p.Index > len(values) {
						missing = p.Index
						return x
					}
					return &logical.Const{T: p.T, V: values[p.Index-1]}
				}
				return x
			})
		}), nil
	})
	if err != nil {
		return nil, err
	}
	if missing > 0 {
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "no value supplied for parameter $%d", missing)
	}
	return out, nil
}
