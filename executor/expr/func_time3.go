package expr

import (
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/datetmpl"
	"github.com/meshql/meshql/sqltypes"
)

// to_date(text, format), to_timestamp(text, format), make_timestamp and
// timezone(zone, ts) (AT TIME ZONE).

// buildToDate: to_date(text, format) → date.
func buildToDate(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeDate, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		sv, fv := viewOf(in[0]), viewOf(in[1])
		return mapRows(env.Mem, arrow.FixedWidthTypes.Date32, n, in, func(i int) (arrow.Date32, bool, error) {
			v, err := datetmpl.Parse(sv.str(i), fv.str(i), false)
			if err != nil {
				return 0, false, err
			}
			d := v.Days
			if d < sqltypes.MinDateDays || d > sqltypes.MaxDateDays {
				return 0, false, errDateRange()
			}
			return arrow.Date32(d), false, nil
		})
	}}, nil
}

// buildToTimestampFormat: to_timestamp(text, format) → timestamptz, the
// wall-clock time read in the session's time zone.
func buildToTimestampFormat(name string, args []Expr) (Expr, error) {
	a, err := coerceArgs(name, args, sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: a, t: sqltypes.TypeTimestampTZ, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		sv, fv := viewOf(in[0]), viewOf(in[1])
		loc := env.Location
		if loc == nil {
			loc = time.UTC
		}
		return mapRows(env.Mem, sqltypes.TypeTimestampTZ.Arrow(), n, in, func(i int) (arrow.Timestamp, bool, error) {
			v, err := datetmpl.Parse(sv.str(i), fv.str(i), false)
			if err != nil {
				return 0, false, err
			}
			wall := v.Days*sqltypes.MicrosPerDay + v.Micros
			var ts arrow.Timestamp
			if v.Zoned {
				ts = arrow.Timestamp(wall - int64(v.TZSec)*sqltypes.MicrosPerSecond)
			} else {
				ts = arrow.Timestamp(sqltypes.LocalToUTC(wall, loc))
			}
			if v.FracDigits > 0 {
				// FFn rounds the result to n digits, as PostgreSQL does.
				return RoundTimestamp(ts, int32(v.FracDigits))
			}
			return ts, false, nil
		})
	}}, nil
}

// buildMakeTimestamptz: make_timestamptz(year, month, day, hour, min,
// sec [, zone]) is make_timestamp's wall-clock time read in zone (AT TIME
// ZONE zone), or in the session's TimeZone without one.
func buildMakeTimestamptz(name string, args []Expr) (Expr, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, functionError(name, args)
	}
	wall, err := buildMakeTimestamp("make_timestamp", args[:6])
	if err != nil {
		return nil, functionError(name, args)
	}
	if len(args) == 6 {
		return Cast(wall, sqltypes.TypeTimestampTZ)
	}
	return buildTimezoneWith("timezone", []Expr{args[6], wall}, loadSaneZone)
}

// loadSaneZone resolves make_timestamptz's zone as PostgreSQL's
// parse_sane_timezone: a leading sign is an ISO offset (hours east, "+02"
// being UTC+2, unlike AT TIME ZONE's POSIX reading), a leading digit is
// 22023, anything else as AT TIME ZONE.
func loadSaneZone(name string) (*time.Location, error) {
	if name != "" && name[0] >= '0' && name[0] <= '9' {
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid input syntax for type numeric time zone: %q", name).
			WithHint("Numeric time zones must have \"-\" or \"+\" as first character.")
	}
	if l, ok := sqltypes.ISOZoneOffset(name); ok {
		return l, nil
	}
	return loadZone(name)
}

