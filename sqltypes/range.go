package sqltypes

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Range types. A range value travels inside meshql as PostgreSQL's
// canonical text output of it, with tstzrange bounds in UTC (as jsonpath
// travels as its normalized text), and every front
// (psql, Flight SQL, CSV) shows what PostgreSQL shows. Operators parse the
// text into a Range. Equal ranges need not have equal text (numrange
// [1.5,2) = [1.50,2)): ordering, grouping, DISTINCT and joins key on
// AppendRangeSortKey, never on the string.

// IsRange reports whether k is one of the built-in range types.
func (k Kind) IsRange() bool { return k >= Int4Range && k <= TstzRange }

// IsRange reports whether t is a range type.
func (t Type) IsRange() bool { return t.Kind.IsRange() }

// RangeSubtype returns the element type of the range type t: numrange's
// is a numeric whose values keep their own scales.
func RangeSubtype(t Type) Type {
	switch t.Kind {
	case Int4Range:
		return TypeInt4
	case Int8Range:
		return TypeInt8
	case NumRange:
		return VarNumericType(0)
	case DateRange:
		return TypeDate
	case TsRange:
		return TypeTimestamp
	case TstzRange:
		return TypeTimestampTZ
	}
	return TypeUnknown
}

// RangeOver returns the range type over elements of kind k.
func RangeOver(k Kind) (Type, bool) {
	switch k {
	case Int4:
		return Type{Kind: Int4Range}, true
	case Int8:
		return Type{Kind: Int8Range}, true
	case Numeric:
		return Type{Kind: NumRange}, true
	case Date:
		return Type{Kind: DateRange}, true
	case Timestamp:
		return Type{Kind: TsRange}, true
	case TimestampTZ:
		return Type{Kind: TstzRange}, true
	}
	return Type{}, false
}

// Range is one range value. Lower and Upper are Datums of the subtype
// (int32, int64, Decimal, arrow.Date32, arrow.Timestamp), nil when that
// side is infinite; an infinite side is never inclusive.
type Range struct {
	Empty              bool
	Lower, Upper       Datum
	LowerInc, UpperInc bool
}

// LowerInf reports whether r has no lower bound (false for empty).
func (r Range) LowerInf() bool { return !r.Empty && r.Lower == nil }

// UpperInf reports whether r has no upper bound (false for empty).
func (r Range) UpperInf() bool { return !r.Empty && r.Upper == nil }

// EmptyRange is the empty range of any range type.
var EmptyRange = Range{Empty: true}

func errMalformedRange(s, detail string) *Error {
	return New(CodeInvalidTextRepr, "malformed range literal: \"%s\"", s).WithDetail("%s", detail)
}

// ParseRange reads s as PostgreSQL's range_in does for the range type t:
// "empty", or a bracket, two bounds (each empty for infinite, quoted
// and backslash-escaped as needed, read by the subtype's input), and a
// bracket; the result is canonical (MakeRange).
func ParseRange(t Type, s string, ctx InputContext) (Range, error) {
	p := 0
	for p < len(s) && isSpace(s[p]) {
		p++
	}
	if len(s)-p >= 5 && strings.EqualFold(s[p:p+5], "empty") {
		p += 5
		for p < len(s) && isSpace(s[p]) {
			p++
		}
		if p != len(s) {
			return Range{}, errMalformedRange(s, `Junk after "empty" key word.`)
		}
		return EmptyRange, nil
	}
	var lowInc, upInc bool
	switch {
	case p < len(s) && s[p] == '[':
		lowInc = true
	case p < len(s) && s[p] == '(':
	default:
		return Range{}, errMalformedRange(s, "Missing left parenthesis or bracket.")
	}
	p++
	lo, loInf, p, err := parseRangeBound(s, p)
	if err != nil {
		return Range{}, err
	}
	if p >= len(s) || s[p] != ',' {
		return Range{}, errMalformedRange(s, "Missing comma after lower bound.")
	}
	p++
	hi, hiInf, p, err := parseRangeBound(s, p)
	if err != nil {
		return Range{}, err
	}
	switch {
	case p < len(s) && s[p] == ']':
		upInc = true
	case p < len(s) && s[p] == ')':
	default:
		return Range{}, errMalformedRange(s, "Too many commas.")
	}
	p++
	for p < len(s) && isSpace(s[p]) {
		p++
	}
	if p != len(s) {
		return Range{}, errMalformedRange(s, "Junk after right parenthesis or bracket.")
	}
	sub := RangeSubtype(t)
	var lv, hv Datum
	if !loInf {
		if lv, err = ParseValueIn(sub, lo, ctx); err != nil {
			return Range{}, err
		}
	}
	if !hiInf {
		if hv, err = ParseValueIn(sub, hi, ctx); err != nil {
			return Range{}, err
		}
	}
	return MakeRange(t, lv, hv, lowInc, upInc)
}

