package connectors

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestToCanonical converts the physical variants real Parquet writers
// produce (pandas' nanosecond timestamps, unsigned and 8-bit integers,
// large strings, …) to the Arrow types meshql computes with, and checks
// the values, the NULLs and that nothing leaks.
func TestToCanonical(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	build := func(dt arrow.DataType, json string) arrow.Array {
		t.Helper()
		a, _, err := array.FromJSON(mem, dt, strings.NewReader(json))
		if err != nil {
			t.Fatalf("%s: %v", dt, err)
		}
		return a
	}
	usUTC := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	us := &arrow.TimestampType{Unit: arrow.Microsecond}
	cases := []struct {
		in       arrow.Array
		want     arrow.DataType
		wantJSON string
	}{
		{build(arrow.PrimitiveTypes.Uint8, `[255, null, 0]`), arrow.PrimitiveTypes.Int16, `[255, null, 0]`},
		{build(arrow.PrimitiveTypes.Int8, `[-128, 127]`), arrow.PrimitiveTypes.Int16, `[-128, 127]`},
		{build(arrow.PrimitiveTypes.Uint16, `[65535]`), arrow.PrimitiveTypes.Int32, `[65535]`},
		{build(arrow.PrimitiveTypes.Uint32, `[4294967295, null]`), arrow.PrimitiveTypes.Int64, `[4294967295, null]`},
		{build(arrow.PrimitiveTypes.Uint64, `[18446744073709551615]`), &arrow.Decimal128Type{Precision: 20, Scale: 0}, `["18446744073709551615"]`},
		{build(&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, `[1700000000123456789, null]`), usUTC, `[1700000000123456, null]`},
		{build(&arrow.TimestampType{Unit: arrow.Millisecond}, `[1700000000123]`), us, `[1700000000123000]`},
		{build(&arrow.TimestampType{Unit: arrow.Second, TimeZone: "Europe/Paris"}, `[-1]`), usUTC, `[-1000000]`},
		{build(&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "+01:00"}, `[5, null]`), usUTC, `[5, null]`},
		{build(arrow.FixedWidthTypes.Date64, `[86400000]`), arrow.FixedWidthTypes.Date32, `[1]`},
		{build(arrow.BinaryTypes.LargeString, `["a", null, "ü"]`), arrow.BinaryTypes.String, `["a", null, "ü"]`},
		{build(arrow.BinaryTypes.LargeBinary, `["AAE="]`), arrow.BinaryTypes.Binary, `["AAE="]`},
		{build(&arrow.Decimal64Type{Precision: 10, Scale: 2}, `["-12.34"]`), &arrow.Decimal128Type{Precision: 10, Scale: 2}, `["-12.34"]`},
	}
	f16 := array.NewFloat16Builder(mem)
	f16.Append(float16.New(1.5))
	f16.AppendNull()
	cases = append(cases, struct {
		in       arrow.Array
		want     arrow.DataType
		wantJSON string
	}{f16.NewArray(), arrow.PrimitiveTypes.Float32, `[1.5, null]`})
	f16.Release()

	for _, c := range cases {
		if got := CanonicalType(c.in.DataType()); !arrow.TypeEqual(got, c.want) {
			t.Errorf("CanonicalType(%s) = %s, want %s", c.in.DataType(), got, c.want)
		}
		out, err := ToCanonical(ctx, mem, c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in.DataType(), err)
			c.in.Release()
			continue
		}
		want := build(c.want, c.wantJSON)
		if !array.Equal(out, want) {
			t.Errorf("%s → %s: got %v, want %v", c.in.DataType(), c.want, out, want)
		}
		want.Release()
		out.Release()
		c.in.Release()
	}

	// Canonical arrays pass through untouched.
	plain := build(arrow.PrimitiveTypes.Int64, `[1, 2]`)
	out, err := ToCanonical(ctx, mem, plain)
	if err != nil || out != plain {
		t.Errorf("an int64 array was copied (%v)", err)
	}
	out.Release()
	plain.Release()

	// A dictionary keeps its indexes; only its values are converted.
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.LargeString}
	idx := build(arrow.PrimitiveTypes.Int32, `[0, 1, 0, null]`)
	vals := build(arrow.BinaryTypes.LargeString, `["x", "y"]`)
	dict := array.NewDictionaryArray(dt, idx, vals)
	idx.Release()
	vals.Release()
	out, err = ToCanonical(ctx, mem, dict)
	if err != nil {
		t.Fatal(err)
	}
	d := out.(*array.Dictionary)
	if !arrow.TypeEqual(d.Dictionary().DataType(), arrow.BinaryTypes.String) || d.Len() != 4 || !d.IsNull(3) {
		t.Errorf("dictionary: %v", out)
	}
	if s := d.Dictionary().(*array.String); s.Value(d.GetValueIndex(2)) != "x" || s.Value(d.GetValueIndex(1)) != "y" {
		t.Errorf("dictionary values: %v", out)
	}
	out.Release()
	dict.Release()
}
