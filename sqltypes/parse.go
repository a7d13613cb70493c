package sqltypes

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// ParseValue parses s as PostgreSQL's input function for t does and
// returns the Datum representation of values.go. Leading and trailing
// white space is ignored where PostgreSQL ignores it. timestamptz text
// without a zone is read as UTC, and 'now'/'today' read the clock;
// ParseValueIn reads them in a session's context. Errors are *Error: 22P02
// invalid text representation, 22003 out of range, 22007 / 22008 for
// dates, times and intervals.
func ParseValue(t Type, s string) (Datum, error) {
	return ParseValueIn(t, s, InputContext{})
}

// InputContext is what date/time input reads from the session, as
// PostgreSQL's input functions do: the TimeZone for timestamptz text
// without a zone and for the day 'today' names, and the transaction's
// start for 'now', 'today', 'yesterday' and 'tomorrow' (so that
// 'today'::date equals current_date), DateStyle's field order for numeric
// dates, and IntervalStyle (sql_standard reads '-1 2:03:04' as all
// negative). The zero value is UTC, the current clock, MDY and postgres:
// only input outside any statement (ParseValue: tools, tests) has no
// transaction to read.
type InputContext struct {
	Loc      *time.Location
	Now      time.Time
	Order    DateOrder
	Interval IntervalStyle
}

func (c InputContext) location() *time.Location {
	if c.Loc == nil {
		return time.UTC
	}
	return c.Loc
}

// now is the transaction's start in the session's zone.
func (c InputContext) now() time.Time {
	if c.Now.IsZero() {
		return time.Now().In(c.location())
	}
	return c.Now.In(c.location())
}

// ParseValueIn is ParseValue reading the session's context: timestamptz
// text without a zone (array elements included) in its TimeZone, 'now'
// and 'today' at its transaction start.
func ParseValueIn(t Type, s string, ctx InputContext) (Datum, error) {
	switch t.Kind {
	case Unknown, Text:
		return s, nil
	case Varchar:
		// An explicit cast to varchar(n) truncates, as in PostgreSQL.
		return TruncateChars(s, int(t.Precision)), nil
	case Bpchar:
		return PadChars(s, int(t.Precision)), nil
	case Bool:
		return ParseBool(s)
	case Int2:
		v, err := ParseInt(s, 16)
		return int16(v), err
	case Int4:
		v, err := ParseInt(s, 32)
		return int32(v), err
	case Int8:
		return ParseInt(s, 64)
	case Float4:
		v, err := ParseFloat(s, 32)
		return float32(v), err
	case Float8:
		return ParseFloat(s, 64)
	case Numeric:
		if t.VarScale {
			return ParseVarNumeric(s)
		}
		return ParseNumeric(s, t.Precision, t.Scale)
	case Bytea:
		return ParseBytea(s)
	case Date:
		return parseDateAt(s, ctx)
	case Timestamp:
		return parseTimestampAt(s, false, ctx)
	case TimestampTZ:
		return parseTimestampAt(s, true, ctx)
	case Interval:
		return ParseIntervalIn(s, ctx)
	case Time:
		return ParseTimeIn(s, ctx)
	case UUID:
		return ParseUUID(s)
	case Inet, Cidr:
		ip, err := ParseInet(s, t.Kind == Cidr)
		if err != nil {
			return nil, err
		}
		return EncodeInet(ip), nil
	case Macaddr:
		return ParseMacaddr(s)
	case Char:
		return ParseChar(s)
	case Name:
		return ClipName(s), nil
	case Oid:
		return ParseOID(s)
	case JSON:
		return s, ValidateJSON(s)
	case JSONB:
		return NormalizeJSONB(s)
	case List:
		return ParseArrayIn(*t.Elem, s, ctx)
	case Int4Range, Int8Range, NumRange, DateRange, TsRange, TstzRange:
		r, err := ParseRange(t, s, ctx)
		if err != nil {
			return nil, err
		}
		return FormatRange(t, r), nil
	}
	return nil, New(CodeFeatureNotSupported, "cannot parse values of type %s", t)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func intTypeName(bits int) string {
	switch bits {
	case 16:
		return "smallint"
	case 32:
		return "integer"
	}
	return "bigint"
}

// ParseInt parses a base-10 integer that must fit in bits (16, 32, 64),
// as int2in/int4in/int8in do. It does not allocate unless it fails.
func ParseInt(s string, bits int) (int64, error) {
	t := trimSpace(s)
	neg := false
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if len(t) == 0 {
		return 0, New(CodeInvalidTextRepr, "invalid input syntax for type %s: %q", intTypeName(bits), s)
	}
	// Accumulate negatively so that the minimum value parses.
	var v int64
	lim := int64(-1) << (bits - 1)
	overflow := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < '0' || c > '9' {
			return 0, New(CodeInvalidTextRepr, "invalid input syntax for type %s: %q", intTypeName(bits), s)
		}
		d := int64(c - '0')
		if v < (lim+d)/10 {
			overflow = true
			continue
		}
		v = v*10 - d
	}
	if !neg {
		if v == lim {
			overflow = true
		}
		v = -v
	}
	if overflow {
		return 0, New(CodeNumericOutOfRange, "value %q is out of range for type %s", s, intTypeName(bits))
	}
	return v, nil
}

