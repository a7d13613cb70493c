package sqltypes

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// dateTime is a parsed date/timestamp literal before zone resolution.
type dateTime struct {
	y            int64
	m, d         int
	hh, mi, ss   int
	us           int64
	zoneOff      int // seconds east of UTC, when zoneSet
	zoneSet      bool
	zone         *time.Location // named zone, when not nil
	special      string         // epoch, today, …
	hasTime      bool
	zoneExplicit bool
}

func badDate(kind, s string) *Error {
	return New(CodeInvalidDatetimeFormat, "invalid input syntax for type %s: %q", kind, s)
}

func dateRange(s string) *Error {
	return New(CodeDatetimeFieldOverflow, "date/time field value out of range: %q", s)
}

// ParseDate parses date text: YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD, MM/DD/YYYY
// (DateStyle MDY), an optional BC/AD, optional ignored time of day, and
// the special words epoch, today, yesterday, tomorrow (UTC). 22007 for bad
// syntax, 22008 for fields out of range.
func ParseDate(s string) (arrow.Date32, error) {
	return parseDateAt(s, InputContext{})
}

// ParseDateIn is ParseDate reading the session's context: DateStyle's
// field order, and today the day of the transaction start in its zone.
func ParseDateIn(s string, ctx InputContext) (arrow.Date32, error) { return parseDateAt(s, ctx) }

// ParseTimestampIn is ParseTimestamp reading the session's context:
// DateStyle's field order, the TimeZone and the transaction start.
func ParseTimestampIn(s string, withTZ bool, ctx InputContext) (arrow.Timestamp, error) {
	return parseTimestampAt(s, withTZ, ctx)
}

// parseDateAt is ParseDate with today the day of ctx's transaction start in
// its zone (the clock is read only for those words).
func parseDateAt(s string, ctx InputContext) (arrow.Date32, error) {
	dt, err := parseDateTime(s, "date", ctx.Order)
	if err != nil {
		return 0, err
	}
	if dt.special != "" {
		now := ctx.now()
		days := DaysFromCivil(int64(now.Year()), int(now.Month()), now.Day())
		switch dt.special {
		case "epoch":
			return 0, nil
		case "infinity":
			return arrow.Date32(DateInfinity), nil
		case "-infinity":
			return arrow.Date32(DateNegInfinity), nil
		case "yesterday":
			days--
		case "tomorrow":
			days++
		}
		return arrow.Date32(days), nil
	}
	days := DaysFromCivil(dt.y, dt.m, dt.d)
	if days < MinDateDays || days > MaxDateDays {
		return 0, New(CodeDatetimeFieldOverflow, "date out of range: %q", s)
	}
	return arrow.Date32(days), nil
}

// ParseTimestamp parses timestamp text: a date as ParseDate accepts it,
// then an optional time HH:MM[:SS[.ffffff]] (separated by a space or T) and
// an optional zone (Z, UTC, +HH, +HH:MM, -HHMM or an IANA name). For
// timestamp without time zone (withTZ false) the zone is ignored, as in
// PostgreSQL; for timestamptz a missing zone means loc (UTC if nil). The
// result is microseconds since 1970-01-01 00:00:00 UTC.
func ParseTimestamp(s string, withTZ bool, loc *time.Location) (arrow.Timestamp, error) {
	return parseTimestampAt(s, withTZ, InputContext{Loc: loc})
}

