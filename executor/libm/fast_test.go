package libm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The fast paths are checked against the double-double paths, which
// TestMatchesGlibc checks against PostgreSQL: their error must stay
// within the bound the rounding test assumes, and the functions must give
// the bits the double-double path alone gives.

// sampleSize is how many random inputs each function gets, spread over
// its ranges.
const sampleSize = 100_000

// inputRange makes random arguments of one kind.
type inputRange struct {
	name string
	gen  func(r *rand.Rand) float64
}

func uniform(lo, hi float64) func(r *rand.Rand) float64 {
	return func(r *rand.Rand) float64 { return lo + (hi-lo)*r.Float64() }
}

// logUniform is ±2^e with e uniform in [lo, hi): small and large
// magnitudes alike.
func logUniform(lo, hi float64) func(r *rand.Rand) float64 {
	return func(r *rand.Rand) float64 {
		v := math.Exp2(lo + (hi-lo)*r.Float64())
		if r.IntN(2) == 0 {
			return -v
		}
		return v
	}
}

// anyBits is a uniformly random bit pattern: every exponent alike.
func anyBits(r *rand.Rand) float64 { return math.Float64frombits(r.Uint64()) }

func positive(g func(r *rand.Rand) float64) func(r *rand.Rand) float64 {
	return func(r *rand.Rand) float64 { return math.Abs(g(r)) }
}

func nearOne(r *rand.Rand) float64 { return 1 + logUniform(-60, -3)(r) }

var expRanges = []inputRange{
	{"typical", uniform(-20, 20)},
	{"full", uniform(-745, 710)},
	{"subnormal results", uniform(-745, -706)},
	{"overflow edge", uniform(708, 710)},
	{"near 0", logUniform(-70, 0)},
}

var logRanges = []inputRange{
	{"typical", uniform(0, 1000)},
	{"any double", positive(anyBits)},
	{"subnormal", uniform(0, 0x1p-1022)},
	{"near 1", nearOne},
	{"huge", uniform(1e300, math.MaxFloat64)},
}

func finite(g func(r *rand.Rand) float64) func(r *rand.Rand) float64 {
	return func(r *rand.Rand) float64 {
		for {
			if x := g(r); !math.IsInf(x, 0) && !math.IsNaN(x) {
				return x
			}
		}
	}
}

// nearHalfPi is close to a multiple of pi/2, where the reduced angle is
// small.
func nearHalfPi(r *rand.Rand) float64 {
	return float64(r.IntN(2000)-1000)*math.Pi/2 + logUniform(-50, -10)(r)
}

var trigRanges = []inputRange{
	{"typical", uniform(-10, 10)},
	{"within pi/4", uniform(-math.Pi/4, math.Pi/4)},
	{"near 0", logUniform(-60, 0)},
	{"near multiples of pi/2", nearHalfPi},
	{"large", logUniform(4, 25)},
	{"any double", finite(anyBits)},
}

var atanRanges = []inputRange{
	{"typical", uniform(-10, 10)},
	{"near 0", logUniform(-60, 0)},
	{"large", logUniform(0, 110)},
	{"any double", finite(anyBits)},
}

// nearUnit is within [-1, 1], often near its ends or 0.
var unitRanges = []inputRange{
	{"uniform", uniform(-1, 1)},
	{"near ±1", func(r *rand.Rand) float64 {
		return math.Copysign(1-math.Abs(logUniform(-53, -1)(r)), uniform(-1, 1)(r))
	}},
	{"near 0", logUniform(-60, -1)},
}

// powRange makes random pairs of arguments of one kind.
type powRange struct {
	name string
	gen  func(r *rand.Rand) (x, y float64)
}

