package expr

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// buildOverlaps is (start1, end1) OVERLAPS (start2, end2) over dates and
// timestamps, where an end may be an interval after its start. As in
// PostgreSQL each pair is put in order, the periods are half-open, and a
// NULL only makes the answer NULL when the other values cannot decide it.
func buildOverlaps(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 4, 4); err != nil {
		return nil, err
	}
	t := sqltypes.TypeTimestamp
	for _, a := range args {
		switch a.Type().Kind {
		case sqltypes.TimestampTZ:
			t = sqltypes.TypeTimestampTZ
		case sqltypes.Timestamp, sqltypes.Date, sqltypes.Interval, sqltypes.Unknown:
		default:
			return nil, functionError(name, args)
		}
	}
	a := make([]Expr, 4)
	for i, x := range args {
		if (i == 1 || i == 3) && x.Type().Kind == sqltypes.Interval {
			a[i] = x
			continue
		}
		c, err := Cast(x, t)
		if err != nil || (i == 0 || i == 2) && x.Type().Kind == sqltypes.Interval {
			return nil, functionError(name, args)
		}
		a[i] = c
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeBool, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		loc := tsLoc(t.Kind, env.Location)
		// bound reads a start (k = 0, 2) or an end (k = 1, 3) of row i.
		bound := func(k, i int) (int64, bool, error) {
			if in[k].IsNull(i) {
				return 0, false, nil
			}
			if in[k].DataType().ID() != arrow.INTERVAL_MONTH_DAY_NANO {
				return values[int64](in[k])[i], true, nil
			}
			if in[k-1].IsNull(i) {
				return 0, false, nil
			}
			v, err := tsAddInterval(arrow.Timestamp(values[int64](in[k-1])[i]), values[arrow.MonthDayNanoInterval](in[k])[i], false, loc)
			return int64(v), err == nil, err
		}
		return boolRows(env.Mem, n, nil, func(i int) (bool, bool, error) {
			var b [4]int64
			var ok [4]bool
			for k := range b {
				var err error
				if b[k], ok[k], err = bound(k, i); err != nil {
					return false, false, err
				}
			}
			return overlaps(b, ok)
		})
	}}, nil
}

// overlaps is PostgreSQL's overlaps_timestamp over (s1, e1, s2, e2) with
// per-value validity; it returns (result, null, nil).
func overlaps(b [4]int64, ok [4]bool) (bool, bool, error) {
	for p := 0; p < 4; p += 2 {
		switch {
		case !ok[p]:
			if !ok[p+1] {
				return false, true, nil
			}
			b[p], ok[p], ok[p+1] = b[p+1], true, false
		case ok[p+1] && b[p] > b[p+1]:
			b[p], b[p+1] = b[p+1], b[p]
		}
	}
	s1, e1, s2, e2 := b[0], b[1], b[2], b[3]
	switch {
	case s1 > s2:
		if !ok[3] {
			return false, true, nil
		}
		if s1 < e2 {
			return true, false, nil
		}
		return false, !ok[1], nil
	case s1 < s2:
		if !ok[1] {
			return false, true, nil
		}
		if s2 < e1 {
			return true, false, nil
		}
		return false, !ok[3], nil
	}
	return !(!ok[1] || !ok[3]), !ok[1] || !ok[3], nil
}
