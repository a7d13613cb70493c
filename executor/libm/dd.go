package libm

import "math"

// dd is a double-double: the unevaluated sum hi+lo with |lo| <= ulp(hi)/2,
// about 106 bits of precision. Every operation below is exact or rounds
// once at about 2^-104 relative; math.FMA keeps products exact whatever
// the CPU. The Go spec lets a compiler fuse a*b+c (gc does on arm64,
// ppc64 and s390x, not on amd64): a fused step here only rounds less,
// which the bounds allow; code that must repeat the C library's
// roundings step by step (Log10, the hyperbolics) blocks fusion with
// explicit float64 conversions.
type dd struct{ hi, lo float64 }

// twoSum returns a+b as s+e with s = fl(a+b), exactly.
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return
}

// quickTwoSum is twoSum for |a| >= |b|.
func quickTwoSum(a, b float64) (s, e float64) {
	s = a + b
	e = b - (s - a)
	return
}

// twoProd returns a*b as p+e with p = fl(a*b), exactly.
func twoProd(a, b float64) (p, e float64) {
	p = a * b
	e = math.FMA(a, b, -p)
	return
}

func ddOf(x float64) dd { return dd{x, 0} }

func (a dd) add(b dd) dd {
	s, e := twoSum(a.hi, b.hi)
	t, f := twoSum(a.lo, b.lo)
	e += t
	s, e = quickTwoSum(s, e)
	e += f
	s, e = quickTwoSum(s, e)
	return dd{s, e}
}

func (a dd) neg() dd { return dd{-a.hi, -a.lo} }

func (a dd) sub(b dd) dd { return a.add(b.neg()) }

func (a dd) mul(b dd) dd {
	p, e := twoProd(a.hi, b.hi)
	e += a.hi*b.lo + a.lo*b.hi
	p, e = quickTwoSum(p, e)
	return dd{p, e}
}

func (a dd) mulF(b float64) dd {
	p, e := twoProd(a.hi, b)
	e += a.lo * b
	p, e = quickTwoSum(p, e)
	return dd{p, e}
}

func (a dd) div(b dd) dd {
	q1 := a.hi / b.hi
	r := a.sub(b.mulF(q1))
	q2 := r.hi / b.hi
	r = r.sub(b.mulF(q2))
	q3 := r.hi / b.hi
	q1, q2 = quickTwoSum(q1, q2)
	return dd{q1, q2}.add(ddOf(q3))
}

// ldexp scales by 2^k; exact unless the result leaves the normal range.
func (a dd) ldexp(k int) dd { return dd{math.Ldexp(a.hi, k), math.Ldexp(a.lo, k)} }

func (a dd) sqrt() dd {
	if a.hi <= 0 {
		return dd{}
	}
	s := math.Sqrt(a.hi)
	// One Newton step from the double root: s + (a - s*s) / (2s).
	p, e := twoProd(s, s)
	r := a.sub(dd{p, e})
	return ddOf(s).add(ddOf(r.hi / (2 * s)))
}

// round is the double nearest to hi+lo: hi itself, since hi+lo is kept
// normalized; only an exact tie (lo exactly half an ulp) can still go
// the other way, and ties are settled by the addition's own rounding.
func (a dd) round() float64 { return a.hi + a.lo }