// parseRangeBound is range_parse_bound: the bound text starting at p,
// whether it is infinite (nothing before the delimiter), and the offset
// of the delimiter.
func parseRangeBound(s string, p int) (string, bool, int, error) {
	if p < len(s) && (s[p] == ',' || s[p] == ')' || s[p] == ']') {
		return "", true, p, nil
	}
	var b strings.Builder
	inQuote := false
	for {
		if p >= len(s) {
			return "", false, p, errMalformedRange(s, "Unexpected end of input.")
		}
		ch := s[p]
		if !inQuote && (ch == ',' || ch == ')' || ch == ']') {
			return b.String(), false, p, nil
		}
		p++
		switch {
		case ch == '\\':
			if p >= len(s) {
				return "", false, p, errMalformedRange(s, "Unexpected end of input.")
			}
			b.WriteByte(s[p])
			p++
		case ch == '"':
			switch {
			case !inQuote:
				inQuote = true
			case p < len(s) && s[p] == '"':
				b.WriteByte('"')
				p++
			default:
				inQuote = false
			}
		default:
			b.WriteByte(ch)
		}
	}
}

// MakeRange is PostgreSQL's make_range: a nil bound is infinite (and
// never inclusive); lower above upper is 22000; equal bounds not both
// inclusive are empty; int4range, int8range and daterange are then
// canonicalized to [) (22003 past the subtype's range).
func MakeRange(t Type, lo, hi Datum, lowInc, upInc bool) (Range, error) {
	if lo == nil {
		lowInc = false
	}
	if hi == nil {
		upInc = false
	}
	if lo != nil && hi != nil {
		c := CompareRangeElem(lo, hi)
		if c > 0 {
			return Range{}, New(CodeDataException, "range lower bound must be less than or equal to range upper bound")
		}
		if c == 0 && !(lowInc && upInc) {
			return EmptyRange, nil
		}
	}
	r := Range{Lower: lo, Upper: hi, LowerInc: lowInc, UpperInc: upInc}
	switch t.Kind {
	case Int4Range, Int8Range, DateRange:
		var err error
		if lo != nil && !lowInc && finiteBound(lo) {
			if r.Lower, err = rangeSucc(lo); err != nil {
				return Range{}, err
			}
			r.LowerInc = true
		}
		if hi != nil && upInc && finiteBound(hi) {
			if r.Upper, err = rangeSucc(hi); err != nil {
				return Range{}, err
			}
			r.UpperInc = false
		}
		if r.Lower != nil && r.Upper != nil && CompareRangeElem(r.Lower, r.Upper) >= 0 {
			return EmptyRange, nil
		}
	}
	return r, nil
}

// finiteBound reports whether v is not an infinite date, which
// daterange_canonical leaves as it is.
func finiteBound(v Datum) bool {
	d, ok := v.(arrow.Date32)
	return !ok || IsFiniteDate(int64(d))
}

// rangeSucc is the next value of a discrete subtype.
func rangeSucc(v Datum) (Datum, error) {
	switch x := v.(type) {
	case int32:
		if x == 1<<31-1 {
			return nil, New(CodeNumericOutOfRange, "integer out of range")
		}
		return x + 1, nil
	case int64:
		if x == 1<<63-1 {
			return nil, New(CodeNumericOutOfRange, "bigint out of range")
		}
		return x + 1, nil
	case arrow.Date32:
		if int64(x)+1 > MaxDateDays {
			return nil, New(CodeDatetimeFieldOverflow, "date out of range")
		}
		return x + 1, nil
	}
	return v, nil
}

// CompareRangeElem orders two non-NULL bound values of one subtype.
func CompareRangeElem(a, b Datum) int {
	switch x := a.(type) {
	case int32:
		return cmp.Compare(x, b.(int32))
	case int64:
		return cmp.Compare(x, b.(int64))
	case arrow.Date32:
		return cmp.Compare(x, b.(arrow.Date32))
	case arrow.Timestamp:
		return cmp.Compare(x, b.(arrow.Timestamp))
	case Decimal:
		return CompareDecimal(x, b.(Decimal))
	}
	return 0
}

// compareSmallDecimals is CompareDecimal without big.Int for numbers
// that int64 holds and whose scales differ by at most 18 (most range
// bounds); ok is false for others.
func compareSmallDecimals(a, b Decimal) (int, bool) {
	x, ok1 := decimalInt64(a.Num)
	y, ok2 := decimalInt64(b.Num)
	d := int64(b.Scale) - int64(a.Scale)
	if !ok1 || !ok2 || d < -18 || d > 18 {
		return 0, false
	}
	if d < 0 {
		x, y, d = y, x, -d
		c, ok := scaledCompare(x, y, d)
		return -c, ok
	}
	return scaledCompare(x, y, d)
}