// parseTimestampAt is ParseTimestamp reading a missing zone, 'now' and
// the day of 'today' from ctx (the clock is read only for those words).
func parseTimestampAt(s string, withTZ bool, ctx InputContext) (arrow.Timestamp, error) {
	loc := ctx.location()
	kind := "timestamp" // PostgreSQL's timestamp_in says "type timestamp"
	if withTZ {
		kind = "timestamp with time zone"
	}
	dt, err := parseDateTime(s, kind, ctx.Order)
	if err != nil {
		return 0, err
	}
	if dt.special != "" {
		now := ctx.now()
		switch dt.special {
		case "epoch":
			return 0, nil
		case "infinity":
			return arrow.Timestamp(TimestampInfinity), nil
		case "-infinity":
			return arrow.Timestamp(TimestampNegInfinity), nil
		case "now":
			if !withTZ {
				now = now.In(loc)
				return arrow.Timestamp(localMicros(now)), nil
			}
			return arrow.Timestamp(now.UnixMicro()), nil
		}
		now = now.In(loc)
		d := DaysFromCivil(int64(now.Year()), int(now.Month()), now.Day())
		switch dt.special {
		case "yesterday":
			d--
		case "tomorrow":
			d++
		}
		dt.y, dt.m, dt.d = CivilFromDays(d)
	}
	// PostgreSQL checks the local date by its month only (IS_VALID_JULIAN)
	// and then the instant: '4714-11-23 23:30-01 BC' is in range, and
	// '4714-11-24 00:30+01 BC' is not.
	days := DaysFromCivil(dt.y, dt.m, dt.d)
	if days < minJulianMonthDays || days > 106_751_990 {
		return 0, timestampRange(s)
	}
	us := days*MicrosPerDay + clockMicros(dt.hh, dt.mi, dt.ss, dt.us)
	if withTZ {
		switch {
		case dt.zoneSet:
			us -= int64(dt.zoneOff) * 1_000_000
		default:
			if dt.zone != nil {
				loc = dt.zone
			}
			us = LocalToUTC(us, loc)
		}
	}
	if us < MinTimestampMicros {
		return 0, timestampRange(s)
	}
	return arrow.Timestamp(us), nil
}

// clockMicros is a time of day in µs.
func clockMicros(hh, mi, ss int, us int64) int64 {
	return int64(hh)*3_600_000_000 + int64(mi)*60_000_000 + int64(ss)*1_000_000 + us
}

// minJulianMonthDays is the first day of PostgreSQL's first Julian month,
// 4714-11-01 BC.
var minJulianMonthDays = DaysFromCivil(-4713, 11, 1)

func timestampRange(s string) error {
	return New(CodeDatetimeFieldOverflow, "timestamp out of range: %q", s)
}

// fastDateTime parses the canonical forms YYYY-MM-DD and
// YYYY-MM-DD HH:MM:SS[.ffffff] without allocating; ok is false for
// anything else (the general parser then decides).
func fastDateTime(s string) (dt dateTime, ok bool) {
	y, m, d, clock, ok := fastDate(s)
	if !ok {
		return dt, false
	}
	dt.y, dt.m, dt.d = y, m, d
	if clock == "" {
		return dt, true
	}
	hh, mi, ss, us, ok := fastClock(clock)
	if !ok {
		return dt, false
	}
	dt.hh, dt.mi, dt.ss, dt.us, dt.hasTime = hh, mi, ss, us, true
	return dt, true
}

// fastDate is fastDateTime's date: it reads YYYY-MM-DD (years
// 1-9999) alone, or followed by a space or T and the time of day
// (returned as clock, which fastClock reads). Held range bounds are read
// by it directly, without a dateTime.
func fastDate(s string) (y int64, m, d int, clock string, ok bool) {
	if len(s) != 10 && (len(s) < 19 || len(s) > 26 || s[10] != ' ' && s[10] != 'T') || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, "", false
	}
	yy, ok1 := digits(s[:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || yy == 0 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(int64(yy), m) {
		return 0, 0, 0, "", false
	}
	if len(s) > 10 {
		clock = s[11:]
	}
	return int64(yy), m, d, clock, true
}

// digits reads a run of ASCII digits; ok is false for anything else.
func digits(t string) (int, bool) {
	v := 0
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, false
		}
		v = v*10 + int(t[i]-'0')
	}
	return v, true
}

// fastClock parses the canonical time of day HH:MM:SS[.ffffff] without
// allocating; ok is false for anything else.
func fastClock(s string) (hh, mi, ss int, us int64, ok bool) {
	if len(s) < 8 || len(s) > 15 || s[2] != ':' || s[5] != ':' || len(s) > 8 && (s[8] != '.' || len(s) == 9) {
		return 0, 0, 0, 0, false
	}
	hh, ok1 := digits(s[:2])
	mi, ok2 := digits(s[3:5])
	ss, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mi > 59 || ss > 59 {
		return 0, 0, 0, 0, false
	}
	if len(s) > 8 {
		f, ok := digits(s[9:])
		if !ok {
			return 0, 0, 0, 0, false
		}
		for k := len(s) - 9; k < 6; k++ {
			f *= 10
		}
		us = int64(f)
	}
	return hh, mi, ss, us, true
}

