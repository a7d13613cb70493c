package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/libm"
	"github.com/meshql/meshql/sqltypes"
)

// Math functions. As in PostgreSQL, integer arguments of the float
// functions (ceil, floor, sign, sqrt, round without digits…) are converted
// to double precision; numeric arguments stay exact where PostgreSQL keeps
// them exact (abs, ceil, floor, sign, round, trunc, mod, sqrt).

// floatFn returns the float8 kernel of a one-argument math function.
func floatFn(name string) func(float64) (float64, error) {
	switch name {
	case "ceil", "ceiling":
		return func(x float64) (float64, error) { return math.Ceil(x), nil }
	case "floor":
		return func(x float64) (float64, error) { return math.Floor(x), nil }
	case "sign":
		return func(x float64) (float64, error) {
			switch {
			case x > 0:
				return 1, nil
			case x < 0:
				return -1, nil
			}
			return 0, nil
		}
	case "sqrt":
		return func(x float64) (float64, error) {
			if x < 0 {
				return 0, errSqrtNeg()
			}
			return math.Sqrt(x), nil
		}
	case "cbrt":
		return func(x float64) (float64, error) { return cbrt(x), nil }
	case "exp":
		return func(x float64) (float64, error) { return checkFloat(libm.Exp(x), x) }
	case "ln", "log10", "log":
		f := libm.Log
		if name != "ln" {
			f = libm.Log10
		}
		return func(x float64) (float64, error) {
			switch {
			case x == 0:
				return 0, errLogZero()
			case x < 0:
				return 0, errLogNeg()
			}
			return f(x), nil
		}
	case "degrees":
		// PostgreSQL divides by RADIANS_PER_DEGREE, checking overflow.
		return func(x float64) (float64, error) { return checkFloat(x/radiansPerDegree, x) }
	case "radians":
		return func(x float64) (float64, error) {
			r, err := checkFloat(x*radiansPerDegree, x)
			if err == nil && r == 0 && x != 0 {
				err = errFloatUnder()
			}
			return r, err
		}
	case "abs":
		return func(x float64) (float64, error) { return math.Abs(x), nil }
	}
	return trigFn(name)
}

// checkFloat reports overflow of a finite input to ±Inf (and underflow to 0).
func checkFloat(r, x float64) (float64, error) {
	if math.IsInf(r, 0) && !math.IsInf(x, 0) {
		return 0, errFloatRange()
	}
	return r, nil
}

func float8Call(name string, args []Expr, f func(float64) (float64, error)) (Expr, error) {
	a, err := coerceArgs(name, args, sqltypes.TypeFloat8)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeFloat8, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return mapUnary(env.Mem, arrow.PrimitiveTypes.Float64, in[0], f)
	}}, nil
}

func buildMath1(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	if PerValueScale(name) {
		if e, err := numericMath(name, args, false); e != nil || err != nil {
			return e, err
		}
	}
	t := args[0].Type()
	switch {
	case name == "abs" && t.IsInteger():
		dt := t.Arrow()
		k := t.Kind
		return &callExpr{name: name, args: args, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			get := intGetter(k, in[0])
			lo, _ := intBounds(k)
			return narrowTo(k, env.Mem, dt, func(memory.Allocator) (arrow.Array, error) {
				return mapRows(env.Mem, arrow.PrimitiveTypes.Int64, n, in, func(i int) (int64, bool, error) {
					v := get(i)
					if float64(v) == lo {
						return 0, false, intRangeErr(k)
					}
					if v < 0 {
						v = -v
					}
					return v, false, nil
				})
			})
		}}, nil
	case name == "abs" && t.Kind == sqltypes.Float4:
		return &callExpr{name: name, args: args, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			return mapUnary(env.Mem, t.Arrow(), in[0], func(x float32) (float32, error) { return float32(math.Abs(float64(x))), nil })
		}}, nil
	case t.Kind == sqltypes.Numeric && (name == "abs" || name == "ceil" || name == "ceiling" || name == "floor" || name == "sign"):
		rt := t
		if name != "abs" {
			rt = sqltypes.NumericType(0, 0)
		}
		if t.VarScale && name != "abs" {
			// From each value's own digits (floor(0.99999999999999999999)
			// is 0, not the 1 its nominal scale would round it to).
			return varRows(name, args, rt, func(x decimal128.Num, s int32) (decimal128.Num, error) {
				if isSpecial(x) {
					return specialUnary(name, x), nil
				}
				return intPart(name, x, s), nil
			}), nil
		}
		s := t.Scale
		return &callExpr{name: name, args: args, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			return mapUnary(env.Mem, rt.Arrow(), in[0], func(x decimal128.Num) (decimal128.Num, error) {
				if isSpecial(x) {
					return specialUnary(name, x), nil
				}
				if name == "abs" {
					_, m := split(x)
					return join(false, m), nil
				}
				return intPart(name, x, s), nil
			})
		}}, nil
	}
	f := floatFn(name)
	if f == nil || !(t.IsNumeric() || t.Kind == sqltypes.Unknown) {
		return nil, functionError(name, args)
	}
	if name == "exp" && t.Kind != sqltypes.Numeric {
		// double precision exp underflows to an error, as in PostgreSQL
		// (numeric exp of a very negative number is 0 instead).
		f = func(x float64) (float64, error) {
			r, err := checkFloat(libm.Exp(x), x)
			if err == nil && r == 0 && !math.IsInf(x, -1) {
				err = errFloatUnder()
			}
			return r, err
		}
	}
	return float8Call(name, args, f)
}

