package expr

import (
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Casts among bool, integers, floats and numeric.

func numericFieldOverflow(p, s int32) error {
	if p <= 0 {
		p = sqltypes.MaxNumericPrecision
	}
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "numeric field overflow").
		WithDetail("A field with precision %d, scale %d must round to an absolute value less than 10^%d.", p, s, p-s)
}

// numericLimit is 10^(p-s): values at scale s must stay below it * 10^s.
func numericLimit(t sqltypes.Type) u128 {
	p := t.Precision
	if p <= 0 {
		p = sqltypes.MaxNumericPrecision
	}
	return pow10(p)
}

func numericCastKernel(from, to sqltypes.Type) (castKernel, bool) {
	dt := to.Arrow()
	fk, tk := from.Kind, to.Kind
	isInt := func(k sqltypes.Kind) bool { return k == sqltypes.Int2 || k == sqltypes.Int4 || k == sqltypes.Int8 }
	switch {
	case isInt(fk) && isInt(tk):
		return intToInt(fk, tk, dt), true
	case isInt(fk) && (tk == sqltypes.Float4 || tk == sqltypes.Float8):
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return narrowFloat(tk, mem, dt, func() (arrow.Array, error) {
				get := intGetter(fk, a)
				return mapRows(mem, arrow.PrimitiveTypes.Float64, a.Len(), []arrow.Array{a}, func(i int) (float64, bool, error) { return float64(get(i)), false, nil })
			})
		}, true
	case isInt(fk) && tk == sqltypes.Numeric:
		limit, scale := numericLimit(to), to.Scale
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return withIntRows(fk, a, func(get func(int) int64) (arrow.Array, error) {
				return mapRows(mem, dt, a.Len(), []arrow.Array{a}, func(i int) (decimal128.Num, bool, error) {
					v := get(i)
					neg := v < 0
					m := u128{0, uint64(v)}
					if neg {
						m = u128{0, uint64(-v)}
					}
					r, ok := mulPow10(m, scale)
					if !ok || r.cmp(limit) >= 0 {
						return decimal128.Num{}, false, numericFieldOverflow(to.Precision, scale)
					}
					return join(neg, r), false, nil
				})
			})
		}, true
	case fk == sqltypes.Bool && isInt(tk):
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			b := a.Data().Buffers()[1].Bytes()
			off := a.Data().Offset()
			return narrowTo(tk, mem, dt, func(mem memory.Allocator) (arrow.Array, error) {
				return mapRows(mem, arrow.PrimitiveTypes.Int64, a.Len(), []arrow.Array{a}, func(i int) (int64, bool, error) {
					return int64(b2u(validAt(b, off, i))), false, nil
				})
			})
		}, true
	case fk == sqltypes.Int4 && tk == sqltypes.Bool: // PostgreSQL casts only integer to boolean
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return withIntRows(fk, a, func(get func(int) int64) (arrow.Array, error) {
				return boolRows(mem, a.Len(), []arrow.Array{a}, func(i int) (bool, bool, error) { return get(i) != 0, false, nil })
			})
		}, true
	case (fk == sqltypes.Float4 || fk == sqltypes.Float8) && (tk == sqltypes.Float4 || tk == sqltypes.Float8):
		return floatToFloat(fk, tk, dt), true
	case (fk == sqltypes.Float4 || fk == sqltypes.Float8) && isInt(tk):
		rangeErr := func() error { return intRangeErr(tk) }
		lo, hi := intBounds(tk)
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			get := floatGetter(fk, a)
			return narrowTo(tk, mem, dt, func(mem memory.Allocator) (arrow.Array, error) {
				return mapRows(mem, arrow.PrimitiveTypes.Int64, a.Len(), []arrow.Array{a}, func(i int) (int64, bool, error) {
					f := math.RoundToEven(get(i))
					if math.IsNaN(f) || f < lo || f >= hi {
						return 0, false, rangeErr()
					}
					return int64(f), false, nil
				})
			})
		}, true
	case (fk == sqltypes.Float4 || fk == sqltypes.Float8) && tk == sqltypes.Numeric:
		digits := 15
		if fk == sqltypes.Float4 {
			digits = 6
		}
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			get := floatGetter(fk, a)
			var buf []byte
			return mapRows(mem, dt, a.Len(), []arrow.Array{a}, func(i int) (decimal128.Num, bool, error) {
				f := get(i)
				switch {
				case math.IsNaN(f):
					return sqltypes.NumericNaN, false, nil
				case math.IsInf(f, 1):
					return sqltypes.NumericPosInf, false, sqltypes.CheckNumericTypmod(sqltypes.NumericPosInf, to.Precision, to.Scale)
				case math.IsInf(f, -1):
					return sqltypes.NumericNegInf, false, sqltypes.CheckNumericTypmod(sqltypes.NumericNegInf, to.Precision, to.Scale)
				}
				buf = strconv.AppendFloat(buf[:0], f, 'e', digits-1, 64)
				n, err := sqltypes.ParseNumeric(string(buf), to.Precision, to.Scale)
				return n, false, err
			})
		}, true
	case fk == sqltypes.Numeric && tk == sqltypes.Numeric:
		if from.Scale == to.Scale && (to.Precision == 0 || from.Precision > 0 && from.Precision <= to.Precision) {
			return retypeKernel(dt), true
		}
		limit := numericLimit(to)
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return mapUnary(mem, dt, a, func(x decimal128.Num) (decimal128.Num, error) {
				if sqltypes.IsNumericSpecial(x) {
					return x, sqltypes.CheckNumericTypmod(x, to.Precision, to.Scale)
				}
				r, ok := rescaleDec(x, from.Scale, to.Scale)
				if _, m := split(r); !ok || m.cmp(limit) >= 0 {
					return r, numericFieldOverflow(to.Precision, to.Scale)
				}
				return r, nil
			})
		}, true
	case fk == sqltypes.Numeric && isInt(tk):
		rangeErr := func() error { return intRangeErr(tk) }
		// Integer bounds: as floats, int8's upper bound 2^63-1 rounds up to
		// 2^63 and would reject 9223372036854775807 itself.
		flo, fhi := intBounds(tk)
		lo, hi := int64(flo), int64(fhi-1)
		if tk == sqltypes.Int8 {
			lo, hi = math.MinInt64, math.MaxInt64
		}
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return narrowTo(tk, mem, dt, func(mem memory.Allocator) (arrow.Array, error) {
				return mapUnary(mem, arrow.PrimitiveTypes.Int64, a, func(x decimal128.Num) (int64, error) {
					if sqltypes.IsNumericSpecial(x) {
						return 0, errSpecialToInt(x, tk)
					}
					r, _ := rescaleDec(x, from.Scale, 0)
					neg, m := split(r)
					if m.hi != 0 || m.lo > 1<<63 || !neg && m.lo == 1<<63 {
						return 0, rangeErr()
					}
					v := int64(m.lo)
					if neg {
						v = -v
					}
					if v < lo || v > hi {
						return 0, rangeErr()
					}
					return v, nil
				})
			})
		}, true
	case fk == sqltypes.Numeric && (tk == sqltypes.Float4 || tk == sqltypes.Float8):
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return narrowFloat(tk, mem, dt, func() (arrow.Array, error) {
				return mapUnary(mem, arrow.PrimitiveTypes.Float64, a, func(x decimal128.Num) (float64, error) {
					return decToFloat(x, from.Scale), nil
				})
			})
		}, true
	}
	return nil, false
}

