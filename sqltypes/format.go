package sqltypes

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// FormatValue renders a datum the way PostgreSQL's text output does
// (DateStyle ISO, IntervalStyle postgres): "t", "2026-11-26",
// "1 day 02:00:00", "12.50". NULL renders as "NULL". A timestamptz prints
// in UTC; FormatValueIn prints it in a session's time zone.
func FormatValue(t Type, v Datum) string {
	return FormatValueIn(t, v, time.UTC)
}

// FormatValueIn is FormatValue with timestamptz values, array elements
// included, shown in loc as psql shows them under that TimeZone.
func FormatValueIn(t Type, v Datum, loc *time.Location) string {
	return FormatValueStyle(t, v, loc, DateStyle{})
}

// FormatValueStyle is FormatValueIn with dates, timestamps and intervals
// in the session's DateStyle and IntervalStyle.
func FormatValueStyle(t Type, v Datum, loc *time.Location, st DateStyle) string {
	if v == nil {
		return "NULL"
	}
	if b, ok := v.([]byte); ok && (t.Kind == Inet || t.Kind == Cidr) {
		return FormatInetDatum(b, t.Kind == Cidr)
	}
	if b, ok := v.([]byte); ok && t.Kind == Macaddr {
		return FormatMacaddr(b)
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "t"
		}
		return "f"
	case int16:
		return strconv.FormatInt(int64(x), 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case float32:
		return FormatFloat(float64(x), 32)
	case float64:
		return FormatFloat(x, 64)
	case decimal128.Num:
		return FormatDecimal(x, t.Scale)
	case Decimal:
		return FormatDecimal(x.Num, x.Scale)
	case string:
		if t.IsRange() {
			return restyleRange(t, x, loc, st)
		}
		return x
	case []byte:
		return `\x` + hex.EncodeToString(x)
	case arrow.Date32:
		return string(AppendDateStyle(nil, int64(x), st))
	case arrow.Timestamp:
		if t.Kind == TimestampTZ {
			return string(AppendTimestampStyle(nil, int64(x), loc, true, st))
		}
		return string(AppendTimestampStyle(nil, int64(x), nil, false, st))
	case arrow.Time64:
		return string(AppendTime(nil, int64(x)))
	case arrow.MonthDayNanoInterval:
		return string(AppendInterval(nil, x, st.Interval))
	case [16]byte:
		h := hex.EncodeToString(x[:])
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	case []any:
		parts := make([]string, len(x))
		var et Type
		if t.Elem != nil {
			et = *t.Elem
		}
		for i, e := range x {
			if et.Kind == List {
				parts[i] = FormatValueStyle(et, e, loc, st) // a sub-array of a multidimensional array
				continue
			}
			parts[i] = arrayElem(FormatValueStyle(et, e, loc, st), e == nil)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprint(v)
}

// arrayElem quotes an array element as PostgreSQL's array_out does.
func arrayElem(s string, isNull bool) string {
	if isNull {
		return "NULL"
	}
	if s == "" || strings.EqualFold(s, "null") || strings.ContainsAny(s, "{},\"\\ \t\n") {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return s
}

// FormatLiteral renders a datum as a SQL literal that reads back as the same
// value and type: 42, 'text', DATE '2026-11-26', NULL.
func FormatLiteral(t Type, v Datum) string {
	if v == nil {
		return "NULL"
	}
	s := FormatValue(t, v)
	switch t.Kind {
	case Bool:
		if v.(bool) {
			return "true"
		}
		return "false"
	case Int2, Int4, Int8, Float4, Float8, Numeric:
		return s
	case Date:
		return "DATE '" + s + "'"
	case Timestamp:
		return "TIMESTAMP '" + s + "'"
	case TimestampTZ:
		return "TIMESTAMPTZ '" + s + "'"
	case Interval:
		return "INTERVAL '" + s + "'"
	case Time:
		return "TIME '" + s + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// FormatFloat renders a float as PostgreSQL 12+ does (shortest exact
// representation, exponent form outside 1e-4 ≤ |f| < 1e15 (float4: 1e6),
// Infinity/NaN spelled out). See AppendFloat.
func FormatFloat(f float64, bits int) string {
	return string(AppendFloat(nil, f, bits))
}

// FormatDecimal renders an unscaled decimal with scale fractional digits.
func FormatDecimal(n decimal128.Num, scale int32) string {
	if IsNumericSpecial(n) {
		return NumericSpecialName(n)
	}
	neg := n.Sign() < 0
	if neg {
		n = n.Negate()
	}
	var digits string
	if n.HighBits() == 0 {
		digits = strconv.FormatUint(n.LowBits(), 10)
	} else {
		digits = n.BigInt().String()
	}
	if scale > 0 {
		if len(digits) <= int(scale) {
			digits = strings.Repeat("0", int(scale)-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-int(scale)] + "." + digits[len(digits)-int(scale):]
	} else if scale < 0 {
		digits += strings.Repeat("0", int(-scale))
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// ParseDecimal parses decimal text into an unscaled value at the given scale,
// rounding half away from zero as PostgreSQL does. It fails with 22P02 for
// text that is not a number and 22003 if the value needs more than
// precision digits (precision 0 means MaxNumericPrecision).
func ParseDecimal(s string, precision, scale int32) (decimal128.Num, error) {
	str := strings.TrimSpace(s)
	if v, ok := parseNumericSpecial(str); ok {
		return v, CheckNumericTypmod(v, precision, scale)
	}
	r, ok := new(big.Rat).SetString(str)
	if !ok || str == "" || strings.ContainsAny(str, "/") {
		return decimal128.Num{}, New(CodeInvalidTextRepr, "invalid input syntax for type numeric: %q", s)
	}
	return RatToDecimal(r, precision, scale)
}

// RatToDecimal rounds r half away from zero to scale digits and checks the
// precision (0 means MaxNumericPrecision).
func RatToDecimal(r *big.Rat, precision, scale int32) (decimal128.Num, error) {
	if precision <= 0 {
		precision = MaxNumericPrecision
	}
	mul := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	num := new(big.Int).Mul(r.Num(), mul)
	den := r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// round half away from zero
	if m.Sign() != 0 {
		m2 := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
		if m2.Cmp(den) >= 0 {
			if num.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
	if new(big.Int).Abs(q).Cmp(limit) >= 0 {
		return decimal128.Num{}, New(CodeNumericOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d must round to an absolute value less than 10^%d.", precision, scale, precision-scale)
	}
	return decimal128.FromBigInt(q), nil
}

// FormatDate renders days since 1970-01-01 as YYYY-MM-DD (BC dates as PostgreSQL does).
func FormatDate(d arrow.Date32) string { return string(AppendDate(nil, int64(d))) }

// FormatTimestamp renders microseconds since the epoch; with tz it appends
// the zone offset of loc as PostgreSQL does (+00, +05:30).
func FormatTimestamp(us int64, loc *time.Location, withTZ bool) string {
	return string(AppendTimestamp(nil, us, loc, withTZ))
}

// FormatInterval renders an interval in PostgreSQL's default IntervalStyle
// (postgres): "1 year 2 mons -3 days +04:05:06.5". As in PostgreSQL, a
// field after a negative one carries an explicit "+", and only 1 is singular.
func FormatInterval(iv arrow.MonthDayNanoInterval) string {
	return string(AppendInterval(nil, iv, IntervalPostgres))
}
