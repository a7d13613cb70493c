package decmath

import (
	"math/big"
	"testing"
)

func BenchmarkFuncs(b *testing.B) {
	x := New(big.NewInt(27153), 2)
	y := New(big.NewInt(27153), 5)
	half := New(big.NewInt(5), 1)
	for _, c := range []struct {
		name string
		f    func() (Dec, error)
	}{
		{"ln", func() (Dec, error) { return Ln(x) }},
		{"exp", func() (Dec, error) { return Exp(y) }},
		{"sqrt", func() (Dec, error) { return Sqrt(x) }},
		{"power_half", func() (Dec, error) { return Power(x, half) }},
		{"log10", func() (Dec, error) { return Log10(x) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if _, err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
