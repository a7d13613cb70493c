package libm

import (
	"math"
	"math/rand/v2"
	"testing"
)

var sink float64

// BenchmarkFuncs compares each function with math's (which is an ulp off
// now and then) on typical arguments, cycling through 1024 of them:
// impl=libm is the package's function, impl=math Go's, impl=slow the
// double-double path alone (an infinite fast-path bound), where there is
// a fast path.
func BenchmarkFuncs(b *testing.B) {
	inf := math.Inf(1)
	for _, c := range []struct {
		name      string
		lo, hi    float64
		ours, std func(float64) float64
		slow      func(float64) float64
	}{
		{"exp", -20, 20, Exp, math.Exp, func(x float64) float64 { return expWithBound(x, inf) }},
		{"log", 0, 1e5, Log, math.Log, func(x float64) float64 { return logWithBound(x, inf) }},
		{"log10", 0, 1e5, Log10, math.Log10, nil},
		{"pow", 0, 100, func(x float64) float64 { return Pow(x, 2.5) }, func(x float64) float64 { return math.Pow(x, 2.5) },
			func(x float64) float64 { return powWithBound(x, 2.5, inf) }},
		{"sin", -10, 10, Sin, math.Sin, func(x float64) float64 { return sinCosSlow(x, false) }},
		{"cos", -10, 10, Cos, math.Cos, nil},
		{"tan", -1.5, 1.5, Tan, math.Tan, nil},
		{"asin", -1, 1, Asin, math.Asin, nil},
		{"acos", -1, 1, Acos, math.Acos, nil},
		{"atan", -10, 10, Atan, math.Atan, func(x float64) float64 { return atanWithBound(x, inf) }},
		{"sinh", -5, 5, Sinh, math.Sinh, nil},
	} {
		r := rand.New(rand.NewPCG(5, 19))
		var xs [1024]float64
		for i := range xs {
			xs[i] = c.lo + (c.hi-c.lo)*r.Float64()
		}
		for _, impl := range []string{"libm", "math", "slow"} {
			f := map[string]func(float64) float64{"libm": c.ours, "math": c.std, "slow": c.slow}[impl]
			if f == nil {
				continue
			}
			b.Run(c.name+"/impl="+impl, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					sink = f(xs[i&1023])
				}
			})
		}
	}
}

// BenchmarkLoad is the cost of deriving the constants when the package
// loads.
func BenchmarkLoad(b *testing.B) {
	for i := 0; i < b.N; i++ {
		machinPi(300)
		seriesLn2(200)
		seriesLn10(200)
		bigExp2Table(300)
	}
}
