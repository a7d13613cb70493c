package ops

import (
	"bytes"
	"hash/maphash"
	"math/big"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// varNum is one variable-scale numeric test value (nil mantissa: NULL).
type varNum struct {
	m     *big.Int
	scale int8
}

func vn(m int64, scale int8) varNum { return varNum{big.NewInt(m), scale} }

func (v varNum) rat() *big.Rat {
	return new(big.Rat).SetFrac(v.m, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.scale)), nil))
}

func varNumArray(mem memory.Allocator, vals []varNum) arrow.Array {
	b := array.NewStructBuilder(mem, sqltypes.VarNumericArrow(4).(*arrow.StructType))
	defer b.Release()
	mb := b.FieldBuilder(sqltypes.VarNumericMantissa).(*array.Decimal128Builder)
	sb := b.FieldBuilder(sqltypes.VarNumericScale).(*array.Int8Builder)
	for _, v := range vals {
		if v.m == nil {
			b.AppendNull() // and to the children
			continue
		}
		b.Append(true)
		mb.Append(decimal128.FromBigInt(v.m))
		sb.Append(v.scale)
	}
	return b.NewArray()
}

func randVarNums(r *rand.Rand, n int) []varNum {
	out := make([]varNum, n)
	for i := range out {
		digits := make([]byte, r.IntN(36)+1)
		for k := range digits {
			digits[k] = byte('0' + r.IntN(10))
		}
		m, _ := new(big.Int).SetString(string(digits), 10)
		if r.IntN(2) == 0 {
			m.Neg(m)
		}
		s := int8(r.IntN(40))
		if r.IntN(4) == 0 { // the same value at a larger scale
			z := int8(r.IntN(3) + 1)
			if m.BitLen() < 100 && s+z < 100 {
				m.Mul(m, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(z)), nil))
				s += z
			}
		}
		out[i] = varNum{m, s}
	}
	return out
}

// TestVarNumericKeyOrder checks that the key encoding orders values as
// numbers and makes equal values (1.5, 1.50) equal, whatever the scales.
func TestVarNumericKeyOrder(t *testing.T) {
	mem := checked(t)
	r := rand.New(rand.NewPCG(3, 4))
	vals := append(randVarNums(r, 2000),
		vn(0, 0), vn(0, 5), vn(15, 1), vn(150, 2), vn(-15, 1), vn(-1500, 3), vn(1, 0), vn(100, 2), vn(100, 0),
		vn(5, 1), vn(55, 2), vn(-5, 1), vn(-55, 2), vn(1, 30), vn(-1, 30))
	arr := varNumArray(mem, vals)
	defer arr.Release()
	e, err := keyEncoding(arr)
	if err != nil {
		t.Fatal(err)
	}
	cmpKeys := func(i, j int) int { return bytes.Compare(e.row(i), e.row(j)) }
	for range 20000 {
		i, j := r.IntN(len(vals)), r.IntN(len(vals))
		if got, want := cmpKeys(i, j), vals[i].rat().Cmp(vals[j].rat()); sign(got) != want {
			t.Fatalf("%v×10^-%d vs %v×10^-%d: key order %d, want %d", vals[i].m, vals[i].scale, vals[j].m, vals[j].scale, got, want)
		}
	}
	n := len(vals)
	for k := n - 15; k < n; k++ {
		for j := n - 15; j < n; j++ {
			if got, want := cmpKeys(k, j), vals[k].rat().Cmp(vals[j].rat()); sign(got) != want {
				t.Errorf("%v×10^-%d vs %v×10^-%d: key order %d, want %d", vals[k].m, vals[k].scale, vals[j].m, vals[j].scale, got, want)
			}
		}
	}
	// The row comparator of sorts agrees.
	c, err := newRowCmp(arr, true, false)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return c(idx[a], idx[b]) < 0 })
	for k := 1; k < len(idx); k++ {
		if vals[idx[k-1]].rat().Cmp(vals[idx[k]].rat()) < 0 {
			t.Fatalf("descending sort put %v before %v", vals[idx[k-1]].rat(), vals[idx[k]].rat())
		}
	}
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// TestVarNumericGroupKeys: a hash table groups equal values of different
// scales together (NULL its own group) and keeps the first value seen.
func TestVarNumericGroupKeys(t *testing.T) {
	mem := checked(t)
	dt := sqltypes.VarNumericArrow(4)
	ht, err := newHashTable([]arrow.DataType{dt}, maphash.MakeSeed())
	if err != nil {
		t.Fatal(err)
	}
	batches := [][]varNum{
		{vn(15, 1), vn(150, 2), vn(1, 0), {}, vn(2, 0)},
		{vn(10, 1), vn(1500, 3), {}, vn(-0, 3), vn(0, 0), vn(200, 2), vn(2, 0)},
	}
	var gids [][]int32
	for _, b := range batches {
		arr := varNumArray(mem, b)
		g := make([]int32, arr.Len())
		ht.insert([]arrow.Array{arr}, g)
		arr.Release()
		gids = append(gids, g)
	}
	want := [][]int32{{0, 0, 1, 2, 3}, {1, 0, 2, 4, 4, 3, 3}} // 1.5 1 NULL 2 0
	for i := range want {
		for j := range want[i] {
			if gids[i][j] != want[i][j] {
				t.Fatalf("group ids %v, want %v", gids, want)
			}
		}
	}
	keys := ht.keyArrays(mem)
	defer keys[0].Release()
	got := keys[0].(*array.Struct)
	wantKeys := []varNum{vn(15, 1), vn(1, 0), {}, vn(2, 0), vn(0, 3)}
	for i, w := range wantKeys {
		if w.m == nil {
			if got.IsValid(i) {
				t.Errorf("group %d: want NULL", i)
			}
			continue
		}
		m := got.Field(sqltypes.VarNumericMantissa).(*array.Decimal128).Value(i)
		s := got.Field(sqltypes.VarNumericScale).(*array.Int8).Value(i)
		if m.BigInt().Cmp(w.m) != 0 || s != w.scale {
			t.Errorf("group %d: key %v×10^-%d, want the first value %v×10^-%d", i, m.BigInt(), s, w.m, w.scale)
		}
	}
}

