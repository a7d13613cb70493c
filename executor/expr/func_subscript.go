package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildArrayElement is the subscript arr[i] or arr[i][j]… (the binder
// turns A_Indirection into array_element(arr, i, j, …), one subscript per
// dimension): the element at those positions, counting from 1; NULL when
// one is out of range or NULL, or the array is NULL, as in PostgreSQL.
func buildArrayElement(name string, args []Expr) (Expr, error) {
	if !isList(args[0]) {
		return nil, functionError(name, args)
	}
	t := args[0].Type()
	nd := t.Ndims()
	if err := wantArgs(name, args, nd+1, nd+1); err != nil {
		return nil, err
	}
	subs, err := coerceArgs(name, args[1:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append([]Expr{args[0]}, subs...), t: t.Leaf(), k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		levels, ok := sqltypes.ArrayLevels(in[0], nd)
		if !ok {
			return nil, internalErr("%s of %s", name, in[0].DataType())
		}
		at := make([][]int32, nd)
		for k := range at {
			at[k] = values[int32](in[k+1])
		}
		// The position of each row's element in the innermost values;
		// NULL where there is none.
		idx, err := mapRows(env.Mem, arrow.PrimitiveTypes.Int64, n, in, func(r int) (int64, bool, error) {
			pos := int64(r)
			for k, l := range levels {
				s, e := l.ValueOffsets(int(pos))
				i := int64(at[k][r])
				if i < 1 || i > e-s {
					return 0, true, nil
				}
				pos = s + i - 1
			}
			return pos, false, nil
		})
		if err != nil {
			return nil, err
		}
		defer idx.Release()
		out, err := takeArray(compute.WithAllocator(context.Background(), env.Mem), levels[nd-1].ListValues(), idx)
		if err != nil {
			return nil, internalErr("%s: %v", name, err)
		}
		return out, nil
	}}, nil
}
