package sqltypes

import (
	"math"
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
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, bits) // -d.ddddde±dd
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
