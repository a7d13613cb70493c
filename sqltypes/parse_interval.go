package sqltypes

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// interval units in microseconds, or months / days for the calendar units.
type ivUnit struct {
	months int64 // months per unit (year = 12)
	days   int64 // days per unit (week = 7)
	micros int64 // microseconds per unit
	mask   int
}

func lookupIntervalUnit(u string) (ivUnit, bool) {
	switch u {
	case "microsecond", "microseconds", "microsecon", "us", "usec", "usecs", "useconds":
		return ivUnit{micros: 1, mask: 1}, true
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds", "millisecon":
		return ivUnit{micros: 1000, mask: 2}, true
	case "second", "seconds", "s", "sec", "secs":
		return ivUnit{micros: 1_000_000, mask: 4}, true
	case "minute", "minutes", "m", "min", "mins":
		return ivUnit{micros: 60_000_000, mask: 8}, true
	case "hour", "hours", "h", "hr", "hrs":
		return ivUnit{micros: 3_600_000_000, mask: 16}, true
	case "day", "days", "d":
		return ivUnit{days: 1, mask: 32}, true
	case "week", "weeks", "w":
		return ivUnit{days: 7, mask: 64}, true
	case "month", "months", "mon", "mons":
		return ivUnit{months: 1, mask: 128}, true
	case "year", "years", "y", "yr", "yrs":
		return ivUnit{months: 12, mask: 256}, true
	case "decade", "decades", "dec", "decs":
		return ivUnit{months: 120, mask: 512}, true
	case "century", "centuries", "c", "cent":
		return ivUnit{months: 1200, mask: 1024}, true
	case "millennium", "millennia", "mil", "mils", "millenniums":
		return ivUnit{months: 12000, mask: 2048}, true
	}
	return ivUnit{}, false
}

// intervalAcc accumulates interval fields as PostgreSQL's DecodeInterval
// does, cascading fractions of months to days and of days to time.
type intervalAcc struct {
	months, days, micros int64
	seen                 int
}

func (a *intervalAcc) add(u ivUnit, whole int64, frac float64) {
	switch {
	case u.months > 0:
		a.months += whole * u.months
		if u.months >= 12 {
			a.months += int64(math.RoundToEven(frac * float64(u.months)))
		} else {
			a.fractDays(frac * 30)
		}
	case u.days > 0:
		a.days += whole * u.days
		a.fractDays(frac * float64(u.days))
	default:
		a.micros += whole*u.micros + int64(math.RoundToEven(frac*float64(u.micros)))
	}
}

func (a *intervalAcc) fractDays(fd float64) {
	whole := math.Trunc(fd)
	a.days += int64(whole)
	a.micros += int64(math.RoundToEven((fd - whole) * float64(MicrosPerDay)))
}

func (a *intervalAcc) result(s string) (arrow.MonthDayNanoInterval, error) {
	if a.months > math.MaxInt32 || a.months < math.MinInt32 || a.days > math.MaxInt32 || a.days < math.MinInt32 ||
		a.micros > math.MaxInt64/1000 || a.micros < math.MinInt64/1000 {
		return arrow.MonthDayNanoInterval{}, New(CodeIntervalFieldOverflow, "interval field value out of range: %q", s)
	}
	return arrow.MonthDayNanoInterval{Months: int32(a.months), Days: int32(a.days), Nanoseconds: a.micros * 1000}, nil
}

// splitNumber splits "-1.5days" into whole -1, fraction -0.5 and the rest
// "days". ok is false if f does not start with a number.
func splitNumber(f string) (whole int64, frac float64, rest string, ok bool) {
	i := 0
	if i < len(f) && (f[i] == '+' || f[i] == '-') {
		i++
	}
	j := i
	for i < len(f) && f[i] >= '0' && f[i] <= '9' {
		i++
	}
	intPart := f[j:i]
	fracPart := ""
	if i < len(f) && f[i] == '.' {
		k := i
		i++
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
		}
		fracPart = f[k:i]
	}
	if intPart == "" && len(fracPart) <= 1 {
		return 0, 0, f, false
	}
	if intPart != "" {
		v, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil {
			return 0, 0, f, false
		}
		whole = v
	}
	if len(fracPart) > 1 {
		frac, _ = strconv.ParseFloat("0"+fracPart, 64)
	}
	if f[0] == '-' {
		whole, frac = -whole, -frac
	}
	return whole, frac, f[i:], true
}

