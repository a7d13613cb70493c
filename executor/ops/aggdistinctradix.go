package ops

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The set of an aggregate's DISTINCT (group, value) pairs, for one
// integer-like or numeric argument whose values fit in 32 bits, kept as
// packed int64 pairs split by a hash of the value into pairParts
// partitions. One table of every pair (a million per worker for the
// analyst query counting distinct customers and parts per month) is far
// larger than the caches: each row's probe was a cache miss, and half of
// the query's CPU. Here a row's pair is only appended to its partition's
// pending list; a partition's pending pairs go into its own table, a
// 256th of the whole, which stays in cache while they are inserted. A
// partition depends on the value alone, so the sets of parallel inputs
// (whose groups are renumbered by the merge) still merge partition by
// partition.

// pairPartBits is log2 of the partitions of a pairSet.
const pairPartBits = 8

const pairParts = 1 << pairPartBits

// pairFlushMin is the pending pairs of a partition that make it insert
// them into its table, or half its slots when larger: each insertion
// round then probes enough pairs to pay for bringing the table into
// cache, and the pending lists stay within about half the tables' size.
const pairFlushMin = 1024

// pairSet is a set of packed (group, value) pairs with the groups that
// also hold a NULL value. Not safe for concurrent use.
type pairSet struct {
	parts [pairParts]pairPart
	// nulls[g] reports whether group g has a NULL value.
	nulls []bool
	// scratch, reused across batches
	vals []int64
}

// pairPart is one partition: its table (linear probing over the pairs
// themselves, 0 = empty; the pair 0 is zero instead) and its pending
// pairs.
type pairPart struct {
	slots   []int64
	n       int
	zero    bool
	pending []int64
}

// pairHash mixes a value for its partition (the top bits) and slot.
func pairHash(k int64) uint64 { return uint64(k) * fibMul }

// partOf is the partition of a packed pair: a hash of its value (the
// lower 32 bits) alone.
func partOf(k int64) int { return int(pairHash(int64(uint32(k))) >> (64 - pairPartBits)) }

// fitPairs packs the pairs (gids[i], value i of arg) of the rows whose
// group is not -1 into s.vals (NULL values set s.nulls instead) and
// reports whether every value fit in 32 bits; if not, s.vals is
// unspecified and nothing was added.
func (s *pairSet) fitPairs(gids []int32, arg arrow.Array) bool {
	s.vals = s.vals[:0]
	v := validityOf(arg)
	switch packedKind(arg.DataType()) {
	case 32:
		for i, x := range fixedVals[int32](arg)[:len(gids)] {
			if g := gids[i]; g >= 0 && v.OK(i) {
				s.vals = append(s.vals, int64(uint64(uint32(g))<<32|uint64(uint32(x))))
			}
		}
	case 64:
		for i, x := range fixedVals[int64](arg)[:len(gids)] {
			if g := gids[i]; g >= 0 && v.OK(i) {
				if x != int64(int32(x)) {
					return false
				}
				s.vals = append(s.vals, int64(uint64(uint32(g))<<32|uint64(uint32(x))))
			}
		}
	case 128:
		for i, x := range fixedVals[decimal128.Num](arg)[:len(gids)] {
			if g := gids[i]; g >= 0 && v.OK(i) {
				lo := int64(x.LowBits())
				if x.HighBits() != lo>>63 || lo != int64(int32(lo)) {
					return false
				}
				s.vals = append(s.vals, int64(uint64(uint32(g))<<32|uint64(uint32(lo))))
			}
		}
	default:
		return false
	}
	if v.Bits != nil {
		for i, g := range gids {
			if g >= 0 && !v.OK(i) {
				s.markNull(g)
			}
		}
	}
	return true
}

func (s *pairSet) markNull(g int32) {
	s.nulls = growTo(s.nulls, int(g)+1)
	s.nulls[g] = true
}

// add adds the packed pairs ks.
func (s *pairSet) add(ks []int64) {
	for _, k := range ks {
		p := &s.parts[partOf(k)]
		p.pending = append(p.pending, k)
		if len(p.pending) >= max(pairFlushMin, len(p.slots)/2) {
			p.flush()
		}
	}
}

// flush inserts the pending pairs into the partition's table.
func (p *pairPart) flush() {
	if len(p.slots) == 0 {
		p.resize(max(16, 1<<bits.Len(uint(len(p.pending)))))
	}
	mask := uint64(len(p.slots) - 1)
	shift := uint(64 - bits.Len(uint(mask)))
	for _, k := range p.pending {
		if k == 0 {
			p.zero = true
			continue
		}
		if 2*(p.n+1) > len(p.slots) {
			p.resize(2 * len(p.slots))
			mask = uint64(len(p.slots) - 1)
			shift--
		}
		i := (pairHash(k) << pairPartBits) >> shift
		for {
			s := p.slots[i]
			if s == 0 {
				p.slots[i] = k
				p.n++
				break
			}
			if s == k {
				break
			}
			i = (i + 1) & mask
		}
	}
	p.pending = p.pending[:0]
}