var powRanges = []powRange{
	{"typical", func(r *rand.Rand) (float64, float64) { return uniform(0, 100)(r), uniform(-10, 10)(r) }},
	{"any base", func(r *rand.Rand) (float64, float64) { return positive(anyBits)(r), uniform(-1, 1)(r) }},
	{"near 1, large exponent", func(r *rand.Rand) (float64, float64) { return nearOne(r), logUniform(0, 70)(r) }},
	{"underflow and overflow edges", func(r *rand.Rand) (float64, float64) {
		x := uniform(1.5, 1e6)(r)
		t := uniform(-745, -700)(r)
		if r.IntN(2) == 0 {
			t = uniform(705, 710)(r)
		}
		return x, t / math.Log(x)
	}},
	{"integer exponents", func(r *rand.Rand) (float64, float64) {
		return uniform(-50, 50)(r), float64(r.IntN(41) - 20)
	}},
	{"exact halfway squares", func(r *rand.Rand) (float64, float64) {
		return float64(1<<26 + 2*r.IntN(1<<25) + 1), 2 // odd, 54 bits when squared
	}},
}

// relErr is |a/b - 1| for double-doubles a*2^ea and b*2^eb.
func relErr(a dd, ea int, b dd, eb int) float64 {
	d := a.ldexp(ea - eb).sub(b)
	return math.Abs(d.hi / b.hi)
}

// TestFastErrorBounds measures the fast paths' error against the
// double-double ones: it must stay below the bound the rounding test
// assumes, with room to spare (a quarter), or the bound is wrong.
func TestFastErrorBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 19))
	worst := 0.0
	for _, rg := range expRanges {
		for n := 0; n < sampleSize/len(expRanges); n++ {
			x := rg.gen(r)
			if x < -707 || x > 709 {
				continue
			}
			m, e := expFast(x, 0)
			want, k := expCore(ddOf(x))
			worst = max(worst, relErr(m, e, want, k))
		}
	}
	t.Logf("exp: worst error 2^%.1f, bound 2^%.0f", math.Log2(worst), math.Log2(expFastErr))
	if worst > expFastErr/4 {
		t.Errorf("exp: fast path error 2^%.1f is too close to its bound 2^%.0f", math.Log2(worst), math.Log2(expFastErr))
	}
	worst = 0
	for _, rg := range logRanges {
		for n := 0; n < sampleSize/len(logRanges); n++ {
			x := rg.gen(r)
			if x < 0x1p-1022 || x == 1 || math.IsInf(x, 0) || math.IsNaN(x) {
				continue
			}
			worst = max(worst, relErr(logFast(x), 0, logDD(x), 0))
		}
	}
	t.Logf("ln: worst error 2^%.1f, bound 2^%.0f", math.Log2(worst), math.Log2(logFastErr))
	if worst > logFastErr/4 {
		t.Errorf("ln: fast path error 2^%.1f is too close to its bound 2^%.0f", math.Log2(worst), math.Log2(logFastErr))
	}
	worst = 0
	for _, rg := range trigRanges {
		for n := 0; n < sampleSize/len(trigRanges); n++ {
			x := rg.gen(r)
			if math.Abs(x) >= 0x1p19*math.Pi/2 {
				continue
			}
			fast, q1 := reduceFast(x)
			want, q2 := reduce(x)
			if q1 != q2 {
				t.Fatalf("reduceFast(%v) is in quadrant %d, reduce's %d", x, q1, q2)
			}
			worst = max(worst, math.Abs(fast.sub(want).hi))
		}
	}
	t.Logf("reduction: worst absolute error 2^%.1f, bound 2^%.0f", math.Log2(worst), math.Log2(reduceFastErr))
	if worst > reduceFastErr/4 {
		t.Errorf("reduceFast: error 2^%.1f is too close to its bound 2^%.0f", math.Log2(worst), math.Log2(reduceFastErr))
	}
	worstSin, worstCos := 0.0, 0.0
	for _, rg := range trigRanges {
		for n := 0; n < sampleSize/len(trigRanges); n++ {
			x := rg.gen(r)
			rd, _ := reduce(x)
			if math.Abs(rd.hi) <= minSafe {
				continue
			}
			s, c := sinCosFast(rd)
			ws, wc := sinCosDD(rd)
			worstSin = max(worstSin, relErr(s, 0, ws, 0))
			worstCos = max(worstCos, relErr(c, 0, wc, 0))
		}
	}
	t.Logf("sin, cos: worst errors 2^%.1f, 2^%.1f, bound 2^%.0f", math.Log2(worstSin), math.Log2(worstCos), math.Log2(sinCosFastErr))
	if max(worstSin, worstCos) > sinCosFastErr/4 {
		t.Errorf("sin, cos: fast path errors 2^%.1f, 2^%.1f are too close to their bound 2^%.0f", math.Log2(worstSin), math.Log2(worstCos), math.Log2(sinCosFastErr))
	}
	worst = 0
	for _, g := range []func(r *rand.Rand) float64{uniform(0, 1), positive(logUniform(-60, 0))} {
		for n := 0; n < sampleSize/2; n++ {
			z := g(r)
			if z <= minSafe {
				continue
			}
			worst = max(worst, relErr(atanFast01(ddOf(z)), 0, atanDD(z), 0))
		}
	}
	t.Logf("atan: worst error 2^%.1f, bound 2^%.0f", math.Log2(worst), math.Log2(atanFastErr))
	if worst > atanFastErr/4 {
		t.Errorf("atan: fast path error 2^%.1f is too close to its bound 2^%.0f", math.Log2(worst), math.Log2(atanFastErr))
	}
	worst = 0 // asin's and acos's ratio x/sqrt(1-x^2) or its inverse
	for _, rg := range unitRanges {
		for n := 0; n < sampleSize/len(unitRanges); n++ {
			x := math.Abs(rg.gen(r))
			if x <= minSafe || x >= 1 {
				continue
			}
			z, xSmaller := unitRatio(x)
			want := ddOf(x).div(oneMinusSquare(x))
			if !xSmaller {
				want = oneMinusSquare(x).div(ddOf(x))
			}
			worst = max(worst, relErr(z, 0, want, 0))
		}
	}
	t.Logf("asin, acos ratio: worst error 2^%.1f", math.Log2(worst))
	if worst > 0x1p-95 {
		t.Errorf("unitRatio: error 2^%.1f, want below 2^-95", math.Log2(worst))
	}
	worst = 0 // relative to powFastErr (1 + |y ln x|)
	for _, rg := range powRanges {
		for n := 0; n < sampleSize/len(powRanges); n++ {
			x, y := rg.gen(r)
			x = math.Abs(x)
			if x < 0x1p-1022 || x == 1 || math.IsInf(x, 0) || math.IsNaN(x) {
				continue
			}
			l := logFast(x)
			p, pe := twoProd(l.hi, y)
			th, tl := quickTwoSum(p, pe+l.lo*y)
			if th < -707 || th > 709 {
				continue
			}
			m, e := expFast(th, tl)
			ls := logDD(x)
			ps, pse := twoProd(ls.hi, y)
			want, k := expCore(dd{ps, pse + ls.lo*y})
			worst = max(worst, relErr(m, e, want, k)/(1+math.Abs(th)))
		}
	}
	t.Logf("pow: worst error 2^%.1f (1 + |y ln x|), bound 2^%.0f", math.Log2(worst), math.Log2(powFastErr))
	if worst > powFastErr/4 {
		t.Errorf("pow: fast path error 2^%.1f (1 + |y ln x|) is too close to its bound 2^%.0f", math.Log2(worst), math.Log2(powFastErr))
	}
}

