package ops

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// BenchmarkPercentileSmallGroups is percentile_cont(0.5) over 1M double
// precision values in 200k groups of about five: the per-group cost of
// the selection path.
func BenchmarkPercentileSmallGroups(b *testing.B) {
	const rows, groups = 1_000_000, 200_000
	mem := memory.NewGoAllocator()
	r := rand.New(rand.NewPCG(3, 3))
	vals, gids := make([]float64, rows), make([]int32, rows)
	for i := range vals {
		vals[i], gids[i] = r.NormFloat64(), int32(r.IntN(groups))
	}
	fr := fixedArray(mem, arrow.PrimitiveTypes.Float64, slices.Repeat([]float64{0.5}, rows), nil)
	vs := fixedArray(mem, arrow.PrimitiveTypes.Float64, vals, nil)
	defer fr.Release()
	defer vs.Release()
	b.ReportAllocs()
	for b.Loop() {
		a := &percentileAcc{mem: mem, cont: true, dt: arrow.PrimitiveTypes.Float64}
		a.grow(groups)
		if err := a.update(gids, []arrow.Array{fr, vs}); err != nil {
			b.Fatal(err)
		}
		out, err := a.finish(mem)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
		a.release()
	}
}

// BenchmarkRangeIntersectAgg is range_intersect_agg over 1M tsrange
// values: in 1000 groups of overlapping ranges (every row read), in 1000
// groups of short ranges that soon intersect to empty, and in one group
// whose input repeats each of ten ranges in runs (as a sorted or joined
// input does).
func BenchmarkRangeIntersectAgg(b *testing.B) {
	const rows = 1_000_000
	t := sqltypes.Type{Kind: sqltypes.TsRange}
	mem := memory.NewGoAllocator()
	r := rand.New(rand.NewPCG(4, 4))
	for _, c := range []struct {
		name   string
		groups int
		lo     func(i int) int64
		length int64
	}{
		{"overlapping", 1000, func(int) int64 { return r.Int64N(1 << 36) }, 1 << 37},
		{"emptying", 1000, func(int) int64 { return r.Int64N(1 << 36) }, 1 << 20},
		{"runs", 1, func(i int) int64 { return int64(i/(rows/10)) << 20 }, 1 << 40},
	} {
		sb := array.NewStringBuilder(mem)
		gids := make([]int32, rows)
		for i := range rows {
			lo := int64(1_700_000_000_000_000) + c.lo(i)
			rg, err := sqltypes.MakeRange(t, arrow.Timestamp(lo), arrow.Timestamp(lo+c.length), true, false)
			if err != nil {
				b.Fatal(err)
			}
			sb.Append(sqltypes.FormatRange(t, rg))
			gids[i] = int32(r.IntN(c.groups))
		}
		arr := sb.NewArray()
		sb.Release()
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a := &rangeIntersectAcc{t: t}
				a.grow(c.groups)
				if err := a.update(gids, []arrow.Array{arr}); err != nil {
					b.Fatal(err)
				}
				out, err := a.finish(mem)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
		})
		arr.Release()
	}
}
