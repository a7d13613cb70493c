package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// maxArrayElems is PostgreSQL's MaxArraySize: arrays hold at most this
// many elements (54000 beyond).
const maxArrayElems = 134217727

// buildArrayFill is array_fill(value, dims int[] [, lbounds int[]]): an
// array of the dimensions dims holding value everywhere (NULL too). The
// number of dimensions is that of a constant dims, else 1; a row whose
// dims has another number of dimensions is 0A000, as is a lower bound
// other than 1 (meshql's arrays start at 1).
func buildArrayFill(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	intArray := sqltypes.ListOf(sqltypes.TypeInt4)
	for _, a := range args[1:] {
		if !a.Type().Equal(intArray) {
			return nil, functionError(name, args)
		}
	}
	vt := args[0].Type()
	if vt.Kind == sqltypes.List {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "array_fill of an array is not supported")
	}
	ndims := 1
	if v, ok := IsLiteral(args[1]); ok {
		if d, ok := v.([]any); ok && len(d) > 0 {
			ndims = len(d)
		}
	}
	rt := sqltypes.ArrayOf(vt, ndims)
	return &callExpr{name: name, args: args, t: rt, kc: func(ctx context.Context, env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		g := newGenLimit(ctx, env, name)
		defer g.release()
		b := array.NewBuilder(env.Mem, rt.Arrow())
		defer b.Release()
		dims := in[1].(*array.List)
		for i := 0; i < n; i++ {
			shape, err := arrayFillShape(in, dims, i, ndims)
			if err != nil {
				return nil, err
			}
			total := int64(1)
			for _, d := range shape {
				total *= int64(d)
			}
			if err := g.need(total * 8); err != nil {
				return nil, err
			}
			fillArray(b, vt, datumAt(in[0], vt, i), shape)
		}
		return b.NewArray(), nil
	}}, nil
}

// arrayFillShape reads row i's dimensions (one per level of the result;
// all zero for an empty array) and checks its lower bounds.
func arrayFillShape(in []arrow.Array, dims *array.List, i, ndims int) ([]int32, error) {
	errNull := sqltypes.New(sqltypes.CodeNullValueNotAllowed, "dimension array or low bound array cannot be null")
	if dims.IsNull(i) || len(in) > 2 && in[2].IsNull(i) {
		return nil, errNull
	}
	vals := dims.ListValues().(*array.Int32)
	s, e := dims.ValueOffsets(i)
	shape := make([]int32, ndims)
	total := int64(1)
	for j := s; j < e; j++ {
		if vals.IsNull(int(j)) {
			return nil, sqltypes.New(sqltypes.CodeNullValueNotAllowed, "dimension values cannot be null")
		}
		d := vals.Value(int(j))
		if total *= int64(d); d < 0 || total > maxArrayElems {
			return nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "array size exceeds the maximum allowed (%d)", maxArrayElems)
		}
	}
	if len(in) > 2 {
		lb := in[2].(*array.List)
		ls, le := lb.ValueOffsets(i)
		if le-ls != e-s {
			return nil, sqltypes.New(sqltypes.CodeArraySubscriptError, "wrong number of array subscripts").
				WithDetail("Low bound array has different size than dimensions array.")
		}
		lv := lb.ListValues().(*array.Int32)
		for j := ls; j < le; j++ {
			if lv.IsNull(int(j)) || lv.Value(int(j)) != 1 {
				return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "array_fill with lower bounds other than 1 is not supported")
			}
		}
	}
	if e == s || total == 0 {
		return shape, nil // an empty array, whatever its declared dimensions
	}
	if int(e-s) != ndims {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "array_fill with a dimension array of %d elements where %d were planned is not supported", e-s, ndims).
			WithHint("Give the dimensions as a constant array.")
	}
	for j := range shape {
		shape[j] = vals.Value(int(s) + j)
	}
	return shape, nil
}

// fillArray appends one array of the given shape holding v everywhere.
func fillArray(b array.Builder, t sqltypes.Type, v sqltypes.Datum, shape []int32) {
	lb := b.(*array.ListBuilder)
	lb.Append(true)
	if len(shape) == 0 || shape[0] == 0 {
		return
	}
	if len(shape) == 1 {
		vb := lb.ValueBuilder()
		for range shape[0] {
			appendDatum(vb, t, v)
		}
		return
	}
	for range shape[0] {
		fillArray(lb.ValueBuilder(), t, v, shape[1:])
	}
}
