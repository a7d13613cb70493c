package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// maxSeries bounds one row's generate_series: the values are built as one
// array, so a typo must not exhaust memory.
const maxSeries = 10_000_000

// buildGenerateSeriesArray is generate_series(start, stop [, step]) over
// int4 or int8 as an array per row; the binder unnests it for
// generate_series in FROM. A NULL argument gives an empty series, as in
// PostgreSQL; a zero step is an error (22023).
func buildGenerateSeriesArray(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	t := args[0].Type()
	if t.Kind != sqltypes.Int4 && t.Kind != sqltypes.Int8 {
		return nil, functionError("generate_series", args)
	}
	for _, a := range args[1:] {
		if !a.Type().Equal(t) {
			return nil, functionError("generate_series", args)
		}
	}
	return &callExpr{name: name, args: args, t: sqltypes.ListOf(t), k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		lb := array.NewListBuilder(env.Mem, t.Arrow())
		defer lb.Release()
		at := func(a arrow.Array, i int) int64 {
			if t.Kind == sqltypes.Int4 {
				return int64(a.(*array.Int32).Value(i))
			}
			return a.(*array.Int64).Value(i)
		}
		for i := 0; i < n; i++ {
			lb.Append(true)
			step := int64(1)
			if len(in) == 3 && in[2].IsValid(i) {
				step = at(in[2], i)
			}
			if step == 0 {
				return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "step size cannot equal zero")
			}
			if in[0].IsNull(i) || in[1].IsNull(i) || (len(in) == 3 && in[2].IsNull(i)) {
				continue
			}
			start, stop := at(in[0], i), at(in[1], i)
			if count := (stop-start)/step + 1; count > maxSeries {
				return nil, sqltypes.New("54000", "generate_series of %d values exceeds meshql's limit of %d", count, maxSeries)
			}
			for v := start; (step > 0 && v <= stop) || (step < 0 && v >= stop); v += step {
				switch vb := lb.ValueBuilder().(type) {
				case *array.Int32Builder:
					vb.Append(int32(v))
				case *array.Int64Builder:
					vb.Append(v)
				}
				if (step > 0 && v > stop-step) || (step < 0 && v < stop-step) {
					break // the next step would overflow or pass stop
				}
			}
		}
		return lb.NewArray(), nil
	}}, nil
}
