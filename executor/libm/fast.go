package libm

import (
	"math"
	"math/big"
)

// The fast paths (Ziv's strategy): exp and ln evaluated with a table and a
// short polynomial to about 2^-75 relative, in double arithmetic with the
// few steps that carry the leading bits kept exact (twoProd, twoSum). When
// the result's error bound cannot straddle a rounding boundary, that
// result is the correctly rounded one; otherwise (about one input in 10^5
// for exp and ln, one in 10^4 for pow on typical arguments) the caller
// falls back to the double-double evaluation.

// tableBits is log2 of the table size: x is reduced against
// multiples of ln2/256 for exp, and ln's mantissa by 2^(j/256).
const (
	tableBits = 8
	tableSize = 1 << tableBits
)

var (
	// exp2Table[j] is 2^(j/256) as a double-double.
	exp2Table = func() (t [tableSize]dd) {
		for j, v := range bigExp2Table(300) {
			t[j] = ddOfBig(v)
		}
		return t
	}()

	// ln2Over256 is ln2/256 in three parts of which the first two have 34
	// significant bits, so that K times them is exact for |K| < 2^19
	// (every K these reductions meet: 256*1075 < 2^19).
	ln2Over256 = split3(new(big.Float).SetMantExp(bigLn2, -tableBits), 34)

	// logTable is ln's reduction table, indexed by the top bits of the
	// mantissa (see logFast).
	logTable = buildLogTable()
)

// bigExp2Table is 2^(j/256) for j in [0, 256): the 256th root of 2 from
// eight square roots, then its powers, all to prec bits.
func bigExp2Table(prec uint) []*big.Float {
	w := prec + 20
	root := new(big.Float).SetPrec(w).SetInt64(2)
	for i := 0; i < tableBits; i++ {
		root.Sqrt(root)
	}
	out := make([]*big.Float, tableSize)
	p := new(big.Float).SetPrec(w).SetInt64(1)
	for j := range out {
		out[j] = new(big.Float).SetPrec(prec).Set(p)
		p.Mul(p, root)
	}
	return out
}

// logEntry is one bucket of ln's table: inv = 2^(-k/256) as a
// double-double, with k (as a float64) chosen so that inv is within
// about 2^-8.4 relative of 1/z for every z in the bucket.
type logEntry struct {
	inv dd
	k   float64
}

// logOffset is the bit pattern that ln's reduction splits at: mantissas z
// are taken in [0x1.6p-1, 0x1.6p0) = [0.6875, 1.375), so that ln z is
// small and x near 1 has no cancellation against e ln 2.
const logOffset = 0x3fe6000000000000

// logBucket is the table index and exponent e of x (positive, normal) and
// its mantissa z, with x = z * 2^e.
func logBucket(ix uint64) (i int, e int64, z float64) {
	tmp := ix - logOffset
	i = int(tmp>>(52-tableBits)) & (tableSize - 1)
	e = int64(tmp) >> 52
	z = math.Float64frombits(ix - tmp&(0xfff<<52))
	return
}

func buildLogTable() (t [tableSize]logEntry) {
	for i := range t {
		lo := math.Float64frombits(logOffset + uint64(i)<<(52-tableBits))
		hi := math.Float64frombits(logOffset + uint64(i+1)<<(52-tableBits))
		k := math.RoundToEven(tableSize * math.Log2((lo+hi)/2))
		if lo <= 1 && 1 <= hi {
			// The buckets either side of 1, [1-2^-9, 1) and [1, 1+2^-8),
			// take k = 0: z - 1 is exact, and ln x for x near 1 is that
			// small number's log1p alone.
			k = 0
		}
		// 2^(-k/256) = 2^((256-k)/256) / 2 for 0 < k < 256.
		switch {
		case k <= 0:
			t[i] = logEntry{exp2Table[int(-k)], k}
		default:
			e := exp2Table[tableSize-int(k)]
			t[i] = logEntry{dd{e.hi / 2, e.lo / 2}, k}
		}
	}
	return t
}

// expFast is e^(xh+xl) = m * 2^e, m = hi + lo (|lo| < ulp(hi)), to
// within expFastErr relative, for |xh| <= 709 (and |xl| <= ulp(xh)).
//
// x = K ln2/256 + r, K = 256e + j, |r| <= ln2/512 (about 2^-9.5), with r
// to about 2^-76 absolute (ln2/256 to 124 bits); then
// e^x = 2^e 2^(j/256) (1 + r + r^2/2 + r^3 W(r)), W Taylor's to r^6 (the
// next term is below 2^-78). T = 2^(j/256) times 1 + rh + rh^2/2 is
// summed exactly (twoProd, fast twoSum); the rest, below 2^-29, rounds at
// 2^-82. The error is below 2^-75 relative; expFastErr leaves a margin.
func expFast(xh, xl float64) (m dd, e int) {
	const shift = 0x1.8p52 // adding it rounds to an integer, for |v| < 2^51
	kd := xh*(tableSize/math.Ln2) + shift
	ki := int64(math.Float64bits(kd) - math.Float64bits(shift))
	kd -= shift
	s, se := twoSum(xh, -kd*ln2Over256[0])
	tail := se - kd*ln2Over256[1] - kd*ln2Over256[2] + xl
	rh, rl := twoSum(s, tail)

	t := exp2Table[ki&(tableSize-1)]
	r2h, r2l := twoProd(rh, rh)
	w := (1.0 / 6) + rh*((1.0/24)+rh*((1.0/120)+rh*(1.0/720)))
	rest := rl + rh*rl + r2l/2 + r2h*rh*w // r - rh - rh^2/2 and the cubic on
	ph, pl := twoProd(t.hi, rh)
	qh, ql := twoProd(t.hi, r2h/2)
	s1, e1 := quickTwoSum(t.hi, ph)
	s2, e2 := quickTwoSum(s1, qh)
	lo := e1 + e2 + pl + ql + t.hi*rest + t.lo*(1+rh+r2h/2)
	hi, lo := quickTwoSum(s2, lo)
	return dd{hi, lo}, int(ki >> tableBits)
}

