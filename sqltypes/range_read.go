package sqltypes

import (
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// ReadRange parses a range as held inside meshql (FormatRange's text).
// Held text is canonical, so its usual forms are read directly: integer
// bounds, numeric ones, ISO dates and timestamps in years 1-9999 (UTC,
// "+00", for tstzrange), with no escapes and the bounds in order. Any
// other text (infinite dates, BC, another zone, non-canonical brackets)
// goes through the input parser, which gives the same value: the fast
// path only declines, it never guesses.
func ReadRange(t Type, s string) (Range, error) {
	if r, ok := readHeldRange(t, s); ok {
		return r, nil
	}
	return ParseRange(t, s, InputContext{Loc: time.UTC})
}

// readHeldRange is ReadRange's fast path; ok is false for text it
// leaves to ParseRange.
func readHeldRange(t Type, s string) (Range, bool) {
	if s == "empty" {
		return EmptyRange, true
	}
	if len(s) < 3 {
		return Range{}, false
	}
	var r Range
	switch s[0] {
	case '[':
		r.LowerInc = true
	case '(':
	default:
		return Range{}, false
	}
	switch s[len(s)-1] {
	case ']':
		r.UpperInc = true
	case ')':
	default:
		return Range{}, false
	}
	lo, rest, ok := cutHeldBound(s[1 : len(s)-1])
	if !ok || len(rest) == 0 || rest[0] != ',' {
		return Range{}, false
	}
	hi, rest, ok := cutHeldBound(rest[1:])
	if !ok || rest != "" {
		return Range{}, false
	}
	discrete := t.Kind == Int4Range || t.Kind == Int8Range || t.Kind == DateRange
	if lo == "" && r.LowerInc || hi == "" && r.UpperInc || discrete && (lo != "" && !r.LowerInc || hi != "" && r.UpperInc) {
		return Range{}, false // an inclusive infinity, or a discrete range not in [) form
	}
	if lo != "" {
		if r.Lower, ok = readHeldElem(t.Kind, lo); !ok {
			return Range{}, false
		}
	}
	if hi != "" {
		if r.Upper, ok = readHeldElem(t.Kind, hi); !ok {
			return Range{}, false
		}
	}
	if r.Lower != nil && r.Upper != nil {
		if c := CompareRangeElem(r.Lower, r.Upper); c > 0 || c == 0 && !(r.LowerInc && r.UpperInc) {
			return Range{}, false // an error or "empty": ParseRange says which
		}
	}
	return r, true
}

// cutHeldBound splits s after one bound as AppendRange writes it: bare
// up to the comma, or double-quoted without quotes or backslashes
// inside. An empty bound is infinite; a quoted empty one is declined.
func cutHeldBound(s string) (bound, rest string, ok bool) {
	if len(s) > 0 && s[0] == '"' {
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				return "", "", false
			case '"':
				if i == 1 || i+1 < len(s) && s[i+1] == '"' {
					return "", "", false
				}
				return s[1:i], s[i+1:], true
			}
		}
		return "", "", false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',':
			return s[:i], s[i:], true
		case '"', '\\', ' ', '(', ')', '[', ']':
			return "", "", false
		}
	}
	return s, "", true
}

// readHeldElem reads one bound of a range of kind k in its canonical
// output form.
func readHeldElem(k Kind, s string) (Datum, bool) {
	switch k {
	case Int4Range, Int8Range:
		if s[0] == '+' {
			return nil, false
		}
		bits := 64
		if k == Int4Range {
			bits = 32
		}
		v, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return nil, false
		}
		if k == Int4Range {
			return int32(v), true
		}
		return v, true
	case NumRange:
		if d, ok := readShortDecimal(s); ok {
			return d, true
		}
		d, err := ParseVarNumeric(s)
		return d, err == nil
	case DateRange:
		y, m, d, clock, ok := fastDate(s)
		if !ok || clock != "" {
			return nil, false
		}
		return arrow.Date32(DaysFromCivil(y, m, d)), true
	case TsRange, TstzRange:
		if k == TstzRange {
			if len(s) < 3 || s[len(s)-3:] != "+00" {
				return nil, false
			}
			s = s[:len(s)-3]
		}
		y, m, d, clock, ok := fastDate(s)
		if !ok || clock == "" {
			return nil, false
		}
		hh, mi, ss, us, ok := fastClock(clock)
		if !ok {
			return nil, false
		}
		return arrow.Timestamp(DaysFromCivil(y, m, d)*MicrosPerDay + clockMicros(hh, mi, ss, us)), true
	}
	return nil, false
}

// readShortDecimal reads [-]digits[.digits] of at most 18 digits, which
// an int64 holds; the scale is the number of fraction digits, as
// ParseVarNumeric keeps it.
func readShortDecimal(s string) (Decimal, bool) {
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var v int64
	n, scale, point := 0, int32(0), false
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
			n++
			if point {
				scale++
			}
		case c == '.' && !point:
			point = true
		default:
			return Decimal{}, false
		}
	}
	if n == 0 || n > 18 || point && scale == 0 {
		return Decimal{}, false
	}
	if neg {
		v = -v
	}
	return Decimal{Num: decimal128.FromI64(v), Scale: scale}, true
}
