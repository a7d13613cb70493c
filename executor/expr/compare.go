package expr

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// comparable reports whether values of type t have an ordering kernel.
func comparableType(t sqltypes.Type) bool {
	switch t.Kind {
	case sqltypes.Unknown, sqltypes.Void:
		return false
	case sqltypes.List:
		return comparableType(*t.Elem)
	}
	return true
}

// rawCompare returns a bitmap (offset 0) with bit i = "a[i] op b[i]" for
// every slot, ignoring validity. a has type lt and b type rt; the types
// are the same family (numeric scales may differ).
func rawCompare(mem memory.Allocator, op BinaryOp, lt, rt sqltypes.Type, a, b arrow.Array) (*memory.Buffer, error) {
	if lt.Kind == sqltypes.JSONB && rt.Kind == sqltypes.JSONB {
		// Values of a jsonb column are JSON, so this cannot fail; were
		// one not, it would compare by its text below.
		if buf, err := jsonbCompare(mem, op, a, b); err == nil {
			return buf, nil
		}
	}
	if lt.Kind == sqltypes.List && lt.Leaf().Kind == sqltypes.JSONB && rt.Leaf().Kind == sqltypes.JSONB {
		// jsonb[] compares as the bytea[] of its elements' sort keys: each
		// element is parsed once per batch, not at every comparison.
		if buf, ok := jsonbArrayCompare(mem, op, a, b); ok {
			return buf, nil
		}
	}
	p := planOf(op)
	if lt.IsRange() && rt.Kind == lt.Kind {
		return rangeCompare(mem, p, lt, a, b)
	}
	if lt.Kind == sqltypes.List && lt.Leaf().IsRange() && rt.Leaf().Kind == lt.Leaf().Kind && lt.Ndims() == rt.Ndims() {
		return rangeArrayCompare(mem, op, lt, a, b)
	}
	if p.swap {
		a, b, lt, rt = b, a, rt, lt
	}
	n := a.Len()
	buf, out := allocBitmap(mem, n)
	switch a.DataType().ID() {
	case arrow.INT16:
		rawOrdered(p.eq, values[int16](a), values[int16](b), out)
	case arrow.INT32, arrow.DATE32:
		rawOrdered(p.eq, values[int32](a), values[int32](b), out)
	case arrow.UINT32:
		rawOrdered(p.eq, values[uint32](a), values[uint32](b), out)
	case arrow.INT64, arrow.TIMESTAMP, arrow.TIME64:
		rawOrdered(p.eq, values[int64](a), values[int64](b), out)
	case arrow.FLOAT32:
		rawFloat(p.eq, values[float32](a), values[float32](b), out)
	case arrow.FLOAT64:
		rawFloat(p.eq, values[float64](a), values[float64](b), out)
	case arrow.DECIMAL128:
		x, y := values[decimal128.Num](a), values[decimal128.Num](b)
		if lt.Scale != rt.Scale {
			x, y = alignScales(x, lt.Scale, y, rt.Scale)
		}
		if p.eq {
			eqVV(x, y, out)
		} else {
			decltVV(x, y, out)
		}
	case arrow.STRING, arrow.BINARY:
		va, vb := viewOf(a), viewOf(b)
		if p.eq {
			rowsCmp(n, out, func(i int) bool { return bytes.Equal(va.bytes(i), vb.bytes(i)) })
		} else {
			rowsCmp(n, out, func(i int) bool { return va.str(i) < vb.str(i) })
		}
	case arrow.BOOL:
		x, y := copyBitmap(mem, a.Data().Buffers()[1].Bytes(), a.Data().Offset(), n), copyBitmap(mem, b.Data().Buffers()[1].Bytes(), b.Data().Offset(), n)
		xb, yb := x.Bytes(), y.Bytes()
		for i := range out {
			if p.eq {
				out[i] = ^(xb[i] ^ yb[i])
			} else {
				out[i] = ^xb[i] & yb[i]
			}
		}
		x.Release()
		y.Release()
	case arrow.INTERVAL_MONTH_DAY_NANO:
		x, y := values[arrow.MonthDayNanoInterval](a), values[arrow.MonthDayNanoInterval](b)
		rowsCmp(n, out, func(i int) bool {
			return cmpResult(p.eq, cmpInterval(x[i], y[i]))
		})
	case arrow.FIXED_SIZE_BINARY:
		x, y := values[[16]byte](a), values[[16]byte](b)
		rowsCmp(n, out, func(i int) bool {
			return cmpResult(p.eq, bytes.Compare(x[i][:], y[i][:]))
		})
	default:
		if lt.VarScale || rt.VarScale { // by value: 1.5 = 1.50
			x, y := numAt(a, lt), numAt(b, rt)
			rowsCmp(n, out, func(i int) bool {
				xm, xs := x(i)
				ym, ys := y(i)
				return cmpResult(p.eq, cmpNumeric(xm, xs, ym, ys))
			})
			break
		}
		rowsCmp(n, out, func(i int) bool {
			return cmpResult(p.eq, compareDatums(lt, datumAt(a, lt, i), datumAt(b, rt, i)))
		})
	}
	if p.inv {
		invertBits(out)
	}
	return buf, nil
}

