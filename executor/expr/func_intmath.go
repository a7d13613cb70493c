package expr

import (
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// gcd and lcm over integer and bigint, width_bucket over double precision
// (over numerics: func_widthbucket_numeric.go).
// Results that do not fit the argument type are 22003, as in PostgreSQL.

// buildGcdLcm: gcd|lcm(integer, integer) → integer, (bigint, bigint) → bigint.
func buildGcdLcm(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if args[0].Type().Kind == sqltypes.Int2 && args[1].Type().Kind == sqltypes.Int2 {
		// smallint widens to integer, bigint and numeric alike: PostgreSQL
		// has no best of gcd(int4, int4), gcd(int8, int8), gcd(numeric, numeric).
		return nil, sqltypes.New(sqltypes.CodeAmbiguousFunction, "function %s(smallint, smallint) is not unique", name).
			WithHint("Could not choose a best candidate function. You might need to add explicit type casts.")
	}
	for _, a := range args {
		if a.Type().Kind == sqltypes.Numeric {
			return buildGcdLcmNumeric(name, args)
		}
	}
	t := sqltypes.TypeInt4
	for _, a := range args {
		switch a.Type().Kind {
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Unknown:
		case sqltypes.Int8:
			t = sqltypes.TypeInt8
		default:
			return nil, functionError(name, args)
		}
	}
	a, err := coerceArgs(name, args, t)
	if err != nil {
		return nil, err
	}
	k, dt := t.Kind, t.Arrow()
	lcm := name == "lcm"
	return &callExpr{name: name, args: a, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		x, y := intGetter(k, in[0]), intGetter(k, in[1])
		return narrowTo(k, env.Mem, dt, func(memory.Allocator) (arrow.Array, error) {
			return mapRows(env.Mem, arrow.PrimitiveTypes.Int64, n, in, func(i int) (int64, bool, error) {
				a, b := x(i), y(i)
				g := gcdU64(absU64(a), absU64(b))
				if !lcm {
					if g > math.MaxInt64 {
						return 0, false, intRangeErr(k)
					}
					return int64(g), false, nil // narrowTo rejects 2^31 for integer
				}
				if a == 0 || b == 0 {
					return 0, false, nil
				}
				hi, lo := bits.Mul64(absU64(a)/g, absU64(b))
				if hi != 0 || lo > math.MaxInt64 {
					return 0, false, intRangeErr(k)
				}
				return int64(lo), false, nil
			})
		})
	}}, nil
}

func absU64(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

func gcdU64(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// buildWidthBucket: width_bucket(operand, low, high, count) → integer, the
// 1-based bucket of operand among count equal-width buckets between low
// and high (0 below, count+1 above; reversed when low > high). Bad bounds
// or count are 2201G.
func buildWidthBucket(name string, args []Expr) (Expr, error) {
	if len(args) == 2 {
		return buildWidthBucketArray(name, args)
	}
	if err := wantArgs(name, args, 4, 4); err != nil {
		return nil, err
	}
	for _, a := range args[:3] {
		if !a.Type().IsNumeric() && a.Type().Kind != sqltypes.Unknown {
			return nil, functionError(name, args)
		}
	}
	if e, err := numericWidthBucket(name, args); e != nil || err != nil {
		return e, err
	}
	f, err := coerceArgs(name, args[:3], sqltypes.TypeFloat8)
	if err != nil {
		return nil, err
	}
	c, err := coerceArgs(name, args[3:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append(f, c...), t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		op, lo, hi, cnt := values[float64](in[0]), values[float64](in[1]), values[float64](in[2]), values[int32](in[3])
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			v, err := widthBucket(op[i], lo[i], hi[i], cnt[i])
			return v, false, err
		})
	}}, nil
}

func widthBucket(op, b1, b2 float64, count int32) (int32, error) {
	bad := func(msg string) error { return sqltypes.New("2201G", "%s", msg) }
	switch {
	case count <= 0:
		return 0, bad("count must be greater than zero")
	case math.IsNaN(op) || math.IsNaN(b1) || math.IsNaN(b2):
		return 0, bad("operand, lower bound, and upper bound cannot be NaN")
	case math.IsInf(b1, 0) || math.IsInf(b2, 0):
		return 0, bad("lower and upper bounds must be finite")
	case b1 == b2:
		return 0, bad("lower bound cannot equal upper bound")
	}
	// inside is the bucket of a value strictly between the bounds (either
	// order); the quotient may round up to 1, which would name the bucket
	// past the end.
	inside := func() (int32, error) {
		r := float64(count) * ((op - b1) / (b2 - b1))
		if math.IsInf(b2-b1, 0) {
			r = float64(count) * ((op/2 - b1/2) / (b2/2 - b1/2))
		}
		if r >= float64(count) {
			return count, nil
		}
		return int32(r) + 1, nil
	}
	above := func() (int32, error) {
		if count == math.MaxInt32 {
			return 0, errIntegerRange()
		}
		return count + 1, nil
	}
	if b1 < b2 {
		switch {
		case op < b1:
			return 0, nil
		case op >= b2:
			return above()
		}
		return inside()
	}
	switch {
	case op > b1:
		return 0, nil
	case op <= b2:
		return above()
	}
	return inside()
}
