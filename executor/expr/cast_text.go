package expr

import (
	"encoding/hex"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Casts to and from text. Output follows PostgreSQL's text output
// (the session's DateStyle and IntervalStyle, extra_float_digits 1);
// input uses the parsers of sqltypes/parse*.go, dates in the session's
// DateStyle order.

// boolRows builds a boolean array; get is called for rows where every
// input is valid and may return null.
func boolRows(mem memory.Allocator, n int, ins []arrow.Array, get func(i int) (v, null bool, err error)) (arrow.Array, error) {
	valid := andValidity(mem, n, ins...)
	var mb []byte
	if valid != nil {
		mb = valid.Bytes()
	}
	vals, vb := allocBitmap(mem, n)
	for i := 0; i < n; i++ {
		if !validAt(mb, 0, i) {
			continue
		}
		v, null, err := get(i)
		if err != nil {
			vals.Release()
			if valid != nil {
				valid.Release()
			}
			return nil, err
		}
		if null {
			if valid == nil {
				valid, mb = allocBitmap(mem, n)
				setBitsTrue(mb, n)
			}
			clearBit(mb, i)
			continue
		}
		if v {
			setBit(vb, i)
		}
	}
	return boolArray(n, vals, valid), nil
}

// toTextKernel renders any non-string type as text.
func toTextKernel(from sqltypes.Type) castKernel {
	dt := arrow.BinaryTypes.String
	return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
		var row func(i int, dst []byte) []byte
		switch from.Kind {
		case sqltypes.Bool:
			b, off := a.Data().Buffers()[1].Bytes(), a.Data().Offset()
			row = func(i int, dst []byte) []byte {
				if validAt(b, off, i) {
					return append(dst, "true"...)
				}
				return append(dst, "false"...)
			}
		case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
			get := intGetter(from.Kind, a)
			row = func(i int, dst []byte) []byte { return strconv.AppendInt(dst, get(i), 10) }
		case sqltypes.Float4, sqltypes.Float8:
			get, bits := floatGetter(from.Kind, a), 64
			if from.Kind == sqltypes.Float4 {
				bits = 32
			}
			row = func(i int, dst []byte) []byte { return sqltypes.AppendFloat(dst, get(i), bits) }
		case sqltypes.Numeric:
			if from.VarScale {
				// The elements of an array of variable-scale numerics
				// cast to text[], each with its own scale.
				row = func(i int, dst []byte) []byte { return append(dst, sqltypes.FormatDecimal(VarNumericAt(a, i))...) }
				break
			}
			v := values[decimal128.Num](a)
			row = func(i int, dst []byte) []byte { return sqltypes.AppendDecimal(dst, v[i], from.Scale) }
		case sqltypes.Date:
			v := values[int32](a)
			row = func(i int, dst []byte) []byte { return sqltypes.AppendDateStyle(dst, int64(v[i]), cx.style) }
		case sqltypes.Timestamp, sqltypes.TimestampTZ:
			v := values[int64](a)
			tz := from.Kind == sqltypes.TimestampTZ
			row = func(i int, dst []byte) []byte { return sqltypes.AppendTimestampStyle(dst, v[i], cx.loc, tz, cx.style) }
		case sqltypes.Time:
			v := values[int64](a)
			row = func(i int, dst []byte) []byte { return sqltypes.AppendTime(dst, v[i]) }
		case sqltypes.Interval:
			v := values[arrow.MonthDayNanoInterval](a)
			row = func(i int, dst []byte) []byte { return sqltypes.AppendInterval(dst, v[i], cx.style.Interval) }
		case sqltypes.Bytea:
			v := viewOf(a)
			row = func(i int, dst []byte) []byte {
				dst = append(dst, '\\', 'x')
				return hex.AppendEncode(dst, v.bytes(i))
			}
		default:
			row = func(i int, dst []byte) []byte {
				return append(dst, sqltypes.FormatValueStyle(from, datumAt(a, from, i), cx.loc, cx.style)...)
			}
		}
		return mapRowsStr(mem, dt, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
			return row(i, dst), false, nil
		})
	}
}

// boolOutKernel renders booleans as boolout does (t/f).
func boolOutKernel(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
	b, off := a.Data().Buffers()[1].Bytes(), a.Data().Offset()
	return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
		if validAt(b, off, i) {
			return append(dst, 't'), false, nil
		}
		return append(dst, 'f'), false, nil
	})
}

