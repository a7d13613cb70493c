package expr

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// truncDays truncates a day number to the start of unit.
func truncDays(unit string, days int64) (int64, bool) {
	switch unit {
	case "day":
		return days, true
	case "week":
		return days - int64(sqltypes.ISOWeekday(days)) + 1, true
	}
	y, m, d := sqltypes.CivilFromDays(days)
	switch unit {
	case "month":
		return days - int64(d) + 1, true
	case "quarter":
		return sqltypes.DaysFromCivil(y, (m-1)/3*3+1, 1), true
	case "year":
		return sqltypes.DaysFromCivil(y, 1, 1), true
	case "decade":
		return sqltypes.DaysFromCivil(floorDivI(y, 10)*10, 1, 1), true
	case "century":
		return sqltypes.DaysFromCivil(floorDivI(y-1, 100)*100+1, 1, 1), true
	case "millennium":
		return sqltypes.DaysFromCivil(floorDivI(y-1, 1000)*1000+1, 1, 1), true
	}
	return 0, false
}

// truncMicros truncates wall-clock microseconds to unit.
func truncMicros(unit string, us int64) (int64, bool) {
	var q int64
	switch unit {
	case "microseconds":
		return us, true
	case "milliseconds":
		q = 1000
	case "second":
		q = sqltypes.MicrosPerSecond
	case "minute":
		q = 60 * sqltypes.MicrosPerSecond
	case "hour":
		q = 3600 * sqltypes.MicrosPerSecond
	default:
		days, _ := sqltypes.FloorDivMod(us, sqltypes.MicrosPerDay)
		d, ok := truncDays(unit, days)
		return d * sqltypes.MicrosPerDay, ok
	}
	f, _ := sqltypes.FloorDivMod(us, q)
	return f * q, true
}

// buildDateTrunc: date_trunc(text, timestamp|timestamptz|date|interval).
// A date becomes timestamptz (PostgreSQL's implicit cast); timestamptz
// truncates in the session time zone.
func buildDateTrunc(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 3); err != nil {
		return nil, err
	}
	if !implicitText(args[0].Type()) {
		return nil, functionError(name, args)
	}
	src := args[1]
	switch src.Type().Kind {
	case sqltypes.Date, sqltypes.Unknown:
		// As in PostgreSQL, a date (or an untyped literal) is converted to
		// timestamptz, the preferred type, in the session time zone.
		var err error
		if src, err = Cast(src, sqltypes.TypeTimestampTZ); err != nil {
			return nil, functionError(name, args)
		}
	}
	if len(args) == 3 && src.Type().Kind == sqltypes.Timestamp {
		var err error // the zone form takes timestamptz, timestamp converting implicitly
		if src, err = Cast(src, sqltypes.TypeTimestampTZ); err != nil {
			return nil, functionError(name, args)
		}
	}
	t := src.Type()
	if t.Kind != sqltypes.Timestamp && t.Kind != sqltypes.TimestampTZ && t.Kind != sqltypes.Interval {
		return nil, functionError(name, args)
	}
	unitArg := coerceTo(args[0], sqltypes.TypeText)
	call := []Expr{unitArg, src}
	if len(args) == 3 {
		// date_trunc(unit, timestamptz, zone) truncates in zone.
		zone := coerceTo(args[2], sqltypes.TypeText)
		if t.Kind != sqltypes.TimestampTZ || !zone.Type().IsString() {
			return nil, functionError(name, args)
		}
		call = append(call, zone)
	}
	// A literal unit (the usual case) is resolved once, not per row.
	fixedUnit, fixedCanon := "", ""
	if v, ok := IsLiteral(unitArg); ok && v != nil {
		fixedUnit = v.(string)
		fixedCanon = canonicalUnit(fixedUnit)
	}
	return &callExpr{name: name, args: call, t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		units := viewOf(in[0])
		unitAt := func(i int) string { return canonicalUnit(units.str(i)) }
		if fixedUnit != "" {
			unitAt = func(int) string { return fixedCanon }
		}
		if t.Kind == sqltypes.Interval {
			iv := values[arrow.MonthDayNanoInterval](in[1])
			return mapRows(env.Mem, t.Arrow(), n, in, func(i int) (arrow.MonthDayNanoInterval, bool, error) {
				r, ok := truncInterval(unitAt(i), iv[i])
				if !ok {
					err := unitError(strings.ToLower(units.str(i)), t, truncUnitKnown(unitAt(i)))
					if unitAt(i) == "week" {
						err = sqltypes.AsError(err).WithDetail("Months usually have fractional weeks.")
					}
					return r, false, err
				}
				return r, false, nil
			})
		}
		ts := values[int64](in[1])
		loc := zoneOf(env)
		var zoneNames strView
		zones := newZoneCache(loadZone)
		if len(in) == 3 {
			zoneNames = viewOf(in[2])
		}
		return mapRows(env.Mem, t.Arrow(), n, in, func(i int) (arrow.Timestamp, bool, error) {
			us := ts[i]
			if !sqltypes.IsFiniteTimestamp(us) {
				return arrow.Timestamp(us), false, nil
			}
			if len(in) == 3 {
				var err error
				if loc, err = zones.get(zoneNames.str(i)); err != nil {
					return 0, false, err
				}
			}
			if t.Kind == sqltypes.TimestampTZ {
				us = sqltypes.UTCToLocal(us, loc)
			}
			unit := unitAt(i)
			r, ok := truncMicros(unit, us)
			if !ok {
				return 0, false, unitError(strings.ToLower(units.str(i)), t, truncUnitKnown(unit))
			}
			if t.Kind == sqltypes.TimestampTZ {
				if keepsOffset(unit) {
					// PostgreSQL keeps the value's own UTC offset below a
					// day: 01:30-04 in the hour a DST change repeats
					// truncates to 01:00-04, not to the later 01:00-05.
					r = ts[i] - (us - r)
				} else {
					r = sqltypes.LocalToUTC(r, loc)
				}
			}
			return arrow.Timestamp(r), false, nil
		})
	}}, nil
}

