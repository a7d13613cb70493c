package expr

import (
	"math/big"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// Allocation-free 128-bit arithmetic for numeric kernels. decimal128.Num's
// own Div and scaling go through math/big and allocate on every call, so
// the kernels use these instead. Values are magnitudes (u128) with the
// sign kept separately; every numeric value meshql holds is below 10^38.

type u128 struct{ hi, lo uint64 }

func (a u128) isZero() bool { return a.hi == 0 && a.lo == 0 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	return u128{a.hi + b.hi + c, lo}
}

func (a u128) sub(b u128) u128 {
	lo, br := bits.Sub64(a.lo, b.lo, 0)
	return u128{a.hi - b.hi - br, lo}
}

// mul returns a*b and whether the product needs more than 128 bits.
func (a u128) mul(b u128) (u128, bool) {
	h, l := bits.Mul64(a.lo, b.lo)
	over := a.hi != 0 && b.hi != 0
	h1, l1 := bits.Mul64(a.hi, b.lo)
	h2, l2 := bits.Mul64(a.lo, b.hi)
	over = over || h1 != 0 || h2 != 0
	var c1, c2 uint64
	h, c1 = bits.Add64(h, l1, 0)
	h, c2 = bits.Add64(h, l2, 0)
	return u128{h, l}, over || c1 != 0 || c2 != 0
}

func (a u128) lsh(n uint) u128 {
	switch {
	case n == 0:
		return a
	case n >= 64:
		return u128{a.lo << (n - 64), 0}
	}
	return u128{a.hi<<n | a.lo>>(64-n), a.lo << n}
}

func (a u128) rsh(n uint) u128 {
	switch {
	case n == 0:
		return a
	case n >= 64:
		return u128{0, a.hi >> (n - 64)}
	}
	return u128{a.hi >> n, a.lo>>n | a.hi<<(64-n)}
}

// divmod64 divides by a non-zero 64-bit divisor.
func (a u128) divmod64(d uint64) (u128, uint64) {
	qh, r := a.hi/d, a.hi%d
	ql, r := bits.Div64(r, a.lo, d)
	return u128{qh, ql}, r
}

// divmod divides by a non-zero divisor (Hacker's Delight divlu for 128/128).
func (a u128) divmod(b u128) (q, r u128) {
	if b.hi == 0 {
		q, r64 := a.divmod64(b.lo)
		return q, u128{0, r64}
	}
	n := uint(bits.LeadingZeros64(b.hi))
	v1 := b.lsh(n)
	u1 := a.rsh(1)
	tq, _ := bits.Div64(u1.hi, u1.lo, v1.hi)
	tq >>= 63 - n
	if tq != 0 {
		tq--
	}
	q = u128{0, tq}
	p, _ := q.mul(b)
	r = a.sub(p)
	if r.cmp(b) >= 0 {
		q = q.add(u128{0, 1})
		r = r.sub(b)
	}
	return q, r
}

// divRound divides rounding half away from zero (magnitudes).
func (a u128) divRound(b u128) u128 {
	q, r := a.divmod(b)
	// r >= b - r  <=>  2r >= b, without overflowing 2r.
	if r.cmp(b.sub(r)) >= 0 {
		q = q.add(u128{0, 1})
	}
	return q
}

// pow10 returns 10^k for 0 <= k <= 38.
func pow10(k int32) u128 {
	m := decimal128.GetScaleMultiplier(int(k))
	return u128{uint64(m.HighBits()), m.LowBits()}
}

// pow10i64[k] is 10^k for 0 <= k <= 18.
var pow10i64 = [19]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// maxDec is 10^38: every numeric magnitude must stay below it.
var maxDec = pow10(38)

// digits10 returns the number of decimal digits of a (0 for 0).
func digits10(a u128) int32 {
	if a.isZero() {
		return 0
	}
	// Estimate from the bit length, then correct by one.
	bl := 128 - bits.LeadingZeros64(a.hi)
	if a.hi == 0 {
		bl = 64 - bits.LeadingZeros64(a.lo)
	}
	d := int32(bl * 1233 >> 12) // ≈ bl*log10(2)
	if d < 38 && a.cmp(pow10(d)) >= 0 {
		d++
	}
	if d == 0 {
		d = 1
	}
	return d
}

// mulPow10 returns a*10^k, false if the result reaches 10^38.
func mulPow10(a u128, k int32) (u128, bool) {
	if k == 0 {
		return a, a.cmp(maxDec) < 0
	}
	if k > 38 {
		return a, a.isZero()
	}
	if a.cmp(pow10(38-k)) >= 0 {
		return a, false
	}
	p, _ := a.mul(pow10(k))
	return p, true
}

// split returns the sign and magnitude of n.
func split(n decimal128.Num) (bool, u128) {
	if n.HighBits() < 0 {
		n = n.Negate()
		return true, u128{uint64(n.HighBits()), n.LowBits()}
	}
	return false, u128{uint64(n.HighBits()), n.LowBits()}
}

// join rebuilds a Num from a sign and magnitude (< 2^127).
func join(neg bool, a u128) decimal128.Num {
	n := decimal128.New(int64(a.hi), a.lo)
	if neg {
		return n.Negate()
	}
	return n
}

// fitsDec reports whether a signed Num has magnitude below 10^38.
func fitsDec(n decimal128.Num) bool {
	_, m := split(n)
	return m.cmp(maxDec) < 0
}

// rescaleDec changes n's scale from `from` to `to`, rounding half away
// from zero when the scale shrinks; ok is false on overflow of 38 digits.
// NaN and ±Infinity are the same at every scale and pass through.
func rescaleDec(n decimal128.Num, from, to int32) (decimal128.Num, bool) {
	if from == to || sqltypes.IsNumericSpecial(n) {
		return n, true
	}
	if k := to - from; k > 0 && k <= 18 {
		// The common case, a value that fits int64 scaled up by a few
		// digits, without 128-bit arithmetic.
		if v := int64(n.LowBits()); n.HighBits() == v>>63 {
			if lim := pow10i64[18-k]; v < lim && v > -lim {
				return decimal128.FromI64(v * pow10i64[k]), true
			}
		}
	}
	neg, m := split(n)
	if to > from {
		r, ok := mulPow10(m, to-from)
		return join(neg, r), ok
	}
	if from-to > 38 {
		return decimal128.Num{}, true
	}
	return join(neg, m.divRound(pow10(from-to))), true
}

// bigOf converts a magnitude to a big.Int (slow paths only).
func bigOf(a u128) *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(a.lo))
}

// u128OfBig converts a non-negative big.Int; ok is false if it reaches 10^38.
func u128OfBig(b *big.Int) (u128, bool) {
	if b.BitLen() > 127 {
		return u128{}, false
	}
	lo := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(b, 64).Uint64()
	r := u128{hi, lo}
	return r, r.cmp(maxDec) < 0
}
