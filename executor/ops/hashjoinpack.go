package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
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

// packBuild replaces o's table by an integer table over the packed pairs
// of keys when they all fit, returning the packed key column (keys are
// released) or keys unchanged. NULL pairs stay NULL: they join nothing.
func (o *hashJoinOp) packBuild(keys []arrow.Array) []arrow.Array {
	if !o.pack {
		return keys
	}
	n := keys[0].Len()
	mem := o.env.Mem
	buf := newBuffer(mem, 8*n)
	p := &o.packer
	p.packTo(fixedSliceOf[int64](buf.Bytes())[:n], keys)
	va, vb := validityOf(keys[0]), validityOf(keys[1])
	for _, i := range p.misfit {
		if va.OK(int(i)) && vb.OK(int(i)) {
			buf.Release()
			return keys // a value too wide: the generic table
		}
	}
	valid, nulls := buildValidity(mem, n, func(i int) bool { return va.OK(i) && vb.OK(i) })
	pk := makeArray(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{valid, buf}, nil, nulls)
	releaseArrays(keys)
	t := newIntTable[int64](arrow.PrimitiveTypes.Int64)
	o.ht, o.table, o.packed = t, t, true
	return []arrow.Array{pk}
}

// lookupPacked is lookupHeads over the packed probe keys, packed into
// o.packer's scratch (no array per batch). A pair that does not pack (a
// value too wide, or NULL) matches nothing.
func (o *hashJoinOp) lookupPacked(keys []arrow.Array, heads []int32) {
	p := &o.packer
	p.pack(keys, len(heads))
	if t, ok := o.table.(*partIntTable[int64]); ok { // built in parallel
		o.ksel = t.lookupValsFiltered(p.vals, validity{}, nil, heads, &o.kf, o.spec.Stats, o.ksel)
	} else {
		o.gids = growTo(o.gids[:0], len(heads))[:len(heads)]
		o.table.(*intTable[int64]).lookupVals(p.vals, validity{}, o.gids)
		o.headsOf(o.gids, heads)
	}
	for _, r := range p.misfit {
		heads[r] = -1
	}
}
