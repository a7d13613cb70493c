package expr

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildDiv: div(a, b) is the integer quotient of a / b truncated toward
// zero, as numeric with scale 0 (integers are converted to numeric, as
// PostgreSQL's only div is div(numeric, numeric)). It is computed as
// (a - mod(a, b)) / b, whose quotient is exact, so no rounding of a
// scaled division can push it across an integer; b = 0 fails in mod
// with 22012.
func buildDiv(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	ops := make([]Expr, 2)
	for i, a := range args {
		t := a.Type()
		switch {
		case t.Kind == sqltypes.Numeric:
			ops[i] = a
		case t.IsInteger() || t.Kind == sqltypes.Unknown:
			c, err := Cast(a, sqltypes.NumericType(0, 0))
			if err != nil {
				return nil, functionError(name, args)
			}
			ops[i] = c
		default:
			return nil, functionError(name, args)
		}
	}
	if ops[0].Type().VarScale || ops[1].Type().VarScale {
		return varDiv(name, ops[0], ops[1]), nil
	}
	m, err := Binary(OpMod, ops[0], ops[1])
	if err != nil {
		return nil, functionError(name, args)
	}
	d, err := Binary(OpSub, ops[0], m)
	if err != nil {
		return nil, functionError(name, args)
	}
	q, err := Binary(OpDiv, d, ops[1])
	if err != nil {
		return nil, functionError(name, args)
	}
	t, err := Call("trunc", []Expr{q})
	if err != nil {
		return nil, err
	}
	// mod(±Infinity, y) is NaN, so the rows with NaN or ±Infinity take
	// numeric_div_trunc's answers (those of division) instead.
	rt := t.Type()
	lt, r := ops[0].Type(), ops[1].Type()
	return &callExpr{name: name, args: []Expr{t, ops[0], ops[1]}, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		tq := values[decimal128.Num](in[0])
		x, y := numAt(in[1], lt), numAt(in[2], r)
		return mapRows(env.Mem, rt.Arrow(), n, in, func(i int) (decimal128.Num, bool, error) {
			xm, _ := x(i)
			ym, _ := y(i)
			if !isSpecial(xm) && !isSpecial(ym) {
				return tq[i], false, nil
			}
			v, finite, err := specialArith(OpDiv, xm, ym)
			if finite {
				v, _ = rescaleDec(v, 0, rt.Scale)
			}
			return v, false, err
		})
	}}, nil
}

// varDiv is div(x, y) of numerics one of which has per-value scales: the
// quotient of every place of both, truncated (numeric_div_trunc).
func varDiv(name string, l, r Expr) Expr {
	rt := sqltypes.NumericType(0, 0)
	lt, t := l.Type(), r.Type()
	return &callExpr{name: name, args: []Expr{l, r}, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		x, y := numAt(in[0], lt), numAt(in[1], t)
		return mapRows(env.Mem, rt.Arrow(), n, in, func(i int) (decimal128.Num, bool, error) {
			xm, xs := x(i)
			ym, ys := y(i)
			if isSpecial(xm) || isSpecial(ym) {
				v, finite, err := specialArith(OpDiv, xm, ym)
				if finite {
					v, _ = rescaleDec(v, 0, rt.Scale)
				}
				return v, false, err
			}
			bx, by, _ := alignedBig(xm, xs, ym, ys)
			if by.Sign() == 0 {
				return decimal128.Num{}, false, errDivByZero()
			}
			m, _, err := fitBig(bx.Quo(bx, by), 0)
			return m, false, err
		})
	}}
}

// buildToHex: to_hex of an integer, negative values in two's complement
// of the argument's width (to_hex(-1) is ffffffff for integer).
func buildToHex(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	t := args[0].Type()
	if t.Kind == sqltypes.Int2 {
		return nil, ambiguousFunction(name, args) // to_hex(integer) or to_hex(bigint)
	}
	if !t.IsInteger() {
		return nil, functionError(name, args)
	}
	wide := t.Kind == sqltypes.Int8
	a, err := Cast(args[0], sqltypes.TypeInt8)
	if err != nil {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: []Expr{a}, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		v := values[int64](in[0])
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			if wide {
				return strconv.AppendUint(dst, uint64(v[i]), 16), false, nil
			}
			return strconv.AppendUint(dst, uint64(uint32(int32(v[i]))), 16), false, nil
		})
	}}, nil
}

// buildNumNulls: num_nulls and num_nonnulls count their NULL (non-NULL)
// arguments per row; they are not strict.
func buildNumNulls(name string, args []Expr) (Expr, error) {
	if len(args) == 0 {
		return nil, functionError(name, args)
	}
	nulls := name == "num_nulls"
	return &callExpr{name: name, args: args, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, nil, func(i int) (int32, bool, error) {
			var c int32
			for _, a := range in {
				if a.IsNull(i) == nulls {
					c++
				}
			}
			return c, false, nil
		})
	}}, nil
}