// bytes is the memory the partition holds, and its table will once the
// pending pairs are inserted (were they all new).
func (p *pairPart) bytes() int64 {
	slots := len(p.slots)
	if need := 2 * (p.n + len(p.pending)); need > slots {
		slots = max(16, 1<<bits.Len(uint(need-1)))
	}
	return 8 * int64(slots+cap(p.pending))
}

// grow sizes the partition's table for its pending pairs all being new
// (as bytes counts them), at once where flush would double it pair by
// pair, each doubling reinserting the table.
func (p *pairPart) grow() {
	if need := 2 * (p.n + len(p.pending)); need > len(p.slots) {
		p.resize(max(16, 1<<bits.Len(uint(need-1))))
	}
}

// insert inserts the keys ks into a table with room for them all (the
// caller sized it).
func (p *pairPart) insert(ks []int64) {
	mask := uint64(len(p.slots) - 1)
	shift := uint(64 - bits.Len(uint(mask)))
	for _, k := range ks {
		if k == 0 {
			p.zero = true
			continue
		}
		i := (pairHash(k) << pairPartBits) >> shift
		for {
			s := p.slots[i]
			if s == 0 {
				p.slots[i] = k
				p.n++
				break
			}
			if s == k {
				break
			}
			i = (i + 1) & mask
		}
	}
}

func (p *pairPart) resize(capacity int) {
	old := p.slots
	p.slots = make([]int64, capacity)
	mask := uint64(capacity - 1)
	shift := uint(64 - bits.Len(uint(mask)))
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := (pairHash(k) << pairPartBits) >> shift
		for p.slots[i] != 0 {
			i = (i + 1) & mask
		}
		p.slots[i] = k
	}
}

// flushAll inserts every partition's pending pairs.
func (s *pairSet) flushAll() {
	for i := range s.parts {
		s.parts[i].flush()
	}
}

// countInto adds to n[g] the number of pairs of each group g (NULL
// values are not counted: count(DISTINCT x) skips them).
func (s *pairSet) countInto(n []int64) {
	s.flushAll()
	s.each(func(k int64) { n[uint64(k)>>32]++ })
}

// each calls fn for every pair in the set (after flushAll).
func (s *pairSet) each(fn func(k int64)) {
	for i := range s.parts {
		p := &s.parts[i]
		if p.zero {
			fn(0)
		}
		for _, k := range p.slots {
			if k != 0 {
				fn(k)
			}
		}
	}
}

// mergeFrom adds src's pairs, their groups renumbered by gmap, and
// empties src. A pair stays in its partition, so each partition of src
// goes into the same one of s while that one is in cache.
func (s *pairSet) mergeFrom(src *pairSet, gmap []int32) {
	for i := range src.parts {
		sp, dp := &src.parts[i], &s.parts[i]
		add := func(k int64) {
			if g := gmap[uint64(k)>>32]; g >= 0 {
				dp.pending = append(dp.pending, int64(uint64(uint32(g))<<32|uint64(uint32(k))))
			}
		}
		for _, k := range sp.pending {
			add(k)
		}
		if sp.zero {
			add(0)
		}
		for _, k := range sp.slots {
			if k != 0 {
				add(k)
			}
		}
		// Sized at once for every pair being new: at most twice the
		// slots the union needs, where doubling would reinsert them all.
		if need := 2 * (dp.n + len(dp.pending)); need > len(dp.slots) {
			dp.resize(1 << bits.Len(uint(need-1)))
		}
		dp.flush()
		*sp = pairPart{}
	}
	for g, null := range src.nulls {
		if null && gmap[g] >= 0 {
			s.markNull(gmap[g])
		}
	}
	src.nulls = nil
}

// bytes is the memory the set holds, and the tables will once the
// pending pairs are inserted (were they all new).
func (s *pairSet) bytes() int64 {
	n := int64(cap(s.nulls) + 8*cap(s.vals))
	for i := range s.parts {
		n += s.parts[i].bytes()
	}
	return n
}

// keyArrays returns the set's pairs as a group column (int32) and a value
// column of type dt, with a NULL value for each group of s.nulls.
func (s *pairSet) keyArrays(mem memory.Allocator, dt arrow.DataType) []arrow.Array {
	s.flushAll()
	n := 0
	for i := range s.parts {
		n += s.parts[i].n
		if s.parts[i].zero {
			n++
		}
	}
	ks := make([]int64, 0, n)
	s.each(func(k int64) { ks = append(ks, k) })
	nonNull := len(ks)
	for g, null := range s.nulls {
		if null {
			ks = append(ks, int64(g)<<32)
		}
	}
	valid, nulls := buildValidity(mem, len(ks), func(i int) bool { return i < nonNull })
	return []arrow.Array{
		keyColumnOf(mem, arrow.PrimitiveTypes.Int32, ks, nil, 0, func(k int64) int64 { g, _ := unpackPair(k); return g }),
		keyColumnOf(mem, dt, ks, valid, nulls, func(k int64) int64 { _, v := unpackPair(k); return v }),
	}
}
