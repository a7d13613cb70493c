package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/membudget"
)

// Generic row-wise kernels for the function library and the temporal
// operators: f runs once per non-NULL row through a closure call (no
// interface call, no allocation); NULL rows produce NULL without calling
// f. The arithmetic and comparison hot paths do not use these. Each
// writes every row of its output (NULL rows as zero), so the output
// buffers come uncleared from the query's recycler (membudget.Filling).

// mapUnary computes f over a fixed-width array.
func mapUnary[A, O fixedT](mem memory.Allocator, dt arrow.DataType, in arrow.Array, f func(A) (O, error)) (arrow.Array, error) {
	n := in.Len()
	a := values[A](in)
	bm, off := bitmapOf(in)
	buf, out := allocFixed[O](membudget.Filling(mem), n) // every row written
	var valid *memory.Buffer
	if bm != nil {
		valid = copyBitmap(mem, bm, off, n)
	}
	var err error
	for i := range out {
		if bm != nil && !validAt(bm, off, i) {
			var z O
			out[i] = z
			continue
		}
		if out[i], err = f(a[i]); err != nil {
			break
		}
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

// mapBinary computes f over two fixed-width arrays of equal length.
func mapBinary[A, B, O fixedT](mem memory.Allocator, dt arrow.DataType, la, ra arrow.Array, f func(A, B) (O, error)) (arrow.Array, error) {
	n := la.Len()
	a, b := values[A](la), values[B](ra)
	valid := andValidity(mem, n, la, ra)
	var vb []byte
	if valid != nil {
		vb = valid.Bytes()
	}
	buf, out := allocFixed[O](membudget.Filling(mem), n) // every row written
	var err error
	for i := range out {
		if !validAt(vb, 0, i) {
			var z O
			out[i] = z
			continue
		}
		if out[i], err = f(a[i], b[i]); err != nil {
			break
		}
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

// mapRows computes a fixed-width result from any inputs: get reads row i
// of the inputs (all valid there) and returns the value, or null=true.
func mapRows[O fixedT](mem memory.Allocator, dt arrow.DataType, n int, ins []arrow.Array, get func(i int) (v O, null bool, err error)) (arrow.Array, error) {
	valid := andValidity(mem, n, ins...)
	var vb []byte
	if valid != nil {
		vb = valid.Bytes()
	}
	buf, out := allocFixed[O](membudget.Filling(mem), n) // every row written
	for i := range out {
		var z O
		out[i] = z
		if !validAt(vb, 0, i) {
			continue
		}
		v, null, err := get(i)
		if err != nil {
			buf.Release()
			if valid != nil {
				valid.Release()
			}
			return nil, err
		}
		if null {
			if valid == nil {
				valid, vb = allocBitmap(mem, n)
				setBitsTrue(vb, n)
			}
			clearBit(vb, i)
			continue
		}
		out[i] = v
	}
	return finish(dt, n, valid, buf), nil
}

// mapRowsStr computes a String/Binary result from any inputs: get appends
// row i's value to dst (reused scratch) or returns null=true.
func mapRowsStr(mem memory.Allocator, dt arrow.DataType, n int, ins []arrow.Array, get func(i int, dst []byte) (out []byte, null bool, err error)) (arrow.Array, error) {
	valid := andValidity(mem, n, ins...)
	var vb []byte
	if valid != nil {
		vb = valid.Bytes()
		defer valid.Release()
	}
	est := 16 * n
	if len(ins) > 0 && (ins[0].DataType().ID() == arrow.STRING || ins[0].DataType().ID() == arrow.BINARY) {
		v := viewOf(ins[0])
		est = int(v.offs[len(v.offs)-1]-v.offs[0]) + n
	}
	so := newStrOut(mem, n, est)
	var scratch []byte
	for i := 0; i < n; i++ {
		if !validAt(vb, 0, i) {
			so.addNull()
			continue
		}
		v, null, err := get(i, scratch[:0])
		if err != nil {
			so.release()
			return nil, err
		}
		if null {
			so.addNull()
			continue
		}
		if len(v) > maxStringResult {
			// PostgreSQL's 1 GB field limit holds for every text value.
			so.release()
			return nil, errTooLong()
		}
		if so.n+len(v) > maxStrBatch {
			// Fail before the batch holds gigabytes: a 1 GB value per
			// row (repeat, lpad) would otherwise grow it row by row.
			so.release()
			return nil, errStrBatch(so.n + len(v))
		}
		so.add(v)
		if cap(v) > cap(scratch) {
			scratch = v
		}
	}
	return so.finish(dt)
}

// boundedStr is mapRowsStr for the text kernels of SQL functions: values
// can be far larger than their inputs (x || x, concat, jsonb_build_array,
// replace, lpad, encode: each doubles at a step of nesting), so the bytes
// of the batch being built are reserved from the query's memory budget as
// they grow (53200 past it), until the call returns and the batch belongs
// to whoever keeps it. Casts and masks, whose output is bounded by their
// input, use mapRowsStr.
func boundedStr(env *executor.Env, name string, dt arrow.DataType, n int, ins []arrow.Array, get func(i int, dst []byte) (out []byte, null bool, err error)) (arrow.Array, error) {
	return boundedStrAhead(env, name, dt, n, ins, func(i int, dst []byte, _ func(int64) error) ([]byte, bool, error) {
		return get(i, dst)
	})
}

// boundedStrAhead is boundedStr for kernels that know a value's length
// before they build it and a single value can be far larger than its
// inputs (replace, regexp_replace with many matches): get calls ahead(n)
// before it appends n bytes, which holds the value to the 1 GB field
// limit (54000) and reserves it (53200) before anything is allocated.
func boundedStrAhead(env *executor.Env, name string, dt arrow.DataType, n int, ins []arrow.Array, get func(i int, dst []byte, ahead func(n int64) error) (out []byte, null bool, err error)) (arrow.Array, error) {
	res := env.Reserve(name)
	defer res.Free()
	var built, reserved int64
	ahead := func(n int64) error {
		if n > maxStringResult {
			return errTooLong()
		}
		if over := built + n - reserved; over > 0 {
			if err := res.Grow(over); err != nil {
				return err
			}
			reserved += over
		}
		return nil
	}
	return mapRowsStr(env.Mem, dt, n, ins, func(i int, dst []byte) ([]byte, bool, error) {
		v, null, err := get(i, dst, ahead)
		if err != nil || null {
			return v, null, err
		}
		if built += int64(len(v)); built-reserved >= boundedStep {
			if err := res.Grow(built - reserved); err != nil {
				return nil, false, err
			}
			reserved = built
		}
		return v, false, nil
	})
}

// boundedStep is how many bytes boundedStr builds between reservations.
const boundedStep = 1 << 20

func setBitsTrue(bm []byte, n int) {
	for i := range bm {
		bm[i] = 0xFF
	}
	_ = n
}

func clearBit(bm []byte, i int) { bm[i>>3] &^= 1 << (i & 7) }

func setBit(bm []byte, i int) { bm[i>>3] |= 1 << (i & 7) }
