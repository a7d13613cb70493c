package pgwire

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// Append-style formatters for PostgreSQL's text and binary output. They
// allocate nothing for the common cases (years 1..9999, numerics below 2^64)
// and follow PostgreSQL 16's output functions, which sqltypes.FormatValue
// approximates (see the divergences documented in encode_test.go).

const usPerDay = 86_400_000_000

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// decimalDigits appends the decimal digits of |n| to dst.
func decimalDigits(dst []byte, n decimal128.Num) (_ []byte, neg bool) {
	if n.Sign() < 0 {
		neg = true
		n = n.Negate()
	}
	if n.HighBits() == 0 {
		return strconv.AppendUint(dst, n.LowBits(), 10), neg
	}
	return n.BigInt().Append(dst, 10), neg
}

// appendNumericText writes an unscaled decimal with scale fraction digits.
func appendNumericText(buf []byte, n decimal128.Num, scale int32) []byte {
	if sqltypes.IsNumericSpecial(n) {
		return append(buf, sqltypes.NumericSpecialName(n)...)
	}
	var tmp [48]byte
	d, neg := decimalDigits(tmp[:0], n)
	if neg {
		buf = append(buf, '-')
	}
	s := int(scale)
	switch {
	case s <= 0:
		buf = append(buf, d...)
		for ; s < 0; s++ {
			buf = append(buf, '0')
		}
	case len(d) <= s:
		buf = append(buf, '0', '.')
		for i := len(d); i < s; i++ {
			buf = append(buf, '0')
		}
		buf = append(buf, d...)
	default:
		buf = append(buf, d[:len(d)-s]...)
		buf = append(buf, '.')
		buf = append(buf, d[len(d)-s:]...)
	}
	return buf
}

// appendNumericBinary writes numeric_send's format: ndigits, weight, sign,
// dscale (int16 each), then ndigits base-10000 digits (int16 each).
// NaN and ±Infinity are a header without digits whose sign word says
// which (0xC000, 0xD000, 0xF000), byte for byte as PostgreSQL 15 sends
// them (its dscale word for the infinities is 0x20).
func appendNumericBinary(buf []byte, n decimal128.Num, scale int32) []byte {
	if sqltypes.IsNumericSpecial(n) {
		sign, dscale := uint16(0xC000), uint16(0)
		if !sqltypes.IsNumericNaN(n) {
			sign, dscale = 0xD000, 0x20
			if n.Sign() < 0 {
				sign = 0xF000
			}
		}
		buf = binary.BigEndian.AppendUint32(buf, 0)
		buf = binary.BigEndian.AppendUint16(buf, sign)
		return binary.BigEndian.AppendUint16(buf, dscale)
	}
	var tmp [48]byte
	d, neg := decimalDigits(tmp[:0], n)
	for ; scale < 0; scale++ {
		d = append(d, '0')
	}
	// Pad on the left so that the integer part (or, for |n| < 1, the
	// fraction) starts on a 4-digit group boundary, then on the right.
	var pb [112]byte
	padded := pb[:0]
	intDigits := len(d) - int(scale)
	weight := -1
	if intDigits > 0 {
		lp := (4 - intDigits%4) % 4
		padded = append(padded, "0000"[:lp]...)
		weight = (intDigits+lp)/4 - 1
	} else {
		for i := intDigits; i < 0; i++ {
			padded = append(padded, '0')
		}
	}
	padded = append(padded, d...)
	padded = append(padded, "0000"[:(4-len(padded)%4)%4]...)
	groups := len(padded) / 4
	group := func(g int) uint16 {
		p := padded[4*g : 4*g+4]
		return uint16(p[0]-'0')*1000 + uint16(p[1]-'0')*100 + uint16(p[2]-'0')*10 + uint16(p[3]-'0')
	}
	first, last := 0, groups
	for first < last && group(first) == 0 {
		first++
		weight--
	}
	for last > first && group(last-1) == 0 {
		last--
	}
	sign := uint16(0)
	if neg {
		sign = 0x4000
	}
	if first == last {
		weight, sign = 0, 0
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(last-first))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(scale))
	for g := first; g < last; g++ {
		buf = binary.BigEndian.AppendUint16(buf, group(g))
	}
	return buf
}

func appendByteaText(buf, b []byte) []byte {
	return hex.AppendEncode(append(buf, '\\', 'x'), b)
}

func appendUUIDText(buf, b []byte) []byte {
	buf = hex.AppendEncode(buf, b[0:4])
	buf = append(buf, '-')
	buf = hex.AppendEncode(buf, b[4:6])
	buf = append(buf, '-')
	buf = hex.AppendEncode(buf, b[6:8])
	buf = append(buf, '-')
	buf = hex.AppendEncode(buf, b[8:10])
	buf = append(buf, '-')
	return hex.AppendEncode(buf, b[10:16])
}