// keepsOffset reports whether date_trunc of a timestamptz to unit keeps
// the value's UTC offset (PostgreSQL's timestamptz_trunc_internal finds
// the offset again only for a day and longer units).
func keepsOffset(unit string) bool {
	switch unit {
	case "microseconds", "milliseconds", "second", "minute", "hour":
		return true
	}
	return false
}

func truncInterval(unit string, iv arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, bool) {
	const us = 1000
	t := iv.Nanoseconds
	cut := func(q int64) int64 { return t / q * q }
	switch unit {
	case "microseconds":
		return arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days, Nanoseconds: cut(us)}, true
	case "milliseconds":
		return arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days, Nanoseconds: cut(1000 * us)}, true
	case "second":
		return arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days, Nanoseconds: cut(1e6 * us)}, true
	case "minute":
		return arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days, Nanoseconds: cut(60e6 * us)}, true
	case "hour":
		return arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days, Nanoseconds: cut(3600e6 * us)}, true
	case "day":
		return arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days}, true
	case "month":
		return arrow.MonthDayNanoInterval{Months: iv.Months}, true
	case "quarter":
		return arrow.MonthDayNanoInterval{Months: iv.Months / 3 * 3}, true
	case "year":
		return arrow.MonthDayNanoInterval{Months: iv.Months / 12 * 12}, true
	case "decade":
		return arrow.MonthDayNanoInterval{Months: iv.Months / 120 * 120}, true
	case "century":
		return arrow.MonthDayNanoInterval{Months: iv.Months / 1200 * 1200}, true
	case "millennium":
		return arrow.MonthDayNanoInterval{Months: iv.Months / 12000 * 12000}, true
	}
	return iv, false
}

// appendPadded appends v as decimal with at least width digits.
func appendPadded(dst []byte, v int64, width int, fm bool) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var b [20]byte
	s := strconv.AppendInt(b[:0], v, 10)
	for k := len(s); k < width && !fm; k++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// truncUnitKnown reports whether canonical unit is one date_trunc knows
// but cannot apply to the type (PostgreSQL's 0A000 "not supported"); the
// others, EXTRACT's derived fields among them, are 22023 "not recognized".
func truncUnitKnown(unit string) bool {
	switch unit {
	case "", "epoch", "dow", "isodow", "doy", "isoyear", "julian":
		return false
	}
	return true
}
