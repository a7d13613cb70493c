package expr

import (
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// to_date(text, format), to_timestamp(text, format), make_timestamp and
// timezone(zone, ts) (AT TIME ZONE).

// parsedTime holds the fields a format template read; unset fields keep
// PostgreSQL's defaults (year 0 = 1 BC, January, the 1st, midnight).
type parsedTime struct {
	year, month, day, hour, min, sec, micro int // year astronomical once parsed
	pm, hasMeridian, hour12, bc, hasYear    bool
	tzSec                                   int  // TZH/TZM offset, seconds east of UTC
	hasTZ, tzNeg                            bool // the template read TZH; its sign
}

// templateFields are the template patterns to_date and to_timestamp
// read, longest first so that a pattern is not taken for its prefix.
var templateFields = []string{"TZH", "TZM", "HH24", "HH12", "YYYY", "MONTH", "Month", "month", "MON", "Mon", "mon", "DDD",
	"YYY", "US", "MS", "AM", "PM", "am", "pm", "A.M.", "P.M.", "B.C.", "A.D.", "b.c.", "a.d.", "BC", "AD", "bc", "ad",
	"HH", "MI", "SS", "MM", "DD", "YY", "Y"}

// parseWithTemplate reads s as PostgreSQL's to_timestamp does for the
// common patterns: numbers take as many digits as the pattern allows (or
// up to the next non-digit), separators in the template skip any run of
// non-alphanumeric input, FM is accepted and ignored.
func parseWithTemplate(s, format string) (parsedTime, error) {
	p := parsedTime{month: 1, day: 1}
	bad := func(field, value string) error {
		return sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "invalid value %q for %q", value, field)
	}
	i := 0
	number := func(field string, maxDigits int) (int, error) {
		for i < len(s) && s[i] == ' ' {
			i++ // PostgreSQL skips blanks before a number
		}
		j := i
		for j < len(s) && j-i < maxDigits && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			rest := s[i:]
			if len(rest) > maxDigits {
				rest = rest[:maxDigits]
			}
			return 0, bad(field, rest)
		}
		v := 0
		for _, c := range s[i:j] {
			v = v*10 + int(c-'0')
		}
		i = j
		return v, nil
	}
	for f := 0; f < len(format); {
		if strings.HasPrefix(format[f:], "FM") {
			f += 2
			continue
		}
		field := ""
		for _, t := range templateFields {
			if strings.HasPrefix(format[f:], t) {
				field = t
				break
			}
		}
		if field == "" {
			// A literal or separator: skip separators in the input.
			c := format[f]
			f++
			if isAlnum(c) {
				if i < len(s) && s[i] == c {
					i++
				}
				continue
			}
			for i < len(s) && !isAlnum(s[i]) {
				if (s[i] == '+' || s[i] == '-') && strings.HasPrefix(format[f:], "TZH") {
					break // the sign belongs to TZH
				}
				i++
			}
			continue
		}
		f += len(field)
		var err error
		switch strings.ToUpper(field) {
		case "YYYY":
			p.year, err = number(field, 4)
			p.hasYear = true
		case "YYY", "YY", "Y":
			var v int
			v, err = number(field, len(field))
			// Two- and three-digit years are the nearest to 2020, as PostgreSQL reads them.
			switch len(field) {
			case 2:
				if v < 70 {
					v += 2000
				} else {
					v += 1900
				}
			case 3:
				v += 1000
			case 1:
				v += 2000
			}
			p.year, p.hasYear = v, true
		case "TZH":
			neg := false
			if i < len(s) && (s[i] == '+' || s[i] == '-') {
				neg = s[i] == '-'
				i++
			}
			var h int
			if h, err = number(field, 2); err == nil {
				p.hasTZ, p.tzNeg = true, neg
				p.tzSec = h * 3600
				if neg {
					p.tzSec = -p.tzSec
				}
			}
		case "TZM":
			var m int
			if m, err = number(field, 2); err == nil {
				if p.tzNeg {
					m = -m // -03:30 is 3.5 hours west
				}
				p.hasTZ, p.tzSec = true, p.tzSec+m*60
			}
		case "MM":
			p.month, err = number(field, 2)
		case "DD":
			p.day, err = number(field, 2)
		case "DDD":
			var doy int
			if doy, err = number(field, 3); err == nil {
				p.month, p.day = 1, doy
			}
		case "HH24":
			p.hour, err = number(field, 2)
		case "HH12", "HH":
			p.hour, err = number(field, 2)
			p.hour12 = true
		case "MI":
			p.min, err = number(field, 2)
		case "SS":
			p.sec, err = number(field, 2)
		case "MS":
			var v, start = 0, i
			if v, err = number(field, 3); err == nil {
				p.micro = v * int(math.Pow10(3-(i-start))) * 1000
			}
		case "US":
			var v, start = 0, i
			if v, err = number(field, 6); err == nil {
				p.micro = v * int(math.Pow10(6-(i-start)))
			}
		case "AM", "PM", "A.M.", "P.M.":
			word := strings.ToUpper(s[i:min(len(s), i+len(field))])
			switch strings.ReplaceAll(word, ".", "") {
			case "AM":
				p.hasMeridian = true
			case "PM":
				p.hasMeridian, p.pm = true, true
			default:
				return p, bad(field, word)
			}
			i += len(field)
		case "BC", "AD", "B.C.", "A.D.":
			// The era as written in the input, whichever the template names.
			word := strings.ToUpper(strings.ReplaceAll(s[i:min(len(s), i+len(field))], ".", ""))
			switch word {
			case "BC":
				p.bc = true
			case "AD":
			default:
				return p, bad(field, s[i:min(len(s), i+len(field))])
			}
			i += len(field)
		case "MONTH", "MON":
			m := -1
			for k, name := range monthNames {
				cand := name
				if strings.ToUpper(field) == "MON" {
					cand = name[:3]
				}
				if len(s)-i >= len(cand) && strings.EqualFold(s[i:i+len(cand)], cand) {
					m = k + 1
					i += len(cand)
					break
				}
			}
			if m < 0 {
				return p, bad(field, s[i:min(len(s), i+3)])
			}
			p.month = m
		}
		if err != nil {
			return p, err
		}
	}
	if p.bc && p.hasYear {
		p.year = 1 - p.year // 1 BC is year 0
	}
	if strings.Contains(format, "DDD") && !p.hasYear {
		return p, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "cannot calculate day of year without year information")
	}
	if p.hour12 || p.hasMeridian {
		if p.hour < 1 || p.hour > 12 {
			return p, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "hour \"%d\" is invalid for the 12-hour clock", p.hour)
		}
		p.hour %= 12
		if p.pm {
			p.hour += 12
		}
	}
	return p, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// days checks the date fields and returns the day number (day of year
