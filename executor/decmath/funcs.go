package decmath

import (
	"math"
	"math/big"

	"github.com/meshql/meshql/sqltypes"
)

// estimateLnDweight is PostgreSQL's estimate of the decimal weight of
// ln(x): exact for x between 0.9 and 1.1 (the weight of x-1, since
// ln(1+d) ≈ d), otherwise from the first two base-10000 digits in
// double precision. 0 for x ≤ 0 (the callers reject those).
func estimateLnDweight(x Dec) int {
	if x.sign() <= 0 {
		return 0
	}
	if cmpFrac(x, 9, 10) >= 0 && cmpFrac(x, 11, 10) <= 0 {
		d := new(big.Int).Sub(x.Mant, pow10(int(x.Scale)))
		if d.Sign() == 0 {
			return 0
		}
		return digitCount(d) - 1 - int(x.Scale)
	}
	ds, w := nbase(x)
	digits, dweight := float64(ds[0]), w*decDigits
	if len(ds) > 1 {
		digits = digits*10000 + float64(ds[1])
		dweight -= decDigits
	}
	ln := math.Log(digits) + float64(dweight)*2.302585092994046
	return int(math.Log10(math.Abs(ln)))
}

// lnAt returns ln(x), x > 0, rounded at scale.
func lnAt(x Dec, scale int32) Dec {
	abs := digitBits(int(scale) + guardDigits)
	return decimal(lnFloat(bigFloat(x, abs+64), abs), scale)
}

// Ln is numeric ln(x): 2201E for x ≤ 0; at least 16 significant digits
// and not less than x's scale.
func Ln(x Dec) (Dec, error) {
	rscale := clampScale(max(minSigDigits-estimateLnDweight(x), int(x.Scale)))
	if err := checkLogArg(x); err != nil {
		return Dec{}, err
	}
	return lnAt(x, rscale), nil
}

// Log is numeric log(b, x), the logarithm of x to base b: 2201E for
// b ≤ 0 or x ≤ 0, 22012 for b = 1.
func Log(b, x Dec) (Dec, error) {
	lnB, lnX := estimateLnDweight(b), estimateLnDweight(x)
	rdw := lnX - lnB
	rscale := clampScale(max(minSigDigits-rdw, int(b.Scale), int(x.Scale)))
	if err := checkLogArg(b); err != nil {
		return Dec{}, err
	}
	if err := checkLogArg(x); err != nil {
		return Dec{}, err
	}
	// Both logarithms to the absolute precision that gives the quotient
	// rscale places (PostgreSQL's ln_base_rscale and ln_num_rscale).
	bAbs := digitBits(int(rscale) + rdw - lnB + guardDigits + 8)
	xAbs := digitBits(int(rscale) - lnB + guardDigits + 8)
	lb := lnFloat(bigFloat(b, bAbs+64), bAbs)
	lx := lnFloat(bigFloat(x, xAbs+64), xAbs)
	if b.Mant.Cmp(pow10(int(b.Scale))) == 0 {
		return Dec{}, errDivByZero() // ln(1) is the divisor
	}
	prec := max(bAbs, xAbs) + 64
	q := new(big.Float).SetPrec(prec).Quo(lx.SetPrec(prec), lb)
	return decimal(q, rscale), nil
}

// Log10 is numeric log(x) and log10(x): log(10, x).
func Log10(x Dec) (Dec, error) { return Log(FromInt64(10), x) }

// Exp is numeric exp(x): at least 16 significant digits and not less
// than x's scale; 22003 when x ≥ 6000, 0 when x ≤ -6000.
func Exp(x Dec) (Dec, error) {
	w := min(max(x.float()*0.434294481903252, -maxResultScale), maxResultScale)
	rscale := clampScale(max(minSigDigits-int(w), int(x.Scale)))
	return expAt(x, rscale)
}

// expAt is PostgreSQL's exp_var: e^x rounded at scale.
func expAt(x Dec, scale int32) (Dec, error) {
	val := x.float()
	if math.Abs(val) >= maxResultScale*3 {
		if val > 0 {
			return Dec{}, errOverflow()
		}
		return zero(scale), nil
	}
	dweight := int(val * 0.434294481903252)
	rel := digitBits(max(1+dweight+int(scale), 0) + guardDigits)
	return decimal(expFloat(bigFloat(x, rel+64), rel), scale), nil
}

// Sqrt is numeric sqrt(x): 2201F for x < 0; at least 16 significant
// digits (counting from the result's base-10000 weight) and not less
// than x's scale. Computed exactly: the integer square root with one
// more digit, then rounded.
func Sqrt(x Dec) (Dec, error) {
	if x.sign() < 0 {
		return Dec{}, sqltypes.New("2201F", "cannot take square root of a negative number")
	}
	_, w := nbase(x)
	rscale := clampScale(max(minSigDigits-(w*decDigits/2+1), int(x.Scale)))
	// sqrt(m × 10^-s) × 10^(r+1) = sqrt(m × 10^(2r+2-s)); r ≥ s.
	n := new(big.Int).Mul(x.Mant, pow10(int(2*rscale+2-x.Scale)))
	n.Sqrt(n)
	return Dec{Mant: quoRound(n, big.NewInt(10)), Scale: rscale}, nil
}

