package expr

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// to_char(timestamp|timestamptz|date|interval, format) for the date/time
// template patterns: YYYY YYY YY Y IYYY MM MON Mon mon MONTH Month month
// DD DDD D ID DAY Day day DY Dy dy HH HH12 HH24 MI SS MS US SSSS AM PM
// am pm A.M. P.M. BC AD Q WW IW W J CC TZ OF, the FM prefix (no padding),
// "quoted text" and backslash escapes. Other characters are copied.

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// wallClock is a broken-down timestamp for formatting.
type wallClock struct {
	days, tod int64 // day number and microseconds of day
	y         int64
	m, d      int
	off       int    // zone offset in seconds (timestamptz)
	zone      string // zone abbreviation (timestamptz)
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

// formatTime appends w formatted by the template f.
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
	fm := false
	for i := 0; i < len(f); {
		has := func(p string) bool {
			if strings.HasPrefix(f[i:], p) {
				i += len(p)
				return true
			}
			return false
		}
		switch {
		case has("FM"):
			fm = true
			continue
		case f[i] == '"':
			j := strings.IndexByte(f[i+1:], '"')
			if j < 0 {
				dst = append(dst, f[i+1:]...)
				i = len(f)
			} else {
				dst = append(dst, f[i+1:i+1+j]...)
				i += j + 2
			}
		case f[i] == '\\' && i+1 < len(f):
			dst = append(dst, f[i+1])
			i += 2
		case has("HH24"):
			dst = appendPadded(dst, sec/3600, 2, fm)
		case has("HH12"), has("HH"):
			dst = appendPadded(dst, hour12, 2, fm)
		case has("MI"):
			dst = appendPadded(dst, sec/60%60, 2, fm)
		case has("SSSSS"), has("SSSS"):
			dst = appendPadded(dst, sec, 0, true)
		case has("SS"):
			dst = appendPadded(dst, sec%60, 2, fm)
		case has("MS"):
			dst = appendPadded(dst, w.tod%1_000_000/1000, 3, fm)
		case has("US"):
			dst = appendPadded(dst, w.tod%1_000_000, 6, fm)
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
		case has("Y,YYY"):
			dst = appendPadded(dst, year/1000, 1, fm)
			dst = append(dst, ',')
			dst = appendPadded(dst, year%1000, 3, false)
		case has("IYYY"):
			iy, _ := isoWeek(w.days)
			dst = appendPadded(dst, iy, 4, fm)
		case has("YYYY"):
			dst = appendPadded(dst, year, 4, fm)
		case has("YYY"):
			dst = appendPadded(dst, year%1000, 3, fm)
		case has("YY"):
			dst = appendPadded(dst, year%100, 2, fm)
		case has("Y"):
			dst = appendPadded(dst, year%10, 1, fm)
		case has("MONTH"), has("Month"), has("month"):
			p := f[i-5 : i]
			dst = appendName(dst, monthNames[w.m-1], p == "MONTH", p == "month", fm, 9)
		case has("MON"), has("Mon"), has("mon"):
			p := f[i-3 : i]
			dst = appendName(dst, monthNames[w.m-1][:3], p == "MON", p == "mon", fm, 0)
		case has("MM"):
			dst = appendPadded(dst, int64(w.m), 2, fm)
		case has("DAY"), has("Day"), has("day"):
			p := f[i-3 : i]
			dst = appendName(dst, dayNames[dow], p == "DAY", p == "day", fm, 9)
		case has("DY"), has("Dy"), has("dy"):
			p := f[i-2 : i]
			dst = appendName(dst, dayNames[dow][:3], p == "DY", p == "dy", fm, 0)
		case has("DDD"):
			dst = appendPadded(dst, w.days-sqltypes.DaysFromCivil(w.y, 1, 1)+1, 3, fm)
		case has("DD"):
			dst = appendPadded(dst, int64(w.d), 2, fm)
		case has("ID"):
			dst = appendPadded(dst, int64(sqltypes.ISOWeekday(w.days)), 1, fm)
		case has("D"):
			dst = appendPadded(dst, int64(dow+1), 1, fm)
		case has("IW"):
			_, wk := isoWeek(w.days)
			dst = appendPadded(dst, wk, 2, fm)
		case has("WW"):
			dst = appendPadded(dst, (w.days-sqltypes.DaysFromCivil(w.y, 1, 1))/7+1, 2, fm)
		case has("W"):
			dst = appendPadded(dst, int64((w.d-1)/7+1), 1, fm)
		case has("Q"):
			dst = appendPadded(dst, int64((w.m-1)/3+1), 1, fm)
		case has("J"):
			dst = appendPadded(dst, w.days+2440588, 1, fm)
		case has("CC"):
			dst = appendPadded(dst, (year+99)/100, 2, fm)
		case has("TZ"), has("tz"):
			z := w.zone
			if f[i-2] == 't' {
				z = strings.ToLower(z)
			}
			dst = append(dst, z...)
		case has("OF"):
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
			continue
		}
		fm = false
	}
	return dst
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
		return mapRowsStr(env.Mem, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			var w wallClock
			if k == sqltypes.Interval {
				iv := values[arrow.MonthDayNanoInterval](in[0])[i]
				// Intervals format their fields: years, months, days, time.
				w.y, w.m, w.d = int64(iv.Months/12), int(iv.Months%12), int(iv.Days)
				w.tod = iv.Nanoseconds / 1000
				w.days = sqltypes.DaysFromCivil(w.y, max(w.m, 1), 1)
				if w.m == 0 {
					w.m = 1
				}
				return formatTime(dst, fv.str(i), &w), false, nil
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
