package sqltypes

import (
	"strings"
)

// DateOut is DateStyle's output format for dates and timestamps.
type DateOut uint8

const (
	DateISO      DateOut = iota // 2026-11-27 10:00:00+00
	DateSQL                     // 11/27/2026 10:00:00 UTC (27/11/2026 under DMY)
	DatePostgres                // Fri Nov 27 10:00:00 2026 UTC
	DateGerman                  // 27.11.2026 10:00:00 UTC
)

// DateOrder is DateStyle's field order: how '01/02/03' reads, and the
// order SQL and Postgres output put the day and month in.
type DateOrder uint8

const (
	OrderMDY DateOrder = iota
	OrderDMY
	OrderYMD
)

// IntervalStyle is the session's interval output format.
type IntervalStyle uint8

const (
	IntervalPostgres        IntervalStyle = iota // 1 year 2 mons -3 days +04:05:06
	IntervalPostgresVerbose                      // @ 1 year 2 mons -3 days 4 hours 5 mins 6 secs
	IntervalSQLStandard                          // +1-2 -3 +4:05:06
	IntervalISO8601                              // P1Y2M-3DT4H5M6S
)

// DateStyle is what the session's DateStyle and IntervalStyle settings
// change in date/time text: how it prints, and how an ambiguous numeric
// date reads. The zero value is PostgreSQL's default (ISO, MDY; postgres).
type DateStyle struct {
	Out      DateOut
	Order    DateOrder
	Interval IntervalStyle
}

var (
	dateOutNames   = [...]string{"ISO", "SQL", "Postgres", "German"}
	dateOrderNames = [...]string{"MDY", "DMY", "YMD"}
	intervalNames  = [...]string{"postgres", "postgres_verbose", "sql_standard", "iso_8601"}
)

// DateStyleSetting is the DateStyle setting's value as PostgreSQL shows
// it: "ISO, MDY", "SQL, DMY".
func (d DateStyle) DateStyleSetting() string {
	return dateOutNames[d.Out] + ", " + dateOrderNames[d.Order]
}

// String is the IntervalStyle setting's value: "postgres", "iso_8601".
func (s IntervalStyle) String() string { return intervalNames[s] }

// ParseDateStyle reads a DateStyle setting as PostgreSQL's check_datestyle
// does: a comma-separated list of at most one output format (ISO, SQL,
// Postgres, German) and one field order (MDY or US or NonEuro[pean], DMY
// or Euro[pean], YMD), or DEFAULT; what the list leaves out keeps its
// value in cur, except that German alone also means DMY. Errors are 22023
// with PostgreSQL's detail.
func ParseDateStyle(v string, cur DateStyle) (DateStyle, error) {
	bad := func(detail string, args ...any) error {
		return New(CodeInvalidParameterValue, "invalid value for parameter \"DateStyle\": %q", v).WithDetail(detail, args...)
	}
	out, order := cur.Out, cur.Order
	haveOut, haveOrder, conflict := false, false, false
	setOut := func(o DateOut) {
		conflict = conflict || haveOut && out != o
		out, haveOut = o, true
	}
	setOrder := func(o DateOrder) {
		conflict = conflict || haveOrder && order != o
		order, haveOrder = o, true
	}
	if strings.TrimSpace(v) == "" {
		return cur, nil
	}
	for _, tok := range strings.Split(v, ",") {
		tok = strings.TrimSpace(tok)
		if len(tok) >= 2 && tok[0] == '"' && tok[len(tok)-1] == '"' {
			tok = strings.ReplaceAll(tok[1:len(tok)-1], `""`, `"`)
		} else {
			if tok == "" || strings.ContainsAny(tok, " \t\n\"") {
				return cur, bad("List syntax is invalid.")
			}
			tok = strings.ToLower(tok)
		}
		switch w := strings.ToLower(tok); {
		case w == "iso":
			setOut(DateISO)
		case w == "sql":
			setOut(DateSQL)
		case w == "postgres":
			setOut(DatePostgres)
		case w == "german":
			setOut(DateGerman)
			if !haveOrder {
				order = OrderDMY // German reads and writes day first unless told otherwise
			}
		case w == "ymd":
			setOrder(OrderYMD)
		case w == "dmy" || strings.HasPrefix(w, "euro"):
			setOrder(OrderDMY)
		case w == "mdy" || w == "us" || strings.HasPrefix(w, "noneuro"):
			setOrder(OrderMDY)
		case w == "default":
			if !haveOut {
				out = DateISO
			}
			if !haveOrder {
				order = OrderMDY
			}
		default:
			return cur, bad("Unrecognized key word: %q.", tok)
		}
	}
	if conflict {
		return cur, bad("Conflicting \"datestyle\" specifications.")
	}
	cur.Out, cur.Order = out, order
	return cur, nil
}

// ParseIntervalStyle reads an IntervalStyle setting (any case).
func ParseIntervalStyle(v string) (IntervalStyle, bool) {
	w := strings.ToLower(strings.TrimSpace(v))
	for i, n := range intervalNames {
		if n == w {
			return IntervalStyle(i), true
		}
	}
	return 0, false
}

// SessionDateStyle builds the DateStyle of a session from its DateStyle
// and IntervalStyle settings as stored (normalized); an unreadable value
// keeps the default.
func SessionDateStyle(dateStyle, intervalStyle string) DateStyle {
	d, err := ParseDateStyle(dateStyle, DateStyle{})
	if err != nil {
		d = DateStyle{}
	}
	d.Interval, _ = ParseIntervalStyle(intervalStyle)
	return d
}
