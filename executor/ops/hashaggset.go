package ops

import (
	"context"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// GROUP BY or DISTINCT without aggregates over many groups, as a set of
// keys in cache-sized partitions. Analyst q06's `SELECT DISTINCT
// o_custkey, extract(year …)` meets ~450k groups per worker: every
// row's probe of the integer table (12 bytes a slot, twice the groups'
// slots) missed the caches, and was 40% of the query's CPU. Without
// aggregates no row needs its group's id, only its key in the set, so
// the part keeps the keys (one int64, or packed as in packTable) as the
// DISTINCT aggregates keep their pairs (aggdistinctradix.go): a row's
// key is appended to its partition's pending list, and a partition
// inserts its pending keys into its own table, a 256th of the set, while
// that is in cache. Partitions depend on the key alone, so the parallel
// inputs' sets merge partition by partition, on as many goroutines.
//
// A part moves to its set once its table holds keySetMin groups (below
// that, the table is in cache and gives each row its group at once), or
// from the start when the planner expects that many. Only with parallel
// inputs, whose groups come out in no particular order anyway (one
// input's come out in order of first appearance). A key the set cannot
// hold (a value that does not pack, a NULL in a two-column key) or a
// spill moves the keys back to a table.

// keySetMin is the groups of a part from which it keeps them in a
// keySet: a table of 32k groups (768 kB of slots) outgrows the L2 cache.
const keySetMin = 1 << 15

// keySet is a part's set of group keys. Not safe for concurrent use.
type keySet struct {
	types []arrow.DataType // the group keys' types: one (an int64 key or numeric) or a packed pair
	parts [pairParts]pairPart
	null  bool // the NULL key of a one-column key is in the set
	keyPacker
	sel []int64 // scratch: the selected rows' keys
}

// keyPart is the partition of a key: the top bits of its Fibonacci hash
// (pairPart's slots take the bits below them).
func keyPart(k int64) int { return int(pairHash(k) >> (64 - pairPartBits)) }

// keySetsFit reports whether o's parts may keep their groups in key sets:
// no aggregates, parallel inputs, and keys an integer table holds as an
// int64 (newGroupTable).
func (o *hashAggOp) keySetsFit() bool {
	if len(o.aggs) > 0 || len(o.inputs) < 2 || len(o.groups) == 0 {
		return false
	}
	types := keyArrowTypes(o.groups)
	switch {
	case len(types) == 1:
		return packedKind(types[0]) == 64 || packedKind(types[0]) == 128
	case len(types) == 2:
		return packedKind(types[0]) != 0 && packedKind(types[1]) != 0
	}
	return false
}

// startKeySet moves the part's groups into a key set when it may keep
// one (keySetsFit, checked by the caller) and has at least min groups.
func (p *aggPart) startKeySet(min int) {
	if p.set != nil || p.spill != nil || p.level > 0 {
		return
	}
	it := int64Table(p.table)
	if it == nil || it.len() < min {
		return
	}
	s := &keySet{types: keyArrowTypes(p.o.groups)}
	if it.nullGid >= 0 {
		if len(s.types) == 2 {
			return // a packed table holds no NULL pair; defensive
		}
		s.null = true
		keys := append([]int64(nil), it.keys...)
		keys = append(keys[:it.nullGid], keys[it.nullGid+1:]...)
		s.add(keys)
	} else {
		s.add(it.keys)
	}
	t, err := newGroupTable(s.types, p.o.seed)
	if err != nil {
		return // the same types made p.table: not reached
	}
	p.table, p.set = t, s
}

// addToSet adds the keys of the rows sel (nil: every row) to the part's
// set. It reports false, having added nothing, when a key does not fit
// the set.
func (p *aggPart) addToSet(ctx context.Context, keys []arrow.Array, sel []int32, n int) (bool, error) {
	plain, err := decodeDictionaries(ctx, p.o, keys)
	if err != nil {
		return false, err
	}
	defer releaseArrays(plain)
	s := p.set
	var vals []int64
	var v validity
	if len(s.types) == 1 && packedKind(s.types[0]) == 64 {
		vals, v = fixedVals[int64](plain[0])[:n], validityOf(plain[0])
	} else {
		v = s.pack(plain, n)
		if len(s.misfit) > 0 {
			return false, nil
		}
		vals = s.vals
	}
	if sel == nil && v.Bits == nil {
		s.add(vals)
		return true, nil
	}
	s.sel = s.sel[:0]
	each := func(i int) {
		if v.Bits != nil && !v.OK(i) {
			s.null = true
			return
		}
		s.sel = append(s.sel, vals[i])
	}
	if sel == nil {
		for i := range n {
			each(i)
		}
	} else {
		for _, i := range sel {
			each(int(i))
		}
	}
	s.add(s.sel)
	return true, nil
}

// add adds the keys ks.
func (s *keySet) add(ks []int64) {
	for _, k := range ks {
		p := &s.parts[keyPart(k)]
		p.pending = append(p.pending, k)
		if len(p.pending) >= max(pairFlushMin, len(p.slots)/2) {
			p.grow()
			p.flush()
		}
	}
}

// bytes is the memory the set holds, and its tables will once the
// pending keys are inserted (were they all new).
func (s *keySet) bytes() int64 {
	n := int64(8 * (cap(s.vals) + cap(s.sel) + cap(s.wa) + cap(s.wb)))
	for i := range s.parts {
		n += s.parts[i].bytes()
	}
	return n
}

// keysOf appends the keys of partitions [lo, hi) to dst, after
// inserting their pending keys.
func (s *keySet) keysOf(dst []int64, lo, hi int) []int64 {
	for i := lo; i < hi; i++ {
		p := &s.parts[i]
		p.grow()
		p.flush()
		if p.zero {
			dst = append(dst, 0)
		}
		for _, k := range p.slots {
			if k != 0 {
				dst = append(dst, k)
			}
		}
	}
	return dst
}

// mergePart moves partition i of src into s's.
func (s *keySet) mergePart(src *keySet, i int) {
	sp, dp := &src.parts[i], &s.parts[i]
	dp.grow()
	dp.flush()
	// Sized at once for every key being new (see pairSet.mergeFrom),
	// and src's keys inserted from where they lie.
	if need := 2 * (dp.n + sp.n + len(sp.pending) + 1); need > len(dp.slots) {
		dp.resize(1 << bits.Len(uint(need-1)))
	}
	if sp.zero {
		dp.zero = true
	}
	dp.insert(sp.pending)
	dp.insert(sp.slots)
	*sp = pairPart{}
}

// keyArrays returns the key columns of ks (and of the NULL key, last, if
// withNull).
func (s *keySet) keyArrays(mem memory.Allocator, ks []int64, withNull bool) []arrow.Array {
	if len(s.types) == 2 {
		return []arrow.Array{
			keyColumnOf(mem, s.types[0], ks, nil, 0, func(k int64) int64 { a, _ := unpackPair(k); return a }),
			keyColumnOf(mem, s.types[1], ks, nil, 0, func(k int64) int64 { _, b := unpackPair(k); return b }),
		}
	}
	n := len(ks)
	if withNull {
		ks = append(ks, 0)
	}
	valid, nulls := buildValidity(mem, len(ks), func(i int) bool { return i < n })
	return []arrow.Array{keyColumnOf(mem, s.types[0], ks, valid, nulls, func(k int64) int64 { return k })}
}

// toTable moves the part's keys from its set back into a table.
func (p *aggPart) toTable() {
	s := p.set
	if s == nil {
		return
	}
	p.set = nil
	ks := s.keysOf(nil, 0, pairParts)
	keys := s.keyArrays(memory.DefaultAllocator, ks, s.null)
	defer releaseArrays(keys)
	presize(p.table, len(ks)+1)
	p.table.insert(keys, make([]int32, keys[0].Len()))
}

// held is the memory the part's groups take: its set's, or perGroup
// each in its table.
func (p *aggPart) held() int64 {
	if p.set != nil {
		return p.set.bytes()
	}
	return int64(p.table.len()) * p.perGroup
}

// withKeySets reports whether any of parts keeps a key set.
func withKeySets(parts []*aggPart) bool {
	for _, p := range parts {
		if p.set != nil {
			return true
		}
	}
	return false
}

// mergeKeySets unites the groups of parts (which did not spill; the
// others' tables become sets first) into the first part's set, its
// partitions split among len(parts) goroutines, each of which returns a
// result batch of its partitions' keys (nil if none).
func (o *hashAggOp) mergeKeySets(ctx context.Context, parts []*aggPart) ([]arrow.RecordBatch, error) {
	for _, p := range parts {
		p.startKeySet(0)
		if p.set == nil {
			return nil, errInternal("aggregate part without a key set")
		}
	}
	dst := parts[0].set
	null := false
	for _, p := range parts {
		null = null || p.set.null
	}
	n := len(parts)
	return mergeInParallel(n, func(d int) (arrow.RecordBatch, error) {
		lo, hi := d*pairParts/n, (d+1)*pairParts/n
		for i := lo; i < hi; i++ {
			if err := ctxErr(ctx); err != nil {
				return nil, err
			}
			for _, p := range parts[1:] {
				dst.mergePart(p.set, i)
			}
		}
		ks := dst.keysOf(nil, lo, hi)
		withNull := null && d == 0
		if len(ks) == 0 && !withNull {
			return nil, nil
		}
		cols := dst.keyArrays(o.env.Mem, ks, withNull)
		return newBatch(o.schema, cols, cols[0].Len()), nil
	})
}

// keySetsMerge reports whether parts (none spilled) can be merged as key
// sets: each keeps one, or its groups in an integer table.
func keySetsMerge(parts []*aggPart) bool {
	for _, p := range parts {
		if p.spill != nil || (p.set == nil && int64Table(p.table) == nil) {
			return false
		}
	}
	return true
}
