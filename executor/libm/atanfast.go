package libm

import "math"

// The inverse trigonometric fast path: atan of a ratio from a table of
// atan(j/64) and a short series, as the other fast paths are.

// atanTable[j] is atan(j/64) as a double-double, j in [0, 64]: from
// math.Atan by a Newton step t += (x cos t - sin t) / (cos t + x sin t)
// in double-double (which doubles the correct bits, to about 2^-104).
var atanTable = func() (t [sinCosStep + 1]dd) {
	for j := range t {
		x := float64(j) / sinCosStep
		a := ddOf(math.Atan(x))
		for range 1 {
			s, c := sinCosDD(a) // |a| <= pi/4: no reduction
			num := c.mulF(x).sub(s)
			den := c.add(s.mulF(x))
			a = a.add(num.div(den))
		}
		t[j] = a
	}
	return t
}()

// atanFast01 is atan z for 0 <= z <= 1 (and a rounding above), to
// within atanFastErr relative.
//
// z = c + d with c = j/64, |d| <= 1/128: atan z = atan c + atan u with
// u = (z - c) / (1 + z c), |u| <= 2^-7, the quotient in double-double
// (z - c is exact: z is within a factor 2 of c, or j = 0). atan u =
// u - u^3/3 + ... - u^11/11 (the next term is below 2^-84 of u) with
// u - u^3/3 summed in double-double and the rest, below 2^-35, in
// double: the error is about 2^-76 of results of at least 2^-7 (or, for
// j = 0, of u itself).
func atanFast01(z dd) dd {
	jf := math.RoundToEven(z.hi * sinCosStep)
	c := jf / sinCosStep
	nh, nl := quickTwoSum(z.hi-c, z.lo)
	ph, pl := twoProd(z.hi, c)
	dh, dl := quickTwoSum(1, ph) // 1 + z c < 2: same binade as 1 or below
	dl += pl + z.lo*c
	u := quickDiv(dd{nh, nl}, dd{dh, dl})

	// atan u = u - u^3/3 + u^5 P(u^2): u^3/3 (up to 2^-15.6 of u) in
	// double-double, u^5 P in double; u.lo through the derivative
	// 1/(1+u^2).
	u2h, u2l := twoProd(u.hi, u.hi)
	u3h, u3l := twoProd(u2h, u.hi)
	u3l += u2l * u.hi
	third := invOdd[1]
	c3h := u3h * third.hi
	c3l := math.FMA(u3h, third.hi, -c3h) + u3h*third.lo + u3l*third.hi
	p5 := u3h * u2h * ((1.0 / 5) - u2h*((1.0/7)-u2h*((1.0/9)-u2h*(1.0/11))))
	t := atanTable[int(jf)]
	s, e := twoSum(t.hi, u.hi)
	s, e2 := quickTwoSum(s, -c3h) // |s| >= |u| > |u^3/3|
	lo := e + e2 + t.lo + u.lo*(1-u2h) - c3l + p5
	hi, lo := quickTwoSum(s, lo)
	return dd{hi, lo}
}

// atanFastErr bounds atanFast01's relative error, and angleFast's, with a
// margin (tests measure it against the double-double path).
const atanFastErr = 0x1p-72

// angleFast is the angle of the point (x, y), x, y >= 0 and not both 0,
// in [0, pi/2]: atan(y/x), or pi/2 - atan(x/y) when y > x. Its relative
// error is atanFast01's: pi/2 - a, for a <= pi/4, is at least pi/4.
func angleFast(y, x dd) dd {
	if y.hi <= x.hi {
		return atanFast01(quickDiv(y, x))
	}
	return halfPiDD.sub(atanFast01(quickDiv(x, y)))
}

// unitRatio is, for 0 < x < 1 and w = sqrt(1 - x^2), x/w when x <= w
// (xSmaller) and w/x otherwise, to about 2^-100 relative, with one
// square root and independent divisions: d = 1 - x^2 exactly in
// double-double, s = sqrt(d) rounded, w = s (1 + e/2) with e = (d - s^2)/d
// (about 2^-52, so e^2 is negligible), and each quotient from a
// reciprocal with its remainder.
func unitRatio(x float64) (z dd, xSmaller bool) {
	ph, pl := twoProd(x, x)
	dh, dl := twoSum(1, -ph)
	dl -= pl
	s := math.Sqrt(dh + dl) // dl may be 2^-28 of dh near x = 1
	qh, ql := twoProd(s, s)
	// Near x = 1, dh - qh and its sum with dl cancel exactly (Sterbenz).
	e := ((dh - qh + dl) - ql) / (dh + dl)
	if ph <= 0.5 { // x <= w
		inv := 1 / s
		q := x * inv
		rem := math.FMA(-q, s, x)
		hi, lo := quickTwoSum(q, rem*inv-q*e/2)
		return dd{hi, lo}, true
	}
	inv := 1 / x
	q := s * inv
	rem := math.FMA(-q, x, s)
	hi, lo := quickTwoSum(q, rem*inv+q*e/2)
	return dd{hi, lo}, false
}
