package sqltypes

import (
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// PostgreSQL's numeric has three values that are not numbers: NaN,
// Infinity and -Infinity. meshql's numeric is a decimal128 mantissa whose
// finite values stay within ±(10^38−1), so the three are mantissas beyond
// that range, in the high word alone (the low word is 0):
//
//	-Infinity  hi = -(H+1)
//	finite     -H ≤ hi ≤ H-1     (H = high word of 10^38, plus one)
//	+Infinity  hi = H+1
//	NaN        hi = H+2
//
// so that a plain integer comparison of two mantissas at one scale gives
// PostgreSQL's order (-Infinity < numbers < Infinity < NaN, NaN = NaN),
// hashing the raw bytes groups them as PostgreSQL does, and telling a
// special value from a number is one compare of the high word
// (IsNumericSpecialHi). A special mantissa means the same thing at every
// scale: rescaling passes it through unchanged. -Infinity is the negation
// of +Infinity; NaN's negation is not a sentinel, so negating kernels
// test for NaN first.
//
// A kernel that does arithmetic on mantissas must look for specials first
// (their magnitude is past 10^38, so an overflow check that runs after
// the arithmetic turns a forgotten one into 22003, never a number).
const numericSpecialHi = 0x4b3b4ca85a86c47b // 10^38 >> 64, plus one

var (
	NumericNaN    = decimal128.New(numericSpecialHi+2, 0)
	NumericPosInf = decimal128.New(numericSpecialHi+1, 0)
	NumericNegInf = decimal128.New(-(numericSpecialHi + 1), 0)
)

// IsNumericSpecialHi reports whether hi, the high word of a numeric
// mantissa, belongs to NaN or ±Infinity.
func IsNumericSpecialHi(hi int64) bool {
	return uint64(hi+numericSpecialHi) >= 2*numericSpecialHi
}

// IsNumericSpecial reports whether n is NaN or ±Infinity.
func IsNumericSpecial(n decimal128.Num) bool { return IsNumericSpecialHi(n.HighBits()) }

// IsNumericNaN reports whether n is NaN.
func IsNumericNaN(n decimal128.Num) bool { return n.HighBits() == numericSpecialHi+2 }

// HasNumericSpecial reports whether any of vals is NaN or ±Infinity
// (including slots under NULLs, which kernels zero or leave finite).
func HasNumericSpecial(vals []decimal128.Num) bool {
	// The largest shifted high word, a conditional move per value rather
	// than a branch: Flight SQL checks every decimal it sends (SF1
	// lineitem: 2.7 → 1.6 ns a value). Four running maxima, so that each
	// value's compare waits on the one four values back, not the last.
	var m0, m1, m2, m3 uint64
	i := 0
	for ; i+4 <= len(vals); i += 4 {
		v := vals[i : i+4 : i+4]
		m0 = max(m0, uint64(v[0].HighBits()+numericSpecialHi))
		m1 = max(m1, uint64(v[1].HighBits()+numericSpecialHi))
		m2 = max(m2, uint64(v[2].HighBits()+numericSpecialHi))
		m3 = max(m3, uint64(v[3].HighBits()+numericSpecialHi))
	}
	for ; i < len(vals); i++ {
		m0 = max(m0, uint64(vals[i].HighBits()+numericSpecialHi))
	}
	return max(m0, m1, m2, m3) >= 2*numericSpecialHi
}

// NumericSpecialName is PostgreSQL's text of a special value ("NaN",
// "Infinity", "-Infinity"); "" for a number.
func NumericSpecialName(n decimal128.Num) string {
	switch n.HighBits() {
	case numericSpecialHi + 2:
		return "NaN"
	case numericSpecialHi + 1:
		return "Infinity"
	case -(numericSpecialHi + 1):
		return "-Infinity"
	}
	return ""
}

// ParseNumericSpecial recognizes PostgreSQL's spellings of the special
// values, any case, around white space: NaN, [+-]Infinity, [+-]inf.
func ParseNumericSpecial(s string) (decimal128.Num, bool) {
	return parseNumericSpecial(trimSpace(s))
}

func parseNumericSpecial(t string) (decimal128.Num, bool) {
	if len(t) < 3 || len(t) > 9 {
		return decimal128.Num{}, false
	}
	if eqFold(t, "nan") {
		return NumericNaN, true
	}
	neg := false
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		t = t[1:]
	}
	if !eqFold(t, "infinity") && !eqFold(t, "inf") {
		return decimal128.Num{}, false
	}
	if neg {
		return NumericNegInf, true
	}
	return NumericPosInf, true
}

// eqFold compares s with the lower-case ASCII word w, ignoring case.
func eqFold(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// CheckNumericTypmod applies a numeric(p,s) typmod to a special value as
// PostgreSQL 15 does: NaN fits any, ±Infinity none (22003). precision 0
// (unconstrained) accepts all three, and so does 38: the planner types
// unconstrained values of one scale as numeric(38,s) (VALUES, UNION).
func CheckNumericTypmod(n decimal128.Num, precision, scale int32) error {
	if precision <= 0 || precision >= MaxNumericPrecision || IsNumericNaN(n) || !IsNumericSpecial(n) {
		return nil
	}
	return errInfiniteTypmod(precision, scale)
}

func errInfiniteTypmod(precision, scale int32) error {
	return New(CodeNumericOutOfRange, "numeric field overflow").
		WithDetail("A field with precision %d, scale %d cannot hold an infinite value.", precision, scale)
}