// truncateKernel cuts strings to n characters (explicit varchar(n) casts).
func truncateKernel(n int) castKernel {
	return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
		v := viewOf(a)
		return mapRowsStr(mem, arrow.BinaryTypes.String, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
			return append(dst, sqltypes.TruncateChars(v.str(i), n)...), false, nil
		})
	}
}

// textToFixed parses every valid string with parse.
func textToFixed[O fixedT](mem memory.Allocator, dt arrow.DataType, a arrow.Array, parse func(string) (O, error)) (arrow.Array, error) {
	v := viewOf(a)
	return mapRows(mem, dt, a.Len(), []arrow.Array{a}, func(i int) (O, bool, error) {
		r, err := parse(v.str(i))
		return r, false, err
	})
}

// fromTextKernel parses text into type to.
func fromTextKernel(to sqltypes.Type) (castKernel, bool) {
	dt := to.Arrow()
	switch to.Kind {
	case sqltypes.Bool:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return boolRows(mem, a.Len(), []arrow.Array{a}, func(i int) (bool, bool, error) {
				b, err := sqltypes.ParseBool(v.str(i))
				return b, false, err
			})
		}, true
	case sqltypes.Int2:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return textToFixed(mem, dt, a, func(s string) (int16, error) { x, err := sqltypes.ParseInt(s, 16); return int16(x), err })
		}, true
	case sqltypes.Int4:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return textToFixed(mem, dt, a, func(s string) (int32, error) { x, err := sqltypes.ParseInt(s, 32); return int32(x), err })
		}, true
	case sqltypes.Int8:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return textToFixed(mem, dt, a, func(s string) (int64, error) { return sqltypes.ParseInt(s, 64) })
		}, true
	case sqltypes.Float4:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return textToFixed(mem, dt, a, func(s string) (float32, error) { x, err := sqltypes.ParseFloat(s, 32); return float32(x), err })
		}, true
	case sqltypes.Float8:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return textToFixed(mem, dt, a, func(s string) (float64, error) { return sqltypes.ParseFloat(s, 64) })
		}, true
	case sqltypes.Numeric:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return textToFixed(mem, dt, a, func(s string) (decimal128.Num, error) { return sqltypes.ParseNumeric(s, to.Precision, to.Scale) })
		}, true
	case sqltypes.Date:
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			in := cx.input()
			return textToFixed(mem, dt, a, func(s string) (arrow.Date32, error) { return sqltypes.ParseDateIn(s, in) })
		}, true
	case sqltypes.Timestamp, sqltypes.TimestampTZ:
		tz := to.Kind == sqltypes.TimestampTZ
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			in := cx.input()
			return textToFixed(mem, dt, a, func(s string) (arrow.Timestamp, error) { return sqltypes.ParseTimestampIn(s, tz, in) })
		}, true
	case sqltypes.Interval:
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			in := cx.input()
			return textToFixed(mem, dt, a, func(s string) (arrow.MonthDayNanoInterval, error) { return sqltypes.ParseIntervalIn(s, in) })
		}, true
	case sqltypes.Time:
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			in := cx.input()
			return textToFixed(mem, dt, a, func(s string) (arrow.Time64, error) { return sqltypes.ParseTimeIn(s, in) })
		}, true
	case sqltypes.UUID:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			return textToFixed(mem, dt, a, sqltypes.ParseUUID)
		}, true
	case sqltypes.Bytea:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			return mapRowsStr(mem, dt, a.Len(), []arrow.Array{a}, func(i int, dst []byte) ([]byte, bool, error) {
				b, err := sqltypes.ParseBytea(v.str(i))
				return append(dst, b...), false, err
			})
		}, true
	case sqltypes.JSON:
		return func(mem memory.Allocator, _ castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			for i := 0; i < a.Len(); i++ {
				if a.IsValid(i) {
					if err := sqltypes.ValidateJSON(v.str(i)); err != nil {
						return nil, err
					}
				}
			}
			return retype(a, dt), nil
		}, true
	case sqltypes.JSONB:
		return normalizeJSONBKernel, true
	case sqltypes.List:
		return func(mem memory.Allocator, cx castCtx, a arrow.Array) (arrow.Array, error) {
			v := viewOf(a)
			b := array.NewBuilder(mem, dt)
			defer b.Release()
			for i := 0; i < a.Len(); i++ {
				if a.IsNull(i) {
					b.AppendNull()
					continue
				}
				xs, err := sqltypes.ParseArrayIn(*to.Elem, v.str(i), cx.input())
				if err != nil {
					return nil, err
				}
				appendDatum(b, to, xs)
			}
			return b.NewArray(), nil
		}, true
	}
	return nil, false
}
