package connectors

import (
	"bytes"
	"math"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// CompareDatums compares two non-null datums of SQL types at and bt, in
// sqltypes.Datum representation, and returns -1, 0 or +1. ok is false when
// the values are not comparable (different type families, NULL, an
// unexpected representation).
//
// Numbers compare exactly across int2/4/8, numeric of any scale and
// float4/8; NaN equals NaN and sorts above every other number, as in
// PostgreSQL. Strings and bytea compare byte-wise (the C collation). Dates
// compare with dates and timestamps with timestamps of the same kind.
// It is meant for planning-time work (statistics, pruning), not hot loops.
func CompareDatums(at sqltypes.Type, a any, bt sqltypes.Type, b any) (c int, ok bool) {
	if a == nil || b == nil {
		return 0, false
	}
	if at.IsNumeric() && bt.IsNumeric() {
		return compareNumbers(at, a, bt, b)
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y), true
		}
	case bool:
		if y, ok := b.(bool); ok {
			return cmpBool(x, y), true
		}
	case arrow.Date32:
		if y, ok := b.(arrow.Date32); ok && at.Kind == bt.Kind {
			return cmpOrdered(x, y), true
		}
	case arrow.Timestamp:
		if y, ok := b.(arrow.Timestamp); ok && at.Kind == bt.Kind {
			return cmpOrdered(x, y), true
		}
	}
	return 0, false
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

func cmpOrdered[T int64 | arrow.Date32 | arrow.Timestamp | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// number is a numeric datum in one of three exact forms.
type number struct {
	kind  uint8 // numInt, numDec, numFloat
	i     int64
	dec   decimal128.Num
	scale int32
	f     float64
}

const (
	numInt uint8 = iota
	numDec
	numFloat
)

func toNumber(t sqltypes.Type, v any) (number, bool) {
	switch x := v.(type) {
	case int16:
		return number{kind: numInt, i: int64(x)}, true
	case int32:
		return number{kind: numInt, i: int64(x)}, true
	case int64:
		return number{kind: numInt, i: x}, true
	case float32:
		return number{kind: numFloat, f: float64(x)}, true
	case float64:
		return number{kind: numFloat, f: x}, true
	case decimal128.Num:
		if t.Kind != sqltypes.Numeric {
			return number{}, false
		}
		if sqltypes.IsNumericSpecial(x) {
			// NaN and ±Infinity order as the floats do (NaN greatest).
			f := math.Inf(x.Sign())
			if sqltypes.IsNumericNaN(x) {
				f = math.NaN()
			}
			return number{kind: numFloat, f: f}, true
		}
		return number{kind: numDec, dec: x, scale: t.Scale}, true
	}
	return number{}, false
}

func compareNumbers(at sqltypes.Type, a any, bt sqltypes.Type, b any) (int, bool) {
	x, ok1 := toNumber(at, a)
	y, ok2 := toNumber(bt, b)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case x.kind == numInt && y.kind == numInt:
		return cmpOrdered(x.i, y.i), true
	case x.kind == numFloat && y.kind == numFloat:
		return cmpFloat(x.f, y.f), true
	case x.kind == numFloat:
		return cmpFloatExact(x.f, y), true
	case y.kind == numFloat:
		return -cmpFloatExact(y.f, x), true
	}
	return cmpExact(x.toDec(), y.toDec()), true
}

// toDec returns an int or numeric as a decimal.
func (n number) toDec() number {
	if n.kind == numInt {
		return number{kind: numDec, dec: decimal128.FromI64(n.i)}
	}
	return n
}

// cmpExact compares two decimals of possibly different scales.
func cmpExact(x, y number) int {
	if x.scale == y.scale {
		return x.dec.Cmp(y.dec)
	}
	if x.scale > y.scale {
		return -cmpExact(y, x)
	}
	d := int64(y.scale) - int64(x.scale) // > 0: scale x up to y's scale
	if v, ok := decToInt64(x.dec); ok && d <= 18 {
		p := int64(1)
		for range d {
			p *= 10
		}
		if v <= math.MaxInt64/p && v >= math.MinInt64/p {
			return decimal128.FromI64(v * p).Cmp(y.dec)
		}
	}
	xb := x.dec.BigInt()
	xb.Mul(xb, new(big.Int).Exp(big.NewInt(10), big.NewInt(d), nil))
	return xb.Cmp(y.dec.BigInt())
}

func decToInt64(n decimal128.Num) (int64, bool) {
	lo := int64(n.LowBits())
	if (n.HighBits() == 0 && lo >= 0) || (n.HighBits() == -1 && lo < 0) {
		return lo, true
	}
	return 0, false
}

// cmpFloat orders floats as PostgreSQL does: NaN = NaN, NaN > everything.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmpOrdered(a, b)
}

// cmpFloatExact compares a float with an exact number without rounding.
func cmpFloatExact(f float64, y number) int {
	switch {
	case math.IsNaN(f), math.IsInf(f, 1):
		return 1
	case math.IsInf(f, -1):
		return -1
	}
	if y.kind == numInt && y.i >= -(1<<53) && y.i <= 1<<53 {
		return cmpOrdered(f, float64(y.i)) // exact: |y| fits a float64 mantissa
	}
	return new(big.Rat).SetFloat64(f).Cmp(y.rat())
}

func (n number) rat() *big.Rat {
	switch n.kind {
	case numInt:
		return new(big.Rat).SetInt64(n.i)
	case numFloat:
		return new(big.Rat).SetFloat64(n.f) // callers exclude NaN and Inf
	}
	r := new(big.Rat).SetInt(n.dec.BigInt())
	if n.scale > 0 {
		den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.scale)), nil)
		r.Quo(r, new(big.Rat).SetInt(den))
	} else if n.scale < 0 {
		mul := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n.scale)), nil)
		r.Mul(r, new(big.Rat).SetInt(mul))
	}
	return r
}