// buildRound: round/trunc(numeric [, int]) and round/trunc(float8 [, int]).
func buildRound(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 2); err != nil {
		return nil, err
	}
	t := args[0].Type()
	trunc := name == "trunc"
	if trunc && t.Kind == sqltypes.Macaddr {
		return buildMacaddr(name, args)
	}
	if len(args) == 2 {
		// PostgreSQL has round(numeric, int) and trunc(numeric, int) but no
		// float forms: an integer converts to numeric, a float does not.
		x := args[0]
		if t.IsInteger() {
			x = coerceTo(x, sqltypes.NumericType(0, 0))
		}
		if t.Kind == sqltypes.Unknown {
			// An untyped literal ('2.5', NULL) or parameter is numeric
			// input, keeping a literal's written scale; text is not.
			scale := int32(0)
			if v, ok := IsLiteral(x); ok {
				if s, isText := v.(string); isText {
					scale = sqltypes.NumericTextScale(s)
				}
			}
			c, err := Cast(x, sqltypes.NumericType(0, scale))
			if err != nil {
				return nil, err
			}
			x = c
		}
		if !implicitArg(args[1].Type(), sqltypes.TypeInt4) {
			return nil, functionError(name, args)
		}
		d := coerceTo(args[1], sqltypes.TypeInt4)
		if x.Type().Kind != sqltypes.Numeric || d.Type().Kind != sqltypes.Int4 {
			return nil, functionError(name, args)
		}
		args, t = []Expr{x, d}, x.Type()
	}
	if t.Kind != sqltypes.Numeric {
		a, err := coerceArgs(name, args[:1], sqltypes.TypeFloat8)
		if err != nil || !(t.IsNumeric() || t.Kind == sqltypes.Unknown) {
			return nil, functionError(name, args)
		}
		return &callExpr{name: name, args: append(a, args[1:]...), t: sqltypes.TypeFloat8, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			x := values[float64](in[0])
			get := func(int) int64 { return 0 }
			if len(in) == 2 {
				get = intGetter(sqltypes.Int4, in[1])
			}
			return mapRows(env.Mem, arrow.PrimitiveTypes.Float64, n, in, func(i int) (float64, bool, error) {
				return roundFloat(x[i], int(get(i)), trunc, len(in) == 1), false, nil
			})
		}}, nil
	}
	rt := sqltypes.NumericType(0, 0)
	if len(args) == 2 {
		rt.Scale = t.Scale
		if v, ok := IsLiteral(args[1]); ok && v != nil {
			rt.Scale = min(max(v.(int32), 0), sqltypes.MaxNumericPrecision)
			if t.VarScale && !trunc && v.(int32) >= 0 {
				// Each value rounded once, from its own digits.
				return varToStatic(args[0], rt), nil
			}
		}
	}
	if t.VarScale {
		if len(args) == 1 && !trunc {
			return varToStatic(args[0], rt), nil
		}
		if v, ok := IsLiteral(args[len(args)-1]); len(args) == 1 || ok && v != nil {
			d := int32(0)
			if len(args) == 2 {
				d = max(min(v.(int32), 1000), -1000)
			}
			return varRows(name, args[:1], rt, func(x decimal128.Num, s int32) (decimal128.Num, error) {
				r, _, err := roundDecimal(x, s, d, rt.Scale, trunc)
				return r, err
			}), nil
		}
		args[0] = varToStatic(args[0], t.Static())
		t = t.Static()
	}
	return &callExpr{name: name, args: args, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		x := values[decimal128.Num](in[0])
		get := func(int) int64 { return 0 }
		if len(in) == 2 {
			get = intGetter(sqltypes.Int4, in[1])
		}
		return mapRows(env.Mem, rt.Arrow(), n, in, func(i int) (decimal128.Num, bool, error) {
			return roundDecimal(x[i], t.Scale, int32(max(min(get(i), 1000), -1000)), rt.Scale, trunc)
		})
	}}, nil
}

