package ops

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/expr"
)

// BenchmarkWindow runs window functions over 1M rows (key int64 in
// [0, 1000), value int64) partitioned by key and ordered by value.
func BenchmarkWindow(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	data := benchBatches(mem, 1_000_000, 1000, false, 5)
	funcs := map[string]WindowFunc{
		"running_sum": {Func: "sum", Args: []expr.Expr{col(1, tI8)}},
		"sliding_sum": {Func: "sum", Args: []expr.Expr{col(1, tI8)}, Frame: Frame{Mode: FrameRows, Start: FrameBound{OffsetPreceding, 10}, End: FrameBound{OffsetFollowing, 10}}},
		"running_max": {Func: "max", Args: []expr.Expr{col(1, tI8)}},
		"rank":        {Func: "rank"},
		// generic accumulator path: one finish per row
		"running_stddev": {Func: "stddev", Args: []expr.Expr{col(1, tI8)}},
	}
	for _, name := range []string{"running_sum", "sliding_sum", "running_max", "rank", "running_stddev"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(1_000_000 * 16)
			for b.Loop() {
				op, err := NewWindow(env, NewBatches(s, data), WindowSpec{
					PartitionBy: []expr.Expr{col(0, tI8)},
					OrderBy:     []SortKey{{Expr: col(1, tI8)}},
					Funcs:       []WindowFunc{funcs[name]},
				})
				if err != nil {
					b.Fatal(err)
				}
				if n := consume(b, op); n != 1_000_000 {
					b.Fatalf("%d rows", n)
				}
			}
		})
	}
}
