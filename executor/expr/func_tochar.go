package expr

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/datetmpl"
	"github.com/meshql/meshql/sqltypes"
)

// to_char(timestamp|timestamptz|date|interval, format) for the date/time
// template patterns: YYYY YYY YY Y IYYY MM MON Mon mon MONTH Month month
// DD DDD D ID DAY Day day DY Dy dy HH HH12 HH24 MI SS MS US SSSS AM PM
// am pm A.M. P.M. BC AD Q WW IW W J CC TZ OF, the FM prefix (no padding),
// "quoted text" and backslash escapes. Other characters are copied.

var monthNames = datetmpl.MonthNames
var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// wallClock is a broken-down timestamp for formatting.
type wallClock struct {
	days, tod int64 // day number and microseconds of day
	y         int64
	m, d      int
	off       int    // zone offset in seconds (timestamptz)
	zone      string // zone abbreviation (timestamptz)
	// iv is set for an interval: its fields as PostgreSQL breaks it down
	// (months into years and months, microseconds into hours, minutes,
	// seconds and microseconds, each truncated toward zero, so all share
	// the sign), which the patterns print as they are, not as a date.
	iv *intervalClock
}

type intervalClock struct {
	y, mon, mday, hour, min, sec, usec int64
	bad                                string // a pattern that names a calendar date: 22007
}

func newIntervalClock(iv arrow.MonthDayNanoInterval) *intervalClock {
	us := iv.Nanoseconds / 1000
	c := &intervalClock{y: int64(iv.Months / 12), mon: int64(iv.Months % 12), mday: int64(iv.Days)}
	c.hour, us = us/3_600_000_000, us%3_600_000_000
	c.min, us = us/60_000_000, us%60_000_000
	c.sec, c.usec = us/1_000_000, us%1_000_000
	return c
}

// cWidth is the width C's printf("%0*d") pads v to: the sign counts.
func cWidth(v int64, width int) int {
	if v < 0 {
		return width - 1
	}
	return width
}

// The Julian day arithmetic of PostgreSQL's date2j and its ISO week
// helpers, which to_char applies to an interval's fields unnormalized
// (month 0, negative days): the results must be PostgreSQL's, however
// meaningless.
func date2j(y, m, d int64) int64 {
	if m > 2 {
		m++
		y += 4800
	} else {
		m += 13
		y += 4799
	}
	century := y / 100
	j := y*365 - 32167
	j += y/4 - century + century/4
	return j + 7834*m/256 + d
}

func j2day(j int64) int64 {
	j = (j + 1) % 7
	if j < 0 {
		j += 7
	}
	return j
}

// date2isoWeekYear returns PostgreSQL's date2isoyear and date2isoweek.
func date2isoWeekYear(y, m, d int64) (year, week int64) {
	dayn := date2j(y, m, d)
	day4 := date2j(y, 1, 4)
	day0 := j2day(day4 - 1)
	if dayn < day4-day0 {
		y--
		day4 = date2j(y, 1, 4)
		day0 = j2day(day4 - 1)
	}
	week = (dayn-(day4-day0))/7 + 1
	if week >= 52 {
		day4 = date2j(y+1, 1, 4)
		day0 = j2day(day4 - 1)
		if dayn >= day4-day0 {
			y++
			week = 1
		}
	}
	return y, week
}

func date2isoYearDay(y, m, d int64) int64 {
	iy, _ := date2isoWeekYear(y, m, d)
	day4 := date2j(iy, 1, 4)
	return date2j(y, m, d) - (day4 - j2day(day4-1)) + 1
}

