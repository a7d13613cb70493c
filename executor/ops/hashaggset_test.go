package ops

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// TestHashAggKeySets: GROUP BY without aggregates over parallel inputs
// with more groups than keySetMin (kept as key sets) gives every distinct
// key once: two integer keys, one numeric, one bigint with NULLs, a key
// past 32 bits arriving after the set took over (back to a table), one
// input with few groups (a table merged with the other's set), and under
// a memory budget that makes the parts spill.
func TestHashAggKeySets(t *testing.T) {
	const n = 3 * keySetMin
	num := &arrow.Decimal128Type{Precision: 12, Scale: 2}
	pair := func(a, b int64) []any { return []any{a, b} }
	cases := []struct {
		name   string
		schema *arrow.Schema
		types  []sqltypes.Type
		a, b   func(i int) []any // rows of the two inputs
		nb     int               // rows of input b
		limit  int64
	}{
		{name: "pair", schema: schemaOf(i64, i64), types: []sqltypes.Type{tI8, tI8},
			a: func(i int) []any { return pair(int64(i%(2*keySetMin)), int64(i%5-2)) },
			b: func(i int) []any { return pair(int64(i%(2*keySetMin)+keySetMin), int64(i%5-2)) }, nb: n},
		{name: "pair-wide-late", schema: schemaOf(i64, i64), types: []sqltypes.Type{tI8, tI8},
			a: func(i int) []any {
				if i == n-3 {
					return pair(1<<40, 1)
				}
				return pair(int64(i%(2*keySetMin)), int64(i%3))
			},
			b: func(i int) []any { return pair(int64(i), 0) }, nb: n},
		{name: "numeric", schema: schemaOf(num), types: []sqltypes.Type{sqltypes.NumericType(12, 2)},
			a: func(i int) []any { return []any{decimal128.FromI64(int64(i % (2 * keySetMin)))} },
			b: func(i int) []any { return []any{decimal128.FromI64(-int64(i))} }, nb: n},
		{name: "bigint-nulls", schema: schemaOf(i64), types: []sqltypes.Type{tI8},
			a: func(i int) []any {
				if i%1000 == 999 {
					return []any{nil}
				}
				return []any{int64(i * 7)}
			},
			b: func(i int) []any { return []any{int64(i * 5)} }, nb: n},
		{name: "one-side-few", schema: schemaOf(i64, i64), types: []sqltypes.Type{tI8, tI8},
			a: func(i int) []any { return pair(int64(i), int64(i%2)) },
			b: func(i int) []any { return pair(int64(i%4), 0) }, nb: 100},
		{name: "spill", schema: schemaOf(i64, i64), types: []sqltypes.Type{tI8, tI8},
			a: func(i int) []any { return pair(int64(i%(2*keySetMin)), int64(i%5-2)) },
			b: func(i int) []any { return pair(int64(i%(2*keySetMin)+keySetMin), int64(i%5-2)) }, nb: n,
			limit: 1 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 1024)
			if c.limit > 0 {
				env = spillEnv(t, mem, 1024, c.limit)
			}
			var ra, rb [][]any
			seen := map[string][]any{}
			for i := range n {
				ra = append(ra, c.a(i))
				seen[fmt.Sprint(ra[i])] = ra[i]
			}
			for i := range c.nb {
				rb = append(rb, c.b(i))
				seen[fmt.Sprint(rb[i])] = rb[i]
			}
			var want [][]any
			for _, r := range seen {
				if d, ok := r[0].(decimal128.Num); ok {
					r = []any{d.ToString(2)} // as the output reads
				}
				want = append(want, r)
			}
			groups := make([]expr.Expr, len(c.types))
			for i, ty := range c.types {
				groups[i] = col(i, ty)
			}
			inputs := []executor.Operator{source(mem, c.schema, ra, 1024, false), source(mem, c.schema, rb, 1024, false)}
			op, err := NewHashAggregate(env, inputs, groups, nil)
			if err != nil {
				t.Fatal(err)
			}
			sameRows(t, mustDrain(t, op), want)
			if c.limit > 0 && env.Budget.Spilled() == 0 {
				t.Errorf("nothing spilled under a budget of %d", c.limit)
			}
			if env.Budget != nil && env.Budget.Used() != 0 {
				t.Errorf("%d bytes still reserved after Close", env.Budget.Used())
			}
		})
	}
}
