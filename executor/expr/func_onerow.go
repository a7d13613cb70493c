package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// OneRowFunc is the binder's check that a scalar subquery evaluated for
// many outer rows at once yields at most one row for each: its argument
// is the count of an outer row's rows, and a count over one fails with
// 21000 as a single join does. It is TRUE otherwise (NULL for NULL).
// Users cannot call it.
const OneRowFunc = "mesh_one_row"

func buildOneRow(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	a := coerceTo(args[0], sqltypes.TypeInt8)
	if !a.Type().Equal(sqltypes.TypeInt8) {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: []Expr{a}, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		counts := in[0].(*array.Int64)
		bld := array.NewBooleanBuilder(env.Mem)
		defer bld.Release()
		bld.Reserve(n)
		for i := 0; i < n; i++ {
			if !counts.IsValid(i) {
				bld.AppendNull()
				continue
			}
			if counts.Value(i) > 1 {
				return nil, sqltypes.New(sqltypes.CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
			bld.Append(true)
		}
		return bld.NewArray(), nil
	}}, nil
}