// format appends pattern p of an interval to *out, or reports false when
// formatTime's own form applies (p is not an interval's pattern).
func (c *intervalClock) format(out *[]byte, p string, fm bool, num func(v int64, width int)) bool {
	upper := strings.ToUpper(p)
	switch upper {
	case "HH24":
		num(c.hour, 2)
	case "HH", "HH12":
		h := c.hour % 12
		if h == 0 {
			h = 12
		}
		num(h, 2)
	case "MI":
		num(c.min, 2)
	case "SS":
		num(c.sec, 2)
	case "MS":
		num(c.usec/1000, cWidth(c.usec/1000, 3))
	case "US":
		num(c.usec, cWidth(c.usec, 6))
	case "SSSS", "SSSSS":
		*out = appendPadded(*out, c.hour*3600+c.min*60+c.sec, 0, true)
	case "Y,YYY":
		i := c.y / 1000
		*out = appendPadded(*out, i, 1, false)
		*out = append(*out, ',')
		num(c.y-i*1000, cWidth(c.y-i*1000, 3))
	case "YYYY":
		num(c.y, 4)
	case "YYY":
		num(c.y%1000, 3)
	case "YY":
		num(c.y%100, 2)
	case "Y":
		num(c.y%10, 1)
	case "IYYY", "IYY", "IY", "I":
		iy, _ := date2isoWeekYear(c.y, c.mon, c.mday)
		mod := map[string]int64{"IYYY": 1 << 62, "IYY": 1000, "IY": 100, "I": 10}[upper]
		// PostgreSQL widens the field by the sign of the interval's
		// years, not of the ISO year printed.
		w := len(upper)
		if c.y < 0 {
			w++
		}
		num(iy%mod, cWidth(iy%mod, w))
	case "IDDD":
		v := date2isoYearDay(c.y, c.mon, c.mday)
		num(v, cWidth(v, 3))
	case "IW":
		_, wk := date2isoWeekYear(c.y, c.mon, c.mday)
		num(wk, cWidth(wk, 2))
	case "MM":
		num(c.mon, 2)
	case "DDD":
		yday := (c.y*12+c.mon)*30 + c.mday
		num(yday, cWidth(yday, 3))
	case "DD":
		num(c.mday, cWidth(c.mday, 2))
	case "WW":
		v := ((c.y*12+c.mon)*30+c.mday-1)/7 + 1
		num(v, cWidth(v, 2))
	case "W":
		num((c.mday-1)/7+1, 1)
	case "Q":
		if c.mon != 0 {
			num((c.mon-1)/3+1, 1)
		}
	case "J":
		num(date2j(c.y, c.mon, c.mday), 1)
	case "CC":
		num(c.y/100, 2)
	case "RM":
		if c.mon != 0 {
			i := 12 - c.mon
			if c.mon < 0 {
				i = -(c.mon + 1)
			}
			rm := romanMonths[11-i]
			if p == "rm" {
				rm = strings.ToLower(rm)
			}
			*out = appendName(*out, rm, false, false, fm, 4)
		}
	case "BC", "AD", "B.C.", "A.D.", "MONTH", "MON", "DAY", "DY", "D", "ID", "TZ", "TZH", "TZM", "OF":
		if c.bad == "" {
			c.bad = p
		}
	default:
		return false
	}
	return true
}

func appendName(dst []byte, name string, upper, lower, fm bool, width int) []byte {
	switch {
	case upper:
		name = strings.ToUpper(name)
	case lower:
		name = strings.ToLower(name)
	}
	dst = append(dst, name...)
	for k := len(name); k < width && !fm; k++ {
		dst = append(dst, ' ')
	}
	return dst
}

