package sqltypes

import "time"

// Proleptic Gregorian calendar arithmetic on day numbers (days since
// 1970-01-01), after Howard Hinnant's days_from_civil / civil_from_days.
// Years are astronomical: 0 is 1 BC, -1 is 2 BC. Integer-only, no
// allocation, valid far beyond PostgreSQL's date range.

// Date and timestamp limits, as PostgreSQL enforces them (4714-11-24 BC is
// Julian day 0; timestamps are also bounded by int64 microseconds).
const (
	MinDateDays int64 = -2440588   // 4714-11-24 BC
	MaxDateDays int64 = 2145042905 // 5874897-12-31
	// MinTimestampMicros is 4714-11-24 00:00:00 BC.
	MinTimestampMicros int64 = MinDateDays * MicrosPerDay
	// MaxTimestampMicros is the last microsecond representable in int64.
	MaxTimestampMicros int64 = 1<<63 - 1
	MicrosPerDay       int64 = 86_400_000_000
	MicrosPerSecond    int64 = 1_000_000
	NanosPerMicro      int64 = 1000
)

// PostgreSQL's infinite dates and timestamps are the extremes of their
// integer representations (DATEVAL_NOBEGIN/NOEND, DT_NOBEGIN/NOEND), which
// meshql keeps: they order before and after every finite value, come over
// the wire from PostgreSQL sources as such, and print as "-infinity" and
// "infinity".
const (
	DateInfinity         int64 = 1<<31 - 1
	DateNegInfinity      int64 = -1 << 31
	TimestampInfinity    int64 = 1<<63 - 1
	TimestampNegInfinity int64 = -1 << 63
)

// IsFiniteDate reports whether a day number is a date, not ±infinity.
func IsFiniteDate(days int64) bool { return days != DateInfinity && days != DateNegInfinity }

// IsFiniteTimestamp reports whether microseconds are a timestamp, not ±infinity.
func IsFiniteTimestamp(us int64) bool { return us != TimestampInfinity && us != TimestampNegInfinity }

// appendInfinity appends "infinity" or "-infinity" for the sign of v.
func appendInfinity(dst []byte, v int64) []byte {
	if v < 0 {
		dst = append(dst, '-')
	}
	return append(dst, "infinity"...)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// FloorDivMod returns the floor quotient and the non-negative remainder of
// a / b for b > 0.
func FloorDivMod(a, b int64) (q, r int64) {
	q = floorDiv(a, b)
	return q, a - q*b
}

// DaysFromCivil returns the day number of year y (astronomical), month m
// (1-12) and day d (1-31); it does not validate d.
func DaysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// CivilFromDays is the inverse of DaysFromCivil.
func CivilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// YearFromDays is the year (astronomical) of CivilFromDays(z), computed
// without the month and day.
func YearFromDays(z int64) int64 {
	// Dates of the years most data holds (1900-2155) are looked up: the
	// general formula's divisions cost as much as the rest of
	// extract(year …) over a column.
	if off := uint64(z - yearStartsFrom); off < yearStartsSpan {
		i := off / 365 // the year's index, or one more (leap days)
		if int64(yearStarts[i]) > z {
			i--
		}
		return fastYear0 + int64(i)
	}
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	y := yoe + era*400
	if doy >= 306 { // January and February count in the next year
		y++
	}
	return y
}

// yearStarts holds the day numbers of January 1 of the years fastYear0
// to fastYear0+255, and one more for the end of the last.
var yearStarts = func() (t [257]int32) {
	for i := range t {
		t[i] = int32(DaysFromCivil(fastYear0+int64(i), 1, 1))
	}
	return t
}()

const fastYear0 = 1900

var (
	yearStartsFrom = int64(yearStarts[0])
	yearStartsSpan = uint64(int64(yearStarts[256]) - yearStartsFrom)
)

// IsLeapYear reports whether astronomical year y is a Gregorian leap year.
func IsLeapYear(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// DaysInMonth returns the number of days of month m (1-12) in year y.
func DaysInMonth(y int64, m int) int {
	switch m {
	case 2:
		if IsLeapYear(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ISOWeekday returns 1 (Monday) … 7 (Sunday) for a day number.
func ISOWeekday(days int64) int {
	// 1970-01-01 was a Thursday (4).
	_, r := FloorDivMod(days+3, 7)
	return int(r) + 1
}

// LocalToUTC converts microseconds of wall-clock time in loc (as if it
// were UTC) to microseconds since the epoch. As in PostgreSQL, a time that
// occurs twice (DST ends) takes the offset in effect after the transition,
// and a time skipped by a DST gap takes the offset before it.
func LocalToUTC(local int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC {
		return local
	}
	sec, _ := FloorDivMod(local, MicrosPerSecond)
	offAt := func(s int64) int64 {
		_, off := time.Unix(s, 0).In(loc).Zone()
		return int64(off)
	}
	before, after := offAt(sec-86400), offAt(sec+86400)
	if before == after {
		return local - before*MicrosPerSecond
	}
	// Near a transition: take the later offset if it really shows this
	// wall time (ambiguous, or after the change), else the earlier one (gap).
	ok2 := offAt(sec-after) == after
	if ok2 {
		return local - after*MicrosPerSecond
	}
	return local - before*MicrosPerSecond
}

// localMicros returns the wall-clock time of t as microseconds since
// 1970-01-01 00:00:00 in t's location.
func localMicros(t time.Time) int64 {
	_, off := t.Zone()
	return t.UnixMicro() + int64(off)*MicrosPerSecond
}

// UTCToLocal converts an instant to wall-clock microseconds in loc.
func UTCToLocal(us int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC {
		return us
	}
	sec, _ := FloorDivMod(us, MicrosPerSecond)
	_, off := time.Unix(sec, 0).In(loc).Zone()
	return us + int64(off)*MicrosPerSecond
}
