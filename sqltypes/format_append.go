package sqltypes

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Append* render values like the Format* functions but append to a byte
// slice, so that kernels converting whole columns to text do not allocate
// per value.

// AppendFloat appends f as PostgreSQL 12+ prints float4/float8 (bits 32 or
// 64): the shortest exact digits, in positional notation for decimal
// exponents -4 ≤ e < 15 (float4: 6) and otherwise as 1.5e+15.
func AppendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	}
	var tmp [40]byte
	e := shortestDigits(tmp[:0], f, bits) // -d.ddddde±dd
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	ei := 0
	for e[ei] != 'e' {
		ei++
	}
	var digits [32]byte
	nd := 0
	for _, c := range e[:ei] {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[ei+1:]))
	maxExp := 15
	if bits == 32 {
		maxExp = 6
	}
	d := digits[:nd]
	if exp < -4 || exp >= maxExp {
		dst = append(dst, d[0])
		if nd > 1 {
			dst = append(dst, '.')
			dst = append(dst, d[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for i := 0; i < -exp-1; i++ {
			dst = append(dst, '0')
		}
		return append(dst, d...)
	}
	if nd <= exp+1 {
		dst = append(dst, d...)
		for i := nd; i < exp+1; i++ {
			dst = append(dst, '0')
		}
		return dst
	}
	dst = append(dst, d[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, d[exp+1:]...)
}

// shortestDigits appends f in Go's 'e' format with the fewest digits
// that read back as f, as PostgreSQL's Ryu chooses them: Ryu never takes
// a decimal lying exactly halfway between f and its neighbour, which
// reads back as f only by rounding half to even (5e+22 reads as the
// double below it; PostgreSQL prints that double as 4.9999999999999996e+22),
// so such a choice of Go's gives way to the nearest decimal with more
// digits that lies strictly closer.
func shortestDigits(dst []byte, f float64, bits int) []byte {
	out := strconv.AppendFloat(dst, f, 'e', -1, bits)
	if !maybeOnBound(f, bits) || !onBound(f, bits, out[len(dst):]) {
		return out
	}
	_, nd, _, _ := decimalParts(out[len(dst):])
	for prec := nd; prec < 17; prec++ { // prec digits after the first: one more than Go's
		out = strconv.AppendFloat(dst, f, 'e', prec, bits)
		g, err := strconv.ParseFloat(string(out[len(dst):]), bits)
		if err == nil && g == f && !onBound(f, bits, out[len(dst):]) {
			return trimZeros(out, len(dst))
		}
	}
	return strconv.AppendFloat(dst, f, 'e', 16, bits)
}

// maybeOnBound is a cheap test that f may have a shortest decimal on a
// bound: bounds between doubles below 2^53 (float32: 2^24) need more
// significant digits than a shortest form ever has.
func maybeOnBound(f float64, bits int) bool {
	limit := float64(1 << 53)
	if bits == 32 {
		limit = 1 << 24
	}
	return math.Abs(f) >= limit
}

// onBound reports whether s, a decimal in 'e' format that reads back as
// f, lies exactly halfway between f and the neighbour on its side. Both
// are integers here (|f| ≥ 2^53), so the test is exact integer
// arithmetic: in 128 bits below 2^128, with big.Int above.
func onBound(f float64, size int, s []byte) bool {
	mantBits := 53
	if size == 32 {
		mantBits = 24
	}
	frac, e2 := math.Frexp(math.Abs(f))
	m := uint64(math.Ldexp(frac, mantBits)) // f = m·2^e exactly
	e := e2 - mantBits
	d, nd, exp10, ok := decimalParts(s)
	if !ok || e < 1 {
		return false
	}
	k := exp10 - (nd - 1)
	if k < 0 {
		return false // not an integer, so not a bound between integers
	}
	// A cheap test first: d·10^k − m·2^e must be ±2^(e−1) (±2^(e−2)
	// below a power of two), so its power of two is e−1 or e−2; when the
	// two terms' powers of two differ, the difference has the smaller.
	vd, vf := bits.TrailingZeros64(d)+k, bits.TrailingZeros64(m)+e
	if vd != vf && min(vd, vf) != e-1 && min(vd, vf) != e-2 || vd == vf && vd+1 > e-1 {
		return false
	}
	half := e - 1 // half the distance to the neighbour above
	below := m == 1<<(mantBits-1)
	if dh, dl, ok := mulPow10(d, k); ok && e+mantBits < 128 {
		// Exact in 128 bits: |d·10^k − m·2^e| against 2^(e−1).
		fh, fl := shl128(m, e)
		var xh, xl uint64
		if dh > fh || dh == fh && dl >= fl {
			var borrow uint64
			xl, borrow = bits.Sub64(dl, fl, 0)
			xh, _ = bits.Sub64(dh, fh, borrow)
		} else {
			var borrow uint64
			xl, borrow = bits.Sub64(fl, dl, 0)
			xh, _ = bits.Sub64(fh, dh, borrow)
			if below {
				half = e - 2 // below a power of two the neighbour is closer
			}
		}
		hh, hl := shl128(1, half)
		return xh == hh && xl == hl
	}
	dv, fv := new(big.Int).SetUint64(d), new(big.Int).SetUint64(m)
	dv.Mul(dv, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil))
	fv.Lsh(fv, uint(e))
	diff := new(big.Int).Sub(dv, fv)
	if diff.Sign() < 0 && below {
		half = e - 2
	}
	diff.Abs(diff)
	return diff.BitLen() == half+1 && diff.TrailingZeroBits() == uint(half)
}

// mulPow10 returns d·10^k as a 128-bit number (hi, lo); ok is false when
// it does not fit.
func mulPow10(d uint64, k int) (hi, lo uint64, ok bool) {
	lo = d
	for range k {
		h1, l := bits.Mul64(lo, 10)
		h2, h := bits.Mul64(hi, 10)
		var carry uint64
		hi, carry = bits.Add64(h, h1, 0)
		if h2 != 0 || carry != 0 {
			return 0, 0, false
		}
		lo = l
	}
	return hi, lo, true
}

// shl128 returns x·2^n as a 128-bit number, n < 128.
func shl128(x uint64, n int) (hi, lo uint64) {
	switch {
	case n >= 64:
		return x << (n - 64), 0
	case n == 0:
		return 0, x
	}
	return x >> (64 - n), x << n
}

// decimalParts reads an 'e' format number's digits as an integer, their
// count and the decimal exponent (-1.25e+22 → 125, 3, 22), without
// allocating: float output runs once per value.
func decimalParts(s []byte) (d uint64, nd, exp int, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	for ; i < len(s) && s[i] != 'e'; i++ {
		if c := s[i]; c != '.' {
			d = d*10 + uint64(c-'0')
			nd++
		}
	}
	if i+2 >= len(s) || nd > 19 {
		return 0, 0, 0, false
	}
	neg := s[i+1] == '-'
	for _, c := range s[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	return d, nd, exp, true
}

// trimZeros drops trailing zeros of the digits of an 'e' format number
// appended at dst[from:] (1.500e+22 → 1.5e+22).
func trimZeros(b []byte, from int) []byte {
	ei := from
	for b[ei] != 'e' {
		ei++
	}
	end := ei
	for end > from && b[end-1] == '0' {
		end--
	}
	if b[end-1] == '.' {
		end--
	}
	return append(b[:end], b[ei:]...)
}

// AppendDecimal appends an unscaled decimal with scale fractional digits.
func AppendDecimal(dst []byte, n decimal128.Num, scale int32) []byte {
	if IsNumericSpecial(n) {
		return append(dst, NumericSpecialName(n)...)
	}
	neg := n.Sign() < 0
	if neg {
		n = n.Negate()
		dst = append(dst, '-')
	}
	var buf [48]byte
	i := len(buf)
	hi, lo := uint64(n.HighBits()), n.LowBits()
	for hi != 0 || lo != 0 || i == len(buf) {
		// divide the 128-bit magnitude by 10^19 and emit 19 digits
		const chunk = 10_000_000_000_000_000_000
		qh := hi / chunk
		ql, r := bits.Div64(hi%chunk, lo, chunk)
		hi, lo = qh, ql
		for k := 0; k < 19; k++ {
			i--
			buf[i] = byte('0' + r%10)
			r /= 10
			if hi == 0 && lo == 0 && r == 0 {
				break
			}
		}
	}
	digits := buf[i:]
	if scale <= 0 {
		dst = append(dst, digits...)
		for k := int32(0); k < -scale; k++ {
			dst = append(dst, '0')
		}
		return dst
	}
	s := int(scale)
	if len(digits) <= s {
		dst = append(dst, '0', '.')
		for k := len(digits); k < s; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-s]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-s:]...)
}

func append2(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }

// AppendDate appends a day number as YYYY-MM-DD (with " BC" before year 1).
func AppendDate(dst []byte, days int64) []byte {
	if !IsFiniteDate(days) {
		return appendInfinity(dst, days)
	}
	y, m, d := CivilFromDays(days)
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	var yb [20]byte
	ys := strconv.AppendInt(yb[:0], y, 10)
	for k := len(ys); k < 4; k++ {
		dst = append(dst, '0')
	}
	dst = append(dst, ys...)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	dst = append2(dst, d)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// AppendTimestamp appends microseconds since the epoch as PostgreSQL
// prints timestamps; with withTZ the instant is shown in loc (UTC if nil)
// followed by its offset (+00, +05:30).
func AppendTimestamp(dst []byte, us int64, loc *time.Location, withTZ bool) []byte {
	if !IsFiniteTimestamp(us) {
		return appendInfinity(dst, us)
	}
	off := 0
	if withTZ && loc != nil && loc != time.UTC {
		sec, _ := FloorDivMod(us, MicrosPerSecond)
		_, off = time.Unix(sec, 0).In(loc).Zone()
		us += int64(off) * MicrosPerSecond
	}
	days, tod := FloorDivMod(us, MicrosPerDay)
	y, _, _ := CivilFromDays(days)
	dst = AppendDate(dst, days)
	bc := y <= 0
	if bc {
		dst = dst[:len(dst)-3]
	}
	dst = AppendTime(append(dst, ' '), tod)
	if withTZ {
		if off < 0 {
			dst = append(dst, '-')
			off = -off
		} else {
			dst = append(dst, '+')
		}
		dst = append2(dst, off/3600)
		if m := off % 3600 / 60; m != 0 || off%60 != 0 {
			dst = append(dst, ':')
			dst = append2(dst, m)
			if s := off % 60; s != 0 {
				dst = append(dst, ':')
				dst = append2(dst, s)
			}
		}
	}
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// AppendTime appends microseconds since midnight as PostgreSQL prints a
// time of day: HH:MM:SS with the fraction's trailing zeros dropped
// ("10:30:00", "23:59:59.5", "24:00:00").
func AppendTime(dst []byte, us int64) []byte {
	sec := us / MicrosPerSecond
	frac := us % MicrosPerSecond
	dst = append2(dst, int(sec/3600))
	dst = append(dst, ':')
	dst = append2(dst, int(sec/60%60))
	dst = append(dst, ':')
	dst = append2(dst, int(sec%60))
	if frac != 0 {
		dst = append(dst, '.')
		var f [6]byte
		for i := 5; i >= 0; i-- {
			f[i] = byte('0' + frac%10)
			frac /= 10
		}
		n := 6
		for n > 0 && f[n-1] == '0' {
			n--
		}
		dst = append(dst, f[:n]...)
	}
	return dst
}
