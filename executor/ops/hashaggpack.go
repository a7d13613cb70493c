package ops

import (
	"hash/maphash"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Grouping keys packed into one integer. GROUP BY or DISTINCT over two
// integer-like or numeric columns (o_custkey and extract(year …), a
// numeric) would hash and compare both columns in the generic table, and
// over one numeric column (extract alone) hash 16 bytes a row. While every
// value seen fits (both in 32 bits; one numeric in 64), the key is one
// int64 in the integer table (Fibonacci hashing, keys inline), as the
// hash join packs its two integer keys (hashjoinpack.go). The first batch
// with a value that does not fit, or with a NULL in a two-column key
// (the integer table keeps only one NULL group), moves the groups to the
// generic table, in group order, so group ids stay what they were.

// newGroupTable returns the table for grouping keys of the given types:
// packed when they are one numeric or two integer-like or numeric
// columns, else newHashTable's.
func newGroupTable(types []arrow.DataType, seed maphash.Seed) (hashTable, error) {
	switch {
	case len(types) == 1 && packedKind(types[0]) == 128,
		len(types) == 2 && packedKind(types[0]) != 0 && packedKind(types[1]) != 0:
		// The generic table the groups move to is made now, where an
		// error can be returned.
		gen, err := newGenTable(types, seed)
		if err != nil {
			return nil, err
		}
		return &packTable{types: types, it: newIntTable[int64](arrow.PrimitiveTypes.Int64), spare: gen}, nil
	}
	return newHashTable(types, seed)
}

// packTable is the table of packed grouping keys; once a batch does not
// pack it hands over to gen.
type packTable struct {
	types []arrow.DataType
	it    *intTable[int64] // nil once gen took over
	gen   hashTable
	spare *genTable // gen-to-be, empty (nil in a reader)
	keyPacker
}

func (t *packTable) len() int {
	if t.gen != nil {
		return t.gen.len()
	}
	return t.it.len()
}

func (t *packTable) insert(keys []arrow.Array, gids []int32) { t.insertSelected(keys, nil, gids) }

// insertSelected implements selInserter.
func (t *packTable) insertSelected(keys []arrow.Array, sel, gids []int32) {
	if t.gen == nil {
		v := t.pack(keys, len(gids))
		if len(t.misfit) == 0 {
			t.it.insertVals(t.vals, v, sel, gids)
			return
		}
		t.unpack()
	}
	if sel == nil {
		t.gen.insert(keys, gids)
		return
	}
	t.gen.(selInserter).insertSelected(keys, sel, gids)
}

// unpack moves the groups to the generic table.
func (t *packTable) unpack() {
	g := t.spare
	if n := t.it.len(); n > 0 {
		keys := t.keyArrays(memory.DefaultAllocator)
		g.insert(keys, make([]int32, n))
		releaseArrays(keys)
	}
	t.gen, t.it, t.spare = g, nil, nil
}

func (t *packTable) lookup(keys []arrow.Array, gids []int32) {
	if t.gen != nil {
		t.gen.lookup(keys, gids)
		return
	}
	v := t.pack(keys, len(gids))
	t.it.lookupVals(t.vals, v, gids)
	for _, r := range t.misfit {
		gids[r] = -1 // no such group: it would not have packed
	}
}

func (t *packTable) reader() hashTable {
	if t.gen != nil {
		return t.gen.reader()
	}
	return &packTable{types: t.types, it: t.it}
}

func (t *packTable) keyArrays(mem memory.Allocator) []arrow.Array {
	if t.gen != nil {
		return t.gen.keyArrays(mem)
	}
	n := t.it.n
	if len(t.types) == 1 {
		valid, nulls := buildValidity(mem, n, func(i int) bool { return int32(i) != t.it.nullGid })
		return []arrow.Array{keyColumnOf(mem, t.types[0], t.it.keys, valid, nulls, func(k int64) int64 { return k })}
	}
	return []arrow.Array{
		keyColumnOf(mem, t.types[0], t.it.keys, nil, 0, func(k int64) int64 { a, _ := unpackPair(k); return a }),
		keyColumnOf(mem, t.types[1], t.it.keys, nil, 0, func(k int64) int64 { _, b := unpackPair(k); return b }),
	}
}

// keyColumnOf builds a key column of type dt from the values part(k) of
// the packed keys.
func keyColumnOf(mem memory.Allocator, dt arrow.DataType, keys []int64, valid *memory.Buffer, nulls int, part func(int64) int64) arrow.Array {
	n := len(keys)
	var vb *memory.Buffer
	switch packedKind(dt) {
	case 32:
		vb = newBuffer(mem, 4*n)
		dst := fixedSliceOf[int32](vb.Bytes())
		for i, k := range keys {
			dst[i] = int32(part(k))
		}
	case 64:
		vb = newBuffer(mem, 8*n)
		dst := fixedSliceOf[int64](vb.Bytes())
		for i, k := range keys {
			dst[i] = part(k)
		}
	default:
		vb = newBuffer(mem, 16*n)
		dst := fixedSliceOf[decimal128.Num](vb.Bytes())
		for i, k := range keys {
			dst[i] = decimal128.FromI64(part(k))
		}
	}
	return makeArray(dt, n, []*memory.Buffer{valid, vb}, nil, nulls)
}