// ParseBool accepts what boolin accepts: t/true/y/yes/on/1 and
// f/false/n/no/off/0, any case, and unique prefixes of the words.
func ParseBool(s string) (bool, error) {
	t := trimSpace(s)
	var lb [5]byte
	if len(t) == 0 || len(t) > len(lb) {
		return false, New(CodeInvalidTextRepr, "invalid input syntax for type boolean: %q", s)
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lb[i] = c
	}
	l := lb[:len(t)]
	prefix := func(word string, min int) bool {
		return len(l) >= min && len(l) <= len(word) && word[:len(l)] == string(l)
	}
	switch {
	case prefix("true", 1), prefix("yes", 1), prefix("on", 2), len(l) == 1 && l[0] == '1':
		return true, nil
	case prefix("false", 1), prefix("no", 1), prefix("off", 2), len(l) == 1 && l[0] == '0':
		return false, nil
	}
	return false, New(CodeInvalidTextRepr, "invalid input syntax for type boolean: %q", s)
}

// ParseFloat parses float4/float8 text: decimal or exponent notation,
// NaN, Infinity and inf with optional sign, any case. Values that round to
// infinity or to zero from a non-zero literal are 22003, as in PostgreSQL.
func ParseFloat(s string, bits int) (float64, error) {
	name := "double precision"
	if bits == 32 {
		name = "real"
	}
	t := trimSpace(s)
	bad := len(t) == 0 || strings.ContainsAny(t, "_xXpP")
	f, err := strconv.ParseFloat(t, bits)
	if bad || err != nil && !isRangeErr(err) {
		return 0, New(CodeInvalidTextRepr, "invalid input syntax for type %s: %q", name, s)
	}
	if isRangeErr(err) || (math.IsInf(f, 0) && !strings.Contains(strings.ToLower(t), "inf")) || f == 0 && hasNonZeroMantissa(t) {
		return 0, New(CodeNumericOutOfRange, "%q is out of range for type %s", t, name)
	}
	return f, nil
}

