package expr

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// Conversions between single Datums (sqltypes/values.go) and Arrow arrays,
// for literals and for the rare slow paths (arrays, generic comparisons).
// Kernels on the hot path never go through these.

// datumAt returns row i of a as a Datum of type t (nil for NULL).
func datumAt(a arrow.Array, t sqltypes.Type, i int) sqltypes.Datum {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Boolean:
		return x.Value(i)
	case *array.Int16:
		return x.Value(i)
	case *array.Int32:
		return x.Value(i)
	case *array.Int64:
		return x.Value(i)
	case *array.Uint32:
		return x.Value(i)
	case *array.Float32:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.Decimal128:
		return x.Value(i)
	case *array.Struct:
		if t.VarScale {
			n, s := VarNumericAt(x, i)
			return sqltypes.Decimal{Num: n, Scale: s}
		}
	case *array.String:
		return x.Value(i)
	case *array.Binary:
		return append([]byte(nil), x.Value(i)...)
	case *array.Date32:
		return x.Value(i)
	case *array.Timestamp:
		return x.Value(i)
	case *array.Time64:
		return x.Value(i)
	case *array.MonthDayNanoInterval:
		return x.Value(i)
	case *array.FixedSizeBinary:
		var u [16]byte
		copy(u[:], x.Value(i))
		return u
	case *array.List:
		var et sqltypes.Type
		if t.Elem != nil {
			et = *t.Elem
		}
		start, end := x.ValueOffsets(i)
		vals := x.ListValues()
		out := make([]any, 0, end-start)
		for j := int(start); j < int(end); j++ {
			out = append(out, datumAt(vals, et, j))
		}
		return out
	}
	return nil
}

// appendDatum appends v (already normalized to t) to b.
func appendDatum(b array.Builder, t sqltypes.Type, v sqltypes.Datum) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		bb.Append(v.(bool))
	case *array.Int16Builder:
		bb.Append(v.(int16))
	case *array.Int32Builder:
		bb.Append(v.(int32))
	case *array.Int64Builder:
		bb.Append(v.(int64))
	case *array.Uint32Builder:
		bb.Append(v.(uint32))
	case *array.Float32Builder:
		bb.Append(v.(float32))
	case *array.Float64Builder:
		bb.Append(v.(float64))
	case *array.Decimal128Builder:
		bb.Append(v.(decimal128.Num))
	case *array.StructBuilder:
		if d, ok := v.(sqltypes.Decimal); ok && t.VarScale {
			bb.Append(true)
			bb.FieldBuilder(sqltypes.VarNumericMantissa).(*array.Decimal128Builder).Append(d.Num)
			bb.FieldBuilder(sqltypes.VarNumericScale).(*array.Int8Builder).Append(int8(d.Scale))
			return
		}
		panic(internalErr("appending %T to %s", v, t))
	case *array.StringBuilder:
		bb.Append(v.(string))
	case *array.BinaryBuilder:
		bb.Append(v.([]byte))
	case *array.Date32Builder:
		bb.Append(v.(arrow.Date32))
	case *array.TimestampBuilder:
		bb.Append(v.(arrow.Timestamp))
	case *array.Time64Builder:
		bb.Append(v.(arrow.Time64))
	case *array.MonthDayNanoIntervalBuilder:
		bb.Append(v.(arrow.MonthDayNanoInterval))
	case *array.FixedSizeBinaryBuilder:
		u := v.([16]byte)
		bb.Append(u[:])
	case *array.ListBuilder:
		bb.Append(true)
		for _, e := range v.([]any) {
			appendDatum(bb.ValueBuilder(), *t.Elem, e)
		}
	case *array.NullBuilder:
		bb.AppendNull()
	default:
		b.AppendNull()
	}
}

