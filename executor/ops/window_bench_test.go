package ops

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// BenchmarkWindow runs window functions over 1M rows (key int64 in
// [0, 1000), value int64) partitioned by key and ordered by value.
func BenchmarkWindow(b *testing.B) {
	benchWindows(b, 1_000_000, 1000, []string{"running_sum", "sliding_sum", "running_max", "rank", "running_stddev"}, map[string]WindowFunc{
		"running_sum": {Func: "sum", Args: []expr.Expr{col(1, tI8)}},
		"sliding_sum": {Func: "sum", Args: []expr.Expr{col(1, tI8)}, Frame: Frame{Mode: FrameRows, Start: FrameBound{OffsetPreceding, 10}, End: FrameBound{OffsetFollowing, 10}}},
		"running_max": {Func: "max", Args: []expr.Expr{col(1, tI8)}},
		"rank":        {Func: "rank"},
		// generic accumulator path: one finish per row
		"running_stddev": {Func: "stddev", Args: []expr.Expr{col(1, tI8)}},
	})
}

// benchWindows runs each of funcs, in the order of names, over rows rows
// of (key int64 in [0, keys), value int64) partitioned by key and
// ordered by value.
func benchWindows(b *testing.B, rows, keys int, names []string, funcs map[string]WindowFunc) {
	mem := memory.NewGoAllocator()
	env := testEnv(mem, 0)
	s := schemaOf(i64, i64)
	data := benchBatches(mem, rows, keys, false, 5)
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(rows) * 16)
			benchRows(b, int64(rows), func() (executor.Operator, error) {
				return NewWindow(env, NewBatches(s, data), WindowSpec{
					PartitionBy: []expr.Expr{col(0, tI8)},
					OrderBy:     []SortKey{{Expr: col(1, tI8)}},
					Funcs:       []WindowFunc{funcs[name]},
				})
			})
		})
	}
}

// BenchmarkWindowExclude: frames with a hole (EXCLUDE) over 100k rows in
// 100 partitions: sums and counts come from prefix sums less the hole
// instead of aggregating each frame afresh.
func BenchmarkWindowExclude(b *testing.B) {
	benchWindows(b, 100_000, 100, []string{"sliding_sum/exclude_current_row", "partition_count/exclude_ties"}, map[string]WindowFunc{
		"sliding_sum/exclude_current_row": {Func: "sum", Args: []expr.Expr{col(1, tI8)},
			Frame: Frame{Mode: FrameRows, Start: FrameBound{OffsetPreceding, 50}, End: FrameBound{OffsetFollowing, 50}, Exclude: ExcludeCurrentRow}},
		"partition_count/exclude_ties": {Func: "count", Args: []expr.Expr{col(1, tI8)},
			Frame: Frame{Mode: FrameRange, Start: FrameBound{Kind: UnboundedPreceding}, End: FrameBound{Kind: UnboundedFollowing}, Exclude: ExcludeTies}},
	})
}
