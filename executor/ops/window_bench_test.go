package ops

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
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
			b.SetBytes(1_000_000 * 16)
			benchWindow(b, env, s, data, 1_000_000, funcs[name])
		})
	}
}

// benchWindow runs fn over data (rows rows of key and value) partitioned
// by key and ordered by value.
func benchWindow(b *testing.B, env *executor.Env, s *arrow.Schema, data []arrow.RecordBatch, rows int64, fn WindowFunc) {
	benchRows(b, rows, func() (executor.Operator, error) {
		return NewWindow(env, NewBatches(s, data), WindowSpec{
			PartitionBy: []expr.Expr{col(0, tI8)},
			OrderBy:     []SortKey{{Expr: col(1, tI8)}},
			Funcs:       []WindowFunc{fn},
		})
	})
}

// BenchmarkWindowExclude: frames with a hole (EXCLUDE) over 100k rows in
// 100 partitions: sums and counts come from prefix sums less the hole
// instead of aggregating each frame afresh.
func BenchmarkWindowExclude(b *testing.B) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	data := benchBatches(mem, 100_000, 100, false, 5)
	funcs := map[string]WindowFunc{
		"sliding_sum/exclude_current_row": {Func: "sum", Args: []expr.Expr{col(1, tI8)},
			Frame: Frame{Mode: FrameRows, Start: FrameBound{OffsetPreceding, 50}, End: FrameBound{OffsetFollowing, 50}, Exclude: ExcludeCurrentRow}},
		"partition_count/exclude_ties": {Func: "count", Args: []expr.Expr{col(1, tI8)},
			Frame: Frame{Mode: FrameRange, Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: UnboundedFollowing}, Exclude: ExcludeTies}},
	}
	for _, name := range []string{"sliding_sum/exclude_current_row", "partition_count/exclude_ties"} {
		b.Run(name, func(b *testing.B) { benchWindow(b, env, s, data, 100_000, funcs[name]) })
	}
}