// atanDD is atan z for 0 <= z <= 1 in double-double: Newton's method on
// sinCosDD from math.Atan, as atanTable is made.
func atanDD(z float64) dd {
	a := ddOf(math.Atan(z))
	for range 3 {
		s, c := sinCosDD(a)
		a = a.add(c.mulF(z).sub(s).div(c.add(s.mulF(z))))
	}
	return a
}

// TestAtanTable checks atan's table against big.Float: tan of each entry
// is j/64 to within 2^-100.
func TestAtanTable(t *testing.T) {
	for j, a := range atanTable {
		b := new(big.Float).SetPrec(400).SetFloat64(a.hi)
		b.Add(b, big.NewFloat(a.lo))
		s, c := bigSinCos(b)
		d := s.Quo(s, c)
		d.Sub(d, new(big.Float).SetFloat64(float64(j)/sinCosStep))
		if f, _ := d.Float64(); math.Abs(f) > 0x1p-100 {
			t.Errorf("tan(atanTable[%d]) is off j/64 by %g", j, f)
		}
	}
}

// checkAgainstSlow compares f with its fast path (the bound the package
// uses) and without (an infinite bound: the double-double path for every
// input) on every range.
func checkAgainstSlow(t *testing.T, name string, ranges []inputRange, f func(x, bound float64) float64, bound float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(2, 19))
	for _, rg := range ranges {
		// Some 10^5 inputs per function: the slow path is slow.
		for n := 0; n < sampleSize/len(ranges); n++ {
			x := rg.gen(r)
			got, want := f(x, bound), f(x, math.Inf(1))
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%s(%v) [%s] = %v with the fast path, %v without", name, x, rg.name, got, want)
			}
		}
	}
}

