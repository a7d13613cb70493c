package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// rangeIntersectAcc is range_intersect_agg(range): the intersection of
// a group's non-NULL ranges, NULL for a group without any.
type rangeIntersectAcc struct {
	t    sqltypes.Type
	val  []sqltypes.Range
	seen []bool
}

func (a *rangeIntersectAcc) grow(n int) { a.val, a.seen = growTo(a.val, n), growTo(a.seen, n) }

func (a *rangeIntersectAcc) update(gids []int32, args []arrow.Array) error {
	arr := args[0]
	if arr.DataType().ID() == arrow.NULL {
		return nil
	}
	rd := expr.NewRangeReader(a.t, arr) // a run of one text is read once
	for i, g := range gids {
		// A group already empty stays so: its rows need no reading.
		if g < 0 || arr.IsNull(i) || a.seen[g] && a.val[g].Empty {
			continue
		}
		r, err := rd.At(i)
		if err != nil {
			return err
		}
		if err := a.fold(g, r); err != nil {
			return err
		}
	}
	return nil
}

func (a *rangeIntersectAcc) fold(g int32, r sqltypes.Range) error {
	if !a.seen[g] {
		a.val[g], a.seen[g] = r, true
		return nil
	}
	var err error
	a.val[g], err = expr.RangeIntersect(a.t, a.val[g], r)
	return err
}

func (a *rangeIntersectAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*rangeIntersectAcc)
	for g, seen := range s.seen {
		if seen {
			if err := a.fold(gmap[g], s.val[g]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *rangeIntersectAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	k := &bytesKeys{dt: arrow.BinaryTypes.String, offs: []int64{0}, valid: a.seen}
	for g, r := range a.val {
		if a.seen[g] {
			k.data = sqltypes.AppendRange(k.data, a.t, r, nil)
		}
		k.offs = append(k.offs, int64(len(k.data)))
	}
	return k.build(mem), nil
}

func (a *rangeIntersectAcc) release() {}
