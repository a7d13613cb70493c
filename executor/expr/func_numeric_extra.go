package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// gcd and lcm over numeric, factorial, and width_bucket over a thresholds
// array, as PostgreSQL computes them. Numeric results are exact within
// meshql's 38 digits; beyond them they are 22003 "value overflows numeric
// format" (PostgreSQL's numeric goes further).

// buildGcdLcmNumeric: gcd|lcm(numeric, numeric) → numeric at the larger
// scale of the two, as PostgreSQL (gcd(12.50, 7.5) = 2.50). Integer
// arguments are read as numeric.
func buildGcdLcmNumeric(name string, args []Expr) (Expr, error) {
	if e, err := varPairOf(name, args[0], args[1]); e != nil || err != nil {
		return e, err
	}
	var scale int32
	for _, a := range args {
		t := a.Type()
		switch {
		case t.Kind == sqltypes.Numeric:
			scale = max(scale, t.Scale)
		case t.IsInteger() || t.Kind == sqltypes.Unknown:
		default:
			return nil, functionError(name, args)
		}
	}
	t := sqltypes.NumericType(0, scale)
	a, err := coerceArgs(name, args, t)
	if err != nil {
		return nil, err
	}
	lcm := name == "lcm"
	return &callExpr{name: name, args: a, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		x, y := values[decimal128.Num](in[0]), values[decimal128.Num](in[1])
		return mapRows(env.Mem, t.Arrow(), n, in, func(i int) (decimal128.Num, bool, error) {
			if isSpecial(x[i]) || isSpecial(y[i]) {
				return numNaN, false, nil // as PostgreSQL's numeric gcd and lcm
			}
			_, a := split(x[i])
			_, b := split(y[i])
			g := gcdU128(a, b)
			if !lcm {
				return join(false, g), false, nil
			}
			if a.isZero() || b.isZero() {
				return decimal128.Num{}, false, nil
			}
			// At a common scale s the lcm of a·10^s and b·10^s is
			// lcm(a, b)·10^s: the scaled values' lcm is the answer.
			q, _ := a.divmod(g)
			p, over := q.mul(b)
			if over || p.cmp(maxDec) >= 0 {
				return decimal128.Num{}, false, errNumericOverflow()
			}
			return join(false, p), false, nil
		})
	}}, nil
}

func gcdU128(a, b u128) u128 {
	for !b.isZero() {
		_, r := a.divmod(b)
		a, b = b, r
	}
	return a
}

func errNumericOverflow() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format")
}

// buildFactorial: factorial(bigint) → numeric. Negative arguments are
// 22003, as in PostgreSQL 15.
func buildFactorial(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	if k := args[0].Type().Kind; !args[0].Type().IsInteger() && k != sqltypes.Unknown {
		return nil, functionError(name, args)
	}
	a, err := coerceArgs(name, args, sqltypes.TypeInt8)
	if err != nil {
		return nil, err
	}
	t := sqltypes.NumericType(0, 0)
	return &callExpr{name: name, args: a, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := values[int64](in[0])
		return mapRows(env.Mem, t.Arrow(), n, in, func(i int) (decimal128.Num, bool, error) {
			if v[i] < 0 {
				return decimal128.Num{}, false, sqltypes.New(sqltypes.CodeNumericOutOfRange, "factorial of a negative number is undefined")
			}
			f := u128{0, 1}
			for k := int64(2); k <= v[i]; k++ {
				var over bool
				if f, over = f.mul(u128{0, uint64(k)}); over || f.cmp(maxDec) >= 0 {
					return decimal128.Num{}, false, errNumericOverflow()
				}
			}
			return join(false, f), false, nil
		})
	}}, nil
}

// buildWidthBucketArray: width_bucket(operand, thresholds anycompatiblearray)
// → integer, the number of thresholds at or below operand, found by
// PostgreSQL's binary search (so unsorted thresholds answer as there).
// A NULL threshold is 22004; a multidimensional array 2202E.
func buildWidthBucketArray(name string, args []Expr) (Expr, error) {
	if !isList(args[1]) {
		return nil, functionError(name, args)
	}
	lt := args[1].Type()
	leaf := lt.Leaf()
	if v, ok := IsLiteral(args[0]); ok && v == nil {
		// An untyped NULL operand (which the planner typed text) takes
		// the thresholds' type.
		args = []Expr{Literal(leaf, nil), args[1]}
	}
	et, ok := commonArgType([]Expr{args[0], Column(0, leaf, "")})
	if !ok || !comparableType(et) {
		return nil, functionError(name, args)
	}
	want := sqltypes.ArrayOf(et, lt.Ndims())
	op, arr := coerceTo(args[0], et), coerceTo(args[1], want)
	if !sameFamily(op.Type(), et) || !arr.Type().Equal(want) {
		return nil, functionError(name, args)
	}
	multidim := lt.Ndims() > 1
	return &callExpr{name: name, args: []Expr{op, arr}, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		l, ok := in[1].(*array.List)
		if !ok {
			return nil, internalErr("%s of %s", name, in[1].DataType())
		}
		vals := l.ListValues()
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			s, e := l.ValueOffsets(i)
			if multidim && e > s {
				return 0, false, sqltypes.New(sqltypes.CodeArraySubscriptError, "thresholds must be one-dimensional array")
			}
			for j := s; j < e; j++ {
				if vals.IsNull(int(j)) {
					return 0, false, sqltypes.New(sqltypes.CodeNullValueNotAllowed, "thresholds array must not contain NULLs")
				}
			}
			x, err := newDatumCmp(et, datumAt(in[0], et, i))
			if err != nil {
				return 0, false, err
			}
			lo, hi := 0, int(e-s)
			for lo < hi {
				mid := (lo + hi) / 2
				c, err := x.cmp(datumAt(vals, et, int(s)+mid)) // threshold vs x
				if err != nil {
					return 0, false, err
				}
				if c > 0 {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			return int32(lo), false, nil
		})
	}}, nil
}

