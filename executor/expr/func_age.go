package expr

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildAge is age(a, b) and age(a) = age(midnight of the current date, a)
// on timestamp or timestamptz (dates are converted to timestamp). The
// result is PostgreSQL's symbolic difference: field-wise subtraction with
// borrows, days borrowed from the month of the earlier argument, so
// age('2020-03-01', '2020-01-31') is 1 mon 1 day. timestamptz fields are
// taken in the session time zone.
func buildAge(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 2); err != nil {
		return nil, err
	}
	t := sqltypes.TypeTimestamp
	for _, a := range args {
		if a.Type().Kind == sqltypes.TimestampTZ {
			t = sqltypes.TypeTimestampTZ
		}
	}
	a, err := coerceArgs(name, args, t)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeInterval, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		loc := time.UTC
		if t.Kind == sqltypes.TimestampTZ && env.Location != nil {
			loc = env.Location
		}
		x := values[arrow.Timestamp](in[0])
		var y []arrow.Timestamp
		var today int64
		if len(in) == 2 {
			y = values[arrow.Timestamp](in[1])
		} else {
			now, err := transactionStart(env)
			if err != nil {
				return nil, err
			}
			if env.Location != nil {
				now = now.In(env.Location)
			}
			mid := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
			today = mid.UnixMicro()
		}
		return mapRows(env.Mem, arrow.FixedWidthTypes.MonthDayNanoInterval, n, in, func(i int) (arrow.MonthDayNanoInterval, bool, error) {
			if !sqltypes.IsFiniteTimestamp(int64(x[i])) || y != nil && !sqltypes.IsFiniteTimestamp(int64(y[i])) {
				return arrow.MonthDayNanoInterval{}, false, errInfinite("interval out of range")
			}
			if y == nil {
				return ageOf(today, int64(x[i]), loc), false, nil
			}
			return ageOf(int64(x[i]), int64(y[i]), loc), false, nil
		})
	}}, nil
}

// ageOf is PostgreSQL's timestamp_age of two microsecond timestamps.
func ageOf(us1, us2 int64, loc *time.Location) arrow.MonthDayNanoInterval {
	t1, t2 := time.UnixMicro(us1).In(loc), time.UnixMicro(us2).In(loc)
	f := [7]int64{ // usec, sec, min, hour, mday, mon, year
		int64(t1.Nanosecond()/1000 - t2.Nanosecond()/1000),
		int64(t1.Second() - t2.Second()),
		int64(t1.Minute() - t2.Minute()),
		int64(t1.Hour() - t2.Hour()),
		int64(t1.Day() - t2.Day()),
		int64(t1.Month() - t2.Month()),
		int64(t1.Year() - t2.Year()),
	}
	neg := us1 < us2
	flip := func() {
		for k := range f {
			f[k] = -f[k]
		}
	}
	if neg {
		flip()
	}
	carry := [...]int64{1_000_000, 60, 60, 24}
	for k, c := range carry {
		for f[k] < 0 {
			f[k] += c
			f[k+1]--
		}
	}
	ref := t2
	if neg {
		ref = t1
	}
	for f[4] < 0 {
		f[4] += int64(daysIn(ref.Year(), ref.Month()))
		f[5]--
	}
	for f[5] < 0 {
		f[5] += 12
		f[6]--
	}
	if neg {
		flip()
	}
	us := ((f[3]*60+f[2])*60+f[1])*1_000_000 + f[0]
	return arrow.MonthDayNanoInterval{Months: int32(f[6]*12 + f[5]), Days: int32(f[4]), Nanoseconds: us * 1000}
}

// daysIn is the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
