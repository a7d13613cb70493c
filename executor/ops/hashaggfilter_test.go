package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// filterRows keeps the rows whose int64 column c is not NULL and > k
// (the reference for cmpExpr{c, OpGt, k}).
func filterRows(rows [][]any, c int, k int64) [][]any {
	var out [][]any
	for _, r := range rows {
		if v, ok := r[c].(int64); ok && v > k {
			out = append(out, r)
		}
	}
	return out
}

// TestHashAggregateOverFilter: an aggregate over filters that keep most
// rows (folded into the aggregate), about half of them (copied) or all,
// with and without keys, in one or several inputs, in memory and spilled,
// gives the GROUP BY of the rows that pass.
func TestHashAggregateOverFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	rows := randomAggRows(r, 1500, 600)
	var simple []refAgg // no aggregate that keeps its arguments: the filter is folded
	for _, a := range allAggs {
		if !retains(a.aggregate()) {
			simple = append(simple, a)
		}
	}
	for _, k := range []int64{-1000, -900, 0} { // col 2 is in [-1000, 1000) or NULL
		for _, keys := range [][]int{{}, {0}, {1, 0}} {
			for _, parts := range []int{1, 3} {
				for _, budget := range []int64{0, 32 << 10} {
					aggs := allAggs
					if budget > 0 || parts == 1 {
						aggs = simple
					}
					t.Run(fmt.Sprintf("k=%d/keys=%v/inputs=%d/budget=%d", k, keys, parts, budget), func(t *testing.T) {
						mem := checked(t)
						env := testEnv(mem, 64)
						if budget > 0 {
							if len(keys) == 0 {
								t.Skip("nothing to spill without keys")
							}
							env = spillEnv(t, mem, 64, budget)
						}
						var inputs []executor.Operator
						per := len(rows) / parts
						for p := range parts {
							f, err := NewFilter(env, source(mem, aggSchema, rows[p*per:(p+1)*per], 64, p == 1), cmpExpr{2, expr.OpGt, k})
							if err != nil {
								t.Fatal(err)
							}
							inputs = append(inputs, f)
						}
						got := runAgg(t, env, inputs, keys, aggs)
						sameRows(t, got, refGroupBy(filterRows(rows, 2, k), keys, aggs))
						if budget > 0 && env.Budget.Spilled() == 0 {
							t.Error("the aggregate did not spill; shrink the budget")
						}
					})
				}
			}
		}
	}
}

// TestHashAggregateOverFilterErrors: an argument that fails on a row the
// filter drops does not fail the query (the aggregate evaluates it on the
// whole batch first); one that fails on a row the filter keeps does.
func TestHashAggregateOverFilterErrors(t *testing.T) {
	var rows [][]any
	for i := range 400 {
		rows = append(rows, []any{int64(i % 10), fmt.Sprint("k", i%3)})
	}
	s := schemaOf(i64, str)
	// 1000 / $0, failing with 22012 on 0.
	div := funcExpr{typ: tI8, fn: func(env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
		in := b.Column(0).(*array.Int64)
		bld := array.NewInt64Builder(env.Mem)
		defer bld.Release()
		for _, v := range in.Int64Values() {
			if v == 0 {
				return nil, sqltypes.New(sqltypes.CodeDivisionByZero, "division by zero")
			}
			bld.Append(1000 / v)
		}
		return bld.NewArray(), nil
	}}
	aggs := []Aggregate{{Func: "sum", Args: []expr.Expr{div}}, {Func: "count_star"}}
	for _, keys := range [][]expr.Expr{nil, {col(0, tI8)}, {col(1, tTxt), col(0, tI8)}} {
		t.Run(fmt.Sprintf("keys=%d", len(keys)), func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 50)
			run := func(pred expr.Expr) ([][]any, error) {
				f, err := NewFilter(env, source(mem, s, rows, 50, false), pred)
				if err != nil {
					t.Fatal(err)
				}
				op, err := NewHashAggregate(env, []executor.Operator{f, source(mem, s, nil, 50, false)}, keys, aggs)
				if err != nil {
					t.Fatal(err)
				}
				return drain(t, op)
			}
			got, err := run(cmpExpr{0, expr.OpNe, 0})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][2]int64{}
			for _, r := range rows {
				v := r[0].(int64)
				if v == 0 {
					continue
				}
				k := ""
				switch len(keys) {
				case 1:
					k = fmt.Sprint(v)
				case 2:
					k = fmt.Sprint(r[1], v)
				}
				w := want[k]
				want[k] = [2]int64{w[0] + 1000/v, w[1] + 1}
			}
			if len(got) != len(want) {
				t.Fatalf("%d groups, want %d", len(got), len(want))
			}
			for _, g := range got {
				k := fmt.Sprint(g[:len(keys)]...)
				// sum(bigint) is numeric: compare printed values
				if w := want[k]; fmt.Sprint(g[len(keys)]) != fmt.Sprint(w[0]) || g[len(keys)+1] != w[1] {
					t.Errorf("group %q: sum %v count %v, want %v", k, g[len(keys)], g[len(keys)+1], w)
				}
			}
			_, err = run(cmpExpr{0, expr.OpNe, 5})
			wantCode(t, err, sqltypes.CodeDivisionByZero)
		})
	}
}
