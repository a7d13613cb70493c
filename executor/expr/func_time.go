package expr

import (
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Date/time field extraction: date_part(text, x) → double precision and
// extract(field, x) → numeric, as in PostgreSQL 14+. Field values are
// computed exactly in micro-units (value × 10^6) and then converted.

// canonicalUnit maps the unit spellings PostgreSQL accepts to one name.
// As PostgreSQL's downcase_truncate_identifier, it lowers the case and
// keeps blanks: ' month' is not a unit.
func canonicalUnit(u string) string {
	switch strings.ToLower(u) {
	case "microsecond", "microseconds", "us", "usec", "usecs", "useconds":
		return "microseconds"
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds":
		return "milliseconds"
	case "second", "seconds", "s", "sec", "secs":
		return "second"
	case "minute", "minutes", "m", "min", "mins":
		return "minute"
	case "hour", "hours", "h", "hr", "hrs":
		return "hour"
	case "day", "days", "d":
		return "day"
	case "week", "weeks", "w":
		return "week"
	case "month", "months", "mon", "mons":
		return "month"
	case "quarter", "qtr":
		return "quarter"
	case "year", "years", "y", "yr", "yrs":
		return "year"
	case "decade", "decades", "dec", "decs":
		return "decade"
	case "century", "centuries", "c", "cent":
		return "century"
	case "millennium", "millennia", "mil", "mils", "millenniums":
		return "millennium"
	case "epoch", "dow", "isodow", "doy", "isoyear", "julian", "timezone", "timezone_hour", "timezone_minute":
		return strings.ToLower(u)
	case "j":
		return "julian"
	}
	return ""
}

func unitError(unit string, t sqltypes.Type, recognized bool) error {
	if recognized {
		return sqltypes.New(sqltypes.CodeFeatureNotSupported, "unit %q not supported for type %s", unit, t)
	}
	return sqltypes.New(sqltypes.CodeInvalidParameterValue, "unit %q not recognized for type %s", unit, t)
}

// isoWeek returns the ISO 8601 year and week of a day number.
func isoWeek(days int64) (int64, int64) {
	// The ISO week's Thursday decides the year.
	thu := days - int64(sqltypes.ISOWeekday(days)) + 4
	y, _, _ := sqltypes.CivilFromDays(thu)
	jan1 := sqltypes.DaysFromCivil(y, 1, 1)
	return y, (thu-jan1)/7 + 1
}

// tsField returns field of a wall-clock timestamp (microseconds) in
// micro-units; offSec is the zone offset for timestamptz fields.
func tsField(unit string, us int64, offSec int, epochUS int64) (int64, bool) {
	days, tod := sqltypes.FloorDivMod(us, sqltypes.MicrosPerDay)
	return dayField(unit, days, tod, offSec, epochUS)
}

// dayField is tsField of the time of day tod (µs) of day number days: a
// date's fields come from its days directly.
func dayField(unit string, days, tod int64, offSec int, epochUS int64) (int64, bool) {
	const M = 1_000_000
	y, m, d := sqltypes.CivilFromDays(days)
	yr := y
	if y <= 0 {
		yr = y - 1 // 1 BC is year -1
	}
	switch unit {
	case "microseconds":
		return tod % (60 * M) * M, true
	case "milliseconds":
		return tod % (60 * M) * 1000, true
	case "second":
		return tod % (60 * M), true
	case "minute":
		return tod / (60 * M) % 60 * M, true
	case "hour":
		return tod / (3600 * M) * M, true
	case "day":
		return int64(d) * M, true
	case "month":
		return int64(m) * M, true
	case "quarter":
		return int64((m-1)/3+1) * M, true
	case "year":
		return yr * M, true
	case "decade":
		return floorDivI(y, 10) * M, true
	case "century":
		if yr > 0 {
			return (yr + 99) / 100 * M, true
		}
		return -((99 - yr) / 100) * M, true // 1 BC (yr -1) is in century -1
	case "millennium":
		if yr > 0 {
			return (yr + 999) / 1000 * M, true
		}
		return -((999 - yr) / 1000) * M, true
	case "week":
		_, w := isoWeek(days)
		return w * M, true
	case "isoyear":
		iy, _ := isoWeek(days)
		if iy <= 0 {
			iy--
		}
		return iy * M, true
	case "dow":
		return int64(sqltypes.ISOWeekday(days)%7) * M, true
	case "isodow":
		return int64(sqltypes.ISOWeekday(days)) * M, true
	case "doy":
		return (days - sqltypes.DaysFromCivil(y, 1, 1) + 1) * M, true
	case "epoch":
		return epochUS, true
	case "julian":
		return (days + 2440588) * M, true
	case "timezone":
		return int64(offSec) * M, true
	case "timezone_hour":
		return int64(offSec/3600) * M, true
	case "timezone_minute":
		return int64(offSec/60%60) * M, true
	}
	return 0, false
}

func floorDivI(a, b int64) int64 { q, _ := sqltypes.FloorDivMod(a, b); return q }

// ivField returns field of an interval in micro-units.
func ivField(unit string, iv arrow.MonthDayNanoInterval) (int64, bool) {
	const M = 1_000_000
	t := iv.Nanoseconds / 1000
	years, months := int64(iv.Months)/12, int64(iv.Months)%12
	switch unit {
	case "microseconds":
		return t % (60 * M) * M, true
	case "milliseconds":
		return t % (60 * M) * 1000, true
	case "second":
		return t % (60 * M), true
	case "minute":
		return t / (60 * M) % 60 * M, true
	case "hour":
		return t / (3600 * M) * M, true
	case "day":
		return int64(iv.Days) * M, true
	case "month":
		return months * M, true
	case "quarter":
		return (months/3 + 1) * M, true
	case "year":
		return years * M, true
	case "decade":
		return years / 10 * M, true
	case "century":
		return years / 100 * M, true
	case "millennium":
		return years / 1000 * M, true
	case "epoch":
		secs := float64(years)*365.25*86400 + float64(months)*30*86400 + float64(iv.Days)*86400
		return int64(secs)*M + t, true
	}
	return 0, false
}

// extractScale is the numeric scale of extract(unit …).
func extractScale(unit string, k sqltypes.Kind) int32 {
	switch {
	case unit == "second" || unit == "epoch" && k != sqltypes.Date:
		return 6
	case unit == "milliseconds":
		return 3
	case unit == "julian" && (k == sqltypes.Timestamp || k == sqltypes.TimestampTZ):
		return julianScale
	}
	return 0
}

// julianScale is the scale of extract(julian FROM timestamp): PostgreSQL
// adds the fraction of the day as a numeric quotient, which has 20
// decimals for most times of day (24 or 28 for the first seconds and
// midnight, as its quotient scales follow the value).
const julianScale = 20

// julianNumeric is the Julian day of the wall-clock time wall (µs) with
// the fraction of the day, at scale s, rounded half away from zero.
func julianNumeric(wall int64, s int32) (decimal128.Num, error) {
	days, tod := sqltypes.FloorDivMod(wall, sqltypes.MicrosPerDay)
	whole, ok := rescaleDec(decimal128.FromI64(days+2440588), 0, s)
	frac, ok2 := mulPow10(u128{lo: uint64(tod)}, s) // tod ≥ 0
	if !ok || !ok2 {
		return decimal128.Num{}, errNumericRange()
	}
	return whole.Add(join(false, frac.divRound(u128{lo: uint64(sqltypes.MicrosPerDay)}))), nil
}

// buildDatePart: date_part(text, date|timestamp|timestamptz|interval|time) is
// double precision; extract(text, …) is numeric (PostgreSQL 14+).
func buildDatePart(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if !implicitText(args[0].Type()) {
		return nil, functionError(name, args)
	}
	src := args[1]
	st := src.Type()
	if st.Kind == sqltypes.Unknown { // text is no timestamp, as in PostgreSQL
		var err error
		if src, err = Cast(src, sqltypes.TypeTimestamp); err != nil {
			return nil, functionError(name, args)
		}
		st = src.Type()
	}
	k := st.Kind
	if k != sqltypes.Date && k != sqltypes.Timestamp && k != sqltypes.TimestampTZ && k != sqltypes.Interval && k != sqltypes.Time {
		return nil, functionError(name, args)
	}
	numeric := name == "extract"
	unitArg := coerceTo(args[0], sqltypes.TypeText)
	fixedUnit, fixedCanon := "", ""
	if v, ok := IsLiteral(unitArg); ok && v != nil {
		fixedUnit = v.(string)
		fixedCanon = canonicalUnit(fixedUnit)
	}
	rt := sqltypes.TypeFloat8
	if numeric {
		rt = sqltypes.NumericType(0, 6)
		if fixedUnit != "" {
			rt = sqltypes.NumericType(0, extractScale(fixedCanon, k))
		}
	}
	return &callExpr{name: name, args: []Expr{unitArg, src}, t: rt, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		if k == sqltypes.Date && numeric && fixedUnit != "" && rt.Scale == 0 {
			if out, ok := extractDateField(env.Mem, rt.Arrow(), fixedCanon, values[int32](in[1]), n, in); ok {
				return out, nil
			}
		}
		units := viewOf(in[0])
		var days []int32
		var micros []int64
		var ivs []arrow.MonthDayNanoInterval
		switch k {
		case sqltypes.Date:
			days = values[int32](in[1])
		case sqltypes.Interval:
			ivs = values[arrow.MonthDayNanoInterval](in[1])
		default:
			micros = values[int64](in[1])
		}
		// unitAt is row i's unit as written and canonical, which each row
		// resolves once; a literal unit (the usual case) is resolved when
		// the call is built, a column's when it changes from the row before.
		lastRaw, lastCanon, have := "", "", false
		unitAt := func(i int) (string, string) {
			if raw := units.str(i); !have || raw != lastRaw {
				lastRaw, lastCanon, have = raw, canonicalUnit(raw), true // a view of in[0], alive for this call
			}
			return lastRaw, lastCanon
		}
		if fixedUnit != "" {
			unitAt = func(int) (string, string) { return fixedUnit, fixedCanon }
		}
		field := func(i int, raw, unit string) (int64, error) {
			var v int64
			ok := unit != ""
			switch k {
			case sqltypes.Interval:
				if ok {
					v, ok = ivField(unit, ivs[i])
				}
			case sqltypes.Time:
				us := micros[i]
				switch unit {
				case "microseconds", "milliseconds", "second", "minute", "hour":
					v, ok = tsField(unit, us, 0, us)
				case "epoch":
					v = us
				default:
					ok = false
				}
			case sqltypes.Date:
				d := int64(days[i])
				if ok && numeric {
					switch unit {
					case "microseconds", "milliseconds", "second", "minute", "hour", "timezone", "timezone_hour", "timezone_minute":
						return 0, unitError(strings.ToLower(raw), st, true)
					}
				}
				if ok {
					v, ok = dayField(unit, d, 0, 0, d*sqltypes.MicrosPerDay)
				}
			default:
				us := micros[i]
				wall, off := us, 0
				if k == sqltypes.TimestampTZ {
					wall = sqltypes.UTCToLocal(us, zoneOf(env))
					off = int((wall - us) / sqltypes.MicrosPerSecond)
				} else if strings.HasPrefix(unit, "timezone") {
					return 0, unitError(strings.ToLower(raw), st, true)
				}
				if ok {
					v, ok = tsField(unit, wall, off, us)
				}
			}
			if !ok {
				return 0, unitError(strings.ToLower(raw), st, unit != "")
			}
			return v, nil
		}
		// infinite returns the sign of row i's value when it is ±infinity,
		// and whether the unit then has a value (±Infinity) or is NULL,
		// as PostgreSQL's NonFiniteTimestampTzPart decides.
		infinite := func(i int, raw, unit string) (sign int, defined bool, err error) {
			var v int64
			switch k {
			case sqltypes.Date:
				if v = int64(days[i]); sqltypes.IsFiniteDate(v) {
					return 0, false, nil
				}
			case sqltypes.Timestamp, sqltypes.TimestampTZ:
				if v = micros[i]; sqltypes.IsFiniteTimestamp(v) {
					return 0, false, nil
				}
			default:
				return 0, false, nil
			}
			sign = 1
			if v < 0 {
				sign = -1
			}
			switch unit {
			case "epoch", "year", "decade", "century", "millennium", "julian", "isoyear":
				return sign, true, nil
			case "":
				return sign, false, unitError(strings.ToLower(raw), st, false)
			}
			return sign, false, nil
		}
		if !numeric {
			return mapRows(env.Mem, arrow.PrimitiveTypes.Float64, n, in, func(i int) (float64, bool, error) {
				raw, unit := unitAt(i)
				if sign, defined, err := infinite(i, raw, unit); sign != 0 || err != nil {
					return math.Inf(sign), !defined, err
				}
				if (k == sqltypes.Timestamp || k == sqltypes.TimestampTZ) && unit == "julian" {
					// The fraction of the day counts, computed as PostgreSQL does.
					wall := micros[i]
					if k == sqltypes.TimestampTZ {
						wall = sqltypes.UTCToLocal(wall, zoneOf(env))
					}
					days, tod := sqltypes.FloorDivMod(wall, sqltypes.MicrosPerDay)
					secs := float64(tod/1_000_000) + float64(tod%1_000_000)/1_000_000.0
					return float64(days+2440588) + secs/86400.0, false, nil
				}
				if k == sqltypes.Interval && unit == "epoch" {
					return intervalEpoch(ivs[i]), false, nil
				}
				if k == sqltypes.Date {
					// date_part(text, date) is PostgreSQL's date_part of
					// the date cast to timestamp: past its range, 22008
					// (the epoch's microseconds overflowed instead).
					if _, err := dateToTS(arrow.Date32(days[i]), nil); err != nil {
						return 0, false, err
					}
				}
				v, err := field(i, raw, unit)
				return float64(v) / 1e6, false, err
			})
		}
		return mapRows(env.Mem, rt.Arrow(), n, in, func(i int) (decimal128.Num, bool, error) {
			raw, unit := unitAt(i)
			if sign, defined, err := infinite(i, raw, unit); sign != 0 || err != nil {
				return infOfSign(sign), !defined, err
			}
			if (k == sqltypes.Timestamp || k == sqltypes.TimestampTZ) && unit == "julian" {
				wall := micros[i]
				if k == sqltypes.TimestampTZ {
					wall = sqltypes.UTCToLocal(wall, zoneOf(env))
				}
				r, err := julianNumeric(wall, rt.Scale)
				return r, false, err
			}
			if k == sqltypes.Date && unit == "epoch" {
				// In seconds: a far date's microseconds overflow int64.
				r, _ := rescaleDec(decimal128.FromI64(int64(days[i])*86400), 0, rt.Scale)
				return r, false, nil
			}
			v, err := field(i, raw, unit)
			if err != nil {
				return decimal128.Num{}, false, err
			}
			if rt.Scale == 0 {
				return decimal128.FromI64(v / 1_000_000), false, nil // whole units: exact
			}
			r, _ := rescaleDec(decimal128.FromI64(v), 6, rt.Scale)
			return r, false, nil
		})
	}}, nil
}

