package jsonpath

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// num is a jsonpath number as PostgreSQL's numeric holds it: an exact
// decimal m·10^-scale whose scale is its display scale (1.50 keeps two
// places), so results print as numeric_out prints them.
type num struct {
	m     *big.Int
	scale int32
}

// maxDivScale is numeric's NUMERIC_MAX_DISPLAY_SCALE.
const maxDivScale = 1000

// parseNum reads a jsonb number's normalized text (no exponent).
func parseNum(s string) num {
	scale := int32(0)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		scale = int32(len(s) - i - 1)
		s = s[:i] + s[i+1:]
	}
	m, ok := new(big.Int).SetString(s, 10)
	if !ok {
		m = new(big.Int)
	}
	return num{m: m, scale: scale}
}

func (x num) String() string {
	neg := x.m.Sign() < 0
	digits := new(big.Int).Abs(x.m).String()
	if x.scale <= 0 {
		if x.m.Sign() == 0 {
			return "0"
		}
		s := digits + strings.Repeat("0", int(-x.scale))
		if neg {
			return "-" + s
		}
		return s
	}
	sc := int(x.scale)
	if len(digits) <= sc {
		digits = strings.Repeat("0", sc-len(digits)+1) + digits
	}
	s := digits[:len(digits)-sc] + "." + digits[len(digits)-sc:]
	if neg {
		return "-" + s
	}
	return s
}

var bigTen = big.NewInt(10)

func pow10(n int32) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

// rescale returns x's mantissa at scale s >= x.scale.
func (x num) at(s int32) *big.Int { return new(big.Int).Mul(x.m, pow10(s-x.scale)) }

func (x num) cmp(y num) int {
	s := max(x.scale, y.scale)
	return x.at(s).Cmp(y.at(s))
}

func (x num) add(y num) num {
	s := max(x.scale, y.scale)
	return num{m: new(big.Int).Add(x.at(s), y.at(s)), scale: s}
}

func (x num) sub(y num) num {
	s := max(x.scale, y.scale)
	return num{m: new(big.Int).Sub(x.at(s), y.at(s)), scale: s}
}

func (x num) mul(y num) num { return num{m: new(big.Int).Mul(x.m, y.m), scale: x.scale + y.scale} }

func (x num) neg() num { return num{m: new(big.Int).Neg(x.m), scale: x.scale} }

func errDivZero() error { return sqltypes.New(sqltypes.CodeDivisionByZero, "division by zero") }

// PostgreSQL numeric's range: 131,072 digits before the point (a weight
// of 32767 base-10000 digits), 16,383 after it.
const (
	maxIntDigits = 4 * (32767 + 1)
	maxScale     = 16383
)

// checkRange is 22003 for a result numeric cannot hold, which a chain of
// products (1e1000 * 1e1000 * ...) would otherwise grow without limit.
func (x num) checkRange() error {
	// BitLen bounds the digits from above cheaply: 10^d needs d·log2(10) bits.
	if x.scale > maxScale || int64(x.m.BitLen()) > int64(float64(maxIntDigits+int(max(x.scale, 0)))*3.33) {
		return sqltypes.New(sqltypes.CodeNumericOutOfRange, "value overflows numeric format")
	}
	return nil
}

// div divides at the scale PostgreSQL's numeric division chooses
// (select_div_scale: at least 16 significant digits, and no fewer places
// than either operand), rounding half away from zero.
func (x num) div(y num) (num, error) {
	if y.m.Sign() == 0 {
		return num{}, errDivZero()
	}
	w1, d1 := x.weight()
	w2, d2 := y.weight()
	qweight := w1 - w2
	if d1 <= d2 {
		qweight--
	}
	rscale := max(16-qweight*4, x.scale, y.scale, 0)
	rscale = min(rscale, maxDivScale)
	// q = x/y at rscale: x.m·10^(rscale + y.scale - x.scale) / y.m.
	n := new(big.Int).Set(x.m)
	d := new(big.Int).Set(y.m)
	if e := rscale + y.scale - x.scale; e >= 0 {
		n.Mul(n, pow10(e))
	} else {
		d.Mul(d, pow10(-e))
	}
	return num{m: roundDiv(n, d), scale: rscale}, nil
}