func parseDateTime(s, kind string, order DateOrder) (dateTime, error) {
	if dt, ok := fastDateTime(s); ok {
		return dt, nil
	}
	var dt dateTime
	t := strings.ToLower(trimSpace(s))
	switch t {
	case "epoch", "today", "yesterday", "tomorrow", "now":
		if t == "now" && kind == "date" {
			t = "today"
		}
		dt.special = t
		return dt, nil
	case "infinity", "+infinity":
		dt.special = "infinity"
		return dt, nil
	case "-infinity":
		dt.special = t
		return dt, nil
	}
	if err := decodeDateTime(s, &dt, order); err != nil {
		if err == errRange {
			return dt, dateRange(s)
		}
		return dt, badDate(kind, s)
	}
	return dt, nil
}

type parseErr string

func (e parseErr) Error() string { return string(e) }

const (
	errSyntax = parseErr("syntax")
	errRange  = parseErr("range")
)

func atoiAll(s string) (int64, bool) {
	if s == "" || len(s) > 12 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
	}
	return v, true
}

func parseDatePart(t string, dt *dateTime) error {
	var y, m, d int64
	var ok1, ok2, ok3 bool
	switch {
	case strings.Count(t, "-") == 2:
		p := strings.Split(t, "-")
		y, ok1 = atoiAll(p[0])
		m, ok2 = atoiAll(p[1])
		d, ok3 = atoiAll(p[2])
	case strings.Count(t, "/") == 2:
		p := strings.Split(t, "/")
		if len(p[0]) >= 3 {
			y, ok1 = atoiAll(p[0])
			m, ok2 = atoiAll(p[1])
			d, ok3 = atoiAll(p[2])
		} else {
			m, ok1 = atoiAll(p[0])
			d, ok2 = atoiAll(p[1])
			y, ok3 = atoiAll(p[2])
		}
	case len(t) == 8:
		y, ok1 = atoiAll(t[:4])
		m, ok2 = atoiAll(t[4:6])
		d, ok3 = atoiAll(t[6:])
	}
	if !ok1 || !ok2 || !ok3 {
		return errSyntax
	}
	if m < 1 || m > 12 || d < 1 || y > 5874897 || d > int64(DaysInMonth(y, int(m))) {
		return errRange
	}
	dt.y, dt.m, dt.d = y, int(m), int(d)
	return nil
}

// parseTimePart parses HH:MM[:SS[.frac]] and returns what follows (a zone).
func parseTimePart(f string, dt *dateTime) (string, error) {
	i := 0
	num := func() (int64, bool) {
		j := i
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
		}
		return atoiAll(f[j:i])
	}
	h, ok := num()
	if !ok || i >= len(f) || f[i] != ':' {
		return "", errSyntax
	}
	i++
	mi, ok := num()
	if !ok {
		return "", errSyntax
	}
	var sec, us int64
	if i < len(f) && f[i] == ':' {
		i++
		if sec, ok = num(); !ok {
			return "", errSyntax
		}
		if i < len(f) && f[i] == '.' {
			j := i
			i++
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
			}
			fr, err := strconv.ParseFloat("0"+f[j:i], 64)
			if err != nil {
				return "", errSyntax
			}
			us = int64(math.RoundToEven(fr * 1e6))
		}
	}
	// A leap second (60) may stand anywhere, but the time of day stays at
	// most 24:00:00: 23:59:60.5 is out of range, as for PostgreSQL.
	if h > 24 || mi > 59 || sec > 60 || (h*3600+mi*60+sec)*1_000_000+us > 86_400_000_000 {
		return "", errRange
	}
	dt.hh, dt.mi, dt.ss, dt.us, dt.hasTime = int(h), int(mi), int(sec), us, true
	return f[i:], nil
}

// expandCompactTime writes ISO 8601's compact HHMM and HHMMSS[.frac]
// (the latter with an optional zone after it) as HH:MM[:SS[.frac]], which
// PostgreSQL's time input also reads; other fields are returned as they
// are.
func expandCompactTime(f string) string {
	j := 0
	for j < len(f) && f[j] >= '0' && f[j] <= '9' {
		j++
	}
	rest := f[j:]
	switch {
	case j == 4 && rest == "": // not 2024-01-05
		return f[:2] + ":" + f[2:4] + rest
	case j == 6 && (rest == "" || rest[0] == '.' || rest[0] == '+' || rest[0] == '-'):
		return f[:2] + ":" + f[2:4] + ":" + f[4:6] + rest
	}
	return f
}