// buildNumericSeriesArray is generate_series(start, stop [, step]) over
// numeric: the values start, start+step, … up to stop, at the largest
// scale of the three. A zero step is 22023.
func buildNumericSeriesArray(name string, args []Expr) (Expr, error) {
	var scale int32
	for _, a := range args {
		if a.Type().Kind == sqltypes.Numeric {
			scale = max(scale, a.Type().Scale)
		}
	}
	t := sqltypes.NumericType(0, scale)
	a, err := coerceArgs("generate_series", args, t)
	if err != nil {
		return nil, err
	}
	one, _ := rescaleDec(decimal128.FromI64(1), 0, scale)
	maxCount := decimal128.FromI64(maxSeries)
	return &callExpr{name: name, args: a, t: sqltypes.ListOf(t), k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		lb := array.NewListBuilder(env.Mem, t.Arrow())
		defer lb.Release()
		vb := lb.ValueBuilder().(*array.Decimal128Builder)
		vals := make([][]decimal128.Num, len(in))
		for k := range in {
			vals[k] = values[decimal128.Num](in[k])
		}
		for i := 0; i < n; i++ {
			step := one
			if len(in) == 3 && in[2].IsValid(i) {
				step = vals[2][i]
			}
			if err := seriesSpecial(in, vals, i); err != nil {
				return nil, err
			}
			if step.Sign() == 0 {
				return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "step size cannot equal zero")
			}
			if anyNullAt(in, i) {
				lb.AppendNull()
				continue
			}
			lb.Append(true)
			start, stop := vals[0][i], vals[1][i]
			if q, _ := stop.Sub(start).Div(step); q.Greater(maxCount) {
				return nil, sqltypes.New("54000", "generate_series of more than %d values exceeds meshql's limit", maxSeries)
			}
			for v := start; step.Sign() > 0 && v.LessEqual(stop) || step.Sign() < 0 && v.GreaterEqual(stop); v = v.Add(step) {
				vb.Append(v)
			}
		}
		return lb.NewArray(), nil
	}}, nil
}

// NumericSeriesVarScale is generate_series_array over numerics whose
// values keep PostgreSQL's scales: the first value start's (startScale),
// the others, each the sum of the one before and the step, the larger of
// start's and the step's (stepScale; 0 for the default step of 1), as
// generate_series_step_numeric's add_var gives them.
func NumericSeriesVarScale(args []Expr, startScale, stepScale int32) (Expr, error) {
	static, err := buildNumericSeriesArray("generate_series_array", args)
	if err != nil {
		return nil, err
	}
	s := static.Type().Elem.Scale
	vt := sqltypes.VarNumericType(s)
	later := max(startScale, stepScale)
	return &callExpr{name: "generate_series_array", args: []Expr{static}, t: sqltypes.ListOf(vt), k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		lists := in[0].(*array.List)
		elems := values[decimal128.Num](lists.ListValues())
		lb := array.NewListBuilder(env.Mem, vt.Arrow())
		defer lb.Release()
		sb := lb.ValueBuilder().(*array.StructBuilder)
		mb := sb.FieldBuilder(sqltypes.VarNumericMantissa).(*array.Decimal128Builder)
		scb := sb.FieldBuilder(sqltypes.VarNumericScale).(*array.Int8Builder)
		for i := 0; i < n; i++ {
			if lists.IsNull(i) {
				lb.AppendNull()
				continue
			}
			lb.Append(true)
			from, to := lists.ValueOffsets(i)
			for j := from; j < to; j++ {
				scale := later
				if j == from {
					scale = startScale
				}
				m, ok := rescaleDec(elems[j], s, scale)
				if !ok {
					return nil, errNumericRange()
				}
				sb.Append(true)
				mb.Append(m)
				scb.Append(int8(scale))
			}
		}
		return lb.NewArray(), nil
	}}, nil
}
