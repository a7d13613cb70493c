package ops

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// unnestRows are (id, list) rows for unnest tests: a NULL element, a NULL
// list, an empty one, and lists longer than a batch of output.
var unnestRows = [][]any{
	{int64(1), []any{int64(10), nil, int64(30)}},
	{int64(2), nil},
	{int64(3), []any{}},
	{int64(4), []any{int64(40)}},
	{int64(5), []any{int64(50), int64(11), int64(52), int64(13), int64(54), int64(15), int64(56)}},
	{int64(6), []any{int64(1), int64(2), int64(3), int64(4), int64(5)}},
	{int64(7), []any{int64(36)}},
}

// TestUnnestCond checks LEFT JOIN LATERAL unnest(...) ON cond (and the
// inner join): each child row keeps its elements for which cond is TRUE
// (NULL fails), and with Outer a row none of whose elements pass, or
// without elements, yields one row of NULLs in their place, also when
// its elements span several output batches.
func TestUnnestCond(t *testing.T) {
	s := schemaOf(i64, arrowListI64)
	rows := unnestRows
	// x > id * 9 reads two of the columns (the condition is evaluated
	// over those only); cmpExpr is opaque to expr.Columns (over all).
	idTimes9, err := expr.Binary(expr.OpMul, expr.Column(0, tI8, "id"), expr.Literal(tI8, int64(9)))
	if err != nil {
		t.Fatal(err)
	}
	xOverID, err := expr.Binary(expr.OpGt, expr.Column(2, tI8, "x"), idTimes9)
	if err != nil {
		t.Fatal(err)
	}
	conds := []struct {
		name string
		cond expr.Expr
		pass func(id, x int64) bool
	}{
		{"x>35", cmpExpr{2, expr.OpGt, 35}, func(_, x int64) bool { return x > 35 }},
		{"x>id*9", xOverID, func(id, x int64) bool { return x > id*9 }},
	}
	for _, c := range conds {
		for _, outer := range []bool{false, true} {
			for _, ord := range []bool{false, true} {
				for _, batch := range []int{1, 2, 3, 100} {
					t.Run(fmt.Sprintf("%s/outer=%v/ord=%v/rows=%d", c.name, outer, ord, batch), func(t *testing.T) {
						mem := checked(t)
						spec := UnnestSpec{Lists: []expr.Expr{col(1, sqltypes.ListOf(tI8))}, Names: []string{"x"}, Ordinality: ord, Outer: outer, Cond: c.cond}
						op, err := NewUnnest(testEnv(mem, batch), source(mem, s, rows, 2, true), spec)
						if err != nil {
							t.Fatal(err)
						}
						var want [][]any
						for _, r := range rows {
							elems, _ := r[1].([]any)
							n := len(want)
							for i, e := range elems {
								if e != nil && c.pass(r[0].(int64), e.(int64)) {
									w := []any{r[0], r[1], e}
									if ord {
										w = append(w, int64(i+1))
									}
									want = append(want, w)
								}
							}
							if outer && len(want) == n {
								w := []any{r[0], r[1], nil}
								if ord {
									w = append(w, nil)
								}
								want = append(want, w)
							}
						}
						sameOrdered(t, fmtRows(mustDrain(t, op)), fmtRows(want))
					})
				}
			}
		}
	}
	_, err = NewUnnest(testEnv(nil, 3), source(nil, s, nil, 2, true), UnnestSpec{Lists: []expr.Expr{col(1, sqltypes.ListOf(tI8))}, Names: []string{"x"}, Cond: col(0, tI8)})
	wantCode(t, err, sqltypes.CodeDatatypeMismatch)
}

// peakAllocator records the most bytes held at once.
type peakAllocator struct {
	*memory.CheckedAllocator
	peak int
}

func (a *peakAllocator) Allocate(n int) []byte {
	b := a.CheckedAllocator.Allocate(n)
	a.peak = max(a.peak, a.CurrentAlloc())
	return b
}

func (a *peakAllocator) Reallocate(n int, b []byte) []byte {
	b = a.CheckedAllocator.Reallocate(n, b)
	a.peak = max(a.peak, a.CurrentAlloc())
	return b
}

// seriesUnnest is unnest(generate_series(1, n)) over rows child rows
// whose elements a condition all rejects (x < 0): nothing is output while
// every element is expanded.
func seriesUnnest(t *testing.T, mem memory.Allocator, rows int, n int64, cond expr.Expr) executor.Operator {
	t.Helper()
	series, err := expr.Call("generate_series_array", []expr.Expr{expr.Literal(tI8, int64(1)), expr.Literal(tI8, n)})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([][]any, rows)
	for i := range ids {
		ids[i] = []any{int64(i)}
	}
	spec := UnnestSpec{Lists: []expr.Expr{series}, Names: []string{"x"}, Cond: cond}
	op, err := NewUnnest(testEnv(mem, 1024), source(mem, schemaOf(i64), ids, rows, false), spec)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// TestUnnestBoundsListEvaluation: generate_series over a batch of rows is
// evaluated a few rows at a time, so that what the lists hold stays
// bounded by about one row's series (the whole batch's would be 64 × 200k
// elements, over 100MB).
func TestUnnestBoundsListEvaluation(t *testing.T) {
	mem := &peakAllocator{CheckedAllocator: checked(t)}
	rows, err := drain(t, seriesUnnest(t, mem, 64, 200_000, cmpExpr{1, expr.OpLt, 0}))
	if err != nil || len(rows) != 0 {
		t.Fatalf("got %d rows, %v; want none", len(rows), err)
	}
	if limit := 8 * maxUnnestElems * 4; mem.peak > limit {
		t.Errorf("the lists held %d bytes at once, want at most %d", mem.peak, limit)
	}
}

// cancelingCond is x < 0 that cancels the query when first evaluated.
type cancelingCond struct {
	cmpExpr
	cancel context.CancelFunc
}

func (c cancelingCond) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	c.cancel()
	return c.cmpExpr.Eval(ctx, env, b)
}

// TestUnnestCancelledWhileRejecting: a query canceled while the
// condition rejects every element stops (57014) instead of expanding the
// rest of its input first.
func TestUnnestCancelledWhileRejecting(t *testing.T) {
	mem := checked(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	op := seriesUnnest(t, mem, 64, 200_000, cancelingCond{cmpExpr{1, expr.OpLt, 0}, cancel})
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := op.Next(ctx)
	if cerr := op.Close(); cerr != nil {
		t.Error(cerr)
	}
	wantCode(t, err, sqltypes.CodeQueryCanceled)
}
