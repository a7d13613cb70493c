package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
)

// intervalSumAcc is sum(interval) and avg(interval) as PostgreSQL 15
// computes them: months, days and time are summed field by field (no
// justification: ten times '1 day 3 hours' is '10 days 30:00:00'; a
// field leaving its range is 22008), and avg divides that sum by the
// count with interval / float8's cascade of month and day fractions.
type intervalSumAcc struct {
	avg   bool
	sum   []arrow.MonthDayNanoInterval
	count []int64
}

func (a *intervalSumAcc) grow(n int) {
	a.sum, a.count = growTo(a.sum, n), growTo(a.count, n)
}

func (a *intervalSumAcc) update(gids []int32, args []arrow.Array) error {
	vals := fixedVals[arrow.MonthDayNanoInterval](args[0])
	v := validityOf(args[0])
	for i, g := range gids {
		if g < 0 || !v.ok(i) {
			continue
		}
		s, err := expr.AddInterval(a.sum[g], vals[i])
		if err != nil {
			return err
		}
		a.sum[g] = s
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
		sum, err := expr.AddInterval(a.sum[d], s.sum[g])
		if err != nil {
			return err
		}
		a.sum[d] = sum
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
		valid[g], out[g] = true, a.sum[g]
		if a.avg {
			q, err := expr.DivInterval(a.sum[g], float64(c))
			if err != nil {
				return nil, err
			}
			out[g] = q
		}
	}
	return fixedArray(mem, arrow.FixedWidthTypes.MonthDayNanoInterval, out, valid), nil
}

func (a *intervalSumAcc) release() {}
