package expr

import (
	"cmp"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Comparison kernels write one result bit per row into out (offset 0),
// eight rows per byte store. Every comparison reduces to "less" or "equal"
// with optional operand swap and inversion (see cmpPlan), which is exact
// because PostgreSQL's orderings are total (NaN is the greatest float and
// equals itself). NULL slots are compared like any value; callers mask
// them with the validity bitmap.

func b2u(b bool) byte {
	var x byte
	if b {
		x = 1
	}
	return x
}

// cmpPlan expresses a comparison operator through less or equal.
type cmpPlan struct{ eq, swap, inv bool }

func planOf(op BinaryOp) cmpPlan {
	switch op {
	case OpEq:
		return cmpPlan{eq: true}
	case OpNe:
		return cmpPlan{eq: true, inv: true}
	case OpLt:
		return cmpPlan{}
	case OpGt:
		return cmpPlan{swap: true}
	case OpLe:
		return cmpPlan{swap: true, inv: true}
	}
	return cmpPlan{inv: true} // OpGe
}

func invertBits(out []byte) {
	for i := range out {
		out[i] = ^out[i]
	}
}

func ltVV[T cmp.Ordered](a, b []T, out []byte) {
	b = b[:len(a)]
	var acc byte
	for i := range a {
		acc |= b2u(a[i] < b[i]) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if len(a)&7 != 0 {
		out[len(a)>>3] = acc
	}
}

func eqVV[T comparable](a, b []T, out []byte) {
	b = b[:len(a)]
	var acc byte
	for i := range a {
		acc |= b2u(a[i] == b[i]) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if len(a)&7 != 0 {
		out[len(a)>>3] = acc
	}
}

// ltVS computes a[i] < s, or s < a[i] when scalarLeft.
func ltVS[T cmp.Ordered](a []T, s T, scalarLeft bool, out []byte) {
	var acc byte
	if scalarLeft {
		for i := range a {
			acc |= b2u(s < a[i]) << (i & 7)
			if i&7 == 7 {
				out[i>>3] = acc
				acc = 0
			}
		}
	} else {
		for i := range a {
			acc |= b2u(a[i] < s) << (i & 7)
			if i&7 == 7 {
				out[i>>3] = acc
				acc = 0
			}
		}
	}
	if len(a)&7 != 0 {
		out[len(a)>>3] = acc
	}
}

func eqVS[T comparable](a []T, s T, out []byte) {
	var acc byte
	for i := range a {
		acc |= b2u(a[i] == s) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if len(a)&7 != 0 {
		out[len(a)>>3] = acc
	}
}

// PostgreSQL float order: NaN equals NaN and is greater than everything.
func fless[T floatT](x, y T) bool { return x < y || (y != y && x == x) }
func feq[T floatT](x, y T) bool   { return x == y || (x != x && y != y) }

func fltVV[T floatT](a, b []T, out []byte) {
	b = b[:len(a)]
	var acc byte
	for i := range a {
		acc |= b2u(fless(a[i], b[i])) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if len(a)&7 != 0 {
		out[len(a)>>3] = acc
	}
}

func feqVV[T floatT](a, b []T, out []byte) {
	b = b[:len(a)]
	var acc byte
	for i := range a {
		acc |= b2u(feq(a[i], b[i])) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if len(a)&7 != 0 {
		out[len(a)>>3] = acc
	}
}

func decLess(x, y decimal128.Num) bool {
	return x.HighBits() < y.HighBits() || x.HighBits() == y.HighBits() && x.LowBits() < y.LowBits()
}

// decltVS computes a[i] < s, or s < a[i] when scalarLeft.
func decltVS(a []decimal128.Num, s decimal128.Num, scalarLeft bool, out []byte) {
	var acc byte
	for i := range a {
		lt := decLess(a[i], s)
		if scalarLeft {
			lt = decLess(s, a[i])
		}
		acc |= b2u(lt) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if len(a)&7 != 0 {
		out[len(a)>>3] = acc
	}
}

func decltVV(a, b []decimal128.Num, out []byte) {
	b = b[:len(a)]
	var acc byte
	for i := range a {
		acc |= b2u(decLess(a[i], b[i])) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if len(a)&7 != 0 {
		out[len(a)>>3] = acc
	}
}

// rowsCmp computes bit i = pred(i) for the slow paths.
func rowsCmp(n int, out []byte, pred func(i int) bool) {
	var acc byte
	for i := 0; i < n; i++ {
		acc |= b2u(pred(i)) << (i & 7)
		if i&7 == 7 {
			out[i>>3] = acc
			acc = 0
		}
	}
	if n&7 != 0 {
		out[n>>3] = acc
	}
}
