package ops

import (
	"hash/maphash"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/membudget"
)

// distinctAcc implements AGG(DISTINCT args): it collects the distinct
// (group, args...) tuples in a set and only feeds them to the inner
// accumulator in finish, so partial sets from parallel inputs merge by set
// union without double counting. For order-sensitive aggregates
// (array_agg, string_agg) the tuples are fed sorted by value, as
// PostgreSQL's sort-based DISTINCT produces them.
type distinctAcc struct {
	mem   memory.Allocator
	inner accumulator
	// pairs is the set while its values pack with their groups
	// (aggdistinctradix.go), else nil and set holds the tuples.
	pairs   *pairSet
	argType arrow.DataType
	set     hashTable
	sorted  bool
	groups  int
	// setBytes is what the tuples in set retain (their arguments'
	// bytes); held is what grown last reported in all.
	setBytes, held int64
	scr            []int32
	sel            []int32
}

// newDistinctAcc returns inner over the distinct values of arguments of
// types argTypes. One integer-like or numeric argument starts in the
// partitioned pair set; the tuples move to the hash table (the packed
// integer table while they pack, hashaggpack.go) once a value does not
// fit in 32 bits. Other arguments go to the hash table from the start.
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
	a := &distinctAcc{mem: mem, inner: inner, set: set, sorted: sorted}
	if len(argTypes) == 1 && packedKind(argTypes[0]) != 0 {
		a.pairs, a.argType = &pairSet{}, argTypes[0]
	}
	return a, nil
}

func (a *distinctAcc) grow(n int) { a.groups = max(a.groups, n) }

// grown returns the bytes the accumulator retains beyond what it last
// reported (the aggregate reserves them from the query's budget).
func (a *distinctAcc) grown() int64 {
	now := a.setBytes
	if a.pairs != nil {
		now += a.pairs.bytes()
	}
	if now <= a.held {
		return 0
	}
	d := now - a.held
	a.held = now
	return d
}

func (a *distinctAcc) update(gids []int32, args []arrow.Array) error {
	if a.pairs != nil {
		if a.pairs.fitPairs(gids, args[0]) {
			a.pairs.add(a.pairs.vals)
			return nil
		}
		a.unpair()
	}
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
	for _, k := range keys[1:] {
		a.setBytes += membudget.ArrayBytes(k)
	}
	a.insert(keys)
	return nil
}

// unpair moves the pairs to the hash table.
func (a *distinctAcc) unpair() {
	keys := a.pairs.keyArrays(a.mem, a.argType)
	a.pairs = nil
	a.setBytes += 12 * int64(keys[0].Len())
	if keys[0].Len() > 0 {
		a.insert(keys)
	}
	releaseArrays(keys)
}

// keyArrays returns the group and argument columns of every tuple.
func (a *distinctAcc) keyArrays() []arrow.Array {
	if a.pairs != nil {
		return a.pairs.keyArrays(a.mem, a.argType)
	}
	return a.set.keyArrays(a.mem)
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
	if a.pairs != nil && s.pairs != nil {
		a.pairs.mergeFrom(s.pairs, gmap)
		s.release()
		return nil
	}
	if a.pairs != nil {
		a.unpair()
	}
	keys := s.keyArrays()
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
	a.inner.grow(a.groups)
	if c, ok := a.inner.(*countAcc); ok && a.pairs != nil && !c.star && !c.add {
		// count(DISTINCT x) counts the pairs: no columns of them.
		a.pairs.countInto(c.n)
		return c.finish(mem)
	}
	keys := a.keyArrays()
	defer func() { releaseArrays(keys) }()
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
	a.set, a.pairs = nil, nil
}