// buildMakeTimestamp: make_timestamp(year, month, day, hour, min, sec).
func buildMakeTimestamp(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 6, 6); err != nil {
		return nil, err
	}
	ints, err := coerceArgs(name, args[:5], sqltypes.TypeInt4)
	if err != nil {
		return nil, err
	}
	sec, err := coerceArgs(name, args[5:], sqltypes.TypeFloat8)
	if err != nil {
		return nil, err
	}
	return &callExpr{name: name, args: append(ints, sec...), t: sqltypes.TypeTimestamp, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		y, mo, d, h, mi := values[int32](in[0]), values[int32](in[1]), values[int32](in[2]), values[int32](in[3]), values[int32](in[4])
		s := values[float64](in[5])
		return mapRows(env.Mem, sqltypes.TypeTimestamp.Arrow(), n, in, func(i int) (arrow.Timestamp, bool, error) {
			yy := int64(y[i])
			if yy < 0 {
				yy++
			}
			if y[i] == 0 || mo[i] < 1 || mo[i] > 12 || d[i] < 1 || int(d[i]) > sqltypes.DaysInMonth(yy, int(mo[i])) {
				return 0, false, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y[i], mo[i], d[i])
			}
			clock, ok := clockMicros(h[i], mi[i], s[i])
			if !ok {
				return 0, false, errTimeField(h[i], mi[i], s[i])
			}
			days := sqltypes.DaysFromCivil(yy, int(mo[i]), int(d[i]))
			if days < firstJulianMonth {
				return 0, false, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date out of range: %d-%02d-%02d", y[i], mo[i], d[i])
			}
			if days < sqltypes.MinDateDays || days > (sqltypes.MaxTimestampMicros-1-clock)/sqltypes.MicrosPerDay {
				return 0, false, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "timestamp out of range: %d-%02d-%02d %d:%02d:%s", y[i], mo[i], d[i], h[i], mi[i], formatSeconds(s[i]))
			}
			return arrow.Timestamp(days*sqltypes.MicrosPerDay + clock), false, nil
		})
	}}, nil
}

// buildTimezone: timezone(zone, ts) is `ts AT TIME ZONE zone`: a
// timestamptz becomes the wall-clock timestamp in zone, a timestamp is
// read as wall-clock time in zone and becomes a timestamptz.
func buildTimezone(name string, args []Expr) (Expr, error) {
	return buildTimezoneWith(name, args, loadZone)
}

func buildTimezoneWith(name string, args []Expr, loadZone func(string) (*time.Location, error)) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if args[0].Type().Kind == sqltypes.Interval {
		return buildIntervalTimezone(name, args)
	}
	zone, err := coerceArgs(name, args[:1], sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	ts, out, err := timezoneOperand(name, args)
	if err != nil {
		return nil, err
	}
	toWall := out.Kind == sqltypes.Timestamp
	return &callExpr{name: name, args: []Expr{zone[0], ts}, t: out, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		zv, tv := viewOf(in[0]), values[arrow.Timestamp](in[1])
		zones := newZoneCache(loadZone)
		return mapRows(env.Mem, out.Arrow(), n, in, func(i int) (arrow.Timestamp, bool, error) {
			loc, err := zones.get(zv.str(i))
			if err != nil {
				return 0, false, err
			}
			us := int64(tv[i])
			if !sqltypes.IsFiniteTimestamp(us) {
				return tv[i], false, nil
			}
			if toWall {
				t := time.UnixMicro(us).In(loc)
				_, off := t.Zone()
				return arrow.Timestamp(us + int64(off)*1_000_000), false, nil
			}
			// A wall time that occurs twice or not at all takes PostgreSQL's
			// offset (time.Date's choice is unspecified).
			return arrow.Timestamp(sqltypes.LocalToUTC(us, loc)), false, nil
		})
	}}, nil
}

// zoneCache holds the zones a batch names, each resolved once by load.
type zoneCache struct {
	load  func(string) (*time.Location, error)
	zones map[string]*time.Location
}

func newZoneCache(load func(string) (*time.Location, error)) *zoneCache {
	return &zoneCache{load: load, zones: map[string]*time.Location{}}
}

func (z *zoneCache) get(name string) (*time.Location, error) {
	if loc, ok := z.zones[name]; ok {
		return loc, nil
	}
	loc, err := z.load(name)
	if err != nil {
		return nil, err
	}
	z.zones[name] = loc
	return loc, nil
}

// loadZone resolves a time zone name as AT TIME ZONE accepts it (see
// sqltypes.LookupZone).
func loadZone(name string) (*time.Location, error) {
	loc, ok := sqltypes.LookupZone(name)
	if !ok {
		return nil, sqltypes.New(sqltypes.CodeInvalidParameterValue, "time zone %q not recognized", name)
	}
	return loc, nil
}