// formatTime appends w formatted by the template f. Numeric patterns also
// match in lower case (PostgreSQL's keyword table lists both), and take a
// TH/th ordinal suffix.
func formatTime(dst []byte, f string, w *wallClock) []byte {
	sec := w.tod / 1_000_000
	dow := sqltypes.ISOWeekday(w.days) % 7
	year := w.y
	if year <= 0 {
		year = 1 - year
	}
	hour12 := sec / 3600 % 12
	if hour12 == 0 {
		hour12 = 12
	}
	pm := sec/3600 >= 12
	if w.iv != nil {
		pm = w.iv.hour%24 >= 12 // 36 hours is PM, -4 hours AM
	}
	fm := false
	prefixed := false // PostgreSQL reads one FM or TM prefix before a field
	tm := false       // TM: names unpadded, as PostgreSQL writes localized ones
	for i := 0; i < len(f); {
		has := func(p string) bool {
			if strings.HasPrefix(f[i:], p) {
				i += len(p)
				return true
			}
			return false
		}
		// hasCI matches the upper-case pattern p or its lower-case form.
		hasCI := func(p string) bool { return has(p) || has(strings.ToLower(p)) }
		// num appends a numeric field and its optional ordinal suffix.
		num := func(v int64, width int) {
			dst = appendPadded(dst, v, width, fm)
			switch {
			case has("TH"):
				dst = append(dst, strings.ToUpper(ordinalSuffix(v))...)
			case has("th"):
				dst = append(dst, ordinalSuffix(v)...)
			}
		}
		if w.iv != nil {
			if p := intervalPatternAt(f[i:]); p != "" {
				i += len(p)
				if w.iv.format(&dst, p, fm, num) {
					fm, tm, prefixed = false, false, false
					continue
				}
				i -= len(p)
			}
		}
		switch {
		case !prefixed && (has("FM") || has("fm")):
			fm, prefixed = true, true
			continue
		case !prefixed && (has("TM") || has("tm")):
			// Translation mode: the C locale's names are the English ones.
			tm, prefixed = true, true
			continue
		case hasCI("FX"):
			// Fixed format only matters when reading (to_timestamp).
		case f[i] == '"':
			j := strings.IndexByte(f[i+1:], '"')
			if j < 0 {
				dst = append(dst, f[i+1:]...)
				i = len(f)
			} else {
				dst = append(dst, f[i+1:i+1+j]...)
				i += j + 2
			}
		case f[i] == '\\' && i+1 < len(f) && f[i+1] == '"':
			// Outside quotes a backslash only escapes a double quote.
			dst = append(dst, '"')
			i += 2
		case hasCI("HH24"):
			num(sec/3600, 2)
		case hasCI("HH12"), hasCI("HH"):
			num(hour12, 2)
		case hasCI("MI"):
			num(sec/60%60, 2)
		case hasCI("SSSSS"), hasCI("SSSS"):
			dst = appendPadded(dst, sec, 0, true)
		case hasCI("SS"):
			num(sec%60, 2)
		case hasCI("MS"):
			num(w.tod%1_000_000/1000, 3)
		case hasCI("US"):
			num(w.tod%1_000_000, 6)
		case len(f)-i >= 3 && (f[i:i+2] == "FF" || f[i:i+2] == "ff") && f[i+2] >= '1' && f[i+2] <= '6':
			digits := int(f[i+2] - '0')
			i += 3
			frac := w.tod % 1_000_000
			if w.iv != nil {
				frac = w.iv.usec
			}
			for k := digits; k < 6; k++ {
				frac /= 10
			}
			num(frac, cWidth(frac, digits))
		case has("AM"), has("PM"):
			dst = append(dst, pick(pm, "PM", "AM")...)
		case has("am"), has("pm"):
			dst = append(dst, pick(pm, "pm", "am")...)
		case has("A.M."), has("P.M."):
			dst = append(dst, pick(pm, "P.M.", "A.M.")...)
		case has("a.m."), has("p.m."):
			dst = append(dst, pick(pm, "p.m.", "a.m.")...)
		case has("BC"), has("AD"):
			dst = append(dst, pick(w.y <= 0, "BC", "AD")...)
		case has("bc"), has("ad"):
			dst = append(dst, pick(w.y <= 0, "bc", "ad")...)
		case has("B.C."), has("A.D."):
			dst = append(dst, pick(w.y <= 0, "B.C.", "A.D.")...)
		case has("b.c."), has("a.d."):
			dst = append(dst, pick(w.y <= 0, "b.c.", "a.d.")...)
		case hasCI("Y,YYY"):
			dst = appendPadded(dst, year/1000, 1, fm)
			dst = append(dst, ',')
			num(year%1000, 3)
		case hasCI("IYYY"):
			num(isoYearBC(w.days), 4)
		case hasCI("IDDD"):
			num(isoDayOfYear(w.days), 3)
		case hasCI("YYYY"):
			num(year, 4)
		case hasCI("YYY"):
			num(year%1000, 3)
		case hasCI("YY"):
			num(year%100, 2)
		case hasCI("Y"):
			num(year%10, 1)
		case has("MONTH"), has("Month"), has("month"):
			p := f[i-5 : i]
			dst = appendName(dst, monthNames[w.m-1], p == "MONTH", p == "month", fm || tm, 9)
		case has("MON"), has("Mon"), has("mon"):
			p := f[i-3 : i]
			dst = appendName(dst, monthNames[w.m-1][:3], p == "MON", p == "mon", fm, 0)
		case hasCI("MM"):
			num(int64(w.m), 2)
		case has("DAY"), has("Day"), has("day"):
			p := f[i-3 : i]
			dst = appendName(dst, dayNames[dow], p == "DAY", p == "day", fm || tm, 9)
		case has("DY"), has("Dy"), has("dy"):
			p := f[i-2 : i]
			dst = appendName(dst, dayNames[dow][:3], p == "DY", p == "dy", fm, 0)
		case hasCI("DDD"):
			num(w.days-sqltypes.DaysFromCivil(w.y, 1, 1)+1, 3)
		case hasCI("DD"):
			num(int64(w.d), 2)
		case hasCI("ID"):
			num(int64(sqltypes.ISOWeekday(w.days)), 1)
		case hasCI("D"):
			num(int64(dow+1), 1)
		case hasCI("IW"):
			_, wk := isoWeek(w.days)
			num(wk, 2)
		case hasCI("IYY"):
			num(isoYearBC(w.days)%1000, 3)
		case hasCI("IY"):
			num(isoYearBC(w.days)%100, 2)
		case hasCI("I"):
			num(isoYearBC(w.days)%10, 1)
		case hasCI("WW"):
			num((w.days-sqltypes.DaysFromCivil(w.y, 1, 1))/7+1, 2)
		case hasCI("W"):
			num(int64((w.d-1)/7+1), 1)
		case hasCI("Q"):
			num(int64((w.m-1)/3+1), 1)
		case hasCI("J"):
			num(w.days+2440588, 1)
		case hasCI("CC"):
			// Century 21 is 2001-2100; century -1 is 100 BC to 1 BC.
			if w.y > 0 {
				num((w.y-1)/100+1, 2)
			} else {
				num(w.y/100-1, 2)
			}
		case has("RM"), has("rm"):
			rm := romanMonths[w.m-1]
			if f[i-1] == 'm' {
				rm = strings.ToLower(rm)
			}
			dst = appendName(dst, rm, false, false, fm, 4)
		case has("TZH"), has("tzh"):
			off := w.off
			dst = append(dst, pick(off < 0, "-", "+")...)
			dst = appendPadded(dst, int64(max(off, -off)/3600), 2, fm)
		case has("TZM"), has("tzm"):
			dst = appendPadded(dst, int64(max(w.off, -w.off)%3600/60), 2, fm)
		case has("TZ"), has("tz"):
			z := w.zone
			if f[i-2] == 't' {
				z = strings.ToLower(z)
			}
			dst = append(dst, z...)
		case has("OF"), has("of"):
			off := w.off
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			dst = append(dst, sign)
			dst = appendPadded(dst, int64(off/3600), 2, false)
			if m := off % 3600 / 60; m != 0 {
				dst = append(dst, ':')
				dst = appendPadded(dst, int64(m), 2, false)
			}
		default:
			dst = append(dst, f[i])
			i++
			fm, tm, prefixed = false, false, false
			continue
		}
		fm, tm, prefixed = false, false, false
	}
	return dst
}

