package pgwire

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// intervalAcc accumulates interval fields; fractions cascade down as in
// PostgreSQL (a month is 30 days, a day 24 hours).
type intervalAcc struct {
	months, days, us float64
}

func (a *intervalAcc) add(v float64, unit string) bool {
	switch strings.ToLower(unit) {
	case "microsecond", "microseconds", "usec", "usecs", "us":
		a.us += v
	case "millisecond", "milliseconds", "msec", "msecs", "ms":
		a.us += v * 1e3
	case "second", "seconds", "sec", "secs", "s":
		a.us += v * 1e6
	case "minute", "minutes", "min", "mins", "m":
		a.us += v * 60e6
	case "hour", "hours", "hr", "hrs", "h":
		a.us += v * 3600e6
	case "day", "days", "d":
		a.days += v
	case "week", "weeks", "w":
		a.days += v * 7
	case "month", "months", "mon", "mons":
		a.months += v
	case "year", "years", "yr", "yrs", "y":
		a.months += v * 12
	case "decade", "decades":
		a.months += v * 120
	case "century", "centuries":
		a.months += v * 1200
	case "millennium", "millennia", "millenniums":
		a.months += v * 12000
	default:
		return false
	}
	return true
}

func (a *intervalAcc) result(negate bool) (arrow.MonthDayNanoInterval, bool) {
	if negate {
		a.months, a.days, a.us = -a.months, -a.days, -a.us
	}
	months := math.Trunc(a.months)
	a.days += (a.months - months) * 30
	days := math.Trunc(a.days)
	us := math.Round(a.us + (a.days-days)*86400e6)
	if math.Abs(months) > math.MaxInt32 || math.Abs(days) > math.MaxInt32 || math.Abs(us) > math.MaxInt64/1000 {
		return arrow.MonthDayNanoInterval{}, false
	}
	return arrow.MonthDayNanoInterval{Months: int32(months), Days: int32(days), Nanoseconds: int64(us) * 1000}, true
}

// parseInterval reads PostgreSQL's interval input: "[@] 1 year -2 mons
// 3 days 04:05:06.5 [ago]" with unit abbreviations and fractional
// quantities, a bare number (seconds), and ISO 8601 "P1Y2M3DT4H5M6.5S".
func parseInterval(s string) (arrow.MonthDayNanoInterval, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 1 && (s[0] == 'P' || s[0] == 'p') {
		return parseISOInterval(s[1:])
	}
	var acc intervalAcc
	fields := strings.Fields(s)
	negate, seen := false, false
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case f == "@" && i == 0:
			continue
		case strings.EqualFold(f, "ago") && i == len(fields)-1 && seen:
			negate = true
			continue
		case strings.Contains(f, ":"):
			us, ok := parseClock(f)
			if !ok {
				return arrow.MonthDayNanoInterval{}, false
			}
			acc.us += us
			seen = true
			continue
		}
		n := numberPrefix(f)
		if n == 0 {
			return arrow.MonthDayNanoInterval{}, false
		}
		v, err := strconv.ParseFloat(f[:n], 64)
		if err != nil {
			return arrow.MonthDayNanoInterval{}, false
		}
		unit := f[n:]
		if unit == "" && i+1 < len(fields) && !strings.Contains(fields[i+1], ":") && numberPrefix(fields[i+1]) == 0 && !strings.EqualFold(fields[i+1], "ago") {
			i++
			unit = fields[i]
		}
		if unit == "" {
			unit = "second"
		}
		if !acc.add(v, unit) {
			return arrow.MonthDayNanoInterval{}, false
		}
		seen = true
	}
	if !seen {
		return arrow.MonthDayNanoInterval{}, false
	}
	return acc.result(negate)
}

// numberPrefix is the length of a leading signed decimal number in f.
func numberPrefix(f string) int {
	i := 0
	if i < len(f) && (f[i] == '-' || f[i] == '+') {
		i++
	}
	digits := 0
	for i < len(f) && (f[i] >= '0' && f[i] <= '9' || f[i] == '.') {
		i++
		digits++
	}
	if digits == 0 {
		return 0
	}
	return i
}

// parseClock reads [-+]H:MM[:SS[.ffffff]] into microseconds.
func parseClock(f string) (float64, bool) {
	sign := 1.0
	switch f[0] {
	case '-':
		sign, f = -1, f[1:]
	case '+':
		f = f[1:]
	}
	parts := strings.Split(f, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.ParseUint(parts[0], 10, 32)
	m, err2 := strconv.ParseUint(parts[1], 10, 32)
	sec := 0.0
	var err3 error
	if len(parts) == 3 {
		sec, err3 = strconv.ParseFloat(parts[2], 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || m > 59 || sec < 0 || sec >= 60 {
		return 0, false
	}
	return sign * (float64(h)*3600e6 + float64(m)*60e6 + sec*1e6), true
}

// parseISOInterval reads the part of an ISO 8601 duration after 'P'.
func parseISOInterval(s string) (arrow.MonthDayNanoInterval, bool) {
	var acc intervalAcc
	inTime := false
	for len(s) > 0 {
		if s[0] == 'T' || s[0] == 't' {
			inTime, s = true, s[1:]
			continue
		}
		n := numberPrefix(s)
		if n == 0 || n >= len(s) {
			return arrow.MonthDayNanoInterval{}, false
		}
		v, err := strconv.ParseFloat(s[:n], 64)
		if err != nil {
			return arrow.MonthDayNanoInterval{}, false
		}
		var unit string
		switch u := s[n] | 0x20; {
		case u == 'y' && !inTime:
			unit = "year"
		case u == 'm' && !inTime:
			unit = "month"
		case u == 'w' && !inTime:
			unit = "week"
		case u == 'd' && !inTime:
			unit = "day"
		case u == 'h' && inTime:
			unit = "hour"
		case u == 'm' && inTime:
			unit = "minute"
		case u == 's' && inTime:
			unit = "second"
		default:
			return arrow.MonthDayNanoInterval{}, false
		}
		acc.add(v, unit)
		s = s[n+1:]
	}
	return acc.result(false)
}