// buildIntervalTimezone is ts AT TIME ZONE interval: the interval is the
// zone's offset east of UTC in whole seconds (PostgreSQL truncates its
// microseconds), not a zone name (its text read as one inverted the
// sign, as POSIX zone names do). An interval with months or days is 22023.
func buildIntervalTimezone(name string, args []Expr) (Expr, error) {
	ts, out, err := timezoneOperand(name, args)
	if err != nil {
		return nil, err
	}
	sign := int64(1) // to the wall clock: add the offset
	if out.Kind == sqltypes.TimestampTZ {
		sign = -1
	}
	return &callExpr{name: name, args: []Expr{args[0], ts}, t: out, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		zv, tv := values[arrow.MonthDayNanoInterval](in[0]), values[arrow.Timestamp](in[1])
		return mapRows(env.Mem, out.Arrow(), n, in, func(i int) (arrow.Timestamp, bool, error) {
			z := zv[i]
			if z.Months != 0 || z.Days != 0 {
				return 0, false, sqltypes.New(sqltypes.CodeInvalidParameterValue, "interval time zone \"%s\" must not include months or days", sqltypes.FormatInterval(z))
			}
			us := int64(tv[i])
			if !sqltypes.IsFiniteTimestamp(us) {
				return tv[i], false, nil
			}
			off := z.Nanoseconds / 1_000_000_000 * 1_000_000
			return arrow.Timestamp(us + sign*off), false, nil
		})
	}}, nil
}

// timezoneOperand returns timezone(zone, ts)'s timestamp operand (a date
// or an untyped literal read as timestamptz) and its result type: the
// other of timestamp and timestamptz.
func timezoneOperand(name string, args []Expr) (Expr, sqltypes.Type, error) {
	ts := args[1]
	if ts.Type().Kind == sqltypes.Unknown || ts.Type().Kind == sqltypes.Date {
		var err error
		if ts, err = Cast(ts, sqltypes.TypeTimestampTZ); err != nil {
			return nil, sqltypes.Type{}, functionError(name, args)
		}
	}
	switch ts.Type().Kind {
	case sqltypes.TimestampTZ:
		return ts, sqltypes.TypeTimestamp, nil
	case sqltypes.Timestamp:
		return ts, sqltypes.TypeTimestampTZ, nil
	}
	return nil, sqltypes.Type{}, functionError(name, args)
}

// firstJulianMonth is 4714-11-01 BC: PostgreSQL's IS_VALID_JULIAN checks
// dates to the month, the timestamp range then to the day.
var firstJulianMonth = sqltypes.DaysFromCivil(-4713, 11, 1)

// clockMicros is PostgreSQL's float_time_overflows and the time it
// checks: hour 0-24, minute 0-59 and seconds 0-60 after rounding to
// microseconds (60 carries into the next minute), at most 24:00:00.
func clockMicros(h, m int32, sec float64) (int64, bool) {
	if h < 0 || h > 24 || m < 0 || m > 59 || math.IsNaN(sec) {
		return 0, false
	}
	us := math.RoundToEven(sec * 1e6)
	if us < 0 || us > 60e6 {
		return 0, false
	}
	t := int64(h)*3_600_000_000 + int64(m)*60_000_000 + int64(us)
	return t, t <= sqltypes.MicrosPerDay
}

// errTimeField is make_time's and make_timestamp's 22008 for a bad time.
func errTimeField(h, m int32, sec float64) error {
	return sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "time field value out of range: %d:%02d:%s", h, m, formatSeconds(sec))
}

// formatSeconds prints seconds as C's %02g does in PostgreSQL's messages:
// six significant digits, an exponent past them, at least two characters
// (0:00:05, 0:00:60.5, 25:00:1e-07, 0:00:NaN).
func formatSeconds(sec float64) string {
	var out string
	switch {
	case math.IsNaN(sec):
		out = "NaN"
	case math.IsInf(sec, 1):
		out = "Infinity"
	case math.IsInf(sec, -1):
		out = "-Infinity"
	default:
		out = strconv.FormatFloat(sec, 'g', 6, 64)
	}
	if len(out) < 2 {
		out = "0" + out
	}
	return out
}