// parseZone recognizes Z/UTC/GMT and numeric offsets (+HH, +HHMM, +HH:MM).
func parseZone(z string, dt *dateTime) bool {
	switch z {
	case "z", "utc", "gmt", "zulu", "+00", "-00":
		dt.zoneSet, dt.zoneOff, dt.zoneExplicit = true, 0, true
		return true
	}
	if len(z) < 2 || (z[0] != '+' && z[0] != '-') {
		return false
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	body := z[1:]
	if parts := strings.Split(body, ":"); len(parts) > 1 && len(parts) <= 3 && len(parts[0]) <= 2 {
		// +H:MM[:SS]: the hour may have one digit.
		body = strings.Repeat("0", 2-len(parts[0])) + strings.Join(parts, "")
	}
	var h, m, sec int64
	var ok bool
	switch len(body) {
	case 1, 2:
		h, ok = atoiAll(body)
	case 4:
		h, ok = atoiAll(body[:2])
		if ok {
			m, ok = atoiAll(body[2:])
		}
	case 6:
		h, ok = atoiAll(body[:2])
		if ok {
			m, ok = atoiAll(body[2:4])
		}
		if ok {
			sec, ok = atoiAll(body[4:])
		}
	}
	if !ok || h > 15 || m > 59 || sec > 59 {
		return false
	}
	dt.zoneSet, dt.zoneExplicit = true, true
	dt.zoneOff = sign * int(h*3600+m*60+sec)
	return true
}

// ParseTime parses time-of-day text as PostgreSQL's time input does:
// HH:MM[:SS[.ffffff]], optionally with AM/PM, a leading date or a zone
// (both ignored: the type has neither), or "allballs" (midnight). The
// result is microseconds since midnight, up to 24:00:00 inclusive.
func ParseTime(s string) (arrow.Time64, error) { return ParseTimeIn(s, InputContext{}) }

// ParseTimeIn is ParseTime reading 'now' (the only special word time
// takes besides allballs) as the time of day of ctx's transaction start in
// its zone, as PostgreSQL's time input does.
func ParseTimeIn(s string, ctx InputContext) (arrow.Time64, error) {
	const kind = "time"
	if hh, mi, ss, us, ok := fastClock(s); ok {
		return arrow.Time64(int64(hh)*3_600_000_000 + int64(mi)*60_000_000 + int64(ss)*1_000_000 + us), nil
	}
	t := strings.ToLower(trimSpace(s))
	switch t {
	case "allballs":
		return 0, nil
	case "now":
		_, tod := FloorDivMod(localMicros(ctx.now()), MicrosPerDay)
		return arrow.Time64(tod), nil
	}
	// A date joined to the time by ISO 8601's 'T' is no time for
	// PostgreSQL (22007), though a date before a space is skipped.
	var dt dateTime
	meridiem := ""
	for _, f := range strings.Fields(t) {
		if !dt.hasTime {
			if f == "t" {
				continue // ISO 8601's time designator, on its own or before the time
			}
			if len(f) > 1 && f[0] == 't' && f[1] >= '0' && f[1] <= '9' {
				f = f[1:]
			}
			f = expandCompactTime(f)
		}
		switch {
		case f == "am" || f == "pm":
			if meridiem != "" {
				return 0, badDate(kind, s)
			}
			meridiem = f
		case strings.IndexByte(f, ':') > 0 && !dt.hasTime:
			zone, err := parseTimePart(f, &dt)
			if err == errRange {
				return 0, dateRange(s)
			}
			if err != nil || zone != "" && !parseZone(zone, &dt) {
				return 0, badDate(kind, s)
			}
		case parseZone(f, &dt):
		default:
			var d dateTime
			if err := parseDatePart(f, &d); err != nil || dt.hasTime {
				return 0, badDate(kind, s)
			}
		}
	}
	if !dt.hasTime {
		return 0, badDate(kind, s)
	}
	switch {
	case meridiem != "" && dt.hh > 12:
		return 0, dateRange(s)
	case meridiem == "am" && dt.hh == 12:
		dt.hh = 0
	case meridiem == "pm" && dt.hh < 12:
		dt.hh += 12
	}
	us := int64(dt.hh)*3_600_000_000 + int64(dt.mi)*60_000_000 + int64(dt.ss)*1_000_000 + dt.us
	if us > MicrosPerDay {
		return 0, dateRange(s)
	}
	return arrow.Time64(us), nil
}
