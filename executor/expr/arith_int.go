package expr

import (
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Integer arithmetic with PostgreSQL's checks: results that do not fit the
// operand width are 22003 ("integer out of range", …), division and
// modulo by zero 22012, division truncates toward zero. Hot loops compute
// every slot branch-free and OR together an overflow witness; only if the
// witness fires is the batch re-scanned to see whether the overflowing
// slot is a valid row (NULL slots hold arbitrary values).

type intT interface{ ~int16 | ~int32 | ~int64 }

func minOf[T intT]() T {
	var z T
	return T(-1) << (8*unsafe.Sizeof(z) - 1)
}

func addInts[T intT](a, b, out []T) bool {
	a, b = a[:len(out)], b[:len(out)]
	var w T
	for i := range out {
		r := a[i] + b[i]
		out[i] = r
		w |= (a[i] ^ r) & (b[i] ^ r)
	}
	return w < 0
}

func subInts[T intT](a, b, out []T) bool {
	a, b = a[:len(out)], b[:len(out)]
	var w T
	for i := range out {
		r := a[i] - b[i]
		out[i] = r
		w |= (a[i] ^ b[i]) & (a[i] ^ r)
	}
	return w < 0
}

// mulNarrow multiplies int16/int32 in 64 bits and checks the narrowing.
func mulNarrow[T ~int16 | ~int32](a, b, out []T) bool {
	a, b = a[:len(out)], b[:len(out)]
	bad := false
	for i := range out {
		p := int64(a[i]) * int64(b[i])
		r := T(p)
		out[i] = r
		bad = bad || int64(r) != p
	}
	return bad
}

func mulInt64s(a, b, out []int64) bool {
	a, b = a[:len(out)], b[:len(out)]
	var w uint64
	for i := range out {
		x, y := a[i], b[i]
		hi, lo := bits.Mul64(uint64(x), uint64(y))
		// signed high word of the 128-bit product
		shi := int64(hi) - (x>>63)&y - (y>>63)&x
		out[i] = int64(lo)
		w |= uint64(shi ^ (int64(lo) >> 63))
	}
	return w != 0
}

func mulOverflows[T intT](x, y T) bool {
	switch any(x).(type) {
	case int64:
		hi, lo := bits.Mul64(uint64(x), uint64(y))
		shi := int64(hi) - (int64(x)>>63)&int64(y) - (int64(y)>>63)&int64(x)
		return shi != int64(lo)>>63
	}
	p := int64(x) * int64(y)
	return int64(T(p)) != p
}

// divInts divides truncating toward zero; mod follows the dividend's sign.
func divInts[T intT](a, b, out []T, vb []byte, mod bool) error {
	a, b = a[:len(out)], b[:len(out)]
	minv := minOf[T]()
	for i := range out {
		d := b[i]
		switch d {
		case 0:
			if validAt(vb, 0, i) {
				return errDivByZero()
			}
			out[i] = 0
			continue
		case -1:
			// x / -1 overflows for the minimum; x % -1 is always 0.
			if mod {
				out[i] = 0
				continue
			}
			if a[i] == minv && validAt(vb, 0, i) {
				return errOverflow
			}
			out[i] = -a[i]
			continue
		}
		if mod {
			out[i] = a[i] % d
		} else {
			out[i] = a[i] / d
		}
	}
	return nil
}

// errOverflow is a sentinel the integer kernels map to the width's error.
var errOverflow = sqltypes.New(sqltypes.CodeNumericOutOfRange, "integer out of range")

// arithInts evaluates op over two integer arrays of element type T.
func arithInts[T intT](mem memory.Allocator, dt arrow.DataType, op BinaryOp, rangeErr func() error, la, ra arrow.Array) (arrow.Array, error) {
	n := la.Len()
	a, b := values[T](la), values[T](ra)
	valid := andValidity(mem, n, la, ra)
	var vb []byte
	if valid != nil {
		vb = valid.Bytes()
	}
	buf, out := allocFixed[T](mem, n)
	var err error
	switch op {
	case OpAdd:
		if addInts(a, b, out) {
			err = findOverflow(n, vb, func(i int) bool { r := a[i] + b[i]; return (a[i]^r)&(b[i]^r) < 0 })
		}
	case OpSub:
		if subInts(a, b, out) {
			err = findOverflow(n, vb, func(i int) bool { r := a[i] - b[i]; return (a[i]^b[i])&(a[i]^r) < 0 })
		}
	case OpMul:
		var over bool
		switch o := any(out).(type) {
		case []int64:
			over = mulInt64s(any(a).([]int64), any(b).([]int64), o)
		case []int32:
			over = mulNarrow(any(a).([]int32), any(b).([]int32), o)
		case []int16:
			over = mulNarrow(any(a).([]int16), any(b).([]int16), o)
		}
		if over {
			err = findOverflow(n, vb, func(i int) bool { return mulOverflows(a[i], b[i]) })
		}
	case OpDiv, OpMod:
		err = divInts(a, b, out, vb, op == OpMod)
	}
	if err == errOverflow {
		err = rangeErr()
	}
	if err != nil {
		buf.Release()
		if valid != nil {
			valid.Release()
		}
		return nil, err
	}
	return finish(dt, n, valid, buf), nil
}

// findOverflow returns errOverflow if bad(i) holds for a valid row i.
func findOverflow(n int, vb []byte, bad func(int) bool) error {
	for i := 0; i < n; i++ {
		if validAt(vb, 0, i) && bad(i) {
			return errOverflow
		}
	}
	return nil
}

// negateInts negates, flagging the minimum value of a valid row.
func negateInts[T intT](mem memory.Allocator, dt arrow.DataType, rangeErr func() error, in arrow.Array) (arrow.Array, error) {
	n := in.Len()
	a := values[T](in)
	buf, out := allocFixed[T](mem, n)
	a = a[:len(out)]
	minv := minOf[T]()
	bad := false
	for i := range out {
		out[i] = -a[i]
		bad = bad || a[i] == minv
	}
	bm, off := bitmapOf(in)
	if bad {
		for i := range out {
			if a[i] == minv && validAt(bm, off, i) {
				buf.Release()
				return nil, rangeErr()
			}
		}
	}
	var valid *memory.Buffer
	if bm != nil {
		valid = copyBitmap(mem, bm, off, n)
	}
	return finish(dt, n, valid, buf), nil
}