// roundDecimal rounds (or truncates) x at scale s to d fractional digits
// (negative d rounds to tens, hundreds…) and expresses it at scale out.
func roundDecimal(x decimal128.Num, s, d, out int32, trunc bool) (decimal128.Num, bool, error) {
	if isSpecial(x) {
		return x, false, nil
	}
	neg, m := split(x)
	if d < s {
		drop := s - d
		if drop > 38 {
			m = u128{}
		} else {
			p := pow10(drop)
			q, r := m.divmod(p)
			if !trunc && r.cmp(p.sub(r)) >= 0 {
				q = q.add(u128{0, 1})
			}
			var ok bool
			if m, ok = mulPow10(q, drop); !ok {
				return x, false, errNumericRange()
			}
		}
	}
	r, ok := rescaleDec(join(neg, m), s, out)
	if !ok {
		return x, false, errNumericRange()
	}
	return r, false, nil
}

// roundFloat rounds half to even without digits (PostgreSQL's rint) and
// half away from zero at d digits (numeric semantics); trunc truncates.
func roundFloat(x float64, d int, trunc, noDigits bool) float64 {
	if noDigits {
		if trunc {
			return math.Trunc(x)
		}
		return math.RoundToEven(x)
	}
	p := math.Pow10(d)
	if trunc {
		return math.Trunc(x*p) / p
	}
	return math.Round(x*p) / p
}

func buildLog(name string, args []Expr) (Expr, error) {
	if len(args) == 1 {
		return buildMath1("log10", args)
	}
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	return numericMath(name, args, false)
}

func powFn(a, b float64) (float64, error) {
	if a == 0 && b < 0 {
		return 0, errPowZero()
	}
	if a < 0 && b != math.Trunc(b) {
		return 0, errPowNeg()
	}
	r := libm.Pow(a, b)
	finite := !math.IsInf(a, 0) && !math.IsInf(b, 0)
	switch {
	case math.IsInf(r, 0) && finite:
		return 0, errFloatRange()
	case r == 0 && a != 0 && finite:
		// The C library reports a result that underflows to zero
		// (ERANGE), which PostgreSQL turns into an error.
		return 0, errFloatUnder()
	}
	return r, nil
}

func buildPower(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	f := powFn
	if name == "atan2" || name == "atan2d" {
		f = atan2Fn(name)
	} else {
		if e, err := numericMath(name, args, false); e != nil || err != nil {
			return e, err
		}
	}
	a, err := coerceArgs(name, args, sqltypes.TypeFloat8)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeFloat8, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return mapBinary(env.Mem, arrow.PrimitiveTypes.Float64, in[0], in[1], f)
	}}, nil
}

func buildMod(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if e, err := varPairOf(name, args[0], args[1]); e != nil || err != nil {
		return e, err
	}
	e, err := Binary(OpMod, args[0], args[1])
	if err != nil {
		return nil, functionError(name, args)
	}
	ae := e.(*arithExpr)
	return &callExpr{name: name, args: []Expr{ae.l, ae.r}, t: e.Type(), k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return ae.k(env.Mem, env.Location, in[0], in[1])
	}}, nil
}

func buildPi(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 0, 0); err != nil {
		return nil, err
	}
	return Literal(sqltypes.TypeFloat8, math.Pi), nil
}

// cbrt is the C library's cube root, which PostgreSQL's cbrt calls:
// glibc's (the platform PostgreSQL is checked against) differs from
// math.Cbrt in the last bit (cbrt(27) is 3.0000000000000004). A
// polynomial guess for the cube root of the mantissa in [0.5, 1), one
// rational refinement, the cube root of 2^(e mod 3), then the exponent's
// third. The float64 conversions keep the compiler from fusing
// multiply-adds, which would change the last bit again.
func cbrt(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x + x
	}
	xm, xe := math.Frexp(math.Abs(x))
	u := float64(0.784932344976639262 - float64(0.145263899385486377*xm))
	u = float64(-1.83469277483613086 + float64(u*xm))
	u = float64(2.44693122563534430 + float64(u*xm))
	u = float64(-2.11499494167371287 + float64(u*xm))
	u = float64(1.50819193781584896 + float64(u*xm))
	u = float64(0.354895765043919860 + float64(u*xm))
	t2 := float64(float64(u*u) * u)
	cbrt2, sqrCbrt2 := 1.2599210498948731648, 1.5874010519681994748
	var factor float64
	switch xe % 3 {
	case -2:
		factor = 1 / sqrCbrt2
	case -1:
		factor = 1 / cbrt2
	case 0:
		factor = 1
	case 1:
		factor = cbrt2
	case 2:
		factor = sqrCbrt2
	}
	ym := float64(float64(float64(u*float64(t2+float64(2*xm)))/float64(float64(2*t2)+xm)) * factor)
	if x < 0 {
		ym = -ym
	}
	return math.Ldexp(ym, xe/3)
}
