package libm

import (
	"math/big"
	"sync"
)

// The constants are derived from exact big.Float series when the package
// loads, not typed in as digits, so a wrong digit cannot hide in them.
// They are immutable after that.

// bigPrec is enough bits of pi for reducing the largest double
// (2^1024) modulo pi/2 with 150 bits to spare.
const bigPrec = 1300

var (
	// bigPi is pi to bigPrec bits, for reducing huge angles: computed the
	// first time one comes (3ms), not when the package loads.
	bigPi  = sync.OnceValue(func() *big.Float { return machinPi(bigPrec) })
	pi300  = machinPi(300)
	bigLn2 = seriesLn2(200)

	ln2Parts   = split3(bigLn2, 42)                                                  // k*ln2Parts[0] exact for |k| < 2^11
	halfPiBits = split4(new(big.Float).SetPrec(300).Quo(pi300, big.NewFloat(2)), 33) // k*part exact for k < 2^20
	ln2DD      = ddOfBig(bigLn2)
	halfPiDD   = ddOfBig(new(big.Float).SetPrec(300).Quo(pi300, big.NewFloat(2)))
	piDD       = ddOfBig(pi300)
	invLn10DD  = ddOfBig(new(big.Float).SetPrec(200).Quo(big.NewFloat(1).SetPrec(200), seriesLn10(200)))

	invFact = func() (t [32]dd) { // 1/n!
		f := new(big.Float).SetPrec(200).SetInt64(1)
		for n := range t {
			if n > 1 {
				f.Mul(f, big.NewFloat(float64(n)))
			}
			t[n] = ddOfBig(new(big.Float).SetPrec(200).Quo(big.NewFloat(1).SetPrec(200), f))
		}
		return t
	}()
	invOdd = func() (t [32]dd) { // 1/(2n+1)
		for n := range t {
			t[n] = ddOfBig(new(big.Float).SetPrec(200).Quo(big.NewFloat(1).SetPrec(200), big.NewFloat(float64(2*n+1))))
		}
		return t
	}()
)

// ddOfBig rounds f to a double-double.
func ddOfBig(f *big.Float) dd {
	hi, _ := f.Float64()
	r := new(big.Float).SetPrec(f.Prec()).Sub(f, big.NewFloat(hi))
	lo, _ := r.Float64()
	return dd{hi, lo}
}

// splitBits cuts f into doubles of at most bits significant bits each
// (the last one full), so that multiples of the leading parts by small
// integers are exact.
func splitBits(f *big.Float, bits uint, n int) []float64 {
	r := new(big.Float).SetPrec(f.Prec()).Set(f)
	out := make([]float64, n)
	for i := range out {
		p := new(big.Float).SetPrec(bits).SetMode(big.ToZero).Set(r)
		if i == n-1 {
			p.SetPrec(53).SetMode(big.ToNearestEven).Set(r)
		}
		out[i], _ = p.Float64()
		r.Sub(r, big.NewFloat(out[i]))
	}
	return out
}

func split3(f *big.Float, bits uint) [3]float64 {
	s := splitBits(f, bits, 3)
	return [3]float64{s[0], s[1], s[2]}
}

func split4(f *big.Float, bits uint) [4]float64 {
	s := splitBits(f, bits, 4)
	return [4]float64{s[0], s[1], s[2], s[3]}
}

// atanSeries is atan(1/n) (alternating) or atanh(1/n) from its Taylor
// series.
func atanSeries(n int64, prec uint, alternating bool) *big.Float {
	x := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1).SetPrec(prec), new(big.Float).SetInt64(n))
	x2 := new(big.Float).SetPrec(prec).Mul(x, x)
	sum := new(big.Float).SetPrec(prec).Set(x)
	term := new(big.Float).SetPrec(prec).Set(x)
	eps := new(big.Float).SetMantExp(big.NewFloat(1), -int(prec)-8)
	for k := int64(1); ; k++ {
		term.Mul(term, x2)
		t := new(big.Float).SetPrec(prec).Quo(term, new(big.Float).SetInt64(2*k+1))
		if alternating && k%2 == 1 {
			sum.Sub(sum, t)
		} else {
			sum.Add(sum, t)
		}
		if t.Cmp(eps) < 0 {
			return sum
		}
	}
}

// machinPi is 16 atan(1/5) - 4 atan(1/239).
func machinPi(prec uint) *big.Float {
	w := prec + 32
	a := atanSeries(5, w, true)
	b := atanSeries(239, w, true)
	a.Mul(a, big.NewFloat(16))
	b.Mul(b, big.NewFloat(4))
	return new(big.Float).SetPrec(prec).Sub(a, b)
}

// seriesAtanh2 is 2 atanh(1/n) = ln((n+1)/(n-1)).
func seriesAtanh2(n int64, prec uint) *big.Float {
	s := atanSeries(n, prec, false)
	return s.Mul(s, big.NewFloat(2))
}

// seriesLn2 is ln 2 = 2 atanh(1/3).
func seriesLn2(prec uint) *big.Float { return seriesAtanh2(3, prec+32).SetPrec(prec) }

// seriesLn10 is 3 ln 2 + ln(10/8) = 3 ln 2 + 2 atanh(1/9).
func seriesLn10(prec uint) *big.Float {
	l := seriesLn2(prec + 32)
	l.Mul(l, big.NewFloat(3))
	return l.Add(l, seriesAtanh2(9, prec+32)).SetPrec(prec)
}
