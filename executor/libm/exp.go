package libm

import "math"

// expCore returns m and k with e^x = m * 2^k, m in about [0.7, 1.42],
// to about 2^-100 relative: x - k ln2 with ln2 to 148 bits, then the
// Taylor series of e^s - 1 at s = r/256, squared back up eight times in
// the e^s - 1 form (2u + u^2) so that no precision is lost near 1.
func expCore(x dd) (dd, int) {
	kf := math.RoundToEven(x.hi / ln2DD.hi)
	s, e := twoSum(x.hi, -kf*ln2Parts[0])
	r := dd{s, e}.add(ddOf(x.lo))
	p, pe := twoProd(kf, ln2Parts[1])
	r = r.sub(dd{p, pe}).sub(ddOf(kf * ln2Parts[2]))
	r = r.ldexp(-8)
	q := invFact[11]
	for n := 10; n >= 1; n-- {
		q = q.mul(r).add(invFact[n])
	}
	u := q.mul(r)
	for i := 0; i < 8; i++ {
		u = u.mul(ddOf(2).add(u))
	}
	return ddOf(1).add(u), int(kf)
}

// scaleRound returns the double nearest to m*2^k, rounding once even
// when the result is subnormal.
func scaleRound(m dd, k int) float64 {
	if m.hi == 0 {
		return m.hi
	}
	_, e := math.Frexp(m.hi)
	if e+k > -1021 {
		return math.Ldexp(m.round(), k) // normal: scaling is exact (or overflows)
	}
	// Count in units of the smallest subnormal and round that to an integer.
	v := m.ldexp(k + 1074)
	n := math.RoundToEven(v.hi)
	if d := v.hi - n; d == 0.5 || d == -0.5 {
		// v.hi is a tie on its own: lo decides, as the exact value would.
		switch {
		case v.lo > 0:
			n = math.Floor(v.hi) + 1
		case v.lo < 0:
			n = math.Floor(v.hi)
		}
	} else if d == 0 {
		switch {
		case v.lo >= 0.5:
			n++
		case v.lo <= -0.5:
			n--
		}
	}
	return math.Ldexp(n, -1074)
}

// Exp is e^x correctly rounded (but for inputs within 2^-100 of a
// rounding boundary, which no double is known to be): from expFast when
// its error bound settles the rounding, else from expCore.
func Exp(x float64) float64 { return expWithBound(x, expFastErr) }

// logDD is ln x (x > 0, finite) to about 2^-102 relative: e ln2 plus
// ln m = 2 atanh((m-1)/(m+1)) for the mantissa m in [1/sqrt2, sqrt2).
func logDD(x float64) dd {
	frac, e := math.Frexp(x)
	m := frac * 2
	e--
	if m > math.Sqrt2 {
		m = frac
		e++
	}
	f := m - 1 // exact: m is within a factor of 2 of 1
	s, se := twoSum(m, 1)
	u := ddOf(f).div(dd{s, se})
	u2 := u.mul(u)
	terms := 22
	if a := math.Abs(u.hi); a < 0.04 {
		terms = 11
	}
	q := invOdd[terms]
	for n := terms - 1; n >= 0; n-- {
		q = q.mul(u2).add(invOdd[n])
	}
	lm := u.mul(q).ldexp(1)
	if e == 0 {
		return lm
	}
	return ln2DD.mulF(float64(e)).add(ln2Tail(e)).add(lm)
}

// ln2Tail is e times the bits of ln 2 past the double-double, which
// matter once e ln 2 is large next to the result's ulp.
func ln2Tail(e int) dd {
	t := ln2Parts[0] - ln2DD.hi
	t += ln2Parts[1] - ln2DD.lo
	t += ln2Parts[2]
	return ddOf(float64(e) * t)
}

// logSpecial is a logarithm's value at NaN, +Inf, a negative x, 0 and
// 1; ok is false for other x.
func logSpecial(x float64) (v float64, ok bool) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x, true
	case x < 0:
		return math.NaN(), true
	case x == 0:
		return math.Inf(-1), true
	case x == 1:
		return 0, true
	}
	return 0, false
}

// Log is ln x, correctly rounded as Exp is: from logFast when its error
// bound settles the rounding, else from logDD.
func Log(x float64) float64 { return logWithBound(x, logFastErr) }

// The constants of log10's reduction: 1/ln 10 and log10(2) in two parts
// whose first has trailing zeros, so that k*log10_2hi is exact.
var (
	ivln10    = math.Float64frombits(0x3FDBCB7B1526E50E)
	log10_2hi = math.Float64frombits(0x3FD34413509F6000)
	log10_2lo = math.Float64frombits(0x3D59FEF311F12B36)
)

// Log10 is the C library's log10, which is not correctly rounded: it
// splits x = 2^k * m, m in [1, 2) (in [0.5, 1) when k < 0), and sums
// k log10(2) (in two parts) and log(m)/ln 10 in the order below, each
// operation rounded on its own. The same steps give the same bits; the
// algorithm is fdlibm's (Sun Microsystems, freely redistributable with
// its notice), which glibc keeps.
func Log10(x float64) float64 {
	if v, ok := logSpecial(x); ok {
		return v
	}
	var k int
	var m float64 // x = m * 2^k, m in [1, 2)
	if x >= 0x1p-1022 {
		b := math.Float64bits(x)
		k = int(b>>52) - 1023
		m = math.Float64frombits(b&(1<<52-1) | 1023<<52)
	} else {
		frac, e := math.Frexp(x)
		k, m = e-1, frac*2
	}
	y := float64(k)
	if k < 0 {
		m /= 2
		y = float64(k + 1)
	}
	z := float64(y*log10_2lo) + float64(ivln10*logWithBound(m, logFastErr))
	return z + float64(y*log10_2hi)
}
