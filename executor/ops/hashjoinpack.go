package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Two integer key columns packed into one. A join on two integer-like
// columns (TPC-H Q9's partsupp on ps_partkey and ps_suppkey, Q5's
// supplier on s_suppkey and s_nationkey) would hash both columns into
// the generic table on one goroutine. When every build key value fits in
// 32 bits, each pair is one 64-bit key instead, looked up in the integer
// table and hashed on all workers like a single integer key. A probe row
// with a value that does not fit cannot match, and is looked up as NULL.

// packableKeys reports whether join keys of these types can be packed:
// two integer-like columns.
func packableKeys(types []arrow.DataType) bool {
	return len(types) == 2 && intKeyBits(types[0]) != 0 && intKeyBits(types[1]) != 0
}

// packKeys returns one int64 column holding the pairs of the two
// integer-like columns keys, NULL where either is NULL. A pair with a
// value outside int32's range is NULL too, unless strict (the build
// side), which returns ok = false and nothing instead.
func packKeys(mem memory.Allocator, keys []arrow.Array, strict bool) (arrow.Array, bool) {
	n := keys[0].Len()
	vb := newBuffer(mem, 8*n)
	dst := fixedSliceOf[int64](vb.Bytes())[:n]
	a, b := keys[0], keys[1]
	misfit := packColumns(dst, a, b, nil)
	va, vb2 := validityOf(a), validityOf(b)
	if strict {
		for _, i := range misfit {
			if va.OK(int(i)) && vb2.OK(int(i)) {
				vb.Release()
				return nil, false
			}
		}
		misfit = nil // the rows left are NULL anyway
	}
	var valid *memory.Buffer
	nulls := 0
	if va.Bits != nil || vb2.Bits != nil || len(misfit) > 0 {
		valid = newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
		bits := valid.Bytes()
		bitutil.SetBitsTo(bits, 0, int64(n), true)
		for i := range n {
			if !va.OK(i) || !vb2.OK(i) {
				bitutil.ClearBit(bits, i)
			}
		}
		for _, i := range misfit {
			bitutil.ClearBit(bits, int(i))
		}
		nulls = n - bitutil.CountSetBits(bits, 0, n)
		if nulls == 0 {
			valid.Release()
			valid = nil
		}
	}
	return makeArray(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{valid, vb}, nil, nulls), true
}

// packColumns writes the pairs of the integer-like columns a and b into
// dst (a in the upper, b in the lower 32 bits) and appends to misfit the
// rows where a value does not fit in 32 bits.
func packColumns(dst []int64, a, b arrow.Array, misfit []int32) []int32 {
	switch {
	case intKeyBits(a.DataType()) == 32 && intKeyBits(b.DataType()) == 32:
		return packPairs(dst, fixedVals[int32](a), fixedVals[int32](b), misfit)
	case intKeyBits(a.DataType()) == 32:
		return packPairs(dst, fixedVals[int32](a), fixedVals[int64](b), misfit)
	case intKeyBits(b.DataType()) == 32:
		return packPairs(dst, fixedVals[int64](a), fixedVals[int32](b), misfit)
	}
	return packPairs(dst, fixedVals[int64](a), fixedVals[int64](b), misfit)
}

// packPairs writes a[i] in the upper and b[i] in the lower 32 bits of
// dst[i], and appends to misfit the rows where a value does not fit.
func packPairs[A, B int32 | int64](dst []int64, a []A, b []B, misfit []int32) []int32 {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		x, y := int64(a[i]), int64(b[i])
		dst[i] = int64(uint64(uint32(x))<<32 | uint64(uint32(y)))
		if x != int64(int32(x)) || y != int64(int32(y)) {
			misfit = append(misfit, int32(i))
		}
	}
	return misfit
}

// unpackPair splits a packed pair into its two values, sign-extended.
func unpackPair(k int64) (int64, int64) { return k >> 32, int64(int32(k)) }

// packBuild replaces o's table by an integer table over the packed pairs
// of keys when they all fit, returning the packed key column (keys are
// released) or keys unchanged.
func (o *hashJoinOp) packBuild(keys []arrow.Array) []arrow.Array {
	if !o.pack {
		return keys
	}
	pk, ok := packKeys(o.env.Mem, keys, true)
	if !ok {
		return keys
	}
	releaseArrays(keys)
	t := newIntTable[int64](arrow.PrimitiveTypes.Int64)
	o.ht, o.table, o.packed = t, t, true
	return []arrow.Array{pk}
}

// packProbe returns the packed probe keys when the build side's are
// packed (keys are released), else keys.
func (o *hashJoinOp) packProbe(keys []arrow.Array) []arrow.Array {
	if !o.packed {
		return keys
	}
	pk, _ := packKeys(o.env.Mem, keys, false)
	releaseArrays(keys)
	return []arrow.Array{pk}
}
