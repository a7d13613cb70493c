package expr

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Float arithmetic with PostgreSQL's checks: a finite computation that
// yields ±Inf is "value out of range: overflow", a product or quotient of
// non-zero finite values that yields 0 is "…: underflow", and division by
// zero is 22012 (IEEE would give Inf). NaN and Inf inputs propagate.

type floatT interface{ ~float32 | ~float64 }

func isInfF[T floatT](x T) bool { return math.IsInf(float64(x), 0) }

func arithFloats[T floatT](mem memory.Allocator, dt arrow.DataType, op BinaryOp, la, ra arrow.Array) (arrow.Array, error) {
	n := la.Len()
	a, b := values[T](la), values[T](ra)
	valid := andValidity(mem, n, la, ra)
	var vb []byte
	if valid != nil {
		vb = valid.Bytes()
	}
	buf, out := allocFixed[T](mem, n)
	a, b = a[:len(out)], b[:len(out)]
	suspect := false
	switch op {
	case OpAdd:
		for i := range out {
			r := a[i] + b[i]
			out[i] = r
			suspect = suspect || isInfF(r)
		}
	case OpSub:
		for i := range out {
			r := a[i] - b[i]
			out[i] = r
			suspect = suspect || isInfF(r)
		}
	case OpMul:
		for i := range out {
			r := a[i] * b[i]
			out[i] = r
			suspect = suspect || isInfF(r) || r == 0
		}
	case OpDiv:
		for i := range out {
			if b[i] == 0 && a[i] == a[i] { // NaN / 0 is NaN (float8div)
				if validAt(vb, 0, i) {
					buf.Release()
					if valid != nil {
						valid.Release()
					}
					return nil, errDivByZero()
				}
				out[i] = 0
				continue
			}
			r := a[i] / b[i]
			out[i] = r
			suspect = suspect || isInfF(r) || r == 0
		}
	}
	if suspect {
		if err := checkFloatRange(op, a, b, out, vb); err != nil {
			buf.Release()
			if valid != nil {
				valid.Release()
			}
			return nil, err
		}
	}
	return finish(dt, n, valid, buf), nil
}

// checkFloatRange finds a valid row whose result over- or underflowed.
func checkFloatRange[T floatT](op BinaryOp, a, b, out []T, vb []byte) error {
	for i := range out {
		if !validAt(vb, 0, i) {
			continue
		}
		x, y, r := a[i], b[i], out[i]
		if isInfF(r) && !isInfF(x) && !isInfF(y) {
			return errFloatRange()
		}
		switch op {
		case OpMul:
			if r == 0 && x != 0 && y != 0 {
				return errFloatUnder()
			}
		case OpDiv:
			if r == 0 && x != 0 && !isInfF(y) {
				return errFloatUnder()
			}
		}
	}
	return nil
}

func negateFloats[T floatT](mem memory.Allocator, dt arrow.DataType, in arrow.Array) arrow.Array {
	n := in.Len()
	a := values[T](in)
	buf, out := allocFixed[T](mem, n)
	a = a[:len(out)]
	for i := range out {
		out[i] = -a[i]
	}
	bm, off := bitmapOf(in)
	var valid *memory.Buffer
	if bm != nil {
		valid = copyBitmap(mem, bm, off, n)
	}
	return finish(dt, n, valid, buf)
}