// expFastErr bounds expFast's relative error with a margin (tests
// measure it against the double-double path: about 2^-78).
const expFastErr = 0x1p-72

// roundsSafely reports whether every value within bound (relative) of
// hi+lo rounds to the same double as hi+lo: then hi+lo rounded is the
// correctly rounded result whenever the exact value is within bound.
// hi+lo must be normalized (|lo| <= ulp(hi)) and normal. lo±e rounds at
// 2^-53 of itself, far inside the margin every bound here keeps.
func roundsSafely(v dd, bound float64) bool {
	e := bound * math.Abs(v.hi)
	return v.hi+(v.lo-e) == v.hi+(v.lo+e)
}

// roundsWithin is roundsSafely with an absolute bound.
func roundsWithin(v dd, bound float64) bool {
	return v.hi+(v.lo-bound) == v.hi+(v.lo+bound)
}

// pow2 is 2^e for -1022 <= e <= 1023.
func pow2(e int) float64 { return math.Float64frombits(uint64(e+1023) << 52) }

// expWithBound is Exp with the fast path's error bound a parameter:
// tests pass an infinite bound to force the double-double path.
func expWithBound(x, bound float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1) || x < -746:
		return 0
	case x > 710:
		return math.Inf(1)
	case x == 0:
		return 1
	}
	// Below -707 the result may be subnormal, where scaling would round
	// a second time; above 709 it may overflow: the slow path does both.
	if -707 <= x && x <= 709 {
		m, e := expFast(x, 0)
		if roundsSafely(m, bound) {
			return (m.hi + m.lo) * pow2(e)
		}
	}
	m, k := expCore(ddOf(x))
	return scaleRound(m, k)
}

// logFast is ln x (x positive, finite, normal) to within logFastErr
// relative, as a normalized double-double.
//
// x = 2^e z, z in [0.6875, 1.375); the table gives k and inv = 2^(-k/256)
// with r = z inv - 1 within 2^-8.4 (exact in double-double: twoProd),
// and ln x = (256e + k) ln2/256 + log1p(r), ln2/256 to 121 bits.
// log1p(r) = r - r^2/2 + r^3/3 - r^4 P(r): the first three terms summed
// in double-double (rh^2 exact), r^4 P in double, P Taylor's to r^10
// (the next term is below 2^-83 of the result). Near 1 (x in
// [1-2^-9, 1+2^-8)) e = k = 0 and r = x - 1 exactly, so the bound is
// relative there too; elsewhere |ln x| >= 2^-9. The analysis gives about
// 2^-76.
func logFast(x float64) dd {
	ix := math.Float64bits(x)
	i, e, z := logBucket(ix)
	c := logTable[i]
	ph, pl := twoProd(z, c.inv.hi)
	rh, rl := twoSum(ph-1, pl+z*c.inv.lo) // ph - 1 is exact: ph is within 2^-7 of 1

	qh, ql := twoProd(rh, -0.5*rh) // -rh^2/2, exactly
	h1, l1 := quickTwoSum(rh, qh)
	// r^3/3 in double-double too: it is up to 2^-17.6 of the result.
	r2h, r2l := -2*qh, -2*ql
	r3h, r3l := twoProd(r2h, rh)
	r3l += r2l * rh
	third := invOdd[1]
	c3h := r3h * third.hi
	c3l := math.FMA(r3h, third.hi, -c3h) + r3h*third.lo + r3l*third.hi
	h2, l2 := quickTwoSum(h1, c3h)
	// -1/4 + r/5 - ... - r^6/10 by Estrin's scheme, times r^4.
	p01 := -(1.0 / 4) + rh*(1.0/5)
	p23 := -(1.0 / 6) + rh*(1.0/7)
	p45 := -(1.0 / 8) + rh*(1.0/9)
	r4 := r2h * r2h
	p := p01 + r2h*p23 + r4*(p45-r2h*(1.0/10))
	tail := l1 + l2 + ql + c3l + rl*(1-rh+r2h) + r4*p

	kk := float64(e)*tableSize + c.k
	a := kk * ln2Over256[0] // exact
	s, se := twoSum(a, h2)
	lo := se + kk*ln2Over256[1] + kk*ln2Over256[2] + tail
	hi, lo := quickTwoSum(s, lo)
	return dd{hi, lo}
}

// logFastErr bounds logFast's relative error with a margin (tests
// measure it against the double-double path: about 2^-77).
const logFastErr = 0x1p-72

// logWithBound is Log with the fast path's bound a parameter (see
// expWithBound).
func logWithBound(x, bound float64) float64 {
	if v, ok := logSpecial(x); ok {
		return v
	}
	if x >= 0x1p-1022 {
		if v := logFast(x); roundsSafely(v, bound) {
			return v.hi + v.lo
		}
	}
	return logDD(x).round()
}
