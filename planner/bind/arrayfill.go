package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// bindArrayFill binds array_fill(value, dims [, lbounds]). The value's
// type must be known (42804 for an untyped literal, as PostgreSQL's
// polymorphic resolution answers); untyped dims and lbounds are int[].
// The result's number of dimensions is the length of dims when that is
// known while planning (ARRAY[2, 3] or '{2,3}'), so the call is typed
// from a stand-in constant of that length.
func (b *binder) bindArrayFill(fc *pg_query.FuncCall, sc *scope, agg *aggState, loc int) (logical.Expr, error) {
	args, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	if len(args) > 0 && args[0].Type().Kind == sqltypes.Unknown {
		return nil, sqltypes.New(sqltypes.CodeDatatypeMismatch, "could not determine polymorphic type because input has type unknown") // PostgreSQL gives no position
	}
	probe := make([]logical.Expr, len(args))
	for i, a := range args {
		if i > 0 && a.Type().Kind == sqltypes.Unknown {
			if args[i], err = b.coerce(a, sqltypes.ListOf(sqltypes.TypeInt4)); err != nil {
				return nil, err
			}
		}
		probe[i] = args[i]
	}
	if len(args) > 1 {
		if arr, ok := args[1].(*logical.Array); ok {
			probe[1] = &logical.Const{T: arr.T, V: make([]any, len(arr.Elems))}
		}
	}
	rt, err := funcType("array_fill", probe)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: "array_fill", Args: args, T: rt}, nil
}
