package ops

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// An infinite key minus (plus) an infinite offset is NaN; PostgreSQL's
// in_range puts every non-NaN row in range of such a bound, so a start
// becomes the lowest value in sort order and an end the highest.
func TestFixInfiniteBoundsFloat(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	inf, nan := math.Inf(1), math.NaN()
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	// key: +inf, -inf, NaN, 1.5; start bound, end bound.
	b.AppendValues([]float64{inf, -inf, nan, 1.5, nan, nan, nan, 0.5, nan, nan, nan, 2.5}, nil)
	cat := b.NewFloat64Array()
	defer cat.Release()
	for _, tc := range []struct {
		desc       bool
		start, end []float64
	}{
		{false, []float64{-inf, -inf, nan, 0.5}, []float64{inf, inf, nan, 2.5}},
		{true, []float64{inf, inf, nan, 0.5}, []float64{-inf, -inf, nan, 2.5}},
	} {
		v := cat.Float64Values()
		for i := 4; i < 12; i++ {
			if i%4 != 3 {
				v[i] = nan
			}
		}
		fixInfiniteBounds(cat, 4, tc.desc, 4, 8)
		for i := 0; i < 4; i++ {
			if got := v[4+i]; !same(got, tc.start[i]) {
				t.Errorf("desc=%v: start[%d] = %v, want %v", tc.desc, i, got, tc.start[i])
			}
			if got := v[8+i]; !same(got, tc.end[i]) {
				t.Errorf("desc=%v: end[%d] = %v, want %v", tc.desc, i, got, tc.end[i])
			}
		}
	}
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

func TestFixInfiniteBoundsNumeric(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	pinf, ninf, nan := sqltypes.NumericPosInf, sqltypes.NumericNegInf, sqltypes.NumericNaN
	b := array.NewDecimal128Builder(mem, sqltypes.NumericType(38, 0).Arrow().(*arrow.Decimal128Type))
	defer b.Release()
	// key: -inf, NaN, 7; end bound only (start absent).
	b.AppendValues([]decimal128.Num{ninf, nan, decimal128.FromI64(7), nan, nan, decimal128.FromI64(8)}, nil)
	cat := b.NewDecimal128Array()
	defer cat.Release()
	fixInfiniteBounds(cat, 3, false, 0, 3)
	want := []decimal128.Num{ninf, nan, decimal128.FromI64(7), pinf, nan, decimal128.FromI64(8)}
	for i, w := range want {
		if got := cat.Value(i); got != w {
			t.Errorf("[%d] = %v, want %v", i, got, w)
		}
	}
}

func TestCheckFrameOffset(t *testing.T) {
	for _, tc := range []struct {
		mode FrameMode
		v    sqltypes.Datum
		want int64
		code string
	}{
		{FrameRows, int64(3), 3, ""},
		{FrameGroups, int64(-1), 0, "22013"},
		{FrameRows, nil, 0, "22004"},
		{FrameRange, math.NaN(), 0, "22013"},
		{FrameRange, math.Inf(1), 0, ""},
		{FrameRange, sqltypes.NumericNaN, 0, "22013"},
		{FrameRange, decimal128.FromI64(-2), 0, "22013"},
		{FrameRange, nil, 0, "22004"},
	} {
		n, err := CheckFrameOffset(tc.mode, "starting", tc.v)
		code := ""
		if err != nil {
			code = err.Code
		}
		if n != tc.want || code != tc.code {
			t.Errorf("CheckFrameOffset(%v, %v) = %d, %q; want %d, %q", tc.mode, tc.v, n, code, tc.want, tc.code)
		}
	}
}
