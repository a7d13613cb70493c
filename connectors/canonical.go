package connectors

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Sources deliver whatever Arrow types their data has: Parquet written by
// pandas carries nanosecond timestamps, Spark's INT96 timestamps arrive
// as nanoseconds too, other writers use unsigned or 8-bit integers, large
// strings, millisecond times. meshql's kernels compute with one Arrow
// type per SQL type (sqltypes.Type.Arrow), so a scan converts such
// columns once, as batches leave the source, instead of every kernel
// knowing every physical variant.

// CanonicalType returns the Arrow type meshql computes with for values a
// source delivers as dt: the Arrow type of dt's SQL type
// (sqltypes.FromArrow), with dictionaries keeping their indexes. A type
// meshql cannot read is returned unchanged.
func CanonicalType(dt arrow.DataType) arrow.DataType {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		v := CanonicalType(d.ValueType)
		if arrow.TypeEqual(v, d.ValueType) {
			return dt
		}
		return &arrow.DictionaryType{IndexType: d.IndexType, ValueType: v, Ordered: d.Ordered}
	}
	t, err := sqltypes.FromArrow(dt)
	if err != nil {
		return dt
	}
	c := t.Arrow()
	if arrow.TypeEqual(c, dt) {
		return dt // keep the source's instance (and its field metadata)
	}
	return c
}

// ToCanonical converts arr to CanonicalType of its type, allocating from
// mem, or returns arr retained when it already is canonical. Timestamps
// and times finer than microseconds are truncated to microseconds (as
// PostgreSQL stores them); a value out of the canonical type's range
// (an unsigned 64-bit integer never is: it becomes numeric(20,0)) is an
// error, HV000.
func ToCanonical(ctx context.Context, mem memory.Allocator, arr arrow.Array) (arrow.Array, error) {
	to := CanonicalType(arr.DataType())
	if arrow.TypeEqual(to, arr.DataType()) {
		arr.Retain()
		return arr, nil
	}
	if ts, ok := arr.DataType().(*arrow.TimestampType); ok && ts.Unit == arrow.Microsecond {
		// Only the zone's label differs: the values are UTC instants either way.
		d := relabel(arr.Data(), to)
		defer d.Release()
		return array.MakeFromData(d), nil
	}
	if d, ok := arr.(*array.Dictionary); ok {
		dict, err := ToCanonical(ctx, mem, d.Dictionary())
		if err != nil {
			return nil, err
		}
		defer dict.Release()
		out := array.NewDictionaryArray(to, d.Indices(), dict)
		return out, nil
	}
	switch a := arr.(type) {
	case *array.Decimal32:
		return widenDecimal(mem, to, a.Len(), a.IsNull, func(i int) int64 { return int64(a.Value(i)) }), nil
	case *array.Decimal64:
		return widenDecimal(mem, to, a.Len(), a.IsNull, func(i int) int64 { return int64(a.Value(i)) }), nil
	}
	opts := compute.SafeCastOptions(to)
	opts.AllowTimeTruncate = true
	out, err := compute.CastArray(compute.WithAllocator(ctx, mem), arr, opts)
	if err != nil {
		return nil, sqltypes.New(sqltypes.CodeFDWError, "cannot read the source's %s values as %s: %v", arr.DataType(), to, err)
	}
	return out, nil
}

// widenDecimal copies n narrow decimals to a decimal128 array of type to
// (arrow-go's cast has no kernel for it). The scale stays, so the
// unscaled integers are the same.
func widenDecimal(mem memory.Allocator, to arrow.DataType, n int, isNull func(int) bool, value func(int) int64) arrow.Array {
	b := array.NewDecimal128Builder(mem, to.(*arrow.Decimal128Type))
	defer b.Release()
	b.Reserve(n)
	for i := range n {
		if isNull(i) {
			b.AppendNull()
		} else {
			b.UnsafeAppend(decimal128.FromI64(value(i)))
		}
	}
	return b.NewArray()
}

// relabel returns data with type to and the same buffers.
func relabel(data arrow.ArrayData, to arrow.DataType) arrow.ArrayData {
	return array.NewData(to, data.Len(), data.Buffers(), data.Children(), data.NullN(), data.Offset())
}
