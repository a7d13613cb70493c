package expr

import (
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Date, timestamp and interval arithmetic, following PostgreSQL's
// date_pli, timestamp_pl_interval, timestamp_mi, interval_pl and
// interval_mul. timestamptz adds months and days in the session time zone
// (so a day across a DST change keeps the wall-clock time) and the time
// part as elapsed microseconds.

const maxTSDays = 106_751_990 // days representable in int64 microseconds

func addDateInt(d arrow.Date32, k int32) (arrow.Date32, error) {
	if !sqltypes.IsFiniteDate(int64(d)) {
		return d, nil // infinity ± k is infinity
	}
	r := int64(d) + int64(k)
	if r < sqltypes.MinDateDays || r > sqltypes.MaxDateDays {
		return 0, errDateRange()
	}
	return arrow.Date32(r), nil
}

// dateToTS converts a date to timestamp microseconds (local midnight for
// timestamptz, loc non-nil).
func dateToTS(d arrow.Date32, loc *time.Location) (arrow.Timestamp, error) {
	switch int64(d) {
	case sqltypes.DateInfinity:
		return arrow.Timestamp(sqltypes.TimestampInfinity), nil
	case sqltypes.DateNegInfinity:
		return arrow.Timestamp(sqltypes.TimestampNegInfinity), nil
	}
	if int64(d) > maxTSDays {
		// PostgreSQL's date2timestamp words it so.
		return 0, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date out of range for timestamp")
	}
	us := int64(d) * sqltypes.MicrosPerDay
	if loc != nil {
		us = sqltypes.LocalToUTC(us, loc)
	}
	return arrow.Timestamp(us), nil
}

// addMonths moves a day number by months, clamping the day of month.
func addMonths(day int64, months int64) int64 {
	y, m, d := sqltypes.CivilFromDays(day)
	total := y*12 + int64(m-1) + months
	ny, nm := sqltypes.FloorDivMod(total, 12)
	if dim := sqltypes.DaysInMonth(ny, int(nm)+1); d > dim {
		d = dim
	}
	return sqltypes.DaysFromCivil(ny, int(nm)+1, d)
}

// tsAddInterval adds iv (negated if sub) to a timestamp; loc is the session
// zone for timestamptz, nil for timestamp.
func tsAddInterval(ts arrow.Timestamp, iv arrow.MonthDayNanoInterval, sub bool, loc *time.Location) (arrow.Timestamp, error) {
	months, days, us := int64(iv.Months), int64(iv.Days), iv.Nanoseconds/1000
	if sub {
		months, days, us = -months, -days, -us
	}
	t := int64(ts)
	if !sqltypes.IsFiniteTimestamp(t) {
		return ts, nil // infinity ± interval is infinity
	}
	if months != 0 || days != 0 {
		local := t
		if loc != nil {
			local = sqltypes.UTCToLocal(t, loc)
		}
		day, tod := sqltypes.FloorDivMod(local, sqltypes.MicrosPerDay)
		if months != 0 {
			day = addMonths(day, months)
		}
		day += days
		if day < sqltypes.MinDateDays || day > maxTSDays {
			return 0, errTSRange()
		}
		local = day*sqltypes.MicrosPerDay + tod
		t = local
		if loc != nil {
			t = sqltypes.LocalToUTC(local, loc)
		}
	}
	r := t + us
	if (r > t) != (us > 0) && us != 0 || r < sqltypes.MinTimestampMicros {
		return 0, errTSRange()
	}
	return arrow.Timestamp(r), nil
}

// tsDiff is timestamp - timestamp: whole days and the remaining time, both
// with the sign of the difference (interval_justify_hours).
func tsDiff(a, b arrow.Timestamp) (arrow.MonthDayNanoInterval, error) {
	if !sqltypes.IsFiniteTimestamp(int64(a)) || !sqltypes.IsFiniteTimestamp(int64(b)) {
		return arrow.MonthDayNanoInterval{}, errInfinite("cannot subtract infinite timestamps")
	}
	d := int64(a) - int64(b)
	if (d > int64(a)) != (int64(b) < 0) {
		return arrow.MonthDayNanoInterval{}, errIntervalRange()
	}
	days := d / sqltypes.MicrosPerDay
	rem := d - days*sqltypes.MicrosPerDay
	return arrow.MonthDayNanoInterval{Days: int32(days), Nanoseconds: rem * 1000}, nil
}

func addIntervals(a, b arrow.MonthDayNanoInterval, sub bool) (arrow.MonthDayNanoInterval, error) {
	if sub {
		b = arrow.MonthDayNanoInterval{Months: -b.Months, Days: -b.Days, Nanoseconds: -b.Nanoseconds}
		if b.Months == math.MinInt32 || b.Days == math.MinInt32 {
			return b, errIntervalRange()
		}
	}
	m := int64(a.Months) + int64(b.Months)
	d := int64(a.Days) + int64(b.Days)
	ns := a.Nanoseconds + b.Nanoseconds
	if m != int64(int32(m)) || d != int64(int32(d)) || (ns > a.Nanoseconds) != (b.Nanoseconds > 0) && b.Nanoseconds != 0 {
		return arrow.MonthDayNanoInterval{}, errIntervalRange()
	}
	return arrow.MonthDayNanoInterval{Months: int32(m), Days: int32(d), Nanoseconds: ns}, nil
}

func tsRound(x float64) float64 { return math.RoundToEven(x*1e6) / 1e6 }

func fitsInt32(f float64) bool { return !math.IsNaN(f) && f >= math.MinInt32 && f < math.MaxInt32+1 }

// mulInterval is interval_mul (div false) or interval_div (div true):
// whole months and days scale as integers and their fractions cascade down
// to days and time with PostgreSQL's 30-day month.
func mulInterval(iv arrow.MonthDayNanoInterval, factor float64, div bool) (arrow.MonthDayNanoInterval, error) {
	return scaleInterval(iv.Months, iv.Days, float64(iv.Nanoseconds/1000), factor, div)
}

// scaleInterval is mulInterval over an interval's fields, its time part
// in microseconds.
func scaleInterval(months, days int32, us float64, factor float64, div bool) (arrow.MonthDayNanoInterval, error) {
	var out arrow.MonthDayNanoInterval
	if div && factor == 0 {
		return out, errDivByZero()
	}
	// interval_div divides each field by the divisor, as here: times its
	// reciprocal is off by an ulp ('1429 mons' / 1429 gave 0 months and
	// 30 days).
	scale := func(x float64) float64 {
		if div {
			return x / factor
		}
		return x * factor
	}
	mf := scale(float64(months))
	df := scale(float64(days))
	if !fitsInt32(mf) || !fitsInt32(df) {
		return out, errIntervalRange()
	}
	out.Months, out.Days = int32(mf), int32(df)
	monthRemDays := tsRound((mf - float64(out.Months)) * 30)
	secRem := tsRound((df - float64(out.Days) + monthRemDays - math.Trunc(monthRemDays)) * 86400)
	wholeDays := int64(out.Days)
	if math.Abs(secRem) >= 86400 {
		whole := math.Trunc(secRem / 86400)
		wholeDays += int64(whole)
		secRem -= whole * 86400
	}
	wholeDays += int64(monthRemDays)
	t := math.RoundToEven(scale(us) + secRem*1e6)
	if wholeDays != int64(int32(wholeDays)) || math.IsNaN(t) || math.Abs(t) >= math.MaxInt64/1000 {
		return out, errIntervalRange()
	}
	out.Days = int32(wholeDays)
	out.Nanoseconds = int64(t) * 1000
	return out, nil
}

func negateInterval(iv arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error) {
	if iv.Months == math.MinInt32 || iv.Days == math.MinInt32 || iv.Nanoseconds == math.MinInt64 {
		return iv, errIntervalRange()
	}
	return arrow.MonthDayNanoInterval{Months: -iv.Months, Days: -iv.Days, Nanoseconds: -iv.Nanoseconds}, nil
}

// tsTypeOf returns the Arrow type of a timestamp kind.
func tsLoc(k sqltypes.Kind, env *time.Location) *time.Location {
	if k != sqltypes.TimestampTZ {
		return nil
	}
	if env == nil {
		return time.UTC
	}
	return env
}

// temporalKernel is a kernel over two evaluated operands.
type kernel func(mem memory.Allocator, loc *time.Location, a, b arrow.Array) (arrow.Array, error)

// temporalArith returns the kernel and result type of a temporal operator
// whose operands are already in canonical order (temporal on the left for
// + with an int or interval), or ok=false.
func temporalArith(op BinaryOp, l, r sqltypes.Type) (kernel, sqltypes.Type, bool) {
	lk, rk := l.Kind, r.Kind
	isTS := func(k sqltypes.Kind) bool { return k == sqltypes.Timestamp || k == sqltypes.TimestampTZ }
	switch {
	case lk == sqltypes.Date && rk == sqltypes.Int4 && (op == OpAdd || op == OpSub):
		sub := op == OpSub
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return mapBinary(mem, l.Arrow(), a, b, func(d arrow.Date32, k int32) (arrow.Date32, error) {
				if sub {
					return addDateInt(d, -k)
				}
				return addDateInt(d, k)
			})
		}, sqltypes.TypeDate, true
	case lk == sqltypes.Date && rk == sqltypes.Date && op == OpSub:
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return mapBinary(mem, arrow.PrimitiveTypes.Int32, a, b, func(x, y arrow.Date32) (int32, error) {
				if !sqltypes.IsFiniteDate(int64(x)) || !sqltypes.IsFiniteDate(int64(y)) {
					return 0, errInfinite("cannot subtract infinite dates")
				}
				return int32(x - y), nil
			})
		}, sqltypes.TypeInt4, true
	case isTS(lk) && (rk == sqltypes.Interval || rk == sqltypes.Time) && (op == OpAdd || op == OpSub):
		sub := op == OpSub
		tz := lk == sqltypes.TimestampTZ
		return func(mem memory.Allocator, loc *time.Location, a, b arrow.Array) (arrow.Array, error) {
			if !tz {
				loc = nil
			}
			if rk == sqltypes.Time { // time casts implicitly to interval in PostgreSQL: ts ± its span
				return tsPlusSpan(mem, l, a, b, sub, loc, func(tm arrow.Time64) arrow.MonthDayNanoInterval {
					return arrow.MonthDayNanoInterval{Nanoseconds: int64(tm) * 1000}
				})
			}
			return tsPlusSpan(mem, l, a, b, sub, loc, func(iv arrow.MonthDayNanoInterval) arrow.MonthDayNanoInterval { return iv })
		}, l, true
	case isTS(lk) && lk == rk && op == OpSub:
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return mapBinary(mem, arrow.FixedWidthTypes.MonthDayNanoInterval, a, b, tsDiff)
		}, sqltypes.TypeInterval, true
	case lk == sqltypes.Date && rk == sqltypes.Time && op == OpAdd:
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return mapBinary(mem, sqltypes.TypeTimestamp.Arrow(), a, b, func(d arrow.Date32, t arrow.Time64) (arrow.Timestamp, error) {
				if !sqltypes.IsFiniteDate(int64(d)) {
					return dateToTS(d, nil)
				}
				return arrow.Timestamp(int64(d)*sqltypes.MicrosPerDay + int64(t)), nil
			})
		}, sqltypes.TypeTimestamp, true
	case lk == sqltypes.Time && rk == sqltypes.Time && op == OpSub:
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return mapBinary(mem, arrow.FixedWidthTypes.MonthDayNanoInterval, a, b, func(x, y arrow.Time64) (arrow.MonthDayNanoInterval, error) {
				return arrow.MonthDayNanoInterval{Nanoseconds: int64(x-y) * 1000}, nil
			})
		}, sqltypes.TypeInterval, true
	case lk == sqltypes.Time && rk == sqltypes.Interval && (op == OpAdd || op == OpSub):
		// Only the interval's time part counts, and the result wraps
		// around midnight, as PostgreSQL's time_pl_interval.
		sub := op == OpSub
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return mapBinary(mem, l.Arrow(), a, b, func(t arrow.Time64, iv arrow.MonthDayNanoInterval) (arrow.Time64, error) {
				d := iv.Nanoseconds / 1000
				if sub {
					d = -d
				}
				_, tod := sqltypes.FloorDivMod(int64(t)+d%sqltypes.MicrosPerDay, sqltypes.MicrosPerDay)
				return arrow.Time64(tod), nil
			})
		}, sqltypes.TypeTime, true
	case lk == sqltypes.Interval && rk == sqltypes.Interval && (op == OpAdd || op == OpSub):
		sub := op == OpSub
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return mapBinary(mem, l.Arrow(), a, b, func(x, y arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error) {
				return addIntervals(x, y, sub)
			})
		}, sqltypes.TypeInterval, true
	case lk == sqltypes.Interval && rk == sqltypes.Float8 && (op == OpMul || op == OpDiv):
		div := op == OpDiv
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return mapBinary(mem, l.Arrow(), a, b, func(x arrow.MonthDayNanoInterval, f float64) (arrow.MonthDayNanoInterval, error) {
				return mulInterval(x, f, div)
			})
		}, sqltypes.TypeInterval, true
	}
	return nil, sqltypes.Type{}, false
}

