package expr

import (
	"math/big"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// NumericStatsValue is stddev[_samp|_pop] (sqrt) or a variance of a
// group as PostgreSQL's numeric_stddev_internal computes it: its unscaled
// value and scale, the select_div_scale of N*sum(x*x) - sum(x)^2 over
// N*(N-1) (N*N for the population), 0 when that numerator is not
// positive. x is sum(x) at scale s, x2 sum(x*x) at scale 2s. A result
// PostgreSQL shows with more than 38 digits keeps its integer digits and
// as many fractional ones as fit (PostgreSQL's value rounded to 38
// digits); only one of 10^38 or more overflows.
func NumericStatsValue(x, x2 *big.Int, n int64, s int32, sample, sqrt bool) (decimal128.Num, int32, error) {
	bn := big.NewInt(n)
	num := new(big.Int).Mul(bn, x2)
	num.Sub(num, new(big.Int).Mul(x, x)) // at scale 2s
	if num.Sign() <= 0 {
		return decimal128.Num{}, 0, nil
	}
	den := big.NewInt(n)
	if sample {
		den.Mul(den, big.NewInt(n-1))
	} else {
		den.Mul(den, bn)
	}
	w1, f1 := bigNBaseWeight(num, 2*s)
	w2, f2 := bigNBaseWeight(den, 0)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	r := max(16-qweight*4, 2*s, 0)
	d := new(big.Int).Mul(den, bigPow10(2*s))
	// variance = round(num / 10^2s / den at scale r)
	variance := divRoundBig(new(big.Int).Mul(num, bigPow10(r)), d)
	at := func(rs int32) *big.Int {
		if !sqrt {
			if rs == r {
				return variance
			}
			return divRoundBig(new(big.Int).Mul(num, bigPow10(rs)), d)
		}
		// PostgreSQL takes the root of the variance rounded at r:
		// round(sqrt(variance / 10^r) at scale rs).
		return sqrtRoundBig(new(big.Int).Mul(variance, bigPow10(2*rs)), bigPow10(r))
	}
	rs := r
	v := at(rs)
	for excess := int32(len(v.String())) - sqltypes.MaxNumericPrecision; excess > 0 && rs > 0; excess = int32(len(v.String())) - sqltypes.MaxNumericPrecision {
		rs = max(rs-excess, 0)
		v = at(rs) // rounding up may add a digit: then once more
	}
	if rs > 127 || v.CmpAbs(bigPow10(sqltypes.MaxNumericPrecision)) >= 0 {
		return decimal128.Num{}, 0, errNumericRange()
	}
	return decimal128.FromBigInt(v), rs, nil
}

// sqrtRoundBig is sqrt(a / b) for a >= 0 and b > 0, rounded half up.
func sqrtRoundBig(a, b *big.Int) *big.Int {
	root := new(big.Int).Sqrt(new(big.Int).Quo(a, b))
	// round up iff a/b >= (root + 1/2)^2, i.e. 4a >= b(2root+1)^2
	t := new(big.Int).Lsh(root, 1)
	t.Add(t, big.NewInt(1))
	t.Mul(t, t)
	t.Mul(t, b)
	if new(big.Int).Lsh(a, 2).Cmp(t) >= 0 {
		root.Add(root, big.NewInt(1))
	}
	return root
}

// divRoundBig is a / b for positive a and b, rounded half up.
func divRoundBig(a, b *big.Int) *big.Int {
	q, m := new(big.Int).QuoRem(a, b, new(big.Int))
	if m.Lsh(m, 1).Cmp(b) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// bigNBaseWeight is nbaseWeight for a positive big integer m at scale s.
func bigNBaseWeight(m *big.Int, s int32) (int32, uint64) {
	digits := int32(len(m.String()))
	e := digits - 1 - s
	w := e / 4
	if e < 0 && e%4 != 0 {
		w--
	}
	shift := s + 4*w
	var g *big.Int
	if shift >= 0 {
		g = new(big.Int).Quo(m, bigPow10(shift))
	} else {
		g = new(big.Int).Mul(m, bigPow10(-shift))
	}
	return w, g.Uint64()
}