// TestVarNumericAggregates: sum is exact at the largest scale, avg is
// that sum over the count with numeric division, min and max keep the
// value's scale (the last of equal ones, as PostgreSQL's
// numeric_smaller and numeric_larger), NULLs are skipped, and merging
// parts folds the same way.
func TestVarNumericAggregates(t *testing.T) {
	mem := checked(t)
	dt := sqltypes.VarNumericArrow(4)
	in := varNumArray(mem, []varNum{vn(10, 1), vn(1, 0), {}, vn(250, 2), vn(3, 0), vn(3000, 3), vn(-1, 30)})
	defer in.Release()
	gids := []int32{0, 0, 0, 0, 1, 1, 2}
	want := map[string][]string{
		"sum": {"4.50", "6.000", "-0.000000000000000000000000000001"},
		"min": {"1", "3.000", "-0.000000000000000000000000000001"},
		"max": {"2.50", "3.000", "-0.000000000000000000000000000001"},
		// PostgreSQL: avg(x) over (1.0), (1), (2.50); (3), (3.000); (1e-30)
		"avg": {"1.5000000000000000", "3.0000000000000000", "-0.000000000000000000000000000001000000000000000000"},
	}
	for fn, w := range want {
		a := &varNumAcc{fn: fn, dt: dt}
		a.grow(3)
		head := array.NewSlice(in, 0, 4)
		if err := a.update(gids[:4], []arrow.Array{head}); err != nil {
			t.Fatal(err)
		}
		head.Release()
		b := &varNumAcc{fn: fn, dt: dt}
		b.grow(3)
		rest := array.NewSlice(in, 4, 7)
		if err := b.update(gids[4:], []arrow.Array{rest}); err != nil {
			t.Fatal(err)
		}
		rest.Release()
		if err := a.merge(b, []int32{0, 1, 2}); err != nil {
			t.Fatal(err)
		}
		out, err := a.finish(mem)
		if err != nil {
			t.Fatal(err)
		}
		for g := range w {
			m, s := expr.VarNumericAt(out, g)
			if got := sqltypes.FormatDecimal(m, s); got != w[g] {
				t.Errorf("%s group %d: %s, want %s", fn, g, got, w[g])
			}
		}
		out.Release()
	}
}

// TestVarNumericKeySpecials: NaN and ±Infinity, at any scale, key and
// sort as PostgreSQL orders them (-Infinity < numbers < Infinity < NaN,
// equal to themselves), also next to 38-digit values at scale 0 and
// values of many places, which a scale-dependent encoding would cross.
func TestVarNumericKeySpecials(t *testing.T) {
	mem := checked(t)
	big38, _ := new(big.Int).SetString("99999999999999999999999999999999999999", 10)
	special := func(n decimal128.Num, scale int8) varNum { return varNum{n.BigInt(), scale} }
	// rank orders the classes; finite values compare within class 1.
	vals := []varNum{
		special(sqltypes.NumericNaN, 0), special(sqltypes.NumericPosInf, 3), special(sqltypes.NumericNegInf, 30),
		{big38, 0}, {new(big.Int).Neg(big38), 0}, vn(1, 30), vn(-15, 1), vn(0, 2),
		special(sqltypes.NumericNaN, 7), special(sqltypes.NumericPosInf, 0), special(sqltypes.NumericNegInf, 0),
	}
	rank := func(v varNum) int {
		n := decimal128.FromBigInt(v.m)
		switch {
		case sqltypes.IsNumericNaN(n):
			return 3
		case sqltypes.IsNumericSpecial(n):
			return 1 + n.Sign()
		}
		return 1
	}
	want := func(i, j int) int {
		ri, rj := rank(vals[i]), rank(vals[j])
		if ri != rj || ri != 1 || sqltypes.IsNumericSpecial(decimal128.FromBigInt(vals[i].m)) {
			return sign(ri - rj)
		}
		return vals[i].rat().Cmp(vals[j].rat())
	}
	arr := varNumArray(mem, vals)
	defer arr.Release()
	e, err := keyEncoding(arr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newRowCmp(arr, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range vals {
		for j := range vals {
			if got := sign(bytes.Compare(e.row(i), e.row(j))); got != want(i, j) {
				t.Errorf("key of row %d vs %d: %d, want %d", i, j, got, want(i, j))
			}
			if got := sign(c(i, j)); got != want(i, j) {
				t.Errorf("sort of row %d vs %d: %d, want %d", i, j, got, want(i, j))
			}
		}
	}
}
