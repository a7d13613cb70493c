package ops

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// FrameWhich names a frame's start and end offsets in errors.
var FrameWhich = [2]string{"starting", "ending"}

// CheckFrameOffset checks a frame offset's value as PostgreSQL does when
// the window starts (which is "starting" or "ending"): NULL is 22004, a
// negative (or NaN) one 22013. For ROWS and GROUPS, v is a bigint and the
// answer is its value; for RANGE, v has the offset's own type and the
// answer is 0.
func CheckFrameOffset(mode FrameMode, which string, v sqltypes.Datum) (int64, *sqltypes.Error) {
	if v == nil {
		return 0, sqltypes.New("22004", "frame %s offset must not be null", which)
	}
	if mode == FrameRange {
		if negativeOffset(v) {
			return 0, sqltypes.New("22013", "invalid preceding or following size in window function")
		}
		return 0, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, errInternal("frame offset %v (%T) is not a bigint", v, v)
	}
	if n < 0 {
		return 0, sqltypes.New("22013", "frame %s offset must not be negative", which)
	}
	return n, nil
}

func (f *WindowFunc) offsetExprs() []expr.Expr {
	var out []expr.Expr
	for _, e := range f.Offsets {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// readOffsets checks the offsets computed per row (cols, one per non-nil
// Offsets, unsorted), from the first row: with no rows there is no frame.
func (f *WindowFunc) readOffsets(cols []arrow.Array) error {
	for i, bound := range []*FrameBound{&f.Frame.Start, &f.Frame.End} {
		if f.Offsets[i] == nil {
			continue
		}
		c := cols[0]
		cols = cols[1:]
		if c.Len() == 0 {
			continue
		}
		n, err := CheckFrameOffset(f.Frame.Mode, FrameWhich[i], expr.DatumAt(c, f.Offsets[i].Type(), 0))
		if err != nil {
			return err
		}
		if f.Frame.Mode != FrameRange {
			bound.Offset = n
		}
	}
	return nil
}

// negativeOffset reports whether a RANGE offset is below zero (or NaN),
// intervals compared as PostgreSQL does (a month is 30 days).
func negativeOffset(v sqltypes.Datum) bool {
	switch x := v.(type) {
	case float64:
		return x < 0 || math.IsNaN(x)
	case float32:
		return x < 0 || math.IsNaN(float64(x))
	case decimal128.Num:
		return x.Sign() < 0 || sqltypes.IsNumericNaN(x)
	case arrow.MonthDayNanoInterval:
		const nanosPerDay = 86400 * 1e9
		span := decimal128.FromI64(int64(x.Months)).Mul(decimal128.FromI64(30 * nanosPerDay)).
			Add(decimal128.FromI64(int64(x.Days)).Mul(decimal128.FromI64(nanosPerDay))).
			Add(decimal128.FromI64(x.Nanoseconds))
		return span.Sign() < 0
	}
	i, _ := sqltypes.DatumInt64(v)
	return i < 0
}

// fixInfiniteBounds rewrites, in cat (key ++ bound values, n each; owned
// by the caller and not yet shared), the bounds that came out NaN from an
// infinite key and an infinite offset (+Infinity - Infinity, -Infinity +
// Infinity). PostgreSQL's in_range_float8_float8 and
// in_range_numeric_numeric put every row in range of such a bound: a
// start is then the smallest value in sort order that is not NaN, an end
// the largest. start and end are where the bounds begin in cat (0:
// absent).
func fixInfiniteBounds(cat arrow.Array, n int, desc bool, start, end int) {
	for _, b := range []struct {
		at    int
		first bool // the bound is -Infinity (else +Infinity)
	}{{start, !desc}, {end, desc}} {
		if b.at == 0 {
			continue
		}
		switch a := cat.(type) {
		case *array.Float64:
			v, inf := a.Float64Values(), math.Inf(1)
			if b.first {
				inf = math.Inf(-1)
			}
			for i := 0; i < n; i++ {
				if !math.IsNaN(v[i]) && math.IsNaN(v[b.at+i]) && a.IsValid(i) {
					v[b.at+i] = inf
				}
			}
		case *array.Decimal128:
			v, inf := a.Values(), sqltypes.NumericPosInf
			if b.first {
				inf = sqltypes.NumericNegInf
			}
			for i := 0; i < n; i++ {
				if !sqltypes.IsNumericNaN(v[i]) && sqltypes.IsNumericNaN(v[b.at+i]) && a.IsValid(i) {
					v[b.at+i] = inf
				}
			}
		}
	}
}