// intervalEpoch is date_part('epoch', iv), summed in PostgreSQL's order
// so that the double rounds as its does.
func intervalEpoch(iv arrow.MonthDayNanoInterval) float64 {
	r := float64(iv.Nanoseconds/1000) / 1e6
	r += 365.25 * 86400 * float64(iv.Months/12)
	r += 30 * 86400 * float64(iv.Months%12)
	r += 86400 * float64(iv.Days)
	return r
}

// zoneOf returns the session zone (UTC if unset).
func zoneOf(env *executor.Env) *time.Location {
	if env.Location == nil {
		return time.UTC
	}
	return env.Location
}

// buildMakeDate: make_date(year, month, day); negative years are BC.
func buildMakeDate(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 3, 3); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args, sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeDate, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		y, m, d := values[int32](in[0]), values[int32](in[1]), values[int32](in[2])
		return mapRows(env.Mem, arrow.FixedWidthTypes.Date32, n, in, func(i int) (arrow.Date32, bool, error) {
			yy := int64(y[i])
			if yy < 0 {
				yy++ // astronomical year
			}
			if y[i] == 0 || m[i] < 1 || m[i] > 12 || d[i] < 1 || int(d[i]) > sqltypes.DaysInMonth(yy, int(m[i])) {
				return 0, false, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y[i], m[i], d[i])
			}
			days := sqltypes.DaysFromCivil(yy, int(m[i]), int(d[i]))
			if days < sqltypes.MinDateDays || days > sqltypes.MaxDateDays {
				return 0, false, errDateRange()
			}
			return arrow.Date32(days), false, nil
		})
	}}, nil
}