// errSpecialToInt is PostgreSQL's error for NaN or ±Infinity cast to an
// integer kind.
func errSpecialToInt(x decimal128.Num, k sqltypes.Kind) error {
	what := "infinity"
	if sqltypes.IsNumericNaN(x) {
		what = "NaN"
	}
	return sqltypes.New(sqltypes.CodeFeatureNotSupported, "cannot convert %s to %s", what, sqltypes.Type{Kind: k}.String())
}

// specialToFloat is the float of NaN or ±Infinity.
func specialToFloat(x decimal128.Num) float64 {
	switch {
	case sqltypes.IsNumericNaN(x):
		return math.NaN()
	case x.Sign() > 0:
		return math.Inf(1)
	}
	return math.Inf(-1)
}

// intBounds returns [lo, hi) of an integer kind as floats.
func intBounds(k sqltypes.Kind) (float64, float64) {
	switch k {
	case sqltypes.Int2:
		return math.MinInt16, math.MaxInt16 + 1
	case sqltypes.Int4:
		return math.MinInt32, math.MaxInt32 + 1
	}
	return math.MinInt64, -math.MinInt64
}

// decToFloat converts exactly rounded: an integer below 2^53 divided by an
// exact power of ten is correctly rounded; otherwise go through text.
func decToFloat(x decimal128.Num, scale int32) float64 {
	if sqltypes.IsNumericSpecial(x) {
		return specialToFloat(x)
	}
	neg, m := split(x)
	if m.hi == 0 && m.lo < 1<<53 && scale <= 22 {
		f := float64(m.lo) / math.Pow10(int(scale))
		if neg {
			f = -f
		}
		return f
	}
	f, _ := strconv.ParseFloat(sqltypes.FormatDecimal(x, scale), 64)
	return f
}

