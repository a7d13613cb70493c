package decmath

import (
	"math"
	"math/big"
	"math/bits"
)

// The series below work on big.Float; their precisions are sized from
// the digits the caller needs, so that the error stays far below the
// guard digits.

// bigFloat returns x with prec bits of mantissa.
func bigFloat(x Dec, prec uint) *big.Float {
	f := new(big.Float).SetPrec(prec).SetInt(x.Mant)
	if x.Scale > 0 {
		f.Quo(f, new(big.Float).SetPrec(prec).SetInt(pow10(int(x.Scale))))
	}
	return f
}

// lnFloat returns ln(x), x > 0, with an absolute error below 2^-abs:
// Halley's iteration y += 2(x - e^y)/(x + e^y) from the double
// precision logarithm. The error cubes at each step, so one or two
// evaluations of e^y do.
func lnFloat(x *big.Float, abs uint) *big.Float {
	m := new(big.Float)
	e := x.MantExp(m)
	mf, _ := m.Float64()
	prec := abs + 64
	y := new(big.Float).SetPrec(prec).SetFloat64(math.Log(mf) + float64(e)*math.Ln2)
	xp := new(big.Float).SetPrec(prec).Set(x)
	num := new(big.Float).SetPrec(prec)
	den := new(big.Float).SetPrec(prec)
	for range 64 {
		ey := expFloat(y, abs+16)
		num.Sub(xp, ey)
		if num.Sign() == 0 {
			break
		}
		den.Add(xp, ey)
		num.Quo(num, den)
		num.SetMantExp(num, 1)
		y.Add(y, num)
		// The next correction is about the cube of this one.
		if 3*num.MantExp(nil) < -int(abs)-8 {
			break
		}
	}
	return y
}

// expFloat returns e^x with a relative error below 2^-rel, for |x| below
// a few thousand: e^x = (e^(x/2^k))^(2^k), the Taylor series of the
// small x/2^k, then k squarings (each doubling the relative error, which
// the k extra bits pay for).
func expFloat(x *big.Float, rel uint) *big.Float {
	e := x.MantExp(nil)
	k := uint(8 + max(e, 0))
	prec := rel + 2*k + 32
	r := new(big.Float).SetPrec(prec).Set(x)
	r.SetMantExp(r, -int(k))
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	nf := new(big.Float)
	for n := int64(1); r.Sign() != 0; n++ {
		term.Mul(term, r)
		term.Quo(term, nf.SetInt64(n))
		if term.Sign() == 0 || term.MantExp(nil) < -int(prec)-8 {
			break
		}
		sum.Add(sum, term)
	}
	for range k {
		sum.Mul(sum, sum)
	}
	return sum
}

// powFloat returns x^n (n > 0) with a relative error below 2^-rel, by
// squaring.
func powFloat(x *big.Float, n uint64, rel uint) *big.Float {
	prec := rel + 2*uint(bits.Len64(n)) + 32
	base := new(big.Float).SetPrec(prec).Set(x)
	acc := new(big.Float).SetPrec(prec).SetInt64(1)
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			acc.Mul(acc, base)
		}
		if n > 1 {
			base.Mul(base, base)
		}
	}
	return acc
}

// decimal returns v rounded half away from zero at scale.
func decimal(v *big.Float, scale int32) Dec {
	prec := v.Prec() + 64
	t := new(big.Float).SetPrec(prec).SetInt(pow10(int(scale)))
	t.Mul(t, v)
	neg := t.Sign() < 0
	t.Abs(t)
	if e := t.MantExp(nil); e > 0 && uint(e)+8 > prec {
		t.SetPrec(uint(e) + 8)
	}
	t.Add(t, big.NewFloat(0.5))
	m, _ := t.Int(nil)
	if neg {
		m.Neg(m)
	}
	return Dec{Mant: m, Scale: scale}
}

// digitBits is the big.Float precision for d decimal digits.
func digitBits(d int) uint { return uint(float64(max(d, 1))*bitsPerDigit) + 16 }
