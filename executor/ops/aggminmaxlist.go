package ops

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// minMaxList is min / max over arrays, ordered as PostgreSQL's array_cmp
// orders them (element by element, NULL elements last, a prefix first),
// which is bytewise order of the arrays' sort-key encoding (listkeys.go).
// Each group keeps its best array's encoding and value; arrays are rare
// aggregate inputs, so values are kept as Datums rather than Arrow data.
type minMaxList struct {
	t    sqltypes.Type
	max  bool
	keys [][]byte
	vals []sqltypes.Datum
	seen []bool
}

func (a *minMaxList) grow(n int) {
	a.keys, a.vals, a.seen = growTo(a.keys, n), growTo(a.vals, n), growTo(a.seen, n)
}

// better reports whether key beats group g's current value.
func (a *minMaxList) better(g int32, key []byte) bool {
	if !a.seen[g] {
		return true
	}
	c := bytes.Compare(key, a.keys[g])
	return a.max && c > 0 || !a.max && c < 0
}

func (a *minMaxList) update(gids []int32, args []arrow.Array) error {
	enc, err := encodeLists(args[0])
	if err != nil {
		return err
	}
	v := validityOf(args[0])
	for i, g := range gids {
		if g < 0 || !v.OK(i) {
			continue
		}
		if key := enc.buf[enc.offs[i]:enc.offs[i+1]]; a.better(g, key) {
			a.keys[g] = append(a.keys[g][:0], key...)
			a.vals[g] = expr.DatumAt(args[0], a.t, i)
			a.seen[g] = true
		}
	}
	return nil
}

func (a *minMaxList) merge(src accumulator, gmap []int32) error {
	s := src.(*minMaxList)
	for g, seen := range s.seen {
		if d := gmap[g]; seen && d >= 0 && a.better(d, s.keys[g]) {
			a.keys[d] = append(a.keys[d][:0], s.keys[g]...)
			a.vals[d] = s.vals[g]
			a.seen[d] = true
		}
	}
	return nil
}

func (a *minMaxList) finish(mem memory.Allocator) (arrow.Array, error) {
	b := array.NewBuilder(mem, a.t.Arrow())
	defer b.Release()
	for g, seen := range a.seen {
		if !seen {
			b.AppendNull()
			continue
		}
		if err := expr.AppendDatum(b, a.t, a.vals[g]); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

func (a *minMaxList) release() { a.keys, a.vals = nil, nil }
