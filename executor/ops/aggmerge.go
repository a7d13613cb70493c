package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// The merge aggregates combine partial aggregates a source computed per
// group (connectors.Aggregate) into the final ones, so that a pushed
// aggregate gives what meshql computes itself:
//
//	count_merge(bigint)             bigint: the sum of partial counts
//	sum_merge(bigint|numeric|float8) the same type: the sum of partial sums
//	                                (bigint overflow is 22003, as in sum(int))
//	avg_merge(sum, count bigint)    avg's type for the sum's type: the sum
//	                                of sums over the sum of counts, rounded
//	                                as avg rounds
//
// min and max merge with themselves.

// mergeType returns the result type of a merge aggregate; known is false
// for other functions.
func mergeType(fn string, args []sqltypes.Type) (t sqltypes.Type, ok, known bool) {
	switch fn {
	case "count_merge":
		return sqltypes.TypeInt8, len(args) == 1 && args[0].Kind == sqltypes.Int8, true
	case "sum_merge":
		if len(args) != 1 {
			return t, false, true
		}
		switch a := args[0]; a.Kind {
		case sqltypes.Int8, sqltypes.Float8:
			return a, true, true
		case sqltypes.Numeric:
			if a.VarScale {
				return a, true, true // each value's scale, as sum keeps it
			}
			return sqltypes.NumericType(sqltypes.MaxNumericPrecision, a.Scale), true, true
		}
		return t, false, true
	case "avg_merge":
		if len(args) != 2 || args[1].Kind != sqltypes.Int8 {
			return t, false, true
		}
		switch args[0].Kind {
		case sqltypes.Int8, sqltypes.Numeric, sqltypes.Float8:
			t, err := AggregateType("avg", args[:1])
			return t, err == nil, true
		}
		return t, false, true
	}
	return t, false, false
}

// addCounts adds the non-null partial counts of arr to their groups.
func addCounts(n []int64, gids []int32, arr arrow.Array) error {
	vals := fixedVals[int64](arr)
	v := validityOf(arr)
	for i, g := range gids {
		if g >= 0 && v.OK(i) {
			n[g] += vals[i]
		}
	}
	return nil
}

// newSumMerge is sum over partial sums: bigint partials stay bigint.
func newSumMerge(in arrow.DataType, out sqltypes.Type) (*sumAcc, error) {
	a, err := newSumAcc(in, out, false)
	if err == nil && in.ID() == arrow.INT64 {
		a.kind = sumI64
	}
	return a, err
}

// avgMergeAcc is avg_merge: a sum of partial sums whose divisor is the
// sum of partial counts rather than the number of partial rows.
type avgMergeAcc struct {
	sum *sumAcc
	n   []int64
}

func newAvgMerge(in arrow.DataType, out sqltypes.Type) (*avgMergeAcc, error) {
	s, err := newSumAcc(in, out, true)
	if err != nil {
		return nil, err
	}
	return &avgMergeAcc{sum: s}, nil
}

func (a *avgMergeAcc) grow(n int) {
	a.sum.grow(n)
	a.n = growTo(a.n, n)
}

func (a *avgMergeAcc) update(gids []int32, args []arrow.Array) error {
	if err := a.sum.update(gids, args[:1]); err != nil {
		return err
	}
	return addCounts(a.n, gids, args[1])
}

func (a *avgMergeAcc) merge(src accumulator, gmap []int32) error {
	s := src.(*avgMergeAcc)
	if err := a.sum.merge(s.sum, gmap); err != nil {
		return err
	}
	for g, c := range s.n {
		a.n[gmap[g]] += c
	}
	return nil
}

func (a *avgMergeAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	copy(a.sum.count, a.n) // the divisor, and NULL where no row was counted
	return a.sum.finish(mem)
}

func (a *avgMergeAcc) release() { a.sum.release() }
