package libm

import (
	"math"
	"math/big"
)

// reduce returns r and q with x = r + q*pi/2 (mod 2pi), |r| <= about
// pi/4, r in double-double. Below 2^19*pi/2 pi/2 comes in four pieces
// (the first three of 33 bits, so k times them is exact); above that the
// reduction is done in big.Float against 1300 bits of pi.
func reduce(x float64) (dd, int) {
	if math.Abs(x) <= math.Pi/4 {
		return ddOf(x), 0
	}
	if math.Abs(x) < 0x1p19*math.Pi/2 {
		k := math.RoundToEven(x / halfPiDD.hi)
		s, e := twoSum(x, -k*halfPiBits[0])
		r := dd{s, e}.sub(ddOf(k * halfPiBits[1])).sub(ddOf(k * halfPiBits[2]))
		p, pe := twoProd(k, halfPiBits[3])
		r = r.sub(dd{p, pe})
		return r, int(int64(k) & 3)
	}
	bx := new(big.Float).SetPrec(bigPrec).SetFloat64(x)
	half := new(big.Float).SetPrec(bigPrec).Quo(bigPi(), big.NewFloat(2))
	kf := new(big.Float).SetPrec(bigPrec).Quo(bx, half)
	kf.Add(kf, big.NewFloat(0.5))
	ki, _ := kf.Int(nil) // truncates toward zero: floor for x > 0
	if x < 0 && kf.Sign() < 0 {
		if f := new(big.Float).SetPrec(bigPrec).SetInt(ki); f.Cmp(kf) != 0 {
			ki.Sub(ki, big.NewInt(1))
		}
	}
	r := new(big.Float).SetPrec(bigPrec).SetInt(ki)
	r.Mul(r, half)
	r.Sub(bx, r)
	q := new(big.Int).And(ki, big.NewInt(3))
	return ddOfBig(r), int(q.Int64())
}

// sinCosDD returns sin r and cos r for |r| <= about pi/4 from their
// Taylor series (15 terms: the last below 2^-106 of the sum).
func sinCosDD(r dd) (dd, dd) {
	r2 := r.mul(r)
	s := invFact[29]
	c := invFact[28]
	for n := 13; n >= 0; n-- {
		s = s.mul(r2).neg().add(invFact[2*n+1])
		c = c.mul(r2).neg().add(invFact[2*n])
	}
	return s.mul(r), c
}

// sinCos returns sin x and cos x in double-double.
func sinCos(x float64) (dd, dd) {
	r, q := reduce(x)
	s, c := sinCosDD(r)
	return quadrant(s, c, q)
}

// oddSpecial is sin's and tan's value at NaN, ±Inf and ±0 (NaN, NaN, x);
// ok is false for other x.
func oddSpecial(x float64) (v float64, ok bool) {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return math.NaN(), true
	case x == 0:
		return x, true
	}
	return 0, false
}

// Sin is sin x correctly rounded.
func Sin(x float64) float64 {
	if v, ok := oddSpecial(x); ok {
		return v
	}
	return sinCosWithBound(x, false, sinCosFastErr)
}

// Cos is cos x correctly rounded.
func Cos(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN()
	}
	return sinCosWithBound(x, true, sinCosFastErr)
}

// Tan is tan x correctly rounded.
func Tan(x float64) float64 {
	if v, ok := oddSpecial(x); ok {
		return v
	}
	return tanWithBound(x, sinCosFastErr)
}

// refineAngle corrects an angle t0 within a few ulps of the angle of the
// point (x, y) (y and x double-doubles of similar magnitude): it adds
// atan(tan(t - t0)) = (y cos t0 - x sin t0) / (x cos t0 + y sin t0),
// which is tiny, so its own first term is enough. It is the slow path
// of the inverse functions, for the inputs angleFast leaves.
func refineAngle(t0 float64, y, x dd) float64 {
	s, c := sinCos(t0)
	num := y.mul(c).sub(x.mul(s))
	den := x.mul(c).add(y.mul(s))
	return ddOf(t0).add(ddOf(num.hi / den.hi)).round()
}

