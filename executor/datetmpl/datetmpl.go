// Package datetmpl reads dates and times with PostgreSQL's template
// patterns (YYYY-MM-DD HH24:MI:SS.US TZH:TZM…): to_date and to_timestamp
// in executor/expr, and the SQL/JSON path method .datetime(template) in
// executor/jsonpath, which reads them in PostgreSQL's stricter standard
// mode.
package datetmpl

import (
	"math"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// parsedTime holds the fields a format template read; unset fields keep
// PostgreSQL's defaults (year 0 = 1 BC, January, the 1st, midnight).
type parsedTime struct {
	year, month, day, hour, min, sec, micro int // year astronomical once parsed
	pm, hasMeridian, hour12, bc, hasYear    bool
	tzSec                                   int  // TZH/TZM offset, seconds east of UTC
	hasTZ, tzNeg                            bool // the template read TZH; its sign
	dated, timed                            bool // the template has date, time fields
}

// templateFields are the template patterns .datetime(template) reads, longest first so that a pattern is not taken for its prefix. Each
// is also read in lower case ("yyyy-mm-dd"), and month names capitalized
// ("Mon"), as PostgreSQL reads them; other mixes of case are not fields.
var templateFields = []string{"TZH", "TZM", "HH24", "HH12", "YYYY", "MONTH", "MON", "DDD",
	"YYY", "US", "MS", "AM", "PM", "A.M.", "P.M.", "B.C.", "A.D.", "BC", "AD",
	"HH", "MI", "SS", "MM", "DD", "YY", "Y"}

// MonthNames are the English month names templates read and write.
var MonthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// stdSeparators are the characters a template may hold between fields in
// standard mode (the SQL/JSON .datetime() method).
const stdSeparators = " -/,.';:"

// parseStd reads s in standard mode (PostgreSQL's parse_datetime for
// jsonpath): numbers take as many digits as the pattern allows (or up to
// the next non-digit), FM is accepted and ignored, the template may hold
// only fields and separators, each separator must match the input's next
// character (a blank also matches ISO 8601's "T"), and the input must be
// neither shorter nor longer than the template.
func parseStd(s, format string) (parsedTime, error) {
	p := parsedTime{month: 1, day: 1}
	bad := func(field, value string) *sqltypes.Error {
		return sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "invalid value %q for %q", value, field)
	}
	skipBlanks := func(i int) int {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		return i
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
			return 0, bad(field, rest).WithDetail("Value must be an integer.")
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
			if len(format)-f >= len(t) && isField(format[f:f+len(t)], t) {
				field = format[f : f+len(t)]
				break
			}
		}
		if field == "" {
			c := format[f]
			f++
			switch {
			case !strings.ContainsRune(stdSeparators, rune(c)):
				return p, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "invalid datetime format separator: \"%c\"", c)
			case i == len(s):
			case s[i] == c || c == ' ' && s[i] == 'T':
				i++
			default:
				return p, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "unmatched format separator \"%c\"", c)
			}
			continue
		}
		f += len(field)
		if i = skipBlanks(i); i == len(s) {
			return p, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "input string is too short for datetime format")
		}
		var err error
		upper := strings.ToUpper(field)
		switch upper {
		case "TZH", "TZM":
		case "HH24", "HH12", "HH", "MI", "SS", "MS", "US", "AM", "PM", "A.M.", "P.M.":
			p.timed = true
		default:
			p.dated = true
		}
		switch upper {
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
			} else {
				return p, bad(field, s[i:min(len(s), i+3)])
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
			for k, name := range MonthNames {
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
	if i = skipBlanks(i); i < len(s) {
		return p, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "trailing characters remain in input string after datetime format")
	}
	switch {
	case !p.dated && !p.timed:
		return p, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "datetime format is not dated and not timed")
	case p.hasTZ && !p.timed:
		return p, sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "datetime format is zoned but not timed")
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

// isField reports whether w, from a template, spells field t.
func isField(w, t string) bool {
	return w == t || w == strings.ToLower(t) || (t == "MONTH" || t == "MON") && w == t[:1]+strings.ToLower(t[1:])
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

// Value is what a template read: the date (January 1st of year 1 BC when
// the template has no date fields), the time of day and the offset.
type Value struct {
	Days   int64 // day number, sqltypes.DaysFromCivil's
	Micros int64 // microseconds since midnight
	TZSec  int   // the TZH/TZM offset, seconds east of UTC, when Zoned
	// Which kinds of fields the template has: .datetime() types its
	// result by them (date, time, timestamp, with or without time zone).
	Dated, Timed, Zoned bool
	// FracDigits is n of an FFn field: to_timestamp rounds to n digits.
	FracDigits int
}

// Parse reads s with the template format, as to_timestamp does, or in
// standard mode (std) as the SQL/JSON path method .datetime() does.
// Errors are PostgreSQL's: 22007 for input the template does not
// describe, 22008 for a field out of range.
func Parse(s, format string, std bool) (Value, error) {
	if !std {
		return lenientValue(s, format)
	}
	p, err := parseStd(s, format)
	if err != nil {
		return Value{}, err
	}
	if p.hour > 23 || p.min > 59 || p.sec > 59 {
		return Value{}, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date/time field value out of range: %q", s)
	}
	d, err := p.days(s)
	if err != nil {
		return Value{}, err
	}
	return Value{
		Days:   d,
		Micros: (int64(p.hour)*3600+int64(p.min)*60+int64(p.sec))*sqltypes.MicrosPerSecond + int64(p.micro),
		TZSec:  p.tzSec, Dated: p.dated, Timed: p.timed, Zoned: p.hasTZ,
	}, nil
}