func TestFastMatchesSlow(t *testing.T) {
	checkAgainstSlow(t, "exp", expRanges, expWithBound, expFastErr)
	checkAgainstSlow(t, "ln", logRanges, logWithBound, logFastErr)
	checkAgainstSlow(t, "sin", trigRanges, func(x, bound float64) float64 { return sinCosWithBound(x, false, bound) }, sinCosFastErr)
	checkAgainstSlow(t, "cos", trigRanges, func(x, bound float64) float64 { return sinCosWithBound(x, true, bound) }, sinCosFastErr)
	checkAgainstSlow(t, "tan", trigRanges, tanWithBound, sinCosFastErr)
	checkAgainstSlow(t, "atan", atanRanges, atanWithBound, atanFastErr)
	checkAgainstSlow(t, "asin", unitRanges, asinWithBound, atanFastErr)
	checkAgainstSlow(t, "acos", unitRanges, acosWithBound, atanFastErr)
	checkAgainstSlow(t, "atan2", atanRanges, func(x, bound float64) float64 {
		// The point (cos θ, sin θ) scaled by x, θ from x's bits.
		th := math.Mod(x, 2*math.Pi)
		return atan2WithBound(x*math.Sin(th), x*math.Cos(th), bound)
	}, atanFastErr)
	r := rand.New(rand.NewPCG(4, 19))
	for _, rg := range powRanges {
		for n := 0; n < sampleSize/len(powRanges); n++ {
			x, y := rg.gen(r)
			got, want := powWithBound(x, y, powFastErr), powWithBound(x, y, math.Inf(1))
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("pow(%v, %v) [%s] = %v with the fast path, %v without", x, y, rg.name, got, want)
			}
		}
	}
}

// TestFallback checks inputs whose fast result lies near a rounding
// boundary: with a loose bound (2^-54, still above the fast paths' real
// error) about half of all inputs count as near one, take the
// double-double path, and must come out as it alone gives them.
func TestFallback(t *testing.T) {
	const loose = 0x1p-54
	r := rand.New(rand.NewPCG(3, 19))
	near := 0
	for n := 0; n < 10_000; n++ {
		x := uniform(-700, 700)(r)
		if m, _ := expFast(x, 0); !roundsSafely(m, loose) {
			near++
		}
	}
	if near < 2000 {
		t.Errorf("only %d of 10000 exp results near a rounding boundary at 2^-54", near)
	}
	for _, c := range []struct {
		name   string
		f      func(x, bound float64) float64
		lo, hi float64
	}{
		{"exp", expWithBound, -700, 700},
		{"ln", logWithBound, 0, 1e6},
		{"pow(x, 2.5)", func(x, bound float64) float64 { return powWithBound(x, 2.5, bound) }, 0, 1e6},
		{"sin", func(x, bound float64) float64 { return sinCosWithBound(x, false, bound) }, -100, 100},
		{"cos", func(x, bound float64) float64 { return sinCosWithBound(x, true, bound) }, -100, 100},
		{"tan", tanWithBound, -100, 100},
		{"atan", atanWithBound, -100, 100},
		{"asin", asinWithBound, -1, 1},
		{"acos", acosWithBound, -1, 1},
	} {
		for n := 0; n < 2000; n++ {
			x := uniform(c.lo, c.hi)(r)
			if got, want := c.f(x, loose), c.f(x, math.Inf(1)); got != want {
				t.Fatalf("%s(%v) with bound 2^-54 = %v, want %v", c.name, x, got, want)
			}
		}
	}
}
