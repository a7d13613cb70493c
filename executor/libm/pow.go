package libm

import (
	"math"
	"math/big"
)

// Pow is x^y correctly rounded, with C99's special cases (those of
// math.Pow). x^y is e^(y ln|x|) with ln|x| to 2^-102 and the product
// in double-double, so the exponent is off by at most about 2^-92 and
// the result by that much relative. Exact results (integer powers that
// fit, 9^2.5 = 243) come out exact. An exact result halfway between two
// doubles (possible for integer y) is recomputed exactly. The common
// case takes the fast path: e^(y ln x) from logFast and expFast, whose
// error is below powFastErr (1 + |y ln x|) relative.
func Pow(x, y float64) float64 { return powWithBound(x, y, powFastErr) }

// powFastErr bounds the fast path's relative error per unit of the
// exponent y ln x: ln x's error (logFastErr relative) grows with it, and
// exp's (expFastErr) is the 1.
const powFastErr = max(logFastErr, expFastErr)

// powWithBound is Pow with the fast path's bound a parameter (see
// expWithBound).
func powWithBound(x, y, bound float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case math.IsNaN(x) || math.IsNaN(y):
		return math.NaN()
	case x == 0 || math.IsInf(x, 0) || math.IsInf(y, 0):
		return math.Pow(x, y)
	case y == 1:
		return x
	}
	neg := false
	if x < 0 {
		if y != math.Trunc(y) {
			return math.NaN()
		}
		x = -x
		neg = math.Mod(y, 2) != 0
	}
	r := powPos(x, y, bound)
	if neg {
		r = -r
	}
	return r
}

func powPos(x, y, bound float64) float64 {
	if x >= 0x1p-1022 {
		l := logFast(x)
		p, pe := twoProd(l.hi, y)
		th, tl := quickTwoSum(p, pe+l.lo*y)
		// Below -707 the result may be subnormal and above 709 overflow:
		// the slow path rounds those.
		if -707 <= th && th <= 709 {
			m, e := expFast(th, tl)
			if roundsSafely(m, bound*(1+math.Abs(th))) {
				return (m.hi + m.lo) * pow2(e)
			}
		}
	}
	l := logDD(x)
	p, pe := twoProd(l.hi, y)
	pe += l.lo * y
	t := dd{p, pe}
	switch {
	case t.hi > 710:
		return math.Inf(1)
	case t.hi < -746:
		return 0
	}
	m, k := expCore(t)
	if y == math.Trunc(y) && math.Abs(y) <= 64 && nearTie(m) {
		return powExact(x, int(y))
	}
	return scaleRound(m, k)
}

// nearTie reports whether m is within 2^-80 relative of a point halfway
// between two doubles, where the error bound does not settle the rounding.
func nearTie(m dd) bool {
	half := math.Ldexp(1, math.Ilogb(m.hi)-53)
	return math.Abs(math.Abs(m.lo)-half) <= math.Ldexp(math.Abs(m.hi), -80)
}

// powExact is x^n for an integer |n| <= 64, with big.Float: exact for
// n >= 0 and rounded once from 300 bits for n < 0.
func powExact(x float64, n int) float64 {
	an := n
	if an < 0 {
		an = -an
	}
	b := new(big.Float).SetPrec(uint(53*an + 64)).SetFloat64(x)
	r := new(big.Float).SetPrec(b.Prec()).SetInt64(1)
	for i := 0; i < an; i++ {
		r.Mul(r, b)
	}
	if n < 0 {
		r = new(big.Float).SetPrec(300).Quo(new(big.Float).SetPrec(300).SetInt64(1), r)
	}
	f, _ := r.Float64()
	return f
}
