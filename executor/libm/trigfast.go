package libm

import (
	"math"
	"math/big"
)

// The trigonometric fast paths: sin and cos of the reduced angle r
// (|r| <= pi/4, from reduceFast or reduce) from a table of sin and cos at multiples of
// 1/64 and short polynomials, as exp's and ln's fast paths are.

// sinCosStep is the table's spacing: r = j/64 + s with |s| <= 1/128.
const sinCosStep = 64

// sinCosTable[j] is sin(j/64) and cos(j/64) as double-doubles, for
// j/64 up to just above pi/4.
var sinCosTable = func() (t [52][2]dd) {
	const prec = 300
	// sin and cos of 1/64 from their Taylor series, then the angle
	// addition formulas step by step (the error grows by 2^-300 a step).
	h := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), big.NewFloat(sinCosStep))
	sh, ch := sinCosSeries(h, prec, 60)
	s := new(big.Float).SetPrec(prec)
	c := new(big.Float).SetPrec(prec).SetInt64(1)
	for j := range t {
		t[j] = [2]dd{ddOfBig(s), ddOfBig(c)}
		ns := new(big.Float).SetPrec(prec).Mul(s, ch)
		ns.Add(ns, new(big.Float).SetPrec(prec).Mul(c, sh))
		nc := new(big.Float).SetPrec(prec).Mul(c, ch)
		nc.Sub(nc, new(big.Float).SetPrec(prec).Mul(s, sh))
		s, c = ns, nc
	}
	return t
}()

// sinCosSeries is sin r and cos r from the first terms of their Taylor
// series, at prec bits.
func sinCosSeries(r *big.Float, prec uint, terms int64) (s, c *big.Float) {
	s, c = new(big.Float).SetPrec(prec), new(big.Float).SetPrec(prec)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for n := range terms {
		switch n % 4 {
		case 0:
			c.Add(c, term)
		case 1:
			s.Add(s, term)
		case 2:
			c.Sub(c, term)
		case 3:
			s.Sub(s, term)
		}
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(n+1))
	}
	return s, c
}

// sinCosFast returns sin r and cos r for |r| <= about pi/4 (r.lo within
// half an ulp of r.hi) to within sinCosFastErr relative each.
//
// r = a + s with a = j/64 and s = sh + sl, |s| <= 1/128:
// sin(a+s) = sin a (1 - s^2/2 + C4) + cos a (s + S3) and
// cos(a+s) = cos a (1 - s^2/2 + C4) - sin a (s + S3), with
// C4 = cos s - 1 + s^2/2 (Taylor's to s^8, below 2^-32.6) and
// S3 = sin s - s (to s^9, below 2^-23.6) in double. The terms up to s^2
// are summed exactly (twoProd, twoSum); sl enters through the derivative.
// The rest rounds at about 2^-76 absolute against results of at least
// 2^-7 (or, for j = 0, at about 2^-70 relative): the error is about 2^-68.
func sinCosFast(r dd) (sin, cos dd) { return sinCosFastOf(r, true, true) }

// sinOrCosFast is sin r or cos r (wantCos) as sinCosFast gives them.
func sinOrCosFast(r dd, wantCos bool) dd {
	s, c := sinCosFastOf(r, !wantCos, wantCos)
	if wantCos {
		return c
	}
	return s
}

// sinCosFastOf is sinCosFast computing only the values asked for.
func sinCosFastOf(r dd, wantSin, wantCos bool) (sin, cos dd) {
	jf := math.RoundToEven(r.hi * sinCosStep)
	s0 := r.hi - jf/sinCosStep // exact: r.hi is within a factor 2 of j/64 (or j = 0)
	sh, sl := quickTwoSum(s0, r.lo)
	j := int(jf)
	sign := 1.0
	if j < 0 {
		j, sign = -j, -1
	}
	e := &sinCosTable[j]
	sa, ca := dd{sign * e[0].hi, sign * e[0].lo}, e[1]

	s2h, s2l := twoProd(sh, sh)
	halfS2 := 0.5 * s2h
	c4 := s2h * s2h * ((1.0 / 24) - s2h*((1.0/720)-s2h*(1.0/40320)))
	s3 := sh * s2h * (-(1.0 / 6) + s2h*((1.0/120)-s2h*((1.0/5040)-s2h*(1.0/362880))))
	cosS := 1 - halfS2 // cos s, enough for the small terms
	if wantSin {
		p1, e1 := twoProd(ca.hi, sh)
		p2, e2 := twoProd(sa.hi, halfS2)
		u, eu := twoSum(sa.hi, p1)
		v, ev := twoSum(u, -p2)
		lo := eu + ev + e1 - e2 - sa.hi*(0.5*s2l) + sa.lo*cosS + ca.lo*sh +
			sa.hi*c4 + ca.hi*s3 + sl*(ca.hi*cosS-sa.hi*sh)
		sin.hi, sin.lo = quickTwoSum(v, lo)
	}
	if wantCos {
		p1, e1 := twoProd(sa.hi, sh)
		p2, e2 := twoProd(ca.hi, halfS2)
		u, eu := quickTwoSum(ca.hi, -p1) // cos a >= 0.7 > |sin a s|
		v, ev := quickTwoSum(u, -p2)
		lo := eu + ev - e1 - e2 - ca.hi*(0.5*s2l) + ca.lo*cosS - sa.lo*sh +
			ca.hi*c4 - sa.hi*s3 - sl*(sa.hi*cosS+ca.hi*sh)
		cos.hi, cos.lo = quickTwoSum(v, lo)
	}
	return sin, cos
}

