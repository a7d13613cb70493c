package ops

import (
	"bytes"
	"cmp"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// newMinMax returns the min (isMax false) or max accumulator for values of
// Arrow type dt, ordered as in sorting (NaN greatest, intervals by span).
func newMinMax(dt arrow.DataType, isMax bool) (accumulator, error) {
	switch dt.ID() {
	case arrow.INT8:
		return &minMaxAcc[int8]{dt: dt, max: isMax, cmp: cmp.Compare[int8]}, nil
	case arrow.INT16:
		return &minMaxAcc[int16]{dt: dt, max: isMax, cmp: cmp.Compare[int16]}, nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return &minMaxAcc[int32]{dt: dt, max: isMax, cmp: cmp.Compare[int32]}, nil
	case arrow.INT64, arrow.TIMESTAMP, arrow.DATE64, arrow.TIME64, arrow.DURATION:
		return &minMaxAcc[int64]{dt: dt, max: isMax, cmp: cmp.Compare[int64]}, nil
	case arrow.UINT32:
		return &minMaxAcc[uint32]{dt: dt, max: isMax, cmp: cmp.Compare[uint32]}, nil
	case arrow.FLOAT32:
		return &minMaxAcc[float32]{dt: dt, max: isMax, cmp: floatCmp[float32]}, nil
	case arrow.FLOAT64:
		return &minMaxAcc[float64]{dt: dt, max: isMax, cmp: floatCmp[float64]}, nil
	case arrow.DECIMAL128:
		return &minMaxAcc[decimal128.Num]{dt: dt, max: isMax, cmp: decimal128.Num.Cmp}, nil
	case arrow.INTERVAL_MONTH_DAY_NANO:
		// Equal intervals can differ ('1 mon' and '30 days'):
		// interval_larger and interval_smaller return their second
		// argument on a tie, so the later of equal values wins.
		return &minMaxAcc[arrow.MonthDayNanoInterval]{dt: dt, max: isMax, cmp: intervalCmp, tieLater: true}, nil
	case arrow.FIXED_SIZE_BINARY:
		if dt.(*arrow.FixedSizeBinaryType).ByteWidth == 16 {
			return &minMaxAcc[[16]byte]{dt: dt, max: isMax, cmp: func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) }}, nil
		}
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return &minMaxBytes{dt: dt, max: isMax}, nil
	}
	return nil, errKeyType("min/max", dt)
}

// minMaxAcc keeps the least or greatest fixed-width value per group.
type minMaxAcc[T any] struct {
	dt  arrow.DataType
	max bool
	cmp func(a, b T) int
	// tieLater keeps the later of two equal values (values equal but not
	// alike exist only for intervals).
	tieLater bool
	vals     []T
	seen     []bool
}

func (a *minMaxAcc[T]) grow(n int) { a.vals, a.seen = growTo(a.vals, n), growTo(a.seen, n) }

func (a *minMaxAcc[T]) fold(g int32, x T) {
	if !a.seen[g] {
		a.vals[g], a.seen[g] = x, true
		return
	}
	c := a.cmp(x, a.vals[g])
	if (a.max && c > 0) || (!a.max && c < 0) || (c == 0 && a.tieLater) {
		a.vals[g] = x
	}
}

func (a *minMaxAcc[T]) update(gids []int32, args []arrow.Array) error {
	// The common types compare inline: through a.cmp, a call per row
	// cost more than the rest of the fold.
	switch x := any(a).(type) {
	case *minMaxAcc[int32]:
		foldOrdered(x, gids, args[0])
		return nil
	case *minMaxAcc[int64]:
		foldOrdered(x, gids, args[0])
		return nil
	case *minMaxAcc[decimal128.Num]:
		foldDecimals(x, gids, args[0])
		return nil
	}
	vals := fixedVals[T](args[0])
	v := validityOf(args[0])
	for i, g := range gids {
		if g >= 0 && v.OK(i) {
			a.fold(g, vals[i])
		}
	}
	return nil
}

// foldOrdered is update for integers (and dates, timestamps).
func foldOrdered[T int32 | int64](a *minMaxAcc[T], gids []int32, arg arrow.Array) {
	vals := fixedVals[T](arg)
	v := validityOf(arg)
	for i, g := range gids {
		if g < 0 || !v.OK(i) {
			continue
		}
		x := vals[i]
		switch {
		case !a.seen[g]:
			a.vals[g], a.seen[g] = x, true
		case a.max && x > a.vals[g], !a.max && x < a.vals[g]:
			a.vals[g] = x
		}
	}
}

// foldDecimals is update for numeric (decimal128) values.
func foldDecimals(a *minMaxAcc[decimal128.Num], gids []int32, arg arrow.Array) {
	vals := fixedVals[decimal128.Num](arg)
	v := validityOf(arg)
	for i, g := range gids {
		if g < 0 || !v.OK(i) {
			continue
		}
		x := vals[i]
		switch {
		case !a.seen[g]:
			a.vals[g], a.seen[g] = x, true
		case a.max && a.vals[g].Less(x), !a.max && x.Less(a.vals[g]):
			a.vals[g] = x
		}
	}
}

func (a *minMaxAcc[T]) merge(src accumulator, gmap []int32) error {
	s := src.(*minMaxAcc[T])
	for g, seen := range s.seen {
		if seen && gmap[g] >= 0 { // -1: merged by another part (hashaggmerge.go)
			a.fold(gmap[g], s.vals[g])
		}
	}
	return nil
}

func (a *minMaxAcc[T]) finish(mem memory.Allocator) (arrow.Array, error) {
	return fixedArray(mem, a.dt, a.vals, a.seen), nil
}

func (a *minMaxAcc[T]) release() {}

// minMaxBytes keeps the least or greatest string per group (bytewise;
// with trim, as bpchar compares: without trailing blanks).
type minMaxBytes struct {
	dt   arrow.DataType
	max  bool
	trim bool
	vals [][]byte
	seen []bool
}

func (a *minMaxBytes) grow(n int) { a.vals, a.seen = growTo(a.vals, n), growTo(a.seen, n) }

func (a *minMaxBytes) fold(g int32, x []byte) {
	if a.seen[g] {
		var c int
		if a.trim {
			c = bytes.Compare(bytes.TrimRight(x, " "), bytes.TrimRight(a.vals[g], " "))
		} else {
			c = bytes.Compare(x, a.vals[g])
		}
		if (a.max && c <= 0) || (!a.max && c >= 0) {
			return
		}
	}
	a.vals[g] = append(a.vals[g][:0], x...)
	a.seen[g] = true
}

func (a *minMaxBytes) update(gids []int32, args []arrow.Array) error {
	bv := binaryAccessor(args[0])
	v := validityOf(args[0])
	for i, g := range gids {
		if g >= 0 && v.OK(i) {
			a.fold(g, bv(i))
		}
	}
	return nil
}

func (a *minMaxBytes) merge(src accumulator, gmap []int32) error {
	s := src.(*minMaxBytes)
	for g, seen := range s.seen {
		if seen && gmap[g] >= 0 { // -1: merged by another part (hashaggmerge.go)
			a.fold(gmap[g], s.vals[g])
		}
	}
	return nil
}

func (a *minMaxBytes) finish(mem memory.Allocator) (arrow.Array, error) {
	k := &bytesKeys{dt: a.dt, offs: []int64{0}}
	for g, x := range a.vals {
		if a.seen[g] {
			k.data = append(k.data, x...)
		}
		k.offs = append(k.offs, int64(len(k.data)))
	}
	k.valid = a.seen
	return k.build(mem), nil
}

func (a *minMaxBytes) release() {}