// normalizeDatum converts v to the Go representation values.go specifies
// for t, accepting the nearby representations a planner may hand over
// (int64 for an int4 literal, text for any type, …).
func normalizeDatum(t sqltypes.Type, v sqltypes.Datum) (sqltypes.Datum, error) {
	if v == nil {
		return nil, nil
	}
	// A jsonpath constant is already its normalized text (a folded cast),
	// a record constant its text (a folded row constructor).
	if s, ok := v.(string); ok && !t.IsString() && t.Kind != sqltypes.JSON && t.Kind != sqltypes.JSONPath && t.Kind != sqltypes.Record && t.Kind != sqltypes.Unknown {
		return sqltypes.ParseValue(t, s)
	}
	bad := func() error {
		return sqltypes.New(sqltypes.CodeInternal, "internal error: literal %v (%T) does not fit type %s", v, v, t)
	}
	asInt := func() (int64, bool) { return sqltypes.DatumInt64(v) }
	switch t.Kind {
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		i, ok := asInt()
		if !ok {
			return nil, bad()
		}
		switch t.Kind {
		case sqltypes.Int2:
			if i < math.MinInt16 || i > math.MaxInt16 {
				return nil, errSmallintRange()
			}
			return int16(i), nil
		case sqltypes.Int4:
			if i < math.MinInt32 || i > math.MaxInt32 {
				return nil, errIntegerRange()
			}
			return int32(i), nil
		}
		return i, nil
	case sqltypes.Oid, sqltypes.RegClass, sqltypes.RegType, sqltypes.RegProc, sqltypes.RegProcedure, sqltypes.RegNamespace, sqltypes.RegRole:
		// An id is a uint32; the engine's catalogs list int4 ids, whose
		// bits are the same (an int4 casts to oid without a change).
		switch x := v.(type) {
		case uint32:
			return x, nil
		case int32:
			return uint32(x), nil
		}
		i, ok := asInt()
		if !ok {
			return nil, bad()
		}
		return sqltypes.OIDOfInt64(i)
	case sqltypes.Float4, sqltypes.Float8:
		var f float64
		switch x := v.(type) {
		case float32:
			f = float64(x)
		case float64:
			f = x
		default:
			i, ok := asInt()
			if !ok {
				return nil, bad()
			}
			f = float64(i)
		}
		if t.Kind == sqltypes.Float4 {
			return float32(f), nil
		}
		return f, nil
	case sqltypes.Numeric:
		if n, ok := v.(decimal128.Num); ok && !t.VarScale {
			return n, nil
		}
		if d, ok := v.(sqltypes.Decimal); ok && t.VarScale {
			return d, nil
		}
		if i, ok := asInt(); ok {
			return sqltypes.ParseNumeric(fmt.Sprint(i), t.Precision, t.Scale)
		}
		return nil, bad()
	case sqltypes.Date:
		switch x := v.(type) {
		case arrow.Date32:
			return x, nil
		case int32:
			return arrow.Date32(x), nil
		}
		return nil, bad()
	case sqltypes.Time:
		switch x := v.(type) {
		case arrow.Time64:
			return x, nil
		case int64:
			return arrow.Time64(x), nil
		}
		return nil, bad()
	case sqltypes.Timestamp, sqltypes.TimestampTZ:
		switch x := v.(type) {
		case arrow.Timestamp:
			return x, nil
		case int64:
			return arrow.Timestamp(x), nil
		}
		return nil, bad()
	case sqltypes.Char:
		if x, ok := v.(string); ok && (x == "" || len(x) == 1 && x[0] < 0x80) {
			return x, nil
		}
		return nil, bad()
	case sqltypes.Name:
		if x, ok := v.(string); ok {
			return sqltypes.ClipName(x), nil
		}
		return nil, bad()
	case sqltypes.Text, sqltypes.Varchar, sqltypes.JSON, sqltypes.JSONB, sqltypes.JSONPath, sqltypes.Record, sqltypes.Unknown,
		sqltypes.Int4Range, sqltypes.Int8Range, sqltypes.NumRange, sqltypes.DateRange, sqltypes.TsRange, sqltypes.TstzRange:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
		return nil, bad()
	case sqltypes.Bytea:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
		return nil, bad()
	case sqltypes.Inet, sqltypes.Cidr:
		if b, ok := v.([]byte); ok {
			if ip, ok := sqltypes.DecodeInet(b); ok && (t.Kind == sqltypes.Inet || ip.HostBitsZero()) {
				return b, nil
			}
		}
		return nil, bad()
	case sqltypes.Macaddr:
		if b, ok := v.([]byte); ok && len(b) == 6 {
			return b, nil
		}
		return nil, bad()
	case sqltypes.List:
		xs, ok := v.([]any)
		if !ok {
			return nil, bad()
		}
		out := make([]any, len(xs))
		for i, x := range xs {
			e, err := normalizeDatum(*t.Elem, x)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}
	switch v.(type) {
	case bool:
		if t.Kind == sqltypes.Bool {
			return v, nil
		}
	case arrow.MonthDayNanoInterval:
		if t.Kind == sqltypes.Interval {
			return v, nil
		}
	case [16]byte:
		if t.Kind == sqltypes.UUID {
			return v, nil
		}
	}
	return nil, bad()
}
