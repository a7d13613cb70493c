package ops

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// intervalSumAcc is sum(interval) and avg(interval) as PostgreSQL 15
// computes them: months, days and time are summed field by field (no
// justification: ten times '1 day 3 hours' is '10 days 30:00:00'; a
// field leaving its range is 22008), and avg divides that sum by the
// count with interval / float8's cascade of month and day fractions.
//
// The time part is summed in microseconds, PostgreSQL's unit, plus the
// nanoseconds below them: an Arrow interval's nanoseconds hold ±292 years
// of hours, a thousandth of PostgreSQL's range, and a year of deliveries
// taking 10 hours each adds up to more. avg divides the wide sum, as
// PostgreSQL does; a sum whose time part does not fit is 22008 (where
// PostgreSQL would show the hours), with a hint.
type intervalSumAcc struct {
	avg   bool
	sum   []wideInterval
	count []int64
}

// wideInterval is an interval whose time part is us microseconds and ns
// nanoseconds (|ns| < 1000 after each addition, with us's sign or zero).
type wideInterval struct {
	months, days int32
	us, ns       int64
}

func errIntervalRange() error {
	return sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "interval out of range")
}

// add adds b's fields, as interval_pl does (22008 when one leaves its
// range).
func (a *wideInterval) add(months, days int32, us, ns int64) error {
	m, d := int64(a.months)+int64(months), int64(a.days)+int64(days)
	sum, overflow := addInt64(a.us, us)
	if m != int64(int32(m)) || d != int64(int32(d)) || overflow {
		return errIntervalRange()
	}
	a.months, a.days, a.us, a.ns = int32(m), int32(d), sum, a.ns+ns
	if a.ns >= 1000 || a.ns <= -1000 {
		carry := a.ns / 1000
		if a.us, overflow = addInt64(a.us, carry); overflow {
			return errIntervalRange()
		}
		a.ns -= carry * 1000
	}
	return nil
}

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) != (b > 0) && b != 0
}

// interval returns the sum as an Arrow interval: 22008 when its time
// part does not fit one, with a hint (PostgreSQL would show it as hours).
func (a wideInterval) interval() (arrow.MonthDayNanoInterval, error) {
	if a.us > math.MaxInt64/1000-1 || a.us < math.MinInt64/1000+1 {
		return arrow.MonthDayNanoInterval{}, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "interval out of range").
			WithDetail("The sum's time part is %d hours; meshql's intervals hold at most 2562047 hours below their days.", a.us/3_600_000_000).
			WithHint("sum(extract(epoch FROM x)) / 3600 is the total in hours, as a number; avg(x) is not limited.")
	}
	return arrow.MonthDayNanoInterval{Months: a.months, Days: a.days, Nanoseconds: a.us*1000 + a.ns}, nil
}

func (a *intervalSumAcc) grow(n int) {
	a.sum, a.count = growTo(a.sum, n), growTo(a.count, n)
}

func (a *intervalSumAcc) update(gids []int32, args []arrow.Array) error {
	vals := fixedVals[arrow.MonthDayNanoInterval](args[0])
	v := validityOf(args[0])
	for i, g := range gids {
		if g < 0 || !v.OK(i) {
			continue
		}
		x := vals[i]
		if err := a.sum[g].add(x.Months, x.Days, x.Nanoseconds/1000, x.Nanoseconds%1000); err != nil {
			return err
		}
		a.count[g]++
	}
	return nil
}

func (a *intervalSumAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*intervalSumAcc)
	for g, c := range s.count {
		d := gmap[g]
		if d < 0 || c == 0 {
			continue
		}
		x := s.sum[g]
		if err := a.sum[d].add(x.months, x.days, x.us, x.ns); err != nil {
			return err
		}
		a.count[d] += c
	}
	return nil
}

func (a *intervalSumAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	out := make([]arrow.MonthDayNanoInterval, len(a.count))
	valid := make([]bool, len(a.count))
	for g, c := range a.count {
		if c == 0 {
			continue
		}
		var err error
		s := a.sum[g]
		if a.avg {
			out[g], err = expr.DivWideInterval(s.months, s.days, s.us, float64(c))
		} else {
			out[g], err = s.interval()
		}
		if err != nil {
			return nil, err
		}
		valid[g] = true
	}
	return fixedArray(mem, arrow.FixedWidthTypes.MonthDayNanoInterval, out, valid), nil
}

func (a *intervalSumAcc) release() {}