// sinCosFastErr bounds sinCosFast's relative error with a margin (tests
// measure it against the double-double path).
const sinCosFastErr = 0x1p-64

// minSafe is the smallest magnitude roundsSafely is used at: above it the
// bound times the result is a normal double.
const minSafe = 0x1p-900

// quadrant turns sin and cos of r into those of r + q pi/2.
func quadrant(s, c dd, q int) (dd, dd) {
	switch q {
	case 1:
		return c, s.neg()
	case 2:
		return s.neg(), c.neg()
	case 3:
		return c.neg(), s
	}
	return s, c
}

// reduceFast is reduce for |x| < 2^19 pi/2 with twoSums in place of
// double-double subtractions: x - k p0 is exact (x is within a factor
// 2 of k p0, p0 the first 33 bits of pi/2), so is its difference with
// k p1 (twoSum, k p1 exact), and the tail of at most 2^-45 rounds at
// about 2^-98. With pi/2 to 152 bits, r is within reduceFastErr of
// x - k pi/2 (absolute); reduce is within about 2^-105 |r|.
func reduceFast(x float64) (dd, int) {
	if math.Abs(x) <= math.Pi/4 {
		return ddOf(x), 0
	}
	k := math.RoundToEven(x / halfPiDD.hi)
	s := x - k*halfPiBits[0]
	s, e := twoSum(s, -k*halfPiBits[1])
	tail := e - k*halfPiBits[2] - k*halfPiBits[3]
	rh, rl := twoSum(s, tail)
	return dd{rh, rl}, int(int64(k) & 3)
}

// reduceFastErr bounds reduceFast's absolute error with a margin (tests
// measure about 2^-103).
const reduceFastErr = 0x1p-96

// reductionBound is the relative error an absolute error rErr in r adds
// to sin r, cos r (twice rErr/|r| covers both) and tan r: 2 rErr/|r|,
// without a division in the common case.
func reductionBound(rErr, r float64) float64 {
	switch {
	case rErr == 0:
		return 0
	case math.Abs(r) >= 0x1p-20:
		return 2 * rErr * 0x1p20
	}
	return 2 * rErr / math.Abs(r)
}

// reduceForFast reduces x for the fast path, with the reduction's
// absolute error (0 when reduce's own accuracy is as good as the slow
// path's).
func reduceForFast(x float64) (r dd, q int, absErr float64) {
	if math.Abs(x) < 0x1p19*math.Pi/2 {
		r, q = reduceFast(x)
		if r.hi != x {
			absErr = reduceFastErr
		}
		return r, q, absErr
	}
	r, q = reduce(x)
	return r, q, 0
}

// sinCosWithBound is sin x or cos x (wantCos), with the fast path's
// bound a parameter (see expWithBound); x is finite and nonzero.
func sinCosWithBound(x float64, wantCos bool, bound float64) float64 {
	if r, q, rErr := reduceForFast(x); math.Abs(r.hi) > minSafe {
		// sin x is ±sin r for even q, ±cos r for odd; cos x the other.
		v := sinOrCosFast(r, (q%2 == 1) != wantCos)
		if wantCos && (q == 1 || q == 2) || !wantCos && q >= 2 {
			v = v.neg()
		}
		// An error d in r moves sin r by at most d/(0.9 r) relative (for
		// |r| <= pi/4) and cos r by at most d.
		if math.Abs(v.hi) > minSafe && roundsSafely(v, bound+reductionBound(rErr, r.hi)) {
			return v.hi + v.lo
		}
	}
	r, q := reduce(x)
	s, c := sinCosDD(r)
	s, c = quadrant(s, c, q)
	if wantCos {
		return c.round()
	}
	return s.round()
}

// tanWithBound is tan x with the fast path's bound a parameter; x is
// finite and nonzero. The quotient of the fast sine and cosine is off by
// their two errors and about 2^-100 more.
func tanWithBound(x float64, bound float64) float64 {
	if r, q, rErr := reduceForFast(x); math.Abs(r.hi) > minSafe {
		s, c := sinCosFast(r)
		t := quickDiv(s, c)
		if q%2 == 1 { // tan(r + pi/2) = -cos r / sin r
			t = quickDiv(c, s).neg()
		}
		// tan' = 1 + tan^2 = 1/(sin cos): an error d in r is at most 2d/r
		// relative, for |r| <= pi/4.
		if math.Abs(t.hi) > minSafe && roundsSafely(t, 2*bound+reductionBound(rErr, r.hi)) {
			return t.hi + t.lo
		}
	}
	r, q := reduce(x)
	s, c := sinCosDD(r)
	if q%2 == 1 {
		return c.div(s).neg().round()
	}
	return s.div(c).round()
}

// quickDiv is a/b to about 2^-100 relative: one correction step, with
// one division (q1, from the reciprocal, is within about an ulp of a/b;
// the remainder a.hi - q1 b.hi is then exact or off by 2^-105 of a.hi).
func quickDiv(a, b dd) dd {
	inv := 1 / b.hi
	q1 := a.hi * inv
	rem := math.FMA(-q1, b.hi, a.hi) + a.lo - q1*b.lo
	q2 := rem * inv
	hi, lo := quickTwoSum(q1, q2)
	return dd{hi, lo}
}
