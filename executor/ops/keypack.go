package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Keys packed into one int64: two integer-like or numeric columns, a in
// the upper and b in the lower 32 bits, or one numeric column by its
// unscaled value. The hash aggregate (hashaggpack.go) and the hash join
// (hashjoinpack.go) pack with one keyPacker each, whose scratch is reused
// from batch to batch.

// packedKind is how a key column packs: 32 or 64 for the integer-like
// types, 128 for numeric (decimal128, compared by its unscaled value as
// the generic table does, since a column has one scale), 0 not at all.
func packedKind(dt arrow.DataType) int {
	if dt.ID() == arrow.DECIMAL128 {
		return 128
	}
	return intKeyBits(dt)
}

// keyPacker packs key columns into vals; its slices are scratch, valid
// until the next pack.
type keyPacker struct {
	vals   []int64
	misfit []int32
	wa, wb []int64 // numeric columns narrowed to int64
}

// pack fills p.vals with the packed keys of the n rows of keys (one
// numeric column, or two integer-like or numeric ones) and p.misfit with
// the rows that do not pack: a value too wide (in 32 bits for a pair, in
// 64 for one numeric column), or a NULL in a two-column key. It returns
// the validity of a one-column key.
func (p *keyPacker) pack(keys []arrow.Array, n int) validity {
	p.vals = growTo(p.vals[:0], n)[:n]
	return p.packTo(p.vals, keys)
}

// packTo is pack writing the keys of len(dst) rows into dst instead (the
// join's build side, into the array it keeps).
func (p *keyPacker) packTo(dst []int64, keys []arrow.Array) validity {
	n := len(dst)
	p.misfit = p.misfit[:0]
	if len(keys) == 1 {
		p.misfit = narrowDecimals(dst, keys[0], p.misfit)
		return validityOf(keys[0])
	}
	a32, a64 := p.side(keys[0], &p.wa, n)
	b32, b64 := p.side(keys[1], &p.wb, n)
	switch {
	case a32 != nil && b32 != nil:
		p.misfit = packPairs(dst, a32, b32, p.misfit)
	case a32 != nil:
		p.misfit = packPairs(dst, a32, b64, p.misfit)
	case b32 != nil:
		p.misfit = packPairs(dst, a64, b32, p.misfit)
	default:
		p.misfit = packPairs(dst, a64, b64, p.misfit)
	}
	for _, k := range keys {
		if v := validityOf(k); v.Bits != nil {
			for i := range n {
				if !v.OK(i) {
					p.misfit = append(p.misfit, int32(i))
				}
			}
		}
	}
	return validity{}
}

// side returns the values of one column of a pair as they are (int32 or
// int64), or numeric ones narrowed into scratch, adding the rows that do
// not fit in int64 to p.misfit (packPairs may take their low bits for a
// fit).
func (p *keyPacker) side(a arrow.Array, scratch *[]int64, n int) ([]int32, []int64) {
	switch packedKind(a.DataType()) {
	case 32:
		return fixedVals[int32](a), nil
	case 64:
		return nil, fixedVals[int64](a)
	}
	*scratch = growTo((*scratch)[:0], n)[:n]
	p.misfit = narrowDecimals(*scratch, a, p.misfit)
	return nil, *scratch
}

// narrowDecimals writes the unscaled values of the decimal128 column a to
// dst and appends to misfit the non-NULL rows that do not fit in int64
// (numeric's NaN and infinities are among them).
func narrowDecimals(dst []int64, a arrow.Array, misfit []int32) []int32 {
	v := validityOf(a)
	for i, x := range fixedVals[decimal128.Num](a)[:len(dst)] {
		lo := int64(x.LowBits())
		dst[i] = lo
		if x.HighBits() != lo>>63 && v.OK(i) {
			misfit = append(misfit, int32(i))
		}
	}
	return misfit
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