// buildToTimestamp: to_timestamp(double precision) → timestamptz.
func buildToTimestamp(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 2); err != nil {
		return nil, err
	}
	if len(args) == 2 {
		return buildToTimestampFormat(name, args)
	}
	a, err := coerceArgs(name, args, sqltypes.TypeFloat8)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeTimestampTZ, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		return mapUnary(env.Mem, sqltypes.TypeTimestampTZ.Arrow(), in[0], func(x float64) (arrow.Timestamp, error) {
			switch {
			case math.IsInf(x, 1):
				return arrow.Timestamp(sqltypes.TimestampInfinity), nil
			case math.IsInf(x, -1):
				return arrow.Timestamp(sqltypes.TimestampNegInfinity), nil
			}
			us := math.RoundToEven(x * 1e6)
			if math.IsNaN(us) || us < float64(sqltypes.MinTimestampMicros) || us >= math.MaxInt64 {
				return 0, errTSRange()
			}
			return arrow.Timestamp(int64(us)), nil
		})
	}}, nil
}

// buildTimestampTypmod: timestamp(timestamp, int), timestamptz(
// timestamptz, int), time(time, int) and interval(interval, int),
// PostgreSQL's length coercion functions behind `::timestamp(p)`,
// `::time(p)` and `::interval(p)`: fractional seconds rounded to p digits,
// halves away from zero (AdjustTimestampForTypmod and its time and
// interval twins). p above 6 keeps every digit.
func buildTimestampTypmod(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	t := map[string]sqltypes.Type{"timestamp": sqltypes.TypeTimestamp, "timestamptz": sqltypes.TypeTimestampTZ,
		"time": sqltypes.TypeTime, "interval": sqltypes.TypeInterval}[name]
	if at := args[0].Type(); at.Kind == sqltypes.List && at.Leaf().Kind == t.Kind {
		// A cast to timestamp(p)[] rounds every element; the binder's
		// precision is a constant.
		pv, ok := IsLiteral(args[1])
		p, isInt := pv.(int32)
		if !ok || !isInt {
			return nil, functionError(name, args)
		}
		return &callExpr{name: name, args: args[:1], t: at, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
			return roundToPrecision(env.Mem, t.Kind, in[0], func(int) int32 { return p })
		}}, nil
	}
	a, err := coerceArgs(name, args[:1], t)
	if err != nil {
		return nil, err
	}
	p, err := coerceArgs(name, args[1:], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append(a, p...), t: t, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		prec := values[int32](in[1])
		return roundToPrecision(env.Mem, t.Kind, in[0], func(i int) int32 { return prec[i] })
	}}, nil
}

