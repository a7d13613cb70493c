// Package decmath computes PostgreSQL's numeric ln, log, exp, power and
// sqrt on exact decimals. Each result gets the scale PostgreSQL's
// numeric.c selects for that value (from the arguments' base-10000
// weights, first digits and display scales, at least 16 significant
// digits) and is rounded half away from zero at that scale, so that it
// prints as PostgreSQL prints it. It knows nothing of Arrow or of
// meshql's 38-digit numerics: the expression kernels (executor/expr) call
// it one value at a time and check that the result fits.
//
// The digits come from big.Float series evaluated with guard digits
// beyond the result scale, then rounded once: the correctly rounded
// value, which is what PostgreSQL's own guard digits give in all but
// near-tie cases.
package decmath

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// Dec is the exact decimal Mant × 10^-Scale with Scale ≥ 0: a numeric
// value with its display scale (PostgreSQL's NumericVar and dscale).
type Dec struct {
	Mant  *big.Int
	Scale int32
}

// PostgreSQL's limits from numeric.c.
const (
	minSigDigits    = 16   // NUMERIC_MIN_SIG_DIGITS
	maxDisplayScale = 1000 // NUMERIC_MAX_DISPLAY_SCALE
	maxResultScale  = 2000 // NUMERIC_MAX_RESULT_SCALE
	maxWeight       = 32767
	decDigits       = 4 // decimal digits per base-10000 digit
)

// guardDigits are computed beyond the result scale before the one
// rounding.
const guardDigits = 12

// bitsPerDigit is log2(10), to size big.Float precisions.
const bitsPerDigit = 3.3219280948873623

// New returns mant × 10^-scale.
func New(mant *big.Int, scale int32) Dec { return Dec{Mant: mant, Scale: scale} }

// FromInt64 returns the integer v (scale 0).
func FromInt64(v int64) Dec { return Dec{Mant: big.NewInt(v), Scale: 0} }

func (x Dec) sign() int { return x.Mant.Sign() }

// String formats x as numeric output does: all Scale places.
func (x Dec) String() string {
	s := new(big.Int).Abs(x.Mant).String()
	if x.Scale > 0 {
		if pad := int(x.Scale) + 1 - len(s); pad > 0 {
			s = strings.Repeat("0", pad) + s
		}
		s = s[:len(s)-int(x.Scale)] + "." + s[len(s)-int(x.Scale):]
	}
	if x.Mant.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// float converts x as numericvar_to_double_no_overflow does: the double
// nearest its text.
func (x Dec) float() float64 {
	f, err := strconv.ParseFloat(x.String(), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0
	}
	return f
}

func pow10(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// Round returns x rounded half away from zero to scale (or extended to
// it with zeros).
func Round(x Dec, scale int32) Dec {
	if scale >= x.Scale {
		return Dec{Mant: new(big.Int).Mul(x.Mant, pow10(int(scale-x.Scale))), Scale: scale}
	}
	return Dec{Mant: quoRound(x.Mant, pow10(int(x.Scale-scale))), Scale: scale}
}

// quoRound returns n/d rounded half away from zero (d > 0).
func quoRound(n, d *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	r.Abs(r)
	if r.Lsh(r, 1).Cmp(d) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

func mul(x, y Dec) Dec {
	return Dec{Mant: new(big.Int).Mul(x.Mant, y.Mant), Scale: x.Scale + y.Scale}
}

// cmpFrac compares x with num/den (den > 0).
func cmpFrac(x Dec, num, den int64) int {
	l := new(big.Int).Mul(x.Mant, big.NewInt(den))
	r := new(big.Int).Mul(big.NewInt(num), pow10(int(x.Scale)))
	return l.Cmp(r)
}

// isInt reports whether x has no fractional part.
func (x Dec) isInt() bool {
	if x.Scale == 0 {
		return true
	}
	return new(big.Int).Rem(x.Mant, pow10(int(x.Scale))).Sign() == 0
}

// intPart returns x's integer part (x integral).
func (x Dec) intPart() *big.Int {
	return new(big.Int).Quo(x.Mant, pow10(int(x.Scale)))
}

// digitCount is the number of decimal digits of |m| (0 for 0).
func digitCount(m *big.Int) int {
	if m.Sign() == 0 {
		return 0
	}
	return len(new(big.Int).Abs(m).String())
}

// nbase returns |x| as PostgreSQL's NumericVar holds it: base-10000
// digits with no leading or trailing zero digits, and the weight
// (power of 10000) of the first. Zero has no digits and weight 0.
func nbase(x Dec) ([]int, int) {
	if x.sign() == 0 {
		return nil, 0
	}
	s := new(big.Int).Abs(x.Mant).String()
	frac := int(x.Scale)
	if pad := (decDigits - frac%decDigits) % decDigits; pad > 0 {
		s += strings.Repeat("0", pad)
		frac += pad
	}
	if lead := (decDigits - len(s)%decDigits) % decDigits; lead > 0 {
		s = strings.Repeat("0", lead) + s
	}
	digits := make([]int, 0, len(s)/decDigits)
	for i := 0; i < len(s); i += decDigits {
		d, _ := strconv.Atoi(s[i : i+decDigits])
		digits = append(digits, d)
	}
	weight := len(digits) - 1 - frac/decDigits
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	return digits, weight
}

func clampScale(r int) int32 { return int32(min(max(r, 0), maxDisplayScale)) }

func errLogZero() error { return sqltypes.New("2201E", "cannot take logarithm of zero") }
func errLogNeg() error  { return sqltypes.New("2201E", "cannot take logarithm of a negative number") }
func errOverflow() error {
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format")
}
func errDivByZero() error { return sqltypes.New(sqltypes.CodeDivisionByZero, "division by zero") }

func checkLogArg(x Dec) error {
	switch x.sign() {
	case 0:
		return errLogZero()
	case -1:
		return errLogNeg()
	}
	return nil
}

func zero(scale int32) Dec { return Dec{Mant: new(big.Int), Scale: scale} }