// hasNonZeroMantissa reports whether decimal text has a non-zero digit
// before its exponent: such a value that parses to 0 underflowed.
func hasNonZeroMantissa(t string) bool {
	if e := strings.IndexAny(t, "eE"); e >= 0 {
		t = t[:e]
	}
	return strings.ContainsAny(t, "123456789")
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// ParseNumeric parses numeric text ([sign] digits [. digits] [e [sign]
// digits]) into an unscaled decimal at scale, rounding half away from zero.
// precision 0 means MaxNumericPrecision. NaN and [+-]Infinity/inf (any
// case) give the special mantissas (see NumericNaN); with a precision,
// ±Infinity is 22003 as in PostgreSQL 15. 22P02 for bad text, 22003
// "numeric field overflow" when the value needs more than precision
// digits. It does not allocate unless it fails.
func ParseNumeric(s string, precision, scale int32) (decimal128.Num, error) {
	t := trimSpace(s)
	neg := false
	if len(t) > 0 && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	// Collect significant digits and the decimal exponent.
	var digits [80]byte
	nd, exp, ndig := 0, 0, 0
	dot := false
	i := 0
	for ; i < len(t); i++ {
		c := t[i]
		if c == '.' && !dot {
			dot = true
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		ndig++
		if nd == 0 && c == '0' {
			if dot {
				exp--
			}
			continue
		}
		if nd < len(digits) {
			digits[nd] = c - '0'
			nd++
			if dot {
				exp--
			}
		} else if !dot {
			exp++
		}
	}
	if ndig == 0 {
		if v, ok := parseNumericSpecial(trimSpace(s)); ok {
			return v, CheckNumericTypmod(v, precision, scale)
		}
		return decimal128.Num{}, New(CodeInvalidTextRepr, "invalid input syntax for type numeric: %q", s)
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		e, err := strconv.Atoi(t[i+1:])
		if err != nil || e > 1000 || e < -1000 {
			return decimal128.Num{}, New(CodeInvalidTextRepr, "invalid input syntax for type numeric: %q", s)
		}
		exp += e
		i = len(t)
	}
	if i != len(t) {
		return decimal128.Num{}, New(CodeInvalidTextRepr, "invalid input syntax for type numeric: %q", s)
	}
	// value = digits * 10^exp; we want round(value * 10^scale).
	shift := exp + int(scale) // number of zeros to append (or digits to drop)
	keep := nd + shift
	var hi, lo uint64
	over := false
	for k := 0; k < keep && k < nd; k++ {
		hi, lo, over = mulAdd128(hi, lo, 10, uint64(digits[k]), over)
	}
	for k := nd; k < keep; k++ {
		hi, lo, over = mulAdd128(hi, lo, 10, 0, over)
	}
	if keep < nd && keep >= 0 && digits[keep] >= 5 {
		hi, lo, over = mulAdd128(hi, lo, 1, 1, over)
	}
	if precision <= 0 {
		precision = MaxNumericPrecision
	}
	n := decimal128.New(int64(hi), lo)
	if over || hi>>63 != 0 || !n.FitsInPrecision(precision) {
		return decimal128.Num{}, New(CodeNumericOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d must round to an absolute value less than 10^%d.", precision, scale, precision-scale)
	}
	if neg {
		n = n.Negate()
	}
	return n, nil
}

// mulAdd128 returns (hi,lo)*m + a, flagging overflow beyond 128 bits.
func mulAdd128(hi, lo, m, a uint64, over bool) (uint64, uint64, bool) {
	h1, l := bits.Mul64(lo, m)
	h2, h3 := bits.Mul64(hi, m)
	if h2 != 0 {
		over = true
	}
	h, c := bits.Add64(h1, h3, 0)
	if c != 0 {
		over = true
	}
	l, c = bits.Add64(l, a, 0)
	h, c = bits.Add64(h, 0, c)
	if c != 0 {
		over = true
	}
	return h, l, over
}

// Datum helpers for the Date/Timestamp representations.

// DateFromCivil returns the arrow.Date32 of a calendar date.
func DateFromCivil(y int64, m, d int) arrow.Date32 { return arrow.Date32(DaysFromCivil(y, m, d)) }

// TruncateChars returns s cut to its first n characters (not bytes); n <= 0
// means no limit.
func TruncateChars(s string, n int) string {
	if n <= 0 || len(s) <= n {
		return s
	}
	chars := 0
	for i := range s {
		if chars == n {
			return s[:i]
		}
		chars++
	}
	return s
}