// intervalPatterns are the patterns intervalClock formats, longest first
// where one is a prefix of another (formatTime's order).
var intervalPatterns = []string{"HH24", "HH12", "HH", "MI", "SSSSS", "SSSS", "SS", "MS", "US",
	"B.C.", "A.D.", "BC", "AD", "Y,YYY", "IYYY", "IDDD", "YYYY", "YYY", "YY", "Y", "MONTH", "MON", "MM", "DAY", "DY", "DDD", "DD",
	"ID", "D", "IW", "IYY", "IY", "I", "WW", "W", "Q", "J", "CC", "RM", "TZH", "TZM", "TZ", "OF"}

// intervalPatternAt returns the pattern f starts with, as written (all in
// upper case, all in lower case, or capitalized for names), or "".
func intervalPatternAt(f string) string {
	for _, p := range intervalPatterns {
		if len(f) < len(p) {
			continue
		}
		s := f[:len(p)]
		if s == p || s == strings.ToLower(p) || len(p) > 2 && s == p[:1]+strings.ToLower(p[1:]) && (p == "MONTH" || p == "MON" || p == "DAY") || p == "DY" && s == "Dy" {
			return s
		}
	}
	return ""
}

var romanMonths = [...]string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}

// ordinalSuffix is the English ordinal suffix of v: st, nd, rd or th.
func ordinalSuffix(v int64) string {
	if v < 0 {
		v = -v
	}
	if v%100 >= 11 && v%100 <= 13 {
		return "th"
	}
	switch v % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// isoDayOfYear is the day of the ISO week-numbering year (1..371).
func isoDayOfYear(days int64) int64 {
	_, wk := isoWeek(days)
	return (wk-1)*7 + int64(sqltypes.ISOWeekday(days))
}

func pick(c bool, yes, no string) string {
	if c {
		return yes
	}
	return no
}

// buildToChar: to_char(timestamp|timestamptz|date, text) → text.
func buildToChar(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	src := args[0]
	if src.Type().IsNumeric() && implicitText(args[1].Type()) {
		return buildToCharNumber(name, args)
	}
	if src.Type().Kind == sqltypes.Date {
		src, _ = Cast(src, sqltypes.TypeTimestamp)
	}
	k := src.Type().Kind
	if k != sqltypes.Timestamp && k != sqltypes.TimestampTZ && k != sqltypes.Interval || !implicitText(args[1].Type()) {
		return nil, functionError(name, args)
	}
	fmtArg := coerceTo(args[1], sqltypes.TypeText)
	return &callExpr{name: name, args: []Expr{src, fmtArg}, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		fv := viewOf(in[1])
		loc := zoneOf(env)
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			if fv.str(i) == "" {
				return dst, true, nil // PostgreSQL: an empty template gives NULL
			}
			var w wallClock
			if k == sqltypes.Interval {
				w.iv = newIntervalClock(values[arrow.MonthDayNanoInterval](in[0])[i])
				dst = formatTime(dst, fv.str(i), &w)
				if w.iv.bad != "" {
					return dst, false, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "invalid format specification for an interval value").
						WithHint("Intervals are not tied to specific calendar dates.")
				}
				return dst, false, nil
			}
			us := values[int64](in[0])[i]
			if !sqltypes.IsFiniteTimestamp(us) {
				return dst, true, nil // PostgreSQL's to_char of ±infinity is NULL
			}
			if k == sqltypes.TimestampTZ {
				t := time.UnixMicro(us).In(loc)
				w.zone, w.off = t.Zone()
				us += int64(w.off) * sqltypes.MicrosPerSecond
			}
			w.days, w.tod = sqltypes.FloorDivMod(us, sqltypes.MicrosPerDay)
			w.y, w.m, w.d = sqltypes.CivilFromDays(w.days)
			return formatTime(dst, fv.str(i), &w), false, nil
		})
	}}, nil
}

// isoYearBC is the ISO year of day number days as to_char writes it: years
// BC count from 1, as YYYY does.
func isoYearBC(days int64) int64 {
	iy, _ := isoWeek(days)
	if iy <= 0 {
		return 1 - iy
	}
	return iy
}
