package ops

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// TestIntervalSumPastNanoseconds: a sum of intervals whose time part
// passes what an Arrow interval's nanoseconds hold (±2,562,047 hours)
// still averages as PostgreSQL does (300,000 × '2 days 10:00' averages
// '2 days 10:00'), also merged from partial sums, while the sum itself is
// 22008 with a hint rather than a value PostgreSQL would print otherwise.
func TestIntervalSumPastNanoseconds(t *testing.T) {
	mem := checked(t)
	b := array.NewMonthDayNanoIntervalBuilder(mem)
	const n = 1000
	item := arrow.MonthDayNanoInterval{Days: 2, Nanoseconds: 10 * 3_600_000_000_000}
	for range n {
		b.Append(item)
	}
	batch := b.NewArray()
	defer batch.Release()
	gids := make([]int32, n)

	run := func(avg bool, parts int) (arrow.MonthDayNanoInterval, error) {
		total := &intervalSumAcc{avg: avg}
		total.grow(1)
		for range parts {
			part := &intervalSumAcc{avg: avg}
			part.grow(1)
			for range 300 / parts { // 300 batches of 1,000 rows in all
				if err := part.update(gids, []arrow.Array{batch}); err != nil {
					return arrow.MonthDayNanoInterval{}, err
				}
			}
			if err := total.merge(part, []int32{0}); err != nil {
				return arrow.MonthDayNanoInterval{}, err
			}
		}
		out, err := total.finish(mem)
		if err != nil {
			return arrow.MonthDayNanoInterval{}, err
		}
		defer out.Release()
		return out.(*array.MonthDayNanoInterval).Value(0), nil
	}
	for _, parts := range []int{1, 3} {
		got, err := run(true, parts)
		if err != nil || got != item {
			t.Fatalf("avg over %d partial sums = %v, %v; want %v", parts, got, err, item)
		}
		_, err = run(false, parts)
		if sqltypes.Code(err) != sqltypes.CodeDatetimeFieldOverflow || !strings.Contains(sqltypes.AsError(err).Hint, "extract(epoch") {
			t.Fatalf("sum over %d partial sums: %v, want 22008 with a hint", parts, err)
		}
	}
}
