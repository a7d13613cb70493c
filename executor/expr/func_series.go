package expr

import (
	"slices"

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
	if (t.Kind == sqltypes.Timestamp || t.Kind == sqltypes.TimestampTZ) && len(args) == 3 {
		return buildTimestampSeriesArray(name, args)
	}
	if t.Kind == sqltypes.Numeric {
		return buildNumericSeriesArray(name, args)
	}
	if t.Kind == sqltypes.Int2 && !slices.ContainsFunc(args, func(a Expr) bool { return a.Type().Kind != sqltypes.Int2 }) {
		// smallint widens to integer, bigint and numeric alike.
		return nil, ambiguousFunction("generate_series", args)
	}
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

// buildTimestampSeriesArray is generate_series(start, stop, step interval)
// over timestamp or timestamptz (a timestamptz series steps in the
// session's zone, so '1 day' keeps the wall-clock time across DST). As in
// PostgreSQL the step is added to the previous value, so a '1 month'
// series from January 31st goes on from February 28th.
func buildTimestampSeriesArray(name string, args []Expr) (Expr, error) {
	t := args[0].Type()
	if !args[1].Type().Equal(t) || args[2].Type().Kind != sqltypes.Interval {
		return nil, functionError("generate_series", args)
	}
	return &callExpr{name: name, args: args, t: sqltypes.ListOf(t), k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		lb := array.NewListBuilder(env.Mem, t.Arrow())
		defer lb.Release()
		vb := lb.ValueBuilder().(*array.TimestampBuilder)
		loc := tsLoc(t.Kind, env.Location)
		start, stop, step := values[int64](in[0]), values[int64](in[1]), values[arrow.MonthDayNanoInterval](in[2])
		for i := 0; i < n; i++ {
			lb.Append(true)
			if in[0].IsNull(i) || in[1].IsNull(i) || in[2].IsNull(i) {
				continue
			}
			iv := step[i]
			sign := float64(iv.Months)*30*nanosPerDay + float64(iv.Days)*nanosPerDay + float64(iv.Nanoseconds)
			if sign == 0 {
				return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "step size cannot equal zero")
			}
			count := 0
			for v := arrow.Timestamp(start[i]); sign > 0 && int64(v) <= stop[i] || sign < 0 && int64(v) >= stop[i]; {
				if count++; count > maxSeries {
					return nil, sqltypes.New("54000", "generate_series of more than %d values exceeds meshql's limit", maxSeries)
				}
				vb.Append(v)
				next, err := tsAddInterval(v, iv, false, loc)
				if err != nil || next == v {
					break // past the timestamp range, or infinity
				}
				v = next
			}
		}
		return lb.NewArray(), nil
	}}, nil
}