// when the template had DDD: day counts from January 1st); input is the
// text read, which PostgreSQL names in the error.
func (p parsedTime) days(input string) (int64, error) {
	if p.month < 1 || p.month > 12 || p.day < 1 || (p.day > sqltypes.DaysInMonth(int64(p.year), p.month) && p.day > 366) {
		return 0, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date/time field value out of range: %q", input)
	}
	if p.day > sqltypes.DaysInMonth(int64(p.year), p.month) {
		if p.month != 1 {
			return 0, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date/time field value out of range: %q", input)
		}
		return sqltypes.DaysFromCivil(int64(p.year), 1, 1) + int64(p.day) - 1, nil
	}
	return sqltypes.DaysFromCivil(int64(p.year), p.month, p.day), nil
}

// parseDays reads s with the template format and returns its fields and
// day number.
func parseDays(s, format string) (parsedTime, int64, error) {
	p, err := parseWithTemplate(s, format)
	if err != nil {
		return p, 0, err
	}
	if p.hour > 23 || p.min > 59 || p.sec > 59 {
		return p, 0, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date/time field value out of range: %q", s)
	}
	d, err := p.days(s)
	return p, d, err
}

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
			_, d, err := parseDays(sv.str(i), fv.str(i))
			if err != nil {
				return 0, false, err
			}
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
			p, d, err := parseDays(sv.str(i), fv.str(i))
			if err != nil {
				return 0, false, err
			}
			wall := int64(d)*sqltypes.MicrosPerDay + (int64(p.hour)*3600+int64(p.min)*60+int64(p.sec))*sqltypes.MicrosPerSecond + int64(p.micro)
			if p.hasTZ {
				return arrow.Timestamp(wall - int64(p.tzSec)*sqltypes.MicrosPerSecond), false, nil
			}
			return arrow.Timestamp(sqltypes.LocalToUTC(wall, loc)), false, nil
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
			if y[i] == 0 || mo[i] < 1 || mo[i] > 12 || d[i] < 1 || int(d[i]) > sqltypes.DaysInMonth(yy, int(mo[i])) ||
				h[i] < 0 || h[i] > 24 || mi[i] < 0 || mi[i] > 59 || !(s[i] >= 0 && s[i] < 60) ||
				h[i] == 24 && (mi[i] != 0 || s[i] != 0) { // 24:00:00 is the next midnight
				return 0, false, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d %d:%02d:%v", y[i], mo[i], d[i], h[i], mi[i], s[i])
			}
			days := sqltypes.DaysFromCivil(yy, int(mo[i]), int(d[i]))
			us := days*86_400_000_000 + int64(h[i])*3_600_000_000 + int64(mi[i])*60_000_000 + int64(math.RoundToEven(s[i]*1e6))
			return arrow.Timestamp(us), false, nil
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
	zone, err := coerceArgs(name, args[:1], sqltypes.TypeText)
	if err != nil {
		return nil, err
	}
	ts := args[1]
	if ts.Type().Kind == sqltypes.Unknown || ts.Type().Kind == sqltypes.Date {
		if ts, err = Cast(ts, sqltypes.TypeTimestampTZ); err != nil {
			return nil, functionError(name, args)
		}
	}
	var out sqltypes.Type
	switch ts.Type().Kind {
	case sqltypes.TimestampTZ:
		out = sqltypes.TypeTimestamp
	case sqltypes.Timestamp:
		out = sqltypes.TypeTimestampTZ
	default:
		return nil, functionError(name, args)
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