// ParseInterval parses interval text in PostgreSQL's formats: quantities
// with units ('1 year 2 mons', '-1 week', '2 hours ago', '1.5 days', '1day'),
// a time of day ('1 day 02:00:00', '-01:30'), a bare number of seconds,
// the '@ … ago' verbose style and ISO 8601 ('P1Y2M3DT4H5M6S'). 22007 for
// text it cannot read, 22008 when a field overflows.
func ParseInterval(s string) (arrow.MonthDayNanoInterval, error) {
	return ParseIntervalIn(s, InputContext{})
}

// ParseIntervalIn is ParseInterval in the session's IntervalStyle: under
// sql_standard a leading minus with no other sign negates every field
// ('-1 2:03:04' is -1 day -2:03:04), as the SQL standard reads it.
func ParseIntervalIn(s string, ctx InputContext) (arrow.MonthDayNanoInterval, error) {
	bad := func() (arrow.MonthDayNanoInterval, error) {
		return arrow.MonthDayNanoInterval{}, New(CodeInvalidDatetimeFormat, "invalid input syntax for type interval: %q", s)
	}
	t := strings.ToLower(trimSpace(s))
	if t == "" {
		return bad()
	}
	var acc intervalAcc
	if t[0] == 'p' {
		if !parseISOInterval(t[1:], &acc) {
			return bad()
		}
		return acc.result(s)
	}
	t = strings.TrimPrefix(t, "@")
	fields := signedFields(strings.Fields(t))
	ago := false
	if n := len(fields); n > 0 && fields[n-1] == "ago" {
		ago, fields = true, fields[:n-1]
	}
	if len(fields) == 0 {
		return bad()
	}
	// Under sql_standard the leading minus of '-1 2:03:04' or '-2 hours
	// 3 min' applies to every field when no other field has a sign: read
	// the fields unsigned, then negate the whole.
	negateAll := ctx.Interval == IntervalSQLStandard && len(fields[0]) > 1 && fields[0][0] == '-' && !signedAfterFirst(fields)
	if negateAll {
		fields[0] = fields[0][1:]
	}
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.IndexByte(f, ':') >= 0 {
			if acc.seen&(4|8|16) != 0 {
				return bad()
			}
			if ok, overflow := parseIntervalTime(f, &acc); overflow {
				return arrow.MonthDayNanoInterval{}, New(CodeIntervalFieldOverflow, "interval field value out of range: %q", s)
			} else if !ok {
				return bad()
			}
			acc.seen |= 4 | 8 | 16
			continue
		}
		if months, ok, overflow := yearMonth(f); overflow {
			return arrow.MonthDayNanoInterval{}, New(CodeIntervalFieldOverflow, "interval field value out of range: %q", s)
		} else if ok {
			// SQL's year-month literal: '1-2' is 1 year 2 months.
			if acc.seen&128 != 0 {
				return bad()
			}
			acc.seen |= 128
			acc.months += months
			continue
		}
		whole, frac, unit, ok := splitNumber(f)
		if !ok {
			return bad()
		}
		if unit == "" && i+1 < len(fields) {
			if _, isUnit := lookupIntervalUnit(fields[i+1]); isUnit {
				unit = fields[i+1]
				i++
			}
		}
		u := ivUnit{micros: 1_000_000, mask: 4} // a bare number is seconds…
		if unit == "" && i+1 < len(fields) && strings.IndexByte(fields[i+1], ':') >= 0 {
			u = ivUnit{days: 1, mask: 32} // …or days before a time of day
		}
		if unit != "" {
			if u, ok = lookupIntervalUnit(unit); !ok {
				return bad()
			}
		}
		if acc.seen&u.mask != 0 {
			return bad()
		}
		acc.seen |= u.mask
		acc.add(u, whole, frac)
	}
	if negateAll {
		acc.months, acc.days, acc.micros = -acc.months, -acc.days, -acc.micros
	}
	if ago {
		acc.months, acc.days, acc.micros = -acc.months, -acc.days, -acc.micros
	}
	return acc.result(s)
}