func rawOrdered[T int16 | int32 | int64 | uint32](eq bool, a, b []T, out []byte) {
	if eq {
		eqVV(a, b, out)
	} else {
		ltVV(a, b, out)
	}
}

func rawFloat[T floatT](eq bool, a, b []T, out []byte) {
	if eq {
		feqVV(a, b, out)
	} else {
		fltVV(a, b, out)
	}
}

// alignScales rescales the lower-scale side to the other's scale. A value
// too large to rescale saturates to ±10^38, which still orders correctly
// against any value of the other side: numbers are below 10^38, NaN and
// ±Infinity beyond it (and pass rescaling unchanged).
func alignScales(x []decimal128.Num, sx int32, y []decimal128.Num, sy int32) ([]decimal128.Num, []decimal128.Num) {
	up := func(v []decimal128.Num, from, to int32) []decimal128.Num {
		out := make([]decimal128.Num, len(v))
		for i, d := range v {
			r, ok := rescaleDec(d, from, to)
			if !ok {
				r = join(d.Sign() < 0, maxDec)
			}
			out[i] = r
		}
		return out
	}
	if sx < sy {
		return up(x, sx, sy), y
	}
	return x, up(y, sy, sx)
}

// ivKey normalizes an interval as interval_cmp_value does: months count
// 30 days, days 24 hours.
func ivKey(iv arrow.MonthDayNanoInterval) (int64, int64) {
	q, r := sqltypes.FloorDivMod(iv.Nanoseconds, sqltypes.MicrosPerDay*1000)
	return int64(iv.Months)*30 + int64(iv.Days) + q, r
}

