package ops

import (
	"hash/maphash"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// hashTable maps composite keys to dense group ids 0..len()-1, assigned in
// order of first appearance. NULL keys are ordinary values (NULL = NULL);
// joins mask NULL keys out themselves. Not safe for concurrent use.
type hashTable interface {
	// insert sets gids[i] to the group of row i of keys, adding groups.
	// len(gids) is the number of rows (keys may be empty: one group).
	insert(keys []arrow.Array, gids []int32)
	// lookup sets gids[i] to the group of row i, or -1 if there is none.
	lookup(keys []arrow.Array, gids []int32)
	// len is the number of groups.
	len() int
	// keyArrays returns the key columns of all groups, in group order.
	keyArrays(mem memory.Allocator) []arrow.Array
	// reader returns a view of the table for lookups only, with scratch
	// of its own: once nothing inserts any more, readers may look up
	// concurrently (the joins probing one shared build side).
	reader() hashTable
}

// newHashTable returns a table for keys of the given Arrow types: a
// specialized table for one 32- or 64-bit integer-like key, a constant
// single group for no keys, else the generic vectorized table.
func newHashTable(types []arrow.DataType, seed maphash.Seed) (hashTable, error) {
	switch len(types) {
	case 0:
		return &constTable{}, nil
	case 1:
		switch intKeyBits(types[0]) {
		case 32:
			return newIntTable[int32](types[0]), nil
		case 64:
			return newIntTable[int64](types[0]), nil
		}
	}
	return newGenTable(types, seed)
}

// newGenTable returns the generic table over keys of the given types.
func newGenTable(types []arrow.DataType, seed maphash.Seed) (*genTable, error) {
	t := &genTable{}
	for _, dt := range types {
		c, err := newKeyColumn(dt, seed)
		if err != nil {
			return nil, err
		}
		t.cols = append(t.cols, c)
	}
	t.resize(16)
	return t, nil
}

// intKeyBits is 32 or 64 for the integer-like types that intTable
// stores inline, else 0.
func intKeyBits(dt arrow.DataType) int {
	switch dt.ID() {
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return 32
	case arrow.INT64, arrow.TIMESTAMP, arrow.DATE64, arrow.TIME64, arrow.DURATION:
		return 64
	}
	return 0
}

// constTable is the table of a grouping without keys: one group, always.
type constTable struct{}

func (constTable) insert(_ []arrow.Array, gids []int32) { clear(gids) }
func (constTable) lookup(_ []arrow.Array, gids []int32) { clear(gids) }
func (constTable) len() int                             { return 1 }
func (constTable) keyArrays(memory.Allocator) []arrow.Array {
	return nil
}
func (t *constTable) reader() hashTable { return t }

// genTable is an open-addressing (linear probing) table over any key
// columns. A slot packs the upper 32 hash bits with gid+1 (0 = empty).
// Probing is vectorized: a batch's rows advance together, new groups are
// added per column in one call, and candidate matches are verified per
// column in one call.
type genTable struct {
	cols   []keyColumn
	slots  []uint64
	mask   uint64
	hashes []uint64 // per group, for rehashing
	// scratch, reused across batches
	h, pos                    []uint64
	pending, next, cand, news []int32
	candG                     []int32
	eq                        []bool
}

func (t *genTable) len() int { return len(t.hashes) }

func (t *genTable) resize(capacity int) {
	t.slots = make([]uint64, capacity)
	t.mask = uint64(capacity - 1)
	for g, h := range t.hashes {
		p := h & t.mask
		for t.slots[p] != 0 {
			p = (p + 1) & t.mask
		}
		t.slots[p] = h>>32<<32 | uint64(g+1)
	}
}

func (t *genTable) hashRows(keys []arrow.Array, n int) {
	if cap(t.h) < n {
		t.h = make([]uint64, n)
		t.pos = make([]uint64, n)
	}
	t.h, t.pos = t.h[:n], t.pos[:n]
	for c, col := range t.cols {
		col.hash(keys[c], t.h, c == 0)
	}
	for i, h := range t.h {
		t.pos[i] = h & t.mask
	}
}

func (t *genTable) insert(keys []arrow.Array, gids []int32) { t.probe(keys, gids, true, nil) }
func (t *genTable) lookup(keys []arrow.Array, gids []int32) { t.probe(keys, gids, false, nil) }

// insertSelected implements selInserter.
func (t *genTable) insertSelected(keys []arrow.Array, sel, gids []int32) {
	t.probe(keys, gids, true, sel)
}

// probe finds (or adds) the groups of the rows sel of keys, or of every
// row if sel is nil; rows not in sel get group -1.
func (t *genTable) probe(keys []arrow.Array, gids []int32, add bool, sel []int32) {
	n, m := len(gids), len(gids) // rows, rows that may add a group
	if sel != nil {
		m = len(sel)
	}
	if add && 2*(len(t.hashes)+m) > len(t.slots) {
		c := len(t.slots)
		for 2*(len(t.hashes)+m) > c {
			c *= 2
		}
		t.resize(c)
	}
	t.hashRows(keys, n)
	t.pending = t.pending[:0]
	if sel != nil {
		for i := range gids {
			gids[i] = -1
		}
		t.pending = append(t.pending, sel...)
	} else {
		for i := range n {
			t.pending = append(t.pending, int32(i))
		}
	}
	for len(t.pending) > 0 {
		t.cand, t.candG, t.news = t.cand[:0], t.candG[:0], t.news[:0]
		for _, r := range t.pending {
			h := t.h[r]
			tag := h >> 32 << 32
			p := t.pos[r]
			for {
				s := t.slots[p]
				if s == 0 {
					if add {
						g := len(t.hashes)
						t.hashes = append(t.hashes, h)
						t.slots[p] = tag | uint64(g+1)
						gids[r] = int32(g)
						t.news = append(t.news, r)
					} else {
						gids[r] = -1
					}
					break
				}
				if s>>32<<32 == tag {
					t.cand = append(t.cand, r)
					t.candG = append(t.candG, int32(uint32(s))-1)
					t.pos[r] = p
					break
				}
				p = (p + 1) & t.mask
			}
		}
		if len(t.news) > 0 {
			for c, col := range t.cols {
				col.add(keys[c], t.news)
			}
		}
		if cap(t.eq) < len(t.cand) {
			t.eq = make([]bool, len(t.cand), 2*len(t.cand))
		}
		t.eq = t.eq[:len(t.cand)]
		for i := range t.eq {
			t.eq[i] = true
		}
		for c, col := range t.cols {
			col.equal(keys[c], t.cand, t.candG, t.eq)
		}
		t.next = t.next[:0]
		for k, r := range t.cand {
			if t.eq[k] {
				gids[r] = t.candG[k]
			} else {
				t.pos[r] = (t.pos[r] + 1) & t.mask
				t.next = append(t.next, r)
			}
		}
		t.pending, t.next = t.next, t.pending
	}
}

func (t *genTable) reader() hashTable {
	return &genTable{cols: t.cols, slots: t.slots, mask: t.mask, hashes: t.hashes}
}

func (t *genTable) keyArrays(mem memory.Allocator) []arrow.Array {
	out := make([]arrow.Array, len(t.cols))
	for c, col := range t.cols {
		out[c] = col.build(mem)
	}
	return out
}

// intTable is the table of one 32/64-bit integer-like key (ints, dates,
// timestamps): keys live inline in the slots, hashed by Fibonacci hashing.
type intTable[T int32 | int64] struct {
	dt    arrow.DataType
	skeys []T     // per slot
	sgids []int32 // per slot: gid+1, 0 = empty
	shift uint
	// pbits is how many top bits of the key's hash choose the table
	// among the parts of a partIntTable (0 = not a part): the slot is
	// taken from the bits below them.
	pbits   uint
	keys    []T // per group
	nullGid int32
	n       int
}

func newIntTable[T int32 | int64](dt arrow.DataType) *intTable[T] {
	t := &intTable[T]{dt: dt, nullGid: -1}
	t.resize(16)
	return t
}

func (t *intTable[T]) len() int { return t.n }

// fibMul is Fibonacci hashing's multiplier (2^64 / the golden ratio).
const fibMul = 0x9e3779b97f4a7c15

func (t *intTable[T]) slot(k T) uint64 { return (uint64(k) * fibMul << t.pbits) >> t.shift }

func (t *intTable[T]) resize(capacity int) {
	oldKeys, oldGids := t.skeys, t.sgids
	t.skeys = make([]T, capacity)
	t.sgids = make([]int32, capacity)
	t.shift = uint(64 - log2(capacity))
	mask := uint64(capacity - 1)
	// The table holds at most capacity/2 groups before it grows again:
	// room for their keys now saves append's own doublings (a copy and
	// a fresh zeroed allocation each) of a slice as long as the groups.
	if c := capacity / 2; cap(t.keys) < c {
		t.keys = append(make([]T, 0, c), t.keys...)
	}
	// The old slots are read in order: a slot is the top bits of the
	// key's hash, so their new slots ascend too (but for the few that
	// wrapped around), and both tables are walked nearly sequentially.
	// Reinserting by group order instead wrote each to a random slot of
	// a table far larger than the caches (a cache miss per group, for
	// every doubling). The order of insertion does not matter to linear
	// probing's lookups.
	for p, g := range oldGids {
		if g == 0 {
			continue
		}
		k := oldKeys[p]
		q := t.slot(k)
		for t.sgids[q] != 0 {
			q = (q + 1) & mask
		}
		t.skeys[q], t.sgids[q] = k, g
	}
}

// reserve sizes an empty table for n groups, so that inserting them does
// not resize it.
func (t *intTable[T]) reserve(n int) {
	if t.n == 0 && 2*n > len(t.sgids) {
		t.resize(1 << log2(2*n))
	}
}

// presize reserves room for n groups in t when it is an empty integer
// table or a packed one (the others grow as they go).
func presize(t hashTable, n int) {
	switch x := t.(type) {
	case *intTable[int32]:
		x.reserve(n)
	case *intTable[int64]:
		x.reserve(n)
	case *packTable:
		if x.gen == nil {
			x.it.reserve(n)
		}
	}
}

func log2(n int) int {
	l := 0
	for 1<<l < n {
		l++
	}
	return l
}

func (t *intTable[T]) insert(keys []arrow.Array, gids []int32) {
	t.insertVals(fixedVals[T](keys[0]), validityOf(keys[0]), nil, gids)
}

// insertVals is insert over the key values vals with validity v, for the
// rows sel (ascending; the others get group -1), or every row if sel is
// nil.
func (t *intTable[T]) insertVals(vals []T, v validity, sel, gids []int32) {
	n := len(gids)
	if sel != nil {
		n = len(sel)
		for i := range gids {
			gids[i] = -1
		}
	}
	if 2*(t.n+n) > len(t.sgids) {
		c := len(t.sgids)
		for 2*(t.n+n) > c {
			c *= 2
		}
		t.resize(c)
	}
	vals = vals[:len(gids)]
	mask := uint64(len(t.sgids) - 1)
	for j := range n {
		i := j
		if sel != nil {
			i = int(sel[j])
		}
		if v.Bits != nil && !v.OK(i) {
			if t.nullGid < 0 {
				t.nullGid = int32(t.n)
				t.keys = append(t.keys, 0)
				t.n++
			}
			gids[i] = t.nullGid
			continue
		}
		k := vals[i]
		p := t.slot(k)
		for {
			g := t.sgids[p]
			if g == 0 {
				t.skeys[p], t.sgids[p] = k, int32(t.n+1)
				gids[i] = int32(t.n)
				t.keys = append(t.keys, k)
				t.n++
				break
			}
			if t.skeys[p] == k {
				gids[i] = g - 1
				break
			}
			p = (p + 1) & mask
		}
	}
}

func (t *intTable[T]) lookup(keys []arrow.Array, gids []int32) {
	t.lookupVals(fixedVals[T](keys[0]), validityOf(keys[0]), gids)
}

// lookupVals is lookup over the key values vals with validity v.
func (t *intTable[T]) lookupVals(vals []T, v validity, gids []int32) {
	mask := uint64(len(t.sgids) - 1)
	for i, k := range vals[:len(gids)] {
		if v.Bits != nil && !v.OK(i) {
			gids[i] = t.nullGid
			continue
		}
		p := t.slot(k)
		for {
			g := t.sgids[p]
			if g == 0 || t.skeys[p] == k {
				gids[i] = g - 1
				break
			}
			p = (p + 1) & mask
		}
	}
}

// reader is the table itself: lookup writes nothing.
func (t *intTable[T]) reader() hashTable { return t }

func (t *intTable[T]) keyArrays(mem memory.Allocator) []arrow.Array {
	valid, nulls := buildValidity(mem, t.n, func(i int) bool { return int32(i) != t.nullGid })
	vb := newBuffer(mem, t.n*int(sizeOf[T]()))
	copy(fixedSliceOf[T](vb.Bytes()), t.keys)
	return []arrow.Array{makeArray(t.dt, t.n, []*memory.Buffer{valid, vb}, nil, nulls)}
}