// roundDiv is n/d rounded half away from zero.
func roundDiv(n, d *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if r.Sign() != 0 {
		r2 := new(big.Int).Abs(r)
		r2.Lsh(r2, 1)
		if r2.Cmp(new(big.Int).Abs(d)) >= 0 {
			if (n.Sign() < 0) != (d.Sign() < 0) {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return q
}

// weight returns the weight of x's first base-10000 digit and that
// digit, as numeric's storage sees them (0, 0 for zero).
func (x num) weight() (int32, int64) {
	if x.m.Sign() == 0 {
		return 0, 0
	}
	digits := new(big.Int).Abs(x.m).String()
	e := int32(len(digits)) - 1 - x.scale // decimal exponent of the first digit
	w := e / 4
	if e < 0 && e%4 != 0 {
		w--
	}
	// The first base-10000 digit holds the decimal digits of exponents
	// 4w+3 … 4w.
	n := e - 4*w + 1
	first, _ := strconv.ParseInt(digits[:min(int(n), len(digits))], 10, 64)
	for k := len(digits); k < int(n); k++ {
		first *= 10
	}
	return w, first
}

// mod is x - trunc(x/y)·y at the larger scale, as numeric's %.
func (x num) mod(y num) (num, error) {
	if y.m.Sign() == 0 {
		return num{}, errDivZero()
	}
	s := max(x.scale, y.scale)
	return num{m: new(big.Int).Rem(x.at(s), y.at(s)), scale: s}, nil
}

func (x num) abs() num { return num{m: new(big.Int).Abs(x.m), scale: x.scale} }

// floor and ceil give integers (scale 0).
func (x num) floor() num {
	if x.scale <= 0 {
		return num{m: x.at(0), scale: 0}
	}
	// Euclidean division by a positive divisor is floor division.
	return num{m: new(big.Int).Div(x.m, pow10(x.scale)), scale: 0}
}

func (x num) ceil() num { return x.neg().floor().neg() }

// trunc returns x truncated toward zero as an int64; ok is false beyond int32,
// PostgreSQL's range for array subscripts.
func (x num) truncInt32() (int64, bool) {
	q := new(big.Int).Quo(x.m, pow10(x.scale))
	if !q.IsInt64() || q.Int64() > math.MaxInt32 || q.Int64() < math.MinInt32 {
		return 0, false
	}
	return q.Int64(), true
}

func numFromInt(v int64) num { return num{m: big.NewInt(v), scale: 0} }

// numFromFloat converts a double as PostgreSQL's float8_numeric does:
// through its text with 15 significant digits.
func numFromFloat(f float64) num {
	s := strconv.FormatFloat(f, 'g', 15, 64)
	n, err := normalizeNumber(s)
	if err != nil {
		return numFromInt(0)
	}
	return parseNum(n)
}

// cmpNumText compares two numbers in jsonb's normalized text (no
// exponent, no leading zeros) by value, without big arithmetic: filters
// compare numbers on every row.
func cmpNumText(a, b string) int {
	an, bn := strings.HasPrefix(a, "-"), strings.HasPrefix(b, "-")
	a, b = strings.TrimPrefix(a, "-"), strings.TrimPrefix(b, "-")
	if an != bn {
		if isZeroText(a) && isZeroText(b) {
			return 0
		}
		if an {
			return -1
		}
		return 1
	}
	c := cmpAbsText(a, b)
	if an {
		return -c
	}
	return c
}

func isZeroText(s string) bool { return strings.Trim(s, "0.") == "" }

func cmpAbsText(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	ai, bi = strings.TrimLeft(ai, "0"), strings.TrimLeft(bi, "0")
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(ai, bi); c != 0 {
		return c
	}
	for i := 0; i < max(len(af), len(bf)); i++ {
		x, y := byte('0'), byte('0')
		if i < len(af) {
			x = af[i]
		}
		if i < len(bf) {
			y = bf[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
