package ops

import (
	"hash/maphash"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// distinctAcc implements AGG(DISTINCT args): it collects the distinct
// (group, args...) tuples in a hash table and only feeds them to the inner
// accumulator in finish, so partial sets from parallel inputs merge by set
// union without double counting. For order-sensitive aggregates
// (array_agg, string_agg) the tuples are fed sorted by value, as
// PostgreSQL's sort-based DISTINCT produces them.
type distinctAcc struct {
	mem    memory.Allocator
	inner  accumulator
	set    hashTable
	sorted bool
	groups int
	scr    []int32
	sel    []int32
}

// newDistinctAcc returns inner over the distinct values of arguments of
// types argTypes. The set of (group, one integer-like argument) pairs is
// the packed table (hashaggpack.go): count(DISTINCT o_custkey) per month probes one
// int64 per row in the integer table while the values fit in 32 bits,
// where the generic table hashed and compared two columns.
func newDistinctAcc(mem memory.Allocator, inner accumulator, argTypes []arrow.DataType, sorted bool, seed maphash.Seed) (*distinctAcc, error) {
	types := append([]arrow.DataType{arrow.PrimitiveTypes.Int32}, argTypes...)
	set, err := newGroupTable(types, seed)
	if err != nil {
		return nil, err
	}
	switch set.(type) {
	case *genTable, *packTable:
	default:
		return nil, errInternal("distinct set is a %T", set)
	}
	return &distinctAcc{mem: mem, inner: inner, set: set, sorted: sorted}, nil
}

func (a *distinctAcc) grow(n int) { a.groups = max(a.groups, n) }

func (a *distinctAcc) update(gids []int32, args []arrow.Array) error {
	a.sel = a.sel[:0]
	for i, g := range gids {
		if g >= 0 {
			a.sel = append(a.sel, int32(i))
		}
	}
	if len(a.sel) == 0 {
		return nil
	}
	gv := make([]int32, len(a.sel))
	for k, i := range a.sel {
		gv[k] = gids[i]
	}
	keys := []arrow.Array{fixedArray(a.mem, arrow.PrimitiveTypes.Int32, gv, nil)}
	defer func() { releaseArrays(keys) }()
	if len(a.sel) == len(gids) {
		for _, x := range args {
			x.Retain()
			keys = append(keys, x)
		}
	} else {
		taken, err := takeColumns(a.mem, args, a.sel)
		if err != nil {
			return err
		}
		keys = append(keys, taken...)
	}
	a.insert(keys)
	return nil
}

func (a *distinctAcc) insert(keys []arrow.Array) {
	n := keys[0].Len()
	if cap(a.scr) < n {
		a.scr = make([]int32, n)
	}
	a.set.insert(keys, a.scr[:n])
}

func (a *distinctAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*distinctAcc)
	keys := s.set.keyArrays(a.mem)
	defer func() { releaseArrays(keys) }()
	old := fixedVals[int32](keys[0])
	gv := make([]int32, len(old))
	for i, g := range old {
		gv[i] = gmap[g]
	}
	keys[0].Release()
	keys[0] = fixedArray(a.mem, arrow.PrimitiveTypes.Int32, gv, nil)
	a.insert(keys)
	s.release()
	return nil
}

func (a *distinctAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	keys := a.set.keyArrays(a.mem)
	defer func() { releaseArrays(keys) }()
	a.inner.grow(a.groups)
	if a.sorted && keys[0].Len() > 1 {
		specs := make([]SortKey, len(keys))
		order, err := sortRows(keys, specs, keys[0].Len())
		if err != nil {
			return nil, err
		}
		sorted, err := takeColumns(a.mem, keys, order)
		if err != nil {
			return nil, err
		}
		releaseArrays(keys)
		copy(keys, sorted)
	}
	gids := fixedVals[int32](keys[0])
	if err := a.inner.update(gids, keys[1:]); err != nil {
		return nil, err
	}
	return a.inner.finish(mem)
}

func (a *distinctAcc) release() {
	a.inner.release()
	a.set = nil
}