// scaledCompare compares x*10^d with y, ok false if x*10^d overflows.
func scaledCompare(x, y, d int64) (int, bool) {
	p := int64(1)
	for ; d > 0; d-- {
		p *= 10
	}
	if x > math.MaxInt64/p || x < math.MinInt64/p {
		return 0, false
	}
	return cmp.Compare(x*p, y), true
}

func decimalInt64(n decimal128.Num) (int64, bool) {
	hi, lo := n.HighBits(), n.LowBits()
	if hi == 0 && lo < 1<<63 || hi == -1 && lo >= 1<<63 {
		return int64(lo), true
	}
	return 0, false
}

// CompareDecimal orders two numerics of any scales as PostgreSQL does
// (-Infinity < numbers < Infinity < NaN).
func CompareDecimal(a, b Decimal) int {
	if a.Scale == b.Scale || IsNumericSpecial(a.Num) || IsNumericSpecial(b.Num) {
		return a.Num.Cmp(b.Num)
	}
	if c, ok := compareSmallDecimals(a, b); ok {
		return c
	}
	x, y := a.Num.BigInt(), b.Num.BigInt()
	if a.Scale < b.Scale {
		x.Mul(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(b.Scale-a.Scale)), nil))
	} else {
		y.Mul(y, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(a.Scale-b.Scale)), nil))
	}
	return x.Cmp(y)
}

// CompareRangeBounds is range_cmp_bounds: it orders two bounds, each
// given by its value (nil: infinite), inclusiveness and side.
func CompareRangeBounds(v1 Datum, inc1, lower1 bool, v2 Datum, inc2, lower2 bool) int {
	switch {
	case v1 == nil && v2 == nil:
		if lower1 == lower2 {
			return 0
		}
		if lower1 {
			return -1
		}
		return 1
	case v1 == nil:
		if lower1 {
			return -1
		}
		return 1
	case v2 == nil:
		if lower2 {
			return 1
		}
		return -1
	}
	c := CompareRangeElem(v1, v2)
	if c != 0 {
		return c
	}
	switch {
	case !inc1 && !inc2:
		if lower1 == lower2 {
			return 0
		}
		if lower1 {
			return 1
		}
		return -1
	case !inc1:
		if lower1 {
			return 1
		}
		return -1
	case !inc2:
		if lower2 {
			return -1
		}
		return 1
	}
	return 0
}

// CompareRanges is range_cmp, the btree order: empty first, then by
// lower bound, then by upper bound.
func CompareRanges(a, b Range) int {
	switch {
	case a.Empty && b.Empty:
		return 0
	case a.Empty:
		return -1
	case b.Empty:
		return 1
	}
	if c := CompareRangeBounds(a.Lower, a.LowerInc, true, b.Lower, b.LowerInc, true); c != 0 {
		return c
	}
	return CompareRangeBounds(a.Upper, a.UpperInc, false, b.Upper, b.UpperInc, false)
}

// AppendRange appends PostgreSQL's text output of r (range_out);
// tstzrange bounds are shown in loc (nil: UTC).
func AppendRange(dst []byte, t Type, r Range, loc *time.Location) []byte {
	return AppendRangeStyle(dst, t, r, loc, DateStyle{})
}

// AppendRangeStyle is AppendRange with date and timestamp bounds in the
// session's DateStyle, as their output functions print them.
func AppendRangeStyle(dst []byte, t Type, r Range, loc *time.Location, st DateStyle) []byte {
	if r.Empty {
		return append(dst, "empty"...)
	}
	if r.LowerInc {
		dst = append(dst, '[')
	} else {
		dst = append(dst, '(')
	}
	var buf []byte
	if r.Lower != nil {
		buf = appendRangeElem(buf[:0], t, r.Lower, loc, st)
		dst = appendRangeBoundText(dst, buf)
	}
	dst = append(dst, ',')
	if r.Upper != nil {
		buf = appendRangeElem(buf[:0], t, r.Upper, loc, st)
		dst = appendRangeBoundText(dst, buf)
	}
	if r.UpperInc {
		return append(dst, ']')
	}
	return append(dst, ')')
}

// FormatRange is AppendRange into a string, in UTC: the form ranges are
// held in.
func FormatRange(t Type, r Range) string { return string(AppendRange(nil, t, r, nil)) }

