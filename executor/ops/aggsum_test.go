package ops

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/sqltypes"
)

// TestSumDecimalPartials checks sum over numeric values near the 64-bit
// limits, so that the 64-bit partial sums overflow and fold into the
// 128-bit ones, mixed with values beyond 64 bits and NULLs, over several
// groups and a merge of two accumulators, against math/big; and without
// NULLs, where a few groups' rows are summed in two lanes.
func TestSumDecimalPartials(t *testing.T) {
	for _, nulls := range []bool{true, false} {
		testSumDecimalPartials(t, nulls)
	}
}

func testSumDecimalPartials(t *testing.T, nulls bool) {
	mem := checked(t)
	dt := &arrow.Decimal128Type{Precision: 38, Scale: 2}
	out := sqltypes.NumericType(38, 2)
	rng := rand.New(rand.NewPCG(3, 4))
	const groups = 3
	want := make([]*big.Int, groups)
	for g := range want {
		want[g] = new(big.Int)
	}
	accs := make([]*sumAcc, 2)
	for k := range accs {
		a, err := newSumAcc(dt, out, false)
		if err != nil {
			t.Fatal(err)
		}
		a.grow(groups)
		accs[k] = a
		for batch := 0; batch < 20; batch++ {
			bld := array.NewDecimal128Builder(mem, dt)
			gids := make([]int32, 64)
			for i := range gids {
				gids[i] = int32(rng.IntN(groups+1)) - 1 // -1: row not aggregated
				var v decimal128.Num
				switch rng.IntN(5) {
				case 0:
					if nulls {
						bld.AppendNull()
						continue
					}
					v = decimal128.FromI64(math.MaxInt64 - rng.Int64N(1000))
				case 1:
					v = decimal128.FromI64(math.MaxInt64 - rng.Int64N(1000))
				case 2:
					v = decimal128.FromI64(math.MinInt64 + rng.Int64N(1000))
				case 3:
					v = decimal128.FromBigInt(new(big.Int).Lsh(big.NewInt(rng.Int64N(1000)-500), 70)) // beyond 64 bits
				default:
					v = decimal128.FromI64(rng.Int64N(2000) - 1000)
				}
				bld.Append(v)
				if gids[i] >= 0 {
					want[gids[i]].Add(want[gids[i]], v.BigInt())
				}
			}
			arr := bld.NewArray()
			bld.Release()
			err := a.update(gids, []arrow.Array{arr})
			arr.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := accs[0].merge(accs[1], []int32{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	res, err := accs[0].finish(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	got := res.(*array.Decimal128)
	for g := range groups {
		if s := got.Value(g).BigInt(); s.Cmp(want[g]) != 0 {
			t.Errorf("NULLs %v, group %d: sum %s, want %s", nulls, g, s, want[g])
		}
	}
}

// TestSumDecimalOverflow checks that a sum beyond numeric's 38 digits is
// 22003 also when it builds up in the 64-bit partial sums.
func TestSumDecimalOverflow(t *testing.T) {
	mem := checked(t)
	dt := &arrow.Decimal128Type{Precision: 38, Scale: 0}
	a, err := newSumAcc(dt, sqltypes.NumericType(38, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	a.grow(1)
	a.hi[0], a.lo[0] = math.MaxInt64, math.MaxUint64-10 // the largest 128-bit values
	bld := array.NewDecimal128Builder(mem, dt)
	for range 4 {
		bld.Append(decimal128.FromI64(math.MaxInt64))
	}
	arr := bld.NewArray()
	bld.Release()
	defer arr.Release()
	err = a.update([]int32{0, 0, 0, 0}, []arrow.Array{arr})
	if err == nil {
		var res arrow.Array
		if res, err = a.finish(mem); res != nil {
			res.Release()
		}
	}
	wantCode(t, err, sqltypes.CodeNumericOutOfRange)
}

// BenchmarkSumDecimal is sum over decimal(15,2) values (Q1's sums) in
// four groups, one batch of 8192 rows per iteration.
func BenchmarkSumDecimal(b *testing.B) {
	mem := checked(b)
	dt := &arrow.Decimal128Type{Precision: 15, Scale: 2}
	bld := array.NewDecimal128Builder(mem, dt)
	gids := make([]int32, 8192)
	for i := range gids {
		gids[i] = int32(i*7) % 4
		bld.Append(decimal128.FromI64(int64(i*7919) % 10_000_000))
	}
	arr := bld.NewArray()
	bld.Release()
	defer arr.Release()
	a, err := newSumAcc(dt, sqltypes.NumericType(38, 2), false)
	if err != nil {
		b.Fatal(err)
	}
	a.grow(4)
	b.SetBytes(int64(8192 * 16))
	b.ReportAllocs()
	for b.Loop() {
		if err := a.update(gids, []arrow.Array{arr}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSumDecimalSpecials: numeric sum and avg keep NaN and ±Infinity
// apart from the finite sum, across partial accumulators merged: one
// infinity wins, both or a NaN make NaN (PostgreSQL's numeric sum).
func TestSumDecimalSpecials(t *testing.T) {
	mem := checked(t)
	dt := &arrow.Decimal128Type{Precision: 38, Scale: 2}
	inf, ninf, nan := sqltypes.NumericPosInf, sqltypes.NumericNegInf, sqltypes.NumericNaN
	one := decimal128.FromI64(150)
	// group: values of the first accumulator, then of the second.
	groups := [][2][]decimal128.Num{
		{{one, inf}, {one}},               // Infinity
		{{inf}, {ninf}},                   // NaN
		{{one, one}, {nan}},               // NaN
		{{ninf, one}, {ninf}},             // -Infinity
		{{one}, {decimal128.FromI64(50)}}, // 2.00
	}
	want := []string{"Infinity", "NaN", "NaN", "-Infinity", "2.00"}
	for _, avg := range []bool{false, true} {
		accs := make([]*sumAcc, 2)
		for k := range accs {
			a, err := newSumAcc(dt, sqltypes.NumericType(38, 2), avg)
			if err != nil {
				t.Fatal(err)
			}
			a.grow(len(groups))
			bld := array.NewDecimal128Builder(mem, dt)
			var gids []int32
			for g, vs := range groups {
				for _, v := range vs[k] {
					bld.Append(v)
					gids = append(gids, int32(g))
				}
			}
			arr := bld.NewArray()
			bld.Release()
			if err := a.update(gids, []arrow.Array{arr}); err != nil {
				t.Fatal(err)
			}
			arr.Release()
			accs[k] = a
		}
		gmap := []int32{0, 1, 2, 3, 4}
		if err := accs[0].merge(accs[1], gmap); err != nil {
			t.Fatal(err)
		}
		res, err := accs[0].finish(mem)
		if err != nil {
			t.Fatal(err)
		}
		vals := res.(*array.Decimal128)
		for g, w := range want {
			got := sqltypes.FormatDecimal(vals.Value(g), 2)
			if avg && g == 4 {
				w = "1.00"
			}
			if got != w {
				t.Errorf("avg=%v group %d: got %s, want %s", avg, g, got, w)
			}
		}
		res.Release()
	}
}

// TestSumFloatOverflow: a float sum of finite values that overflows is
// 22003 (float8pl, float4pl), in an update and in a merge, where adding
// an infinity is not; sum(real) rounds in single precision.
func TestSumFloatOverflow(t *testing.T) {
	mem := checked(t)
	run := func(dt arrow.DataType, out sqltypes.Type, avg bool, vals ...float64) (*sumAcc, error) {
		a, err := newSumAcc(dt, out, avg)
		if err != nil {
			t.Fatal(err)
		}
		a.grow(1)
		var arr arrow.Array
		if dt.ID() == arrow.FLOAT32 {
			b := array.NewFloat32Builder(mem)
			for _, v := range vals {
				b.Append(float32(v))
			}
			arr = b.NewArray()
			b.Release()
		} else {
			b := array.NewFloat64Builder(mem)
			b.AppendValues(vals, nil)
			arr = b.NewArray()
			b.Release()
		}
		defer arr.Release()
		return a, a.update(make([]int32, len(vals)), []arrow.Array{arr})
	}
	f8, f4 := arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float32
	for _, tc := range []struct {
		name string
		dt   arrow.DataType
		out  sqltypes.Type
		avg  bool
		vals []float64
	}{
		{"sum float8", f8, sqltypes.TypeFloat8, false, []float64{1e308, 1e308}},
		{"avg float8", f8, sqltypes.TypeFloat8, true, []float64{-1e308, -1e308}},
		{"sum real", f4, sqltypes.TypeFloat4, false, []float64{3e38, 3e38}},
	} {
		if _, err := run(tc.dt, tc.out, tc.avg, tc.vals...); sqltypes.Code(err) != sqltypes.CodeNumericOutOfRange {
			t.Errorf("%s: got %v, want 22003", tc.name, err)
		}
	}
	a, err := run(f8, sqltypes.TypeFloat8, false, math.Inf(1), 1e308)
	if err != nil || !math.IsInf(a.f64[0], 1) {
		t.Fatalf("Infinity + 1e308: got %v, %v", a.f64[0], err)
	}
	a, err = run(f4, sqltypes.TypeFloat4, false, 16777216, 1, 1)
	if err != nil || a.f64[0] != 16777216 {
		t.Fatalf("sum(real) in single precision: got %v, %v", a.f64[0], err)
	}
	x, _ := run(f8, sqltypes.TypeFloat8, false, 1e308)
	y, _ := run(f8, sqltypes.TypeFloat8, false, 1e308)
	if err := x.merge(y, []int32{0}); sqltypes.Code(err) != sqltypes.CodeNumericOutOfRange {
		t.Fatalf("merge: got %v, want 22003", err)
	}
}