// Power is numeric power(b, e) (the ^ operator): exact-then-rounded for
// integer exponents (PostgreSQL's power_var_int), e^(e·ln b) otherwise;
// 2201F for 0 to a negative power and a negative number to a
// non-integer one.
func Power(b, e Dec) (Dec, error) {
	if b.sign() == 0 && e.sign() < 0 {
		return Dec{}, sqltypes.New("2201F", "zero raised to a negative power is undefined")
	}
	integral := e.isInt()
	if integral {
		if n := e.intPart(); n.IsInt64() && n.Int64() >= math.MinInt32 && n.Int64() <= math.MaxInt32 {
			return powerInt(b, n.Int64())
		}
	}
	if b.sign() == 0 {
		return zero(minSigDigits), nil
	}
	neg := false
	if b.sign() < 0 {
		if !integral {
			return Dec{}, sqltypes.New("2201F", "a negative number raised to a non-integer power yields a complex result")
		}
		neg = e.intPart().Bit(0) == 1
		b = Dec{Mant: new(big.Int).Neg(b.Mant), Scale: b.Scale}
	}
	// The result scale comes from a low-precision e·ln(b), as in
	// PostgreSQL's power_var (ln b at about 8 significant digits).
	lnDw := estimateLnDweight(b)
	local := clampLocal(8 - lnDw)
	approx := Round(mul(lnAt(b, local), e), local).float()
	if math.Abs(approx) > maxResultScale*3.01 {
		if approx > 0 {
			return Dec{}, errOverflow()
		}
		return zero(maxDisplayScale), nil
	}
	val := approx * 0.434294481903252
	rscale := clampScale(max(minSigDigits-int(val), int(b.Scale), int(e.Scale)))
	sig := max(int(rscale)+int(val), 0)
	// e·ln(b) to the absolute precision of the result's relative one.
	abs := digitBits(sig+guardDigits+8) + uint(digitCount(e.intPart()))*4
	y := lnFloat(bigFloat(b, abs+64), abs)
	y.SetPrec(abs+64+uint(digitCount(e.Mant))*4).Mul(y, bigFloat(e, y.Prec()))
	yf, _ := y.Float64()
	if math.Abs(yf) >= maxResultScale*3 {
		if yf > 0 {
			return Dec{}, errOverflow()
		}
		return zero(rscale), nil
	}
	r := decimal(expFloat(y, digitBits(sig+guardDigits+1)), rscale)
	if neg {
		r.Mant.Neg(r.Mant)
	}
	return r, nil
}

// clampLocal bounds an internal scale below (PostgreSQL lets those pass
// the display limit).
func clampLocal(r int) int32 { return int32(max(r, 0)) }

// exactPowDigits bounds the size of base^n computed exactly; beyond it
// the power is a big.Float product with guard bits.
const exactPowDigits = 4000

// powerInt is PostgreSQL 15's power_var_int: b^n for an integer n,
// rounded at 16 places or b's scale if larger (whatever the weight of
// the result: 0.5^100 is 0.0000000000000000).
func powerInt(b Dec, n int64) (Dec, error) {
	rscale := clampScale(max(minSigDigits, int(b.Scale)))
	switch n {
	case 0:
		return Dec{Mant: pow10(int(rscale)), Scale: rscale}, nil // 0^0 is 1
	case 1:
		return Round(b, rscale), nil
	case 2:
		return Round(mul(b, b), rscale), nil
	}
	if b.sign() == 0 {
		if n < 0 {
			return Dec{}, errDivByZero()
		}
		return zero(rscale), nil
	}
	// f: the approximate decimal weight of the result, from b's first
	// base-10000 digits.
	ds, w := nbase(b)
	f := float64(ds[0])
	p := w * decDigits
	for i := 1; i < len(ds) && i*decDigits < 16; i++ {
		f = f*10000 + float64(ds[i])
		p -= decDigits
	}
	f = float64(n) * (math.Log10(f) + float64(p))
	if f > 3*maxWeight*decDigits {
		return Dec{}, errOverflow()
	}
	if f+1 < -float64(rscale) || f+1 < -maxDisplayScale {
		return zero(rscale), nil
	}
	un := uint64(n)
	if n < 0 {
		un = uint64(-n)
	}
	negRes := b.sign() < 0 && un&1 == 1
	m := new(big.Int).Abs(b.Mant)
	var r Dec
	if uint64(digitCount(m))*un <= exactPowDigits {
		p := new(big.Int).Exp(m, new(big.Int).SetUint64(un), nil)
		s := int(b.Scale) * int(un)
		if n > 0 {
			r = Round(Dec{Mant: p, Scale: int32(s)}, rscale)
		} else {
			// 1 / (p × 10^-s) at rscale places.
			r = Dec{Mant: quoRound(pow10(s+int(rscale)), p), Scale: rscale}
		}
	} else {
		rel := digitBits(max(int(rscale)+int(f)+1, 1) + guardDigits)
		v := powFloat(bigFloat(Dec{Mant: m, Scale: b.Scale}, rel+64), un, rel)
		if n < 0 {
			v.Quo(new(big.Float).SetPrec(v.Prec()).SetInt64(1), v)
		}
		r = decimal(v, rscale)
	}
	if negRes {
		r.Mant.Neg(r.Mant)
	}
	return r, nil
}
