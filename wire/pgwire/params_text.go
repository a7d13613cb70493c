package pgwire

import (
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor/jsonpath"
	"github.com/meshql/meshql/sqltypes"
)

// parseText is the input function of t: it parses a parameter's text form
// (what the client would write in a quoted literal) into t's datum.
// Unknown, text, varchar and json give the string itself.
func parseText(s string, t sqltypes.Type, in sqltypes.InputContext) (sqltypes.Datum, error) {
	syntax := func() error {
		return sqltypes.New(sqltypes.CodeInvalidTextRepr, "invalid input syntax for type %s: \"%s\"", t, s)
	}
	switch t.Kind {
	case sqltypes.Unknown, sqltypes.Text, sqltypes.Varchar, sqltypes.JSON:
		return s, nil
	case sqltypes.Bpchar:
		return sqltypes.PadChars(s, int(t.Precision)), nil
	case sqltypes.JSONB:
		return sqltypes.NormalizeJSONB(s)
	case sqltypes.JSONPath:
		p, err := jsonpath.Parse(s)
		if err != nil {
			return nil, err
		}
		return p.String(), nil
	case sqltypes.Bool:
		return parseBool(s, syntax)
	case sqltypes.Int2, sqltypes.Int4, sqltypes.Int8:
		bits := int(t.Size()) * 8
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "value \"%s\" is out of range for type %s", s, t)
			}
			return nil, syntax()
		}
		switch t.Kind {
		case sqltypes.Int2:
			return int16(v), nil
		case sqltypes.Int4:
			return int32(v), nil
		}
		return v, nil
	case sqltypes.Float4, sqltypes.Float8:
		bits := int(t.Size()) * 8
		v, err := strconv.ParseFloat(strings.TrimSpace(s), bits)
		switch {
		case err == nil:
		case !errors.Is(err, strconv.ErrRange):
			return nil, syntax()
		case math.IsInf(v, 0):
			return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "\"%s\" is out of range for type %s", s, t)
		}
		// An underflow (a denormal or 0) is accepted, as PostgreSQL does.
		if bits == 32 {
			return float32(v), nil
		}
		return v, nil
	case sqltypes.Numeric:
		if len(s) > 1000 { // decimal128 holds 38 digits; keep big-number parsing cheap
			return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format")
		}
		if v, ok := sqltypes.ParseNumericSpecial(s); ok {
			return v, sqltypes.CheckNumericTypmod(v, t.Precision, t.Scale)
		}
		if !plainNumber(s) {
			if strings.ContainsAny(s, "eE") && plainNumber(strings.NewReplacer("e", "", "E", "").Replace(s)) {
				return nil, sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format")
			}
			return nil, syntax()
		}
		return sqltypes.ParseDecimal(s, t.Precision, t.Scale)
	case sqltypes.Bytea:
		return parseByteaText(s, syntax)
	case sqltypes.UUID:
		h := strings.NewReplacer("-", "", "{", "", "}", "").Replace(strings.TrimSpace(s))
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 16 {
			return nil, syntax()
		}
		return [16]byte(b), nil
	case sqltypes.Date, sqltypes.Timestamp, sqltypes.TimestampTZ:
		if v, err := parseDateTime(s, t, in.Loc); err == nil {
			return v, nil
		}
		// Any other form PostgreSQL reads ('01/02/2024' in the session's
		// DateStyle order, 'now', month names) and the errors.
		return sqltypes.ParseValueIn(t, s, in)
	case sqltypes.Time:
		return sqltypes.ParseTime(s)
	case sqltypes.Interval:
		// sql_standard reads a leading sign differently: sqltypes knows.
		if in.Interval != sqltypes.IntervalSQLStandard {
			if iv, ok := parseInterval(s); ok {
				return iv, nil
			}
		}
		return sqltypes.ParseIntervalIn(s, in)
	case sqltypes.List:
		// Array literals ('{1,NULL,3}'); elements parse as parameters
		// of the element type do, so dates and times follow the session.
		parts, err := sqltypes.ParseArray(sqltypes.TypeText, s)
		if sqltypes.Code(err) == sqltypes.CodeFeatureNotSupported {
			return nil, errMultidimParam()
		}
		if err != nil || t.Elem == nil {
			return nil, syntax()
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			if p == nil {
				continue
			}
			if out[i], err = parseText(p.(string), *t.Elem, in); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "parameters of type %s are not supported", t)
}

// plainNumber reports whether s is [sign] digits [. digits] [e [sign]
// digits] with an exponent of at most 3 digits: what numeric_in accepts,
// bounded so that no input makes the decimal parser work on huge powers.
func plainNumber(s string) bool {
	s = strings.TrimSpace(s)
	i, digits := 0, 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 || exp > 3 {
			return false
		}
	}
	return i == len(s)
}

// parseBool accepts what boolin accepts: t/f, true/false, yes/no, on/off,
// 1/0 and unique prefixes, in any case, with surrounding spaces.
func parseBool(s string, syntax func() error) (sqltypes.Datum, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch {
	case v == "":
	case v == "1", v == "on", strings.HasPrefix("true", v), strings.HasPrefix("yes", v):
		return true, nil
	case v == "0", v == "of", v == "off", strings.HasPrefix("false", v), strings.HasPrefix("no", v):
		return false, nil
	}
	return nil, syntax()
}