func cmpInterval(x, y arrow.MonthDayNanoInterval) int {
	xd, xn := ivKey(x)
	yd, yn := ivKey(y)
	switch {
	case xd != yd:
		return cmpInt(xd, yd)
	}
	return cmpInt(xn, yn)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rawCompareScalar is rawCompare against a non-NULL constant s of a's
// type (scalarLeft: "s op a"). ok is false for types without a scalar
// kernel; the caller then materializes the constant.
func rawCompareScalar(mem memory.Allocator, op BinaryOp, a arrow.Array, s sqltypes.Datum, scalarLeft bool) (*memory.Buffer, bool) {
	p := planOf(op)
	sLeft := scalarLeft != p.swap // scalar is the left operand of "<"
	n := a.Len()
	var buf *memory.Buffer
	var out []byte
	alloc := func() { buf, out = allocBitmap(mem, n) }
	switch x := s.(type) {
	case int16:
		alloc()
		scalarOrdered(p.eq, values[int16](a), x, sLeft, out)
	case int32:
		alloc()
		scalarOrdered(p.eq, values[int32](a), x, sLeft, out)
	case int64:
		alloc()
		scalarOrdered(p.eq, values[int64](a), x, sLeft, out)
	case uint32:
		alloc()
		scalarOrdered(p.eq, values[uint32](a), x, sLeft, out)
	case arrow.Date32:
		alloc()
		scalarOrdered(p.eq, values[int32](a), int32(x), sLeft, out)
	case arrow.Timestamp:
		alloc()
		scalarOrdered(p.eq, values[int64](a), int64(x), sLeft, out)
	case string:
		alloc()
		scalarString(p.eq, viewOf(a), x, sLeft, out)
	case []byte:
		alloc()
		scalarString(p.eq, viewOf(a), string(x), sLeft, out)
	case decimal128.Num:
		alloc()
		if p.eq {
			eqVS(values[decimal128.Num](a), x, out)
		} else {
			decltVS(values[decimal128.Num](a), x, sLeft, out)
		}
	default:
		return nil, false
	}
	if p.inv {
		invertBits(out)
	}
	return buf, true
}

// scalarCmpOK reports whether rawCompareScalar has a kernel for v.
func scalarCmpOK(v sqltypes.Datum) bool {
	switch v.(type) {
	case int16, int32, int64, uint32, arrow.Date32, arrow.Timestamp, string, []byte, decimal128.Num:
		return true
	}
	return false
}

// sameScalarLayout reports whether a column of type col compares with a
// literal of type lit value by value: the same type, two string types,
// or two numerics of one scale (precision does not change the values).
func sameScalarLayout(col, lit sqltypes.Type) bool {
	switch {
	case col.IsRange():
		return false // ordered by value, not by text
	case col.IsString() && lit.IsString():
		return true
	case col.Kind == sqltypes.Numeric && lit.Kind == sqltypes.Numeric:
		return col.Scale == lit.Scale
	}
	return col.Equal(lit)
}

func scalarOrdered[T int16 | int32 | int64 | uint32](eq bool, a []T, s T, sLeft bool, out []byte) {
	if eq {
		eqVS(a, s, out)
	} else {
		ltVS(a, s, sLeft, out)
	}
}

func scalarString(eq bool, v strView, s string, sLeft bool, out []byte) {
	n := len(v.offs) - 1
	var acc byte
	for i := 0; i < n; i++ {
		x := v.str(i)
		var r bool
		switch {
		case eq:
			r = x == s
		case sLeft:
			r = s < x
		default:
			r = x < s
		}
		acc |= b2u(r) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if n&7 != 0 {
		out[n>>3] = acc
	}
}

// boolArray wraps a values bitmap and a validity bitmap (nil = no nulls).
func boolArray(n int, vals, valid *memory.Buffer) arrow.Array {
	return finish(arrow.FixedWidthTypes.Boolean, n, valid, vals)
}

// cmpResult turns a three-way comparison into "equal" or "less".
func cmpResult(eq bool, c int) bool {
	if eq {
		return c == 0
	}
	return c < 0
}

// rangeCompare is rawCompare over two range arrays, in range_cmp's order.
// Every range it holds is one meshql wrote or a connector checked
// (connectors.CheckTagged), so one that does not read is a bug: XX000,
// not an order by its text.
func rangeCompare(mem memory.Allocator, p cmpPlan, t sqltypes.Type, a, b arrow.Array) (*memory.Buffer, error) {
	if p.swap {
		a, b = b, a
	}
	n := a.Len()
	buf, out := allocBitmap(mem, n)
	x, y := NewRangeReader(t, a), NewRangeReader(t, b)
	var bad error
	rowsCmp(n, out, func(i int) bool {
		if bad != nil || a.IsNull(i) || b.IsNull(i) {
			return false
		}
		rx, err := x.At(i)
		if err != nil {
			bad = heldRangeErr(t, err)
			return false
		}
		ry, err := y.At(i)
		if err != nil {
			bad = heldRangeErr(t, err)
			return false
		}
		return cmpResult(p.eq, sqltypes.CompareRanges(rx, ry))
	})
	if bad != nil {
		buf.Release()
		return nil, bad
	}
	if p.inv {
		invertBits(out)
	}
	return buf, nil
}

// rangeArrayCompare is rawCompare over two arrays of ranges of the same
// dimensions: they compare as the bytea arrays of their elements' sort
// keys (AppendRangeSortKey orders as range_cmp), so each element is read
// once per batch, not at every comparison.
func rangeArrayCompare(mem memory.Allocator, op BinaryOp, t sqltypes.Type, a, b arrow.Array) (*memory.Buffer, error) {
	ka, err := RangeSortKeys(mem, t.Leaf(), a)
	if err != nil {
		return nil, heldRangeErr(t.Leaf(), err)
	}
	defer ka.Release()
	kb, err := RangeSortKeys(mem, t.Leaf(), b)
	if err != nil {
		return nil, heldRangeErr(t.Leaf(), err)
	}
	defer kb.Release()
	kt := sqltypes.ArrayOf(sqltypes.TypeBytea, t.Ndims())
	return rawCompare(mem, op, kt, kt, ka, kb)
}

// heldRangeErr is the XX000 of a held value of range type t that does
// not read as one (err, which quotes the text).
func heldRangeErr(t sqltypes.Type, err error) error {
	return internalErr("a held %s value does not read as one: %v", t, err)
}