// Atan is atan x correctly rounded.
func Atan(x float64) float64 { return atanWithBound(x, atanFastErr) }

// atanWithBound is Atan with the fast path's bound a parameter (see
// expWithBound); so are the other inverse functions below.
func atanWithBound(x, bound float64) float64 {
	switch {
	case math.IsNaN(x) || x == 0:
		return x
	case math.IsInf(x, 0):
		return math.Copysign(halfPiDD.hi, x)
	case math.Abs(x) > 0x1p100:
		// atan x = ±pi/2 - 1/x: within half an ulp of ±pi/2.
		return math.Copysign(halfPiDD.hi, x)
	}
	if z := math.Abs(x); z > minSafe {
		var v dd
		if z <= 1 {
			v = atanFast01(ddOf(z))
		} else {
			v = halfPiDD.sub(atanFast01(quickDiv(ddOf(1), ddOf(z))))
		}
		if roundsSafely(v, bound) {
			return math.Copysign(v.hi+v.lo, x)
		}
	}
	return refineAngle(math.Atan(x), ddOf(x), ddOf(1))
}

// Atan2 is atan2(y, x) correctly rounded, with C99's special cases.
func Atan2(y, x float64) float64 { return atan2WithBound(y, x, atanFastErr) }

func atan2WithBound(y, x, bound float64) float64 {
	if math.IsNaN(x) || math.IsNaN(y) || x == 0 || y == 0 || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return math.Atan2(y, x)
	}
	ey, ex := math.Ilogb(y), math.Ilogb(x)
	if ey-ex > 1000 || ex-ey > 1000 {
		// The quotient alone decides (or the angle is ±pi/2, 0 or ±pi
		// rounded), and scaling the smaller one would lose its bits.
		return math.Atan2(y, x)
	}
	e := max(ey, ex)
	ys, xs := math.Ldexp(y, -e), math.Ldexp(x, -e)
	a := angleFast(ddOf(math.Abs(ys)), ddOf(math.Abs(xs)))
	if x < 0 {
		a = piDD.sub(a)
	}
	if math.Abs(a.hi) > minSafe && roundsSafely(a, bound) {
		return math.Copysign(a.hi+a.lo, y)
	}
	return refineAngle(math.Atan2(y, x), ddOf(ys), ddOf(xs))
}

// oneMinusSquare is sqrt(1 - x^2) in double-double.
func oneMinusSquare(x float64) dd {
	p, pe := twoProd(x, x)
	return ddOf(1).sub(dd{p, pe}).sqrt()
}

// Asin is asin x correctly rounded.
func Asin(x float64) float64 { return asinWithBound(x, atanFastErr) }

func asinWithBound(x, bound float64) float64 {
	switch {
	case math.IsNaN(x) || x == 0:
		return x
	case x > 1 || x < -1:
		return math.NaN()
	case x == 1 || x == -1:
		return math.Copysign(halfPiDD.hi, x)
	}
	if ax := math.Abs(x); ax > minSafe {
		z, xSmaller := unitRatio(ax)
		a := atanFast01(z)
		if !xSmaller {
			a = halfPiDD.sub(a)
		}
		if roundsSafely(a, bound) {
			return math.Copysign(a.hi+a.lo, x)
		}
	}
	return refineAngle(math.Asin(x), ddOf(x), oneMinusSquare(x))
}

// Acos is acos x correctly rounded.
func Acos(x float64) float64 { return acosWithBound(x, atanFastErr) }

func acosWithBound(x, bound float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 1 || x < -1:
		return math.NaN()
	case x == 1:
		return 0
	case x == -1:
		return piDD.hi
	}
	if ax := math.Abs(x); ax > minSafe {
		z, xSmaller := unitRatio(ax)
		a := atanFast01(z)
		if xSmaller {
			a = halfPiDD.sub(a)
		}
		if x < 0 {
			a = piDD.sub(a)
		}
		if roundsSafely(a, bound) {
			return a.hi + a.lo
		}
	}
	return refineAngle(math.Acos(x), oneMinusSquare(x), ddOf(x))
}
