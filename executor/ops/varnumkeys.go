package ops

import (
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// Variable-scale numeric keys (sqltypes.VarNumericType: each value its
// own display scale). PostgreSQL compares numerics by value, so 1.5 and
// 1.50 are one group, one join key and equal in a sort. Every key
// operation works on one order-preserving byte encoding of the value
// without its trailing zeros, like array keys (listkeys.go): a sign
// class byte (0x40 negative, 0x80 zero, 0xC0 positive), then for non-zero
// values the decimal exponent E (value = 0.d1d2…dk × 10^E) biased by 128
// and the digits d+1, closed by 0x00; negative values invert the exponent
// byte and write the digits as 10-d closed by 0xFF, so that a larger
// magnitude sorts first. The encoding is prefix-free, and equal values
// encode equally whatever their scales. NaN and ±Infinity are one class
// byte each, whatever their scales: -Infinity 0x20 below the negatives,
// Infinity 0xE0 and NaN 0xF0 above the positives, as PostgreSQL orders
// them. Group keys keep the first value
// seen (its scale), as PostgreSQL's grouping prints it.

func isVarNumeric(dt arrow.DataType) bool {
	_, ok := sqltypes.VarNumericNominal(dt)
	return ok
}

// encodeVarNumerics encodes every row of a variable-scale numeric array
// (NULL rows: empty).
func encodeVarNumerics(arr arrow.Array) listEncoding {
	s := arr.(*array.Struct)
	mant := s.Field(sqltypes.VarNumericMantissa).(*array.Decimal128)
	scales := s.Field(sqltypes.VarNumericScale).(*array.Int8)
	n := arr.Len()
	offs := make([]int64, n+1)
	buf := make([]byte, 0, n*8)
	var digits []byte
	for i := range n {
		if arr.IsValid(i) {
			buf, digits = appendVarNumericKey(buf, digits, mant.Value(i), int(scales.Value(i)))
		}
		offs[i+1] = int64(len(buf))
	}
	return listEncoding{buf: buf, offs: offs}
}

// appendVarNumericKey appends the key of m × 10^-scale; digits is scratch.
func appendVarNumericKey(buf, digits []byte, m decimal128.Num, scale int) ([]byte, []byte) {
	sign := m.Sign()
	switch {
	case sign == 0:
		return append(buf, 0x80), digits
	case sqltypes.IsNumericSpecial(m):
		return append(buf, specialKeyClass(m)), digits
	}
	var b big.Int
	b.Abs(m.BigInt())
	digits = b.Append(digits[:0], 10)
	k := len(digits)
	for k > 1 && digits[k-1] == '0' {
		k--
	}
	exp := byte(len(digits) - scale + 128) // |E| < 128: 39 digits, scales within ±127
	if sign > 0 {
		buf = append(buf, 0xC0, exp)
		for _, d := range digits[:k] {
			buf = append(buf, d-'0'+1)
		}
		return append(buf, 0x00), digits
	}
	buf = append(buf, 0x40, ^exp)
	for _, d := range digits[:k] {
		buf = append(buf, 10-(d-'0'))
	}
	return append(buf, 0xFF), digits
}

func specialKeyClass(m decimal128.Num) byte {
	switch {
	case sqltypes.IsNumericNaN(m):
		return 0xF0
	case m.Sign() > 0:
		return 0xE0
	}
	return 0x20
}