// parseByteaText reads the hex format (\x0102) or the escape format.
func parseByteaText(s string, syntax func() error) (sqltypes.Datum, error) {
	if h, ok := strings.CutPrefix(s, `\x`); ok {
		b, err := hex.DecodeString(strings.Join(strings.Fields(h), ""))
		if err != nil {
			return nil, syntax()
		}
		return b, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) && s[i+1] <= '3':
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
		default:
			return nil, syntax()
		}
	}
	return out, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// parseDateTime is the fast path of date/time parameters (parseText falls
// back to sqltypes for any other form): it reads ISO dates and timestamps: 'YYYY-MM-DD', optionally
// followed by ' ' or 'T' and 'HH:MM[:SS[.ffffff]]', an offset ('Z', '+05',
// '+05:30', '-0330') and ' BC'. A date ignores the time; a timestamp
// ignores the offset; a timestamptz without an offset is in loc.
func parseDateTime(s string, t sqltypes.Type, loc *time.Location) (sqltypes.Datum, error) {
	bad := sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", t, s)
	rng := sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "infinity", "+infinity", "-infinity":
		return sqltypes.ParseValue(t, s)
	}
	p := dtParser{s: strings.TrimSpace(s)}
	bc := false
	if rest, ok := cutSuffixFold(p.s, " BC"); ok {
		p.s, bc = rest, true
	} else if rest, ok := cutSuffixFold(p.s, " AD"); ok {
		p.s = rest
	}
	y, ok1 := p.num(3, 7) // a shorter first field reads in the DateStyle order
	mo, ok2 := p.sep('-').num(1, 2)
	d, ok3 := p.sep('-').num(1, 2)
	if !ok1 || !ok2 || !ok3 || p.bad || y == 0 {
		return nil, bad
	}
	var h, mi, sec, us int64
	off, hasOff := 0, false
	if p.more() && (p.peek() == ' ' || p.peek() == 'T' || p.peek() == 't') {
		p.i++
		var ok bool
		if h, ok = p.num(1, 2); !ok {
			return nil, bad
		}
		if mi, ok = p.sep(':').num(2, 2); !ok || p.bad {
			return nil, bad
		}
		if p.more() && p.peek() == ':' {
			p.i++
			if sec, ok = p.num(2, 2); !ok {
				return nil, bad
			}
			if p.more() && p.peek() == '.' {
				p.i++
				start := p.i
				f, ok := p.num(1, 9)
				if !ok {
					return nil, bad
				}
				for n := p.i - start; n < 6; n++ {
					f *= 10
				}
				for n := p.i - start; n > 6; n-- {
					f = (f + 5) / 10 // round to microseconds
				}
				us = f
			}
		}
	}
	if p.more() && p.peek() == ' ' {
		p.i++
	}
	if p.more() {
		var ok bool
		if off, ok = p.offset(); !ok {
			return nil, bad
		}
		hasOff = true
	}
	if p.more() {
		return nil, bad
	}
	if bc {
		y = 1 - y
	}
	if mo < 1 || mo > 12 || d < 1 || d > int64(sqltypes.DaysInMonth(y, int(mo))) || h > 24 || mi > 59 || sec > 60 ||
		(h == 24 && (mi != 0 || sec != 0 || us != 0)) {
		return nil, rng
	}
	days := sqltypes.DaysFromCivil(y, int(mo), int(d))
	if t.Kind == sqltypes.Date {
		return arrow.Date32(days), nil
	}
	micros := days*usPerDay + ((h*60+mi)*60+sec)*1_000_000 + us
	if t.Kind == sqltypes.TimestampTZ {
		if hasOff {
			micros -= int64(off) * 1_000_000
		} else if loc != nil && loc != time.UTC {
			wall := time.UnixMicro(micros).UTC()
			local := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc)
			micros = local.UnixMicro()
		}
	}
	return arrow.Timestamp(micros), nil
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

// dtParser scans digits and separators; bad records a failed sep.
type dtParser struct {
	s   string
	i   int
	bad bool
}

func (p *dtParser) more() bool { return p.i < len(p.s) }
func (p *dtParser) peek() byte { return p.s[p.i] }

func (p *dtParser) sep(c byte) *dtParser {
	if !p.more() || p.peek() != c {
		p.bad = true
	} else {
		p.i++
	}
	return p
}

// num reads between lo and hi decimal digits.
func (p *dtParser) num(lo, hi int) (int64, bool) {
	start := p.i
	var v int64
	for p.more() && p.i-start < hi && p.peek() >= '0' && p.peek() <= '9' {
		v = v*10 + int64(p.peek()-'0')
		p.i++
	}
	return v, p.i-start >= lo
}

// offset reads Z, ±HH, ±HH:MM, ±HHMM or ±HH:MM:SS in seconds east of UTC.
func (p *dtParser) offset() (int, bool) {
	if c := p.peek(); c == 'Z' || c == 'z' {
		p.i++
		return 0, true
	}
	sign := 1
	switch p.peek() {
	case '-':
		sign = -1
	case '+':
	default:
		return 0, false
	}
	p.i++
	start := p.i
	h, ok := p.num(1, 2)
	if !ok {
		return 0, false
	}
	var m, sec int64
	if p.i-start == 2 && p.more() && p.peek() >= '0' && p.peek() <= '9' {
		if m, ok = p.num(2, 2); !ok {
			return 0, false
		}
	} else if p.more() && p.peek() == ':' {
		p.i++
		if m, ok = p.num(2, 2); !ok {
			return 0, false
		}
		if p.more() && p.peek() == ':' {
			p.i++
			if sec, ok = p.num(2, 2); !ok {
				return 0, false
			}
		}
	}
	if h > 15 || m > 59 || sec > 59 {
		return 0, false
	}
	return sign * int(h*3600+m*60+sec), true
}