// errInfinite is PostgreSQL's 22008 for arithmetic that has no answer on
// an infinite date or timestamp.
func errInfinite(msg string) error {
	return sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "%s", msg)
}

// tsPlusSpan adds (or with sub subtracts) each row of b, read as an
// interval by span, to the timestamps of a; loc is the session zone for
// timestamptz (calendar units follow it), nil for timestamp.
func tsPlusSpan[S fixedT](mem memory.Allocator, t sqltypes.Type, a, b arrow.Array, sub bool, loc *time.Location, span func(S) arrow.MonthDayNanoInterval) (arrow.Array, error) {
	return mapBinary(mem, t.Arrow(), a, b, func(ts arrow.Timestamp, v S) (arrow.Timestamp, error) {
		return tsAddInterval(ts, span(v), sub, loc)
	})
}

// AddInterval is interval + interval with PostgreSQL's overflow check
// (22008), for sum(interval).
func AddInterval(a, b arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error) {
	return addIntervals(a, b, false)
}

// DivInterval is interval / float8 (interval_div), for avg(interval).
func DivInterval(iv arrow.MonthDayNanoInterval, divisor float64) (arrow.MonthDayNanoInterval, error) {
	return mulInterval(iv, divisor, true)
}

// DivWideInterval is interval_div of an interval whose time part is us
// microseconds, which may exceed what an Arrow interval holds (±292
// years in nanoseconds, where PostgreSQL's microseconds hold 1,000 times
// more): avg(interval) divides such a sum.
func DivWideInterval(months, days int32, us int64, divisor float64) (arrow.MonthDayNanoInterval, error) {
	return scaleInterval(months, days, float64(us), divisor, true)
}