// roundToPrecision rounds the timestamps, times or intervals (kind) of a,
// or of the arrays a holds, to prec(i) fractional digits.
func roundToPrecision(mem memory.Allocator, kind sqltypes.Kind, a arrow.Array, prec func(i int) int32) (arrow.Array, error) {
	if l, ok := a.(*array.List); ok {
		return mapListValues(l, func(vals arrow.Array) (arrow.Array, error) {
			return roundToPrecision(mem, kind, vals, func(int) int32 { return prec(0) })
		})
	}
	n, in := a.Len(), []arrow.Array{a}
	switch kind {
	case sqltypes.Time:
		tod := values[arrow.Time64](a)
		return mapRows(mem, a.DataType(), n, in, func(i int) (arrow.Time64, bool, error) {
			v, err := roundMicros(int64(tod[i]), prec(i), "TIME")
			return arrow.Time64(v), false, err
		})
	case sqltypes.Interval:
		iv := values[arrow.MonthDayNanoInterval](a)
		return mapRows(mem, a.DataType(), n, in, func(i int) (arrow.MonthDayNanoInterval, bool, error) {
			v := iv[i]
			us, err := roundMicros(v.Nanoseconds/1000, prec(i), "INTERVAL")
			v.Nanoseconds = us * 1000
			return v, false, err
		})
	}
	ts := values[arrow.Timestamp](a)
	return mapRows(mem, a.DataType(), n, in, func(i int) (arrow.Timestamp, bool, error) {
		return RoundTimestamp(ts[i], prec(i))
	})
}

