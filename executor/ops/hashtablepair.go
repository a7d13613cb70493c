package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// pairKey is a key of two integer-like columns, widened to int64. A NULL
// is stored as 0 with its bit set in nulls (bit 0: a, bit 1: b), so that
// NULL equals NULL and differs from 0.
type pairKey struct {
	a, b  int64
	nulls uint8
}

// pairTable is the table of two 32/64-bit integer-like keys (TPC-H's
// partsupp key (partkey, suppkey), lineitem's (orderkey, suppkey)): the
// generic table would hash and verify each column in a pass of its own
// and keep the keys out of line; here both keys sit in the slot and a
// probe is one loop over the rows.
type pairTable struct {
	dts   [2]arrow.DataType
	slots []pairSlot
	shift uint
	keys  []pairKey // per group
	pk    []pairKey // scratch: the rows of the batch being inserted or looked up
}

// pairKeyOK reports whether dt can be a column of a pairTable.
// pairSlot is one slot: a key and its group, in one place so that a
// probe touches one cache line.
type pairSlot struct {
	k pairKey
	g int32 // gid+1, 0 = empty
}

func pairKeyOK(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT32, arrow.DATE32, arrow.TIME32, arrow.INT64, arrow.TIMESTAMP, arrow.DATE64, arrow.TIME64, arrow.DURATION:
		return true
	}
	return false
}

func newPairTable(a, b arrow.DataType) *pairTable {
	t := &pairTable{dts: [2]arrow.DataType{a, b}}
	t.resize(16)
	return t
}

func (t *pairTable) len() int { return len(t.keys) }

func (t *pairTable) slot(k pairKey) uint64 {
	h := uint64(k.a)*0x9e3779b97f4a7c15 ^ uint64(k.b) ^ uint64(k.nulls)<<62
	h ^= h >> 32
	h *= 0xd6e8feb86659fd93
	h ^= h >> 32
	return h >> t.shift
}

func (t *pairTable) resize(capacity int) {
	t.slots = make([]pairSlot, capacity)
	t.shift = uint(64 - log2(capacity))
	mask := uint64(capacity - 1)
	for g, k := range t.keys {
		p := t.slot(k)
		for t.slots[p].g != 0 {
			p = (p + 1) & mask
		}
		t.slots[p] = pairSlot{k, int32(g + 1)}
	}
}

// load fills t.pk with the n rows of keys.
func (t *pairTable) load(keys []arrow.Array, n int) []pairKey {
	t.pk = growTo(t.pk[:0], n)[:n]
	for i := range t.pk {
		t.pk[i].nulls = 0
	}
	for c, arr := range keys[:2] {
		second := c == 1
		if arr.DataType().(arrow.FixedWidthDataType).BitWidth() == 32 {
			setPairColumn(t.pk, fixedVals[int32](arr)[:n], second)
		} else {
			setPairColumn(t.pk, fixedVals[int64](arr)[:n], second)
		}
		v := validityOf(arr)
		if v.bits == nil {
			continue
		}
		bit := uint8(1) << c
		for i := range t.pk {
			if !v.ok(i) {
				if second {
					t.pk[i].b = 0
				} else {
					t.pk[i].a = 0
				}
				t.pk[i].nulls |= bit
			}
		}
	}
	return t.pk
}

// setPairColumn stores vals as the first or second column of pk.
func setPairColumn[T int32 | int64](pk []pairKey, vals []T, second bool) {
	pk = pk[:len(vals)]
	if second {
		for i, x := range vals {
			pk[i].b = int64(x)
		}
		return
	}
	for i, x := range vals {
		pk[i].a = int64(x)
	}
}

func (t *pairTable) insert(keys []arrow.Array, gids []int32) {
	n := len(gids)
	if 2*(len(t.keys)+n) > len(t.slots) {
		c := len(t.slots)
		for 2*(len(t.keys)+n) > c {
			c *= 2
		}
		t.resize(c)
	}
	mask := uint64(len(t.slots) - 1)
	for i, k := range t.load(keys, n) {
		p := t.slot(k)
		for {
			s := &t.slots[p]
			if s.g == 0 {
				t.keys = append(t.keys, k)
				*s = pairSlot{k, int32(len(t.keys))}
				gids[i] = s.g - 1
				break
			}
			if s.k == k {
				gids[i] = s.g - 1
				break
			}
			p = (p + 1) & mask
		}
	}
}

func (t *pairTable) lookup(keys []arrow.Array, gids []int32) {
	mask := uint64(len(t.slots) - 1)
	for i, k := range t.load(keys, len(gids)) {
		p := t.slot(k)
		for {
			s := &t.slots[p]
			if s.g == 0 || s.k == k {
				gids[i] = s.g - 1
				break
			}
			p = (p + 1) & mask
		}
	}
}

// reader shares the slots and keys; the scratch is its own.
func (t *pairTable) reader() hashTable {
	return &pairTable{dts: t.dts, slots: t.slots, shift: t.shift, keys: t.keys}
}

func (t *pairTable) keyArrays(mem memory.Allocator) []arrow.Array {
	n := len(t.keys)
	out := make([]arrow.Array, 2)
	for c, dt := range t.dts {
		bit := uint8(1) << c
		valid, nulls := buildValidity(mem, n, func(i int) bool { return t.keys[i].nulls&bit == 0 })
		val := func(k pairKey) int64 { return k.a }
		if c == 1 {
			val = func(k pairKey) int64 { return k.b }
		}
		var vb *memory.Buffer
		if dt.(arrow.FixedWidthDataType).BitWidth() == 32 {
			vb = newBuffer(mem, n*4)
			vs := fixedSliceOf[int32](vb.Bytes())
			for i, k := range t.keys {
				vs[i] = int32(val(k))
			}
		} else {
			vb = newBuffer(mem, n*8)
			vs := fixedSliceOf[int64](vb.Bytes())
			for i, k := range t.keys {
				vs[i] = val(k)
			}
		}
		out[c] = makeArray(dt, n, []*memory.Buffer{valid, vb}, nil, nulls)
	}
	return out
}
