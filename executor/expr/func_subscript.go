package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildArrayElement is the subscript arr[i] (the binder turns A_Indirection
// into array_element(arr, i)): the i-th element, counting from 1, of a
// one-dimensional array; NULL when i is out of range or either side is
// NULL, as in PostgreSQL.
func buildArrayElement(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	i := coerceTo(args[1], sqltypes.TypeInt4)
	if !isList(args[0]) || i.Type().Kind != sqltypes.Int4 {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: []Expr{args[0], i}, t: *args[0].Type().Elem, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		l, ok := in[0].(*array.List)
		if !ok {
			return nil, internalErr("%s of %s", name, in[0].DataType())
		}
		at := values[int32](in[1])
		// The position of each row's element in the flat values; NULL
		// where there is none.
		idx, err := mapRows(env.Mem, arrow.PrimitiveTypes.Int64, n, in, func(r int) (int64, bool, error) {
			s, e := l.ValueOffsets(r)
			k := int64(at[r])
			if k < 1 || k > e-s {
				return 0, true, nil
			}
			return s + k - 1, false, nil
		})
		if err != nil {
			return nil, err
		}
		defer idx.Release()
		out, err := compute.TakeArray(compute.WithAllocator(context.Background(), env.Mem), l.ListValues(), idx)
		if err != nil {
			return nil, internalErr("%s: %v", name, err)
		}
		return out, nil
	}}, nil
}