// RoundTimestamp rounds a timestamp (microseconds) to p fractional digits
// as PostgreSQL does; p < 0 is 22023.
func RoundTimestamp(ts arrow.Timestamp, p int32) (arrow.Timestamp, bool, error) {
	if !sqltypes.IsFiniteTimestamp(int64(ts)) && p >= 0 {
		return ts, false, nil
	}
	// PostgreSQL rounds halves away from its epoch, 2000-01-01: half a
	// second in 1990 rounds down.
	const pgEpoch = 10957 * sqltypes.MicrosPerDay
	v, err := roundMicros(int64(ts)-pgEpoch, p, "TIMESTAMP")
	return arrow.Timestamp(v + pgEpoch), false, err
}

// roundMicros rounds microseconds v to p fractional digits of a second,
// halves away from zero; what names the type in the error for p < 0.
func roundMicros(v int64, p int32, what string) (int64, error) {
	if p < 0 {
		return 0, sqltypes.New(sqltypes.CodeInvalidParameterValue, "%s(%d) precision must not be negative", what, p)
	}
	if p >= 6 {
		return v, nil
	}
	scale := int64(1)
	for range 6 - p {
		scale *= 10
	}
	if v >= 0 {
		return (v + scale/2) / scale * scale, nil
	}
	return -((-v + scale/2) / scale * scale), nil
}
