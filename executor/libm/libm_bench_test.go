package libm

import (
	"math"
	"testing"
)

var sink float64

// BenchmarkFuncs compares each function with math's (which is an ulp off
// now and then): the double-double evaluation costs some ten times more.
func BenchmarkFuncs(b *testing.B) {
	for _, c := range []struct {
		name      string
		ours, std func(float64) float64
	}{
		{"exp", Exp, math.Exp},
		{"log", Log, math.Log},
		{"log10", Log10, math.Log10},
		{"pow", func(x float64) float64 { return Pow(x, 2.5) }, func(x float64) float64 { return math.Pow(x, 2.5) }},
		{"sin", Sin, math.Sin},
		{"atan", Atan, math.Atan},
	} {
		for _, impl := range []string{"libm", "math"} {
			f := c.ours
			if impl == "math" {
				f = c.std
			}
			b.Run(c.name+"/impl="+impl, func(b *testing.B) {
				b.ReportAllocs()
				x := 0.75
				for i := 0; i < b.N; i++ {
					sink = f(x)
					x += 0.001
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
	}
}