func appendRangeElem(dst []byte, t Type, v Datum, loc *time.Location, st DateStyle) []byte {
	switch x := v.(type) {
	case int32:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case Decimal:
		return AppendDecimal(dst, x.Num, x.Scale)
	case arrow.Date32:
		return AppendDateStyle(dst, int64(x), st)
	case arrow.Timestamp:
		if t.Kind == TstzRange {
			if loc == nil {
				loc = time.UTC
			}
			return AppendTimestampStyle(dst, int64(x), loc, true, st)
		}
		return AppendTimestampStyle(dst, int64(x), nil, false, st)
	}
	return dst
}

// appendRangeBoundText is range_bound_escape: a bound that is empty or
// holds a quote, backslash, bracket, parenthesis, comma or white space is
// double-quoted, with quotes and backslashes doubled.
func appendRangeBoundText(dst, v []byte) []byte {
	quote := len(v) == 0
	for _, c := range v {
		if c == '"' || c == '\\' || c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || isSpace(c) {
			quote = true
			break
		}
	}
	if !quote {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for _, c := range v {
		if c == '"' || c == '\\' {
			dst = append(dst, c)
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// restyleRange renders a range held as text (FormatRange's) as the
// session shows it: tstzrange bounds in loc, dates and timestamps in
// DateStyle.
func restyleRange(t Type, s string, loc *time.Location, st DateStyle) string {
	if !RangeShowsSession(t, loc, st) {
		return s
	}
	r, err := ReadRange(t, s)
	if err != nil {
		return s
	}
	return string(AppendRangeStyle(nil, t, r, loc, st))
}

// RangeShowsSession reports whether a range of type t prints differently
// from how meshql holds it in a session with zone loc and DateStyle st:
// date and timestamp bounds follow DateStyle, tstzrange bounds the zone.
func RangeShowsSession(t Type, loc *time.Location, st DateStyle) bool {
	switch t.Kind {
	case DateRange, TsRange:
		return st.Out != (DateStyle{}).Out
	case TstzRange:
		return st.Out != (DateStyle{}).Out || loc != nil && loc != time.UTC
	}
	return false
}

// AppendRangeSortKey appends a byte string whose bytewise order is
// CompareRanges' order, and whose equality is range equality (so 1.5
// and 1.50 bounds key alike).
func AppendRangeSortKey(dst []byte, r Range) []byte {
	if r.Empty {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	// lower: -infinity first; at one value, inclusive before exclusive
	if r.Lower == nil {
		dst = append(dst, 0)
	} else {
		dst = appendElemKey(append(dst, 1), r.Lower)
		dst = append(dst, b2byte(!r.LowerInc))
	}
	// upper: at one value, exclusive before inclusive; +infinity last
	if r.Upper == nil {
		return append(dst, 2)
	}
	dst = appendElemKey(append(dst, 1), r.Upper)
	return append(dst, b2byte(r.UpperInc))
}

func b2byte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// appendElemKey appends a self-delimiting, order-preserving key of a
// bound value.
func appendElemKey(dst []byte, v Datum) []byte {
	switch x := v.(type) {
	case int32:
		return binary.BigEndian.AppendUint32(dst, uint32(x)^1<<31)
	case int64:
		return binary.BigEndian.AppendUint64(dst, uint64(x)^1<<63)
	case arrow.Date32:
		return binary.BigEndian.AppendUint32(dst, uint32(x)^1<<31)
	case arrow.Timestamp:
		return binary.BigEndian.AppendUint64(dst, uint64(x)^1<<63)
	case Decimal:
		return appendDecimalKey(dst, x)
	}
	return dst
}

// appendDecimalKey keys a numeric by class (-Infinity, negative, zero,
// positive, Infinity, NaN), then for a number its decimal exponent and
// significant digits, terminated; negatives are complemented.
func appendDecimalKey(dst []byte, d Decimal) []byte {
	switch NumericSpecialName(d.Num) {
	case "-Infinity":
		return append(dst, 0)
	case "Infinity":
		return append(dst, 4)
	case "NaN":
		return append(dst, 5)
	}
	sign := d.Num.Sign()
	if sign == 0 {
		return append(dst, 2)
	}
	n := d.Num
	if sign < 0 {
		n = n.Negate()
	}
	digits := []byte(n.BigInt().String())
	exp := len(digits) - int(d.Scale) // the point sits exp digits in
	digits = []byte(strings.TrimRight(string(digits), "0"))
	e := uint16(exp + 1<<15)
	if sign < 0 {
		dst = append(dst, 1)
		dst = binary.BigEndian.AppendUint16(dst, ^e)
		for _, c := range digits {
			dst = append(dst, ^c)
		}
		return append(dst, 0xff)
	}
	dst = append(dst, 3)
	dst = binary.BigEndian.AppendUint16(dst, e)
	dst = append(dst, digits...)
	return append(dst, 0)
}
