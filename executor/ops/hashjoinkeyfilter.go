package ops

import (
	"sync/atomic"
	"unsafe"
)

// A runtime join filter: a bitmap of the build side's key hashes that a
// probe checks before it looks a key up in a partIntTable. A build side
// larger than the caches (TPC-H Q3's 147k orders, Q4's and Q10's 57k,
// Q22's 42k customers) makes every lookup a cache miss, and in a
// selective join (Q4: 4% of lineitem's rows find an order) nearly all of
// them find nothing. The bitmap is 1/128 of the table's size: it stays
// in the cache, and a row whose bit is clear is known to match nothing
// without reading the table. It is a Bloom filter with one hash: the
// same Fibonacci hash that places keys in the table, read at more bits,
// so setting the bits needs no second hash and each part of a parallel
// build sets bits in its own words. With 8 bits per slot and the table
// at most half full, at most 1/16 of the missing keys pass it.
//
// When the build keys lie in a range no wider than the hash filter's
// bits (or than maxDirectKeyFilterBits), the filter is a bitmap of the
// key values themselves instead: exact, and read in the probe's order,
// so that a probe side sorted or clustered on the key (lineitem on
// l_orderkey, probing Q3's, Q4's and Q10's orders) reads it nearly
// sequentially where hashed bits were a cache miss a row.
//
// A prober turns the filter off for itself when the first rows it
// checks show that it rejects few of them (a join where most probe rows
// match, as Q9's and Q18's do), so it costs those joins a few batches.

// keyFilterBitsPerSlot is the filter's size relative to the table's
// slots (a power of two): 8 bits for a 16-byte slot of int64 keys.
const keyFilterBitsPerSlot = 8

// minKeyFilterBytes is the smallest slot array of a parallel build that
// gets a key filter: below the size of a core's L2 cache, a lookup
// costs about what checking the filter does.
const minKeyFilterBytes = 512 << 10

// keyFilterProbeRows and keyFilterMinSkip decide when a prober stops
// using the filter: once it has checked keyFilterProbeRows rows, it goes
// on only if the filter rejected at least 1/keyFilterMinSkip of them.
const (
	keyFilterProbeRows = 1 << 16
	keyFilterMinSkip   = 8
)

// maxDirectKeyFilterBits is the widest range of build keys that gets a
// bitmap of key values (1 MB) even when the table's hash filter would be
// smaller.
const maxDirectKeyFilterBits = 8 << 20

// keyFilter is the bitmap of a partIntTable's key hashes: bit h>>shift
// is set for the hash h of every build key; or, when span is not 0, of
// its key values: bit k-lo for every build key k, in [lo, lo+span), and
// bit span, never set, for every key outside.
type keyFilter struct {
	words []uint64
	shift uint
	lo    uint64 // the least key, as uint64(int64(k))
	span  uint64
}

// newKeyFilter returns an empty filter with a bit per 2^-bits of the
// hash space (bits ≥ 6: a filter has whole words).
func newKeyFilter(bits uint) *keyFilter {
	return &keyFilter{words: make([]uint64, 1<<(bits-6)), shift: 64 - bits}
}

// newDirectKeyFilter returns an empty filter of the key values in
// [lo, lo+span).
func newDirectKeyFilter(lo int64, span uint64) *keyFilter {
	return &keyFilter{words: make([]uint64, span/64+1), lo: uint64(lo), span: span}
}

// bytes is the filter's size (0 for none).
func (f *keyFilter) bytes() int64 {
	if f == nil {
		return 0
	}
	return int64(len(f.words)) * 8
}

// keyFilterBytes is the size of the key filter of o's table, which the
// build keeps reserved beside builtCost.
func (o *hashJoinOp) keyFilterBytes() int64 {
	switch t := o.table.(type) {
	case *partIntTable[int32]:
		return t.filter.bytes()
	case *partIntTable[int64]:
		return t.filter.bytes()
	}
	return 0
}

// add sets the bit of hash h. Concurrent adds are safe when they write
// distinct words (the parts of a parallel build own disjoint ranges).
func (f *keyFilter) add(h uint64) {
	b := h >> f.shift
	f.words[b>>6] |= 1 << (b & 63)
}

// addKey sets the bit of key value k in a filter of key values; it is
// safe concurrently (the parts of a build share words).
func (f *keyFilter) addKey(k int64) {
	b := uint64(k) - f.lo
	atomic.OrUint64(&f.words[b>>6], 1<<(b&63))
}

