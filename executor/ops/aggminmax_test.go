package ops

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// TestMinMaxInline: min and max of numeric, bigint and date values
// (folded with inline comparisons) equal a reference over big integers:
// negative and positive values whose low words alone differ (the low
// word compares unsigned), NULL rows and rows of no group (-1) skipped,
// groups with no value left NULL.
func TestMinMaxInline(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n, groups = 3000, 40
	his := []int64{-2, -1, 0, 1}
	los := []uint64{0, 1, 1 << 63, 1<<64 - 1, 12345}
	decs := make([]decimal128.Num, n)
	ints := make([]int64, n)
	valid := make([]bool, n)
	gids := make([]int32, n)
	for i := range n {
		decs[i] = decimal128.New(his[r.IntN(len(his))], los[r.IntN(len(los))])
		ints[i] = r.Int64N(1<<40) - 1<<39
		valid[i] = r.IntN(7) != 0
		gids[i] = int32(r.IntN(groups+1)) - 1 // -1: no group
	}
	mem := checked(t)
	db := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 38, Scale: 2})
	ib := array.NewInt64Builder(mem)
	jb := array.NewDate32Builder(mem)
	db.AppendValues(decs, valid)
	ib.AppendValues(ints, valid)
	for i, x := range ints {
		if valid[i] {
			jb.Append(arrow.Date32(x >> 20))
		} else {
			jb.AppendNull()
		}
	}
	cols := []arrow.Array{db.NewArray(), ib.NewArray(), jb.NewArray()}
	db.Release()
	ib.Release()
	jb.Release()
	defer releaseArrays(cols)
	key := func(c, i int) *big.Int {
		switch c {
		case 0:
			return decs[i].BigInt()
		case 1:
			return big.NewInt(ints[i])
		}
		return big.NewInt(ints[i] >> 20)
	}
	for c, col := range cols {
		for _, isMax := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/max=%v", col.DataType(), isMax), func(t *testing.T) {
				acc, err := newMinMax(col.DataType(), isMax)
				if err != nil {
					t.Fatal(err)
				}
				acc.grow(groups)
				half := n / 2 // two batches
				for _, part := range [][2]int{{0, half}, {half, n}} {
					s := array.NewSlice(col, int64(part[0]), int64(part[1]))
					err := acc.update(gids[part[0]:part[1]], []arrow.Array{s})
					s.Release()
					if err != nil {
						t.Fatal(err)
					}
				}
				got, err := acc.finish(mem)
				if err != nil {
					t.Fatal(err)
				}
				defer got.Release()
				want := make([]*big.Int, groups)
				for i, g := range gids {
					if g < 0 || !valid[i] {
						continue
					}
					k := key(c, i)
					if w := want[g]; w == nil || (isMax && k.Cmp(w) > 0) || (!isMax && k.Cmp(w) < 0) {
						want[g] = k
					}
				}
				for g, w := range want {
					if w == nil {
						if got.IsValid(g) {
							t.Errorf("group %d: %v, want NULL", g, got.ValueStr(g))
						}
						continue
					}
					var v *big.Int
					switch a := got.(type) {
					case *array.Decimal128:
						v = a.Value(g).BigInt()
					case *array.Int64:
						v = big.NewInt(a.Value(g))
					case *array.Date32:
						v = big.NewInt(int64(a.Value(g)))
					}
					if !got.IsValid(g) || v.Cmp(w) != 0 {
						t.Errorf("group %d: %v, want %v", g, got.ValueStr(g), w)
					}
				}
			})
		}
	}
}
