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
// values in 1000 groups, most of which become empty early, and one
// group of ranges that all contain one instant.
func BenchmarkRangeIntersectAgg(b *testing.B) {
	const rows = 1_000_000
	t := sqltypes.Type{Kind: sqltypes.TsRange}
	mem := memory.NewGoAllocator()
	r := rand.New(rand.NewPCG(4, 4))
	for _, c := range []struct {
		name   string
		groups int
	}{{"groups=1000", 1000}, {"groups=1", 1}} {
		sb := array.NewStringBuilder(mem)
		gids := make([]int32, rows)
		for i := range rows {
			lo := int64(1_700_000_000_000_000) + r.Int64N(1<<36)
			rg, err := sqltypes.MakeRange(t, arrow.Timestamp(lo), arrow.Timestamp(lo+1<<37), true, false)
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
