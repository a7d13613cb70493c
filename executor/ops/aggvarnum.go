package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
)

// varNumAcc is sum, avg, min and max over variable-scale numerics, as
// PostgreSQL computes them on values with their own display scales: min
// and max keep the chosen value with its scale (of equal values the last
// one folded in), sum is exact at the largest scale it added, avg is that
// sum divided by the count with numeric division (select_div_scale's
// scale for each group).
type varNumAcc struct {
	fn     string // sum, avg, min or max
	dt     arrow.DataType
	mant   []decimal128.Num
	scales []int32
	seen   []bool
	count  []int64 // avg
}

func (a *varNumAcc) grow(n int) {
	a.mant, a.scales, a.seen = growTo(a.mant, n), growTo(a.scales, n), growTo(a.seen, n)
	if a.fn == "avg" {
		a.count = growTo(a.count, n)
	}
}

func (a *varNumAcc) fold(g int32, m decimal128.Num, s int32, n int64) error {
	if a.fn == "avg" {
		a.count[g] += n
	}
	if !a.seen[g] {
		a.mant[g], a.scales[g], a.seen[g] = m, s, true
		return nil
	}
	switch a.fn {
	case "sum", "avg":
		r, rs, err := expr.AddNumeric(a.mant[g], a.scales[g], m, s)
		if err != nil {
			return err
		}
		a.mant[g], a.scales[g] = r, rs
	default:
		c := expr.CmpNumeric(m, s, a.mant[g], a.scales[g])
		// numeric_larger and numeric_smaller return their second
		// argument, the new value, for equal ones.
		if a.fn == "max" && c >= 0 || a.fn == "min" && c <= 0 {
			a.mant[g], a.scales[g] = m, s
		}
	}
	return nil
}

func (a *varNumAcc) update(gids []int32, args []arrow.Array) error {
	arr := args[0]
	for i, g := range gids {
		if g < 0 || arr.IsNull(i) {
			continue
		}
		m, s := expr.VarNumericAt(arr, i)
		if err := a.fold(g, m, s, 1); err != nil {
			return err
		}
	}
	return nil
}

func (a *varNumAcc) merge(src accumulator, gmap []int32) error {
	o := src.(*varNumAcc)
	for g, ok := range o.seen {
		if d := gmap[g]; ok && d >= 0 {
			var n int64
			if a.fn == "avg" {
				n = o.count[g]
			}
			if err := a.fold(d, o.mant[g], o.scales[g], n); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *varNumAcc) finish(mem memory.Allocator) (arrow.Array, error) {
	if a.fn != "avg" {
		return expr.NewVarNumeric(mem, a.dt, a.mant, a.scales, a.seen), nil
	}
	// The quotients go to new slices: a window over a growing frame
	// finishes after each row and goes on folding into the sums.
	mant, scales := make([]decimal128.Num, len(a.mant)), make([]int32, len(a.scales))
	for g, ok := range a.seen {
		if !ok {
			continue
		}
		q, s, err := expr.DivNumeric(a.mant[g], decimal128.FromI64(a.count[g]), a.scales[g], 0)
		if err != nil {
			return nil, err
		}
		mant[g], scales[g] = q, s
	}
	return expr.NewVarNumeric(mem, a.dt, mant, scales, a.seen), nil
}

func (a *varNumAcc) release() {}