// yearMonth reads SQL's [-]Y-M into months, the sign applying to both;
// overflow is set for more than 11 months.
func yearMonth(f string) (months int64, ok, overflow bool) {
	neg := f[0] == '-'
	if f[0] == '-' || f[0] == '+' {
		f = f[1:]
	}
	y, m, ok := strings.Cut(f, "-")
	if !ok {
		return 0, false, false
	}
	years, ok1 := atoiAll(y)
	months, ok2 := atoiAll(m)
	if !ok1 || !ok2 || years > math.MaxInt32 {
		return 0, false, false
	}
	if months > 11 {
		return 0, false, true
	}
	if neg {
		return -(years*12 + months), true, false
	}
	return years*12 + months, true, false
}

// parseIntervalTime reads [-]H:MM[:SS[.frac]], or [-]M:SS.frac (two
// fields with a fraction are minutes and seconds), into acc. overflow
// is set for minutes or seconds out of range.
func parseIntervalTime(f string, acc *intervalAcc) (ok, overflow bool) {
	neg := false
	if f[0] == '-' || f[0] == '+' {
		neg = f[0] == '-'
		f = f[1:]
	}
	parts := strings.Split(f, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false, false
	}
	if len(parts) == 2 && strings.IndexByte(parts[1], '.') >= 0 {
		parts = []string{"0", parts[0], parts[1]}
	}
	h, ok1 := atoiAll(parts[0])
	m, ok2 := atoiAll(parts[1])
	if !ok1 || !ok2 {
		return false, false
	}
	if m > 59 {
		return false, true
	}
	us := h*3_600_000_000 + m*60_000_000
	if len(parts) == 3 {
		sec, err := strconv.ParseFloat(parts[2], 64)
		if err != nil || sec < 0 || strings.ContainsAny(parts[2], "eE+-") {
			return false, false
		}
		if sec >= 61 {
			return false, true
		}
		us += int64(math.RoundToEven(sec * 1e6))
	}
	if neg {
		us = -us
	}
	acc.micros += us
	return true, false
}

// parseISOInterval reads the body of an ISO 8601 duration after the P.
func parseISOInterval(t string, acc *intervalAcc) bool {
	inTime := false
	if t == "" {
		return false
	}
	for len(t) > 0 {
		if t[0] == 't' {
			inTime = true
			t = t[1:]
			continue
		}
		whole, frac, rest, ok := splitNumber(t)
		if !ok || rest == "" {
			return false
		}
		var u ivUnit
		switch {
		case rest[0] == 'y' && !inTime:
			u = ivUnit{months: 12}
		case rest[0] == 'm' && !inTime:
			u = ivUnit{months: 1}
		case rest[0] == 'w' && !inTime:
			u = ivUnit{days: 7}
		case rest[0] == 'd' && !inTime:
			u = ivUnit{days: 1}
		case rest[0] == 'h' && inTime:
			u = ivUnit{micros: 3_600_000_000}
		case rest[0] == 'm' && inTime:
			u = ivUnit{micros: 60_000_000}
		case rest[0] == 's' && inTime:
			u = ivUnit{micros: 1_000_000}
		default:
			return false
		}
		acc.add(u, whole, frac)
		t = rest[1:]
	}
	return true
}

// signedFields joins a lone sign to the field after it: PostgreSQL's
// tokenizer reads '1 month - 1 day' as '1 month -1 day'.
func signedFields(fields []string) []string {
	if !slices.Contains(fields, "-") && !slices.Contains(fields, "+") {
		return fields
	}
	out := fields[:0:0]
	for i := 0; i < len(fields); i++ {
		if (fields[i] == "-" || fields[i] == "+") && i+1 < len(fields) {
			out = append(out, fields[i]+fields[i+1])
			i++
			continue
		}
		out = append(out, fields[i])
	}
	return out
}

// signedAfterFirst reports whether a field after the first has a sign.
func signedAfterFirst(fields []string) bool {
	for _, f := range fields[1:] {
		if f[0] == '-' || f[0] == '+' {
			return true
		}
	}
	return false
}
