package ops

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
)

// Two array_aggs with different orders over partial inputs (merged
// states): each group's elements must come in its own ORDER BY, which the
// reference computes by sorting the group's rows directly.
func TestOrderedAggregates(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	s := schemaOf(i64, i64, i64)
	var rows [][]any
	for i := range 500 {
		k := any(int64(r.IntN(7)))
		if r.IntN(8) == 0 {
			k = nil
		}
		rows = append(rows, []any{int64(r.IntN(5)), int64(i), k})
	}
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("inputs=%d", parts), func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 16)
			var inputs []executor.Operator
			per := (len(rows) + parts - 1) / parts
			for p := range parts {
				inputs = append(inputs, source(mem, s, rows[p*per:min((p+1)*per, len(rows))], 16, p%2 == 0))
			}
			byKeyDesc := Aggregate{Func: "array_agg", Args: []expr.Expr{col(1, tI8)},
				Order: []SortKey{{Expr: col(2, tI8), Desc: true, NullsFirst: true}, {Expr: col(1, tI8)}}}
			byIDDesc := Aggregate{Func: "array_agg", Args: []expr.Expr{col(2, tI8)},
				Order: []SortKey{{Expr: col(1, tI8), Desc: true}}}
			op, err := NewHashAggregate(env, inputs, []expr.Expr{col(0, tI8)}, []Aggregate{byKeyDesc, byIDDesc})
			if err != nil {
				t.Fatal(err)
			}
			got := mustDrain(t, op)

			var want [][]any
			for g := range int64(5) {
				var grp [][]any
				for _, row := range rows {
					if row[0] == g {
						grp = append(grp, row)
					}
				}
				first := slices.Clone(grp)
				slices.SortStableFunc(first, func(a, b []any) int {
					switch {
					case a[2] == nil && b[2] == nil:
					case a[2] == nil:
						return -1
					case b[2] == nil:
						return 1
					case a[2].(int64) != b[2].(int64):
						return int(b[2].(int64) - a[2].(int64))
					}
					return int(a[1].(int64) - b[1].(int64))
				})
				second := slices.Clone(grp)
				slices.SortStableFunc(second, func(a, b []any) int { return int(b[1].(int64) - a[1].(int64)) })
				var ids, keys []any
				for k := range first {
					ids, keys = append(ids, first[k][1]), append(keys, second[k][2])
				}
				want = append(want, []any{g, ids, keys})
			}
			sameRows(t, got, want)
		})
	}
}