// keyCandidates appends to sel the rows of rows (nil: every row of
// vals) whose key's bit is set, and returns it and how many rows it left
// out. NULL keys are not looked at (a NULL slot holds any value): the
// caller drops them. The loop has no branch on the filter's answer (a
// row is written, then kept or overwritten), so a filter that rejects
// half the rows costs no mispredicted branches.
func keyCandidates[T int32 | int64](f *keyFilter, vals []T, rows, sel []int32) ([]int32, int) {
	if f.span != 0 {
		return directCandidates(f, vals, rows, sel)
	}
	words, shift := f.words, f.shift
	n0 := len(sel)
	n := n0
	if rows == nil {
		sel = growTo(sel, n+len(vals))[:n+len(vals)]
		for i, k := range vals {
			b := (uint64(k) * fibMul) >> shift
			sel[n] = int32(i)
			n += int(words[b>>6] >> (b & 63) & 1)
		}
		return sel[:n], len(vals) - (n - n0)
	}
	sel = growTo(sel, n+len(rows))[:n+len(rows)]
	for _, r := range rows {
		b := (uint64(vals[r]) * fibMul) >> shift
		sel[n] = r
		n += int(words[b>>6] >> (b & 63) & 1)
	}
	return sel[:n], len(rows) - (n - n0)
}

// directCandidates is keyCandidates for a filter of key values.
func directCandidates[T int32 | int64](f *keyFilter, vals []T, rows, sel []int32) ([]int32, int) {
	words, lo, span := f.words, f.lo, f.span
	n0 := len(sel)
	n := n0
	if rows == nil {
		sel = growTo(sel, n+len(vals))[:n+len(vals)]
		for i, k := range vals {
			b := min(uint64(int64(k))-lo, span)
			sel[n] = int32(i)
			n += int(words[b>>6] >> (b & 63) & 1)
		}
		return sel[:n], len(vals) - (n - n0)
	}
	sel = growTo(sel, n+len(rows))[:n+len(rows)]
	for _, r := range rows {
		b := min(uint64(int64(vals[r]))-lo, span)
		sel[n] = r
		n += int(words[b>>6] >> (b & 63) & 1)
	}
	return sel[:n], len(rows) - (n - n0)
}

// keepValid returns the rows of sel whose key is not NULL under v, in
// place.
func keepValid(sel []int32, v validity) []int32 {
	if v.Bits == nil {
		return sel
	}
	m := 0
	for _, r := range sel {
		if v.OK(int(r)) {
			sel[m] = r
			m++
		}
	}
	return sel[:m]
}

// withKeyFilter gives t a key filter when its slot array is at least
// minBytes: part p of its 2^partBits parts sets the bits of its keys
// (fillKeyFilter(p)), in parallel, after place. The build keys lie in
// [lo, hi]: a range no wider than the hash filter's bits, or than
// maxDirectKeyFilterBits, gets a filter of key values.
func (t *partIntTable[T]) withKeyFilter(minBytes int, lo, hi T) bool {
	if len(t.slots)*int(unsafe.Sizeof(keyRow[T]{})) < minBytes {
		return false
	}
	bits := 64 - t.shift + uint(log2(keyFilterBitsPerSlot))
	if w := uint64(int64(hi)) - uint64(int64(lo)); lo <= hi && (w < 1<<bits || w < maxDirectKeyFilterBits) {
		t.filter = newDirectKeyFilter(int64(lo), w+1)
		return true
	}
	t.filter = newKeyFilter(bits)
	return true
}

// fillKeyFilter sets the bits of the keys of region p of t's slots. The
// region's hashes share their top bits (the part), so their bits in a
// hash filter lie in the region's own range of words, which no other
// part writes.
func (t *partIntTable[T]) fillKeyFilter(p int) {
	base := uint64(p) * (t.rmask + 1)
	direct := t.filter.span != 0
	for _, s := range t.slots[base : base+t.rmask+1] {
		if s.row == 0 {
			continue
		}
		if direct {
			t.filter.addKey(int64(s.key))
		} else {
			t.filter.add(uint64(s.key) * fibMul)
		}
	}
}

// keyFilterUse is one prober's state of a join's key filter: whether it
// still checks it, and the rows it checked and skipped, for the
// decision and for EXPLAIN ANALYZE (JoinStats).
type keyFilterUse struct {
	off              bool
	checked, skipped int64
}

// record counts a batch's checked and skipped rows and turns the filter
// off once it has proven not to pay.
func (u *keyFilterUse) record(checked, skipped int, st *JoinStats) {
	u.checked += int64(checked)
	u.skipped += int64(skipped)
	if st != nil && skipped > 0 {
		atomic.AddInt64(&st.KeyFilterSkipped, int64(skipped))
	}
	if u.checked >= keyFilterProbeRows && u.skipped*keyFilterMinSkip < u.checked {
		u.off = true
	}
}

// JoinStats count what a hash join's runtime key filter did, for EXPLAIN
// ANALYZE. Updated atomically: the probers of a parallel join share one.
type JoinStats struct {
	// KeyFilterSkipped is the number of probe rows the key filter
	// rejected: rows whose keys were not looked up in the table.
	KeyFilterSkipped int64
}

// Skipped returns KeyFilterSkipped.
func (s *JoinStats) Skipped() int64 { return atomic.LoadInt64(&s.KeyFilterSkipped) }
