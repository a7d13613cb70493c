package sqltypes

import (
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Date/time text in every DateStyle and IntervalStyle, as PostgreSQL's
// EncodeDateOnly, EncodeDateTime and EncodeInterval write it. time of day
// prints alike in every style.

var (
	weekdayAbbr = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	monthAbbr   = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// appendYear appends a year as PostgreSQL does outside ISO: the BC year
// counted from 1, zero-padded to 4 digits.
func appendYear(dst []byte, y int64) []byte {
	if y <= 0 {
		y = 1 - y
	}
	return appendPadded(dst, y, 4)
}

func appendPadded(dst []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for k := len(s); k < width; k++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendNumericDate appends a date as SQL (11/27/2026, 27/11/2026 under
// DMY), Postgres (11-27-2026, 27-11-2026) or German (27.11.2026) write it.
func appendNumericDate(dst []byte, y int64, m, d int, st DateStyle) []byte {
	sep := byte('/')
	switch st.Out {
	case DatePostgres:
		sep = '-'
	case DateGerman:
		sep = '.'
	}
	first, second := m, d
	if st.Out == DateGerman || st.Order == OrderDMY {
		first, second = d, m
	}
	dst = append2(dst, first)
	dst = append(dst, sep)
	dst = append2(dst, second)
	dst = append(dst, sep)
	return appendYear(dst, y)
}

// AppendDateStyle appends a day number as a date in st's output style;
// ISO is AppendDate.
func AppendDateStyle(dst []byte, days int64, st DateStyle) []byte {
	if st.Out == DateISO || !IsFiniteDate(days) {
		return AppendDate(dst, days)
	}
	y, m, d := CivilFromDays(days)
	dst = appendNumericDate(dst, y, m, d, st)
	if y <= 0 {
		dst = append(dst, " BC"...)
	}
	return dst
}

// AppendTimestampStyle appends a timestamp (with withTZ, the instant in
// loc) in st's output style; ISO is AppendTimestamp. Outside ISO a
// timestamptz ends with its zone's abbreviation (UTC, CET, +04), as
// PostgreSQL prints it.
func AppendTimestampStyle(dst []byte, us int64, loc *time.Location, withTZ bool, st DateStyle) []byte {
	if st.Out == DateISO || !IsFiniteTimestamp(us) {
		return AppendTimestamp(dst, us, loc, withTZ)
	}
	abbr := ""
	if withTZ {
		if loc == nil {
			loc = time.UTC
		}
		sec, _ := FloorDivMod(us, MicrosPerSecond)
		var off int
		abbr, off = time.Unix(sec, 0).In(loc).Zone()
		us += int64(off) * MicrosPerSecond
	}
	days, tod := FloorDivMod(us, MicrosPerDay)
	y, m, d := CivilFromDays(days)
	if st.Out == DatePostgres {
		dst = append(dst, weekdayAbbr[FloorMod(days+4, 7)]...) // 1970-01-01 was a Thursday
		dst = append(dst, ' ')
		if st.Order == OrderDMY {
			dst = append(append2(dst, d), ' ')
			dst = append(dst, monthAbbr[m-1]...)
		} else {
			dst = append(dst, monthAbbr[m-1]...)
			dst = append2(append(dst, ' '), d)
		}
		dst = AppendTime(append(dst, ' '), tod)
		dst = appendYear(append(dst, ' '), y)
	} else {
		dst = appendNumericDate(dst, y, m, d, st)
		dst = AppendTime(append(dst, ' '), tod)
	}
	if withTZ {
		dst = append(append(dst, ' '), abbr...)
	}
	if y <= 0 {
		dst = append(dst, " BC"...)
	}
	return dst
}

// FloorMod is a mod b with the sign of b.
func FloorMod(a, b int64) int64 {
	_, r := FloorDivMod(a, b)
	return r
}

// AppendInterval appends an interval in an IntervalStyle. Nanoseconds
// below a microsecond are dropped (PostgreSQL keeps microseconds).
func AppendInterval(dst []byte, iv arrow.MonthDayNanoInterval, style IntervalStyle) []byte {
	year, mon := int64(iv.Months)/12, int64(iv.Months)%12
	mday := int64(iv.Days)
	us := iv.Nanoseconds / 1000
	hour, min, sec, fsec := us/3_600_000_000, us/60_000_000%60, us/1_000_000%60, us%1_000_000
	switch style {
	case IntervalSQLStandard:
		return appendSQLStandardInterval(dst, year, mon, mday, hour, min, sec, fsec)
	case IntervalISO8601:
		return appendISOInterval(dst, year, mon, mday, hour, min, sec, fsec)
	case IntervalPostgresVerbose:
		return appendVerboseInterval(dst, year, mon, mday, hour, min, sec, fsec)
	}
	return appendPostgresInterval(dst, year, mon, mday, us)
}

// appendPostgresInterval is IntervalStyle postgres: "1 year 2 mons -3
// days +04:05:06.5". A field after a negative one carries an explicit
// "+", and only 1 is singular.
func appendPostgresInterval(dst []byte, year, mon, mday, us int64) []byte {
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			dst = append(dst, ' ')
		}
		if isBefore && v > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, v, 10)
		dst = append(dst, ' ')
		dst = append(dst, unit...)
		if v != 1 {
			dst = append(dst, 's')
		}
		isBefore, isZero = v < 0, false
	}
	part(year, "year")
	part(mon, "mon")
	part(mday, "day")
	if isZero || us != 0 {
		if !isZero {
			dst = append(dst, ' ')
		}
		abs := uint64(us)
		if us < 0 {
			dst = append(dst, '-')
			abs = -abs
		} else if isBefore {
			dst = append(dst, '+')
		}
		dst = appendPadded(dst, int64(abs/3_600_000_000), 2)
		dst = append(dst, ':')
		dst = append2(dst, int(abs/60_000_000%60))
		dst = append(dst, ':')
		dst = append2(dst, int(abs/1_000_000%60))
		dst = appendFraction(dst, int64(abs%1_000_000))
	}
	return dst
}

// appendFraction appends ".ffffff" without trailing zeros for 0 < f < 10⁶.
func appendFraction(dst []byte, f int64) []byte {
	if f == 0 {
		return dst
	}
	var tmp [6]byte
	for i := 5; i >= 0; i-- {
		tmp[i] = byte('0' + f%10)
		f /= 10
	}
	n := 6
	for tmp[n-1] == '0' {
		n--
	}
	return append(append(dst, '.'), tmp[:n]...)
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// appendSeconds appends |sec| and the fraction |fsec| as PostgreSQL's
// AppendSeconds does, two digits when pad is set.
func appendSeconds(dst []byte, sec, fsec int64, pad bool) []byte {
	w := 1
	if pad {
		w = 2
	}
	dst = appendPadded(dst, abs64(sec), w)
	return appendFraction(dst, abs64(fsec))
}

// appendSQLStandardInterval is IntervalStyle sql_standard: "1-2" for a
// year-month interval, "3 4:05:06" for a day-time one, each with one
// leading sign; an interval mixing both kinds or signs gives every part
// its sign ("+1-2 -3 +4:05:06").
func appendSQLStandardInterval(dst []byte, year, mon, mday, hour, min, sec, fsec int64) []byte {
	hasNeg := year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0
	hasPos := year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0
	hasYM := year != 0 || mon != 0
	hasDT := mday != 0 || hour != 0 || min != 0 || sec != 0 || fsec != 0
	standard := !(hasNeg && hasPos) && !(hasYM && hasDT)
	if hasNeg && standard {
		dst = append(dst, '-')
		year, mon, mday, hour, min, sec, fsec = -year, -mon, -mday, -hour, -min, -sec, -fsec
	}
	sign := func(neg bool) byte {
		if neg {
			return '-'
		}
		return '+'
	}
	clock := func(dst []byte) []byte {
		dst = strconv.AppendInt(dst, abs64(hour), 10)
		dst = append2(append(dst, ':'), int(abs64(min)))
		return appendSeconds(append(dst, ':'), sec, fsec, true)
	}
	switch {
	case !hasNeg && !hasPos:
		return append(dst, '0')
	case !standard:
		dst = append(dst, sign(year < 0 || mon < 0))
		dst = strconv.AppendInt(dst, abs64(year), 10)
		dst = strconv.AppendInt(append(dst, '-'), abs64(mon), 10)
		dst = append(dst, ' ', sign(mday < 0))
		dst = strconv.AppendInt(dst, abs64(mday), 10)
		dst = append(dst, ' ', sign(hour < 0 || min < 0 || sec < 0 || fsec < 0))
		return clock(dst)
	case hasYM:
		dst = strconv.AppendInt(dst, year, 10)
		return strconv.AppendInt(append(dst, '-'), mon, 10)
	case mday != 0:
		dst = strconv.AppendInt(dst, mday, 10)
		return clock(append(dst, ' '))
	}
	return clock(dst)
}

// appendISOInterval is IntervalStyle iso_8601: "P1Y2M3DT4H5M6.5S", each
// part with its own sign, "PT0S" for zero.
func appendISOInterval(dst []byte, year, mon, mday, hour, min, sec, fsec int64) []byte {
	if year == 0 && mon == 0 && mday == 0 && hour == 0 && min == 0 && sec == 0 && fsec == 0 {
		return append(dst, "PT0S"...)
	}
	part := func(v int64, unit byte) {
		if v != 0 {
			dst = append(strconv.AppendInt(dst, v, 10), unit)
		}
	}
	dst = append(dst, 'P')
	part(year, 'Y')
	part(mon, 'M')
	part(mday, 'D')
	if hour != 0 || min != 0 || sec != 0 || fsec != 0 {
		dst = append(dst, 'T')
	}
	part(hour, 'H')
	part(min, 'M')
	if sec != 0 || fsec != 0 {
		if sec < 0 || fsec < 0 {
			dst = append(dst, '-')
		}
		dst = append(appendSeconds(dst, sec, fsec, false), 'S')
	}
	return dst
}

// appendVerboseInterval is IntervalStyle postgres_verbose: "@ 1 year 2
// mons 3 days 4 hours 5 mins 6.5 secs", signs relative to the first
// nonzero part, which when negative is written as a trailing "ago".
func appendVerboseInterval(dst []byte, year, mon, mday, hour, min, sec, fsec int64) []byte {
	dst = append(dst, '@')
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if isZero {
			isBefore = v < 0
			v = abs64(v)
		} else if isBefore {
			v = -v
		}
		dst = strconv.AppendInt(append(dst, ' '), v, 10)
		dst = append(append(dst, ' '), unit...)
		if v != 1 {
			dst = append(dst, 's')
		}
		isZero = false
	}
	part(year, "year")
	part(mon, "mon")
	part(mday, "day")
	part(hour, "hour")
	part(min, "min")
	if sec != 0 || fsec != 0 {
		dst = append(dst, ' ')
		if sec < 0 || sec == 0 && fsec < 0 {
			if isZero {
				isBefore = true
			} else if !isBefore {
				dst = append(dst, '-')
			}
		} else if isBefore {
			dst = append(dst, '-')
		}
		dst = append(appendSeconds(dst, sec, fsec, false), " sec"...)
		if abs64(sec) != 1 || fsec != 0 {
			dst = append(dst, 's')
		}
		isZero = false
	}
	if isZero {
		dst = append(dst, " 0"...)
	}
	if isBefore {
		dst = append(dst, " ago"...)
	}
	return dst
}