// floatGetter returns row i of a float4/float8 array as float64.
func floatGetter(k sqltypes.Kind, a arrow.Array) func(int) float64 {
	if k == sqltypes.Float4 {
		v := values[float32](a)
		return func(i int) float64 { return float64(v[i]) }
	}
	v := values[float64](a)
	return func(i int) float64 { return v[i] }
}

// intGetter returns row i of an integer array as int64.
func intGetter(k sqltypes.Kind, a arrow.Array) func(int) int64 {
	switch k {
	case sqltypes.Int2:
		v := values[int16](a)
		return func(i int) int64 { return int64(v[i]) }
	case sqltypes.Int4:
		v := values[int32](a)
		return func(i int) int64 { return int64(v[i]) }
	}
	v := values[int64](a)
	return func(i int) int64 { return v[i] }
}

func withIntRows(k sqltypes.Kind, a arrow.Array, f func(get func(int) int64) (arrow.Array, error)) (arrow.Array, error) {
	return f(intGetter(k, a))
}

// narrowFloat computes a float64 result and narrows it to float4 when the
// target kind asks for it.
func narrowFloat(k sqltypes.Kind, mem memory.Allocator, dt arrow.DataType, f func() (arrow.Array, error)) (arrow.Array, error) {
	out, err := f()
	if err != nil || k == sqltypes.Float8 {
		return out, err
	}
	defer out.Release()
	return floatToFloat(sqltypes.Float8, sqltypes.Float4, dt)(mem, castCtx{}, out)
}

// narrowTo computes an int64 result and narrows it to the target width
// (the producer has already range-checked).
func narrowTo(k sqltypes.Kind, mem memory.Allocator, dt arrow.DataType, f func(memory.Allocator) (arrow.Array, error)) (arrow.Array, error) {
	out, err := f(mem)
	if err != nil || k == sqltypes.Int8 {
		return out, err
	}
	defer out.Release()
	return intToInt(sqltypes.Int8, k, dt)(mem, castCtx{}, out)
}

func intToInt(fk, tk sqltypes.Kind, dt arrow.DataType) castKernel {
	rangeErr := func() error { return intRangeErr(tk) }
	return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		switch fk {
		case sqltypes.Int2:
			return convertInts[int16](mem, tk, dt, a, rangeErr)
		case sqltypes.Int4:
			return convertInts[int32](mem, tk, dt, a, rangeErr)
		}
		return convertInts[int64](mem, tk, dt, a, rangeErr)
	}
}

func convertInts[A intT](mem memory.Allocator, tk sqltypes.Kind, dt arrow.DataType, a arrow.Array, rangeErr func() error) (arrow.Array, error) {
	switch tk {
	case sqltypes.Int2:
		return convertIntsTo[A, int16](mem, dt, a, rangeErr)
	case sqltypes.Int4:
		return convertIntsTo[A, int32](mem, dt, a, rangeErr)
	}
	return convertIntsTo[A, int64](mem, dt, a, rangeErr)
}

func convertIntsTo[A, B intT](mem memory.Allocator, dt arrow.DataType, a arrow.Array, rangeErr func() error) (arrow.Array, error) {
	n := a.Len()
	in := values[A](a)
	buf, out := allocFixed[B](mem, n)
	in = in[:len(out)]
	bad := false
	for i := range out {
		v := B(in[i])
		out[i] = v
		bad = bad || A(v) != in[i]
	}
	bm, off := bitmapOf(a)
	if bad {
		for i := range out {
			if A(out[i]) != in[i] && validAt(bm, off, i) {
				buf.Release()
				return nil, rangeErr()
			}
		}
	}
	var valid *memory.Buffer
	if bm != nil {
		valid = copyBitmap(mem, bm, off, n)
	}
	return finish(dt, n, valid, buf), nil
}

func floatToFloat(fk, tk sqltypes.Kind, dt arrow.DataType) castKernel {
	return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		if fk == sqltypes.Float4 {
			return mapUnary(mem, dt, a, func(x float32) (float64, error) { return float64(x), nil })
		}
		return mapUnary(mem, dt, a, func(x float64) (float32, error) {
			r := float32(x)
			if math.IsInf(float64(r), 0) && !math.IsInf(x, 0) {
				return 0, errFloatRange()
			}
			if r == 0 && x != 0 {
				return 0, errFloatUnder()
			}
			return r, nil
		})
	}
}
