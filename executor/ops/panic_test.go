package ops

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// panicExpr is column idx that panics on its after-th Eval (counted over
// every goroutine that evaluates it), as a kernel bug would mid-query.
type panicExpr struct {
	idx   int
	typ   sqltypes.Type
	after int64
	n     *atomic.Int64
}

func panicAt(idx int, typ sqltypes.Type, after int64) panicExpr {
	return panicExpr{idx: idx, typ: typ, after: after, n: new(atomic.Int64)}
}

func (p panicExpr) Type() sqltypes.Type { return p.typ }
func (p panicExpr) String() string      { return fmt.Sprintf("panic($%d)", p.idx) }
func (p panicExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if p.n.Add(1) >= p.after {
		panic("injected kernel bug")
	}
	return colExpr{p.idx, p.typ}.Eval(ctx, env, b)
}

// panicOp passes its child's batches on and panics in its after-th Next.
type panicOp struct {
	executor.Operator
	after, n int
}

func (o *panicOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.n++; o.n >= o.after {
		panic("injected operator bug")
	}
	return o.Operator.Next(ctx)
}

// runToPanic drives op as engine.Result does: Next until an error or a
// recovered panic, then Close (a panic there counts too). It reports
// whether a panic or an XX000 error (a worker's recovered panic) ended
// the query.
func runToPanic(t *testing.T, op executor.Operator) bool {
	t.Helper()
	ctx := context.Background()
	panicked := false
	func() {
		defer func() {
			if r := recover(); r != nil {
				panicked = true
			}
		}()
		if err := op.Open(ctx); err != nil {
			panicked = sqltypes.Code(err) == sqltypes.CodeInternal
			return
		}
		for {
			b, err := op.Next(ctx)
			if err == io.EOF {
				return
			}
			if err != nil {
				panicked = sqltypes.Code(err) == sqltypes.CodeInternal
				return
			}
			b.Release()
		}
	}()
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("Close panicked: %v", r)
			}
		}()
		op.Close()
	}()
	return panicked
}

// TestPanicReleasesEverything injects a panic into operators mid-query,
// in their own expression evaluation (holding the input batch and the
// columns computed so far) and below them (holding their state): once
// the caller closes the tree, every buffer is back in the allocator and
// every byte reserved from the query's budget is returned.
func TestPanicReleasesEverything(t *testing.T) {
	s := schemaOf(i64, i64)
	var rows [][]any
	for i := range 200 {
		rows = append(rows, []any{int64(i % 13), int64(i)})
	}
	type build func(env *executor.Env, in func() executor.Operator) (executor.Operator, error)
	sum := func(e expr.Expr) []Aggregate { return []Aggregate{{Func: "sum", Args: []expr.Expr{e}}} }
	ok := func(e expr.Expr) expr.Expr { return e }
	cases := []struct {
		name  string
		build build
	}{
		{"project/expr", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewProject(env, in(), []expr.Expr{col(0, tI8), panicAt(1, tI8, 3)}, []string{"a", "b"})
		}},
		{"filter/expr", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewFilter(env, in(), funcExpr{tB, func(env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
				a, _ := panicAt(0, tI8, 1).Eval(context.Background(), env, b)
				return a, nil
			}})
		}},
		{"hashagg/key", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewHashAggregate(env, []executor.Operator{in(), in()}, []expr.Expr{ok(panicAt(0, tI8, 5))}, sum(col(1, tI8)))
		}},
		{"hashagg/arg", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewHashAggregate(env, []executor.Operator{in()}, []expr.Expr{col(0, tI8)}, sum(panicAt(1, tI8, 4)))
		}},
		{"hashagg/input", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewHashAggregate(env, []executor.Operator{in(), &panicOp{Operator: in(), after: 4}}, []expr.Expr{col(0, tI8)}, sum(col(1, tI8)))
		}},
		{"sort/key", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewSort(env, in(), []SortKey{{Expr: panicAt(1, tI8, 6)}})
		}},
		{"sort/input", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewSort(env, &panicOp{Operator: in(), after: 6}, []SortKey{{Expr: col(1, tI8)}})
		}},
		{"topn/key", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewTopN(env, in(), []SortKey{{Expr: panicAt(1, tI8, 6)}}, 5)
		}},
		{"hashjoin/probe-key", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewHashJoin(env, HashJoinSpec{Probe: in(), Build: in(), ProbeKeys: []expr.Expr{panicAt(0, tI8, 3)}, BuildKeys: []expr.Expr{col(0, tI8)}})
		}},
		{"hashjoin/build-key", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewHashJoin(env, HashJoinSpec{Probe: in(), Build: in(), ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{panicAt(0, tI8, 5)}})
		}},
		{"hashjoin/probe", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewHashJoin(env, HashJoinSpec{Probe: &panicOp{Operator: in(), after: 3}, Build: in(), ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)}})
		}},
		{"hashjoin/build", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewHashJoin(env, HashJoinSpec{Probe: in(), Build: &panicOp{Operator: in(), after: 5}, ProbeKeys: []expr.Expr{col(0, tI8)}, BuildKeys: []expr.Expr{col(0, tI8)}})
		}},
		{"sort/limit-input", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			return NewSort(env, NewLimit(&panicOp{Operator: in(), after: 5}, 0, 1000), []SortKey{{Expr: col(1, tI8)}})
		}},
		{"cte/input", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			sh := NewShared(env, &panicOp{Operator: in(), after: 4})
			return NewSetOp(env, Union, true /* all */, sh.Reader(), sh.Reader(), nil)
		}},
		{"gather/project", func(env *executor.Env, in func() executor.Operator) (executor.Operator, error) {
			p := panicAt(1, tI8, 7)
			var ins []executor.Operator
			for range 3 {
				op, err := NewProject(env, in(), []expr.Expr{col(0, tI8), p}, []string{"a", "b"})
				if err != nil {
					return nil, err
				}
				ins = append(ins, op)
			}
			return NewGather(env, ins), nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			budget := membudget.New(membudget.Options{Limit: 64 << 20})
			env := testEnv(membudget.NewRecycler(mem, budget, false), 16)
			env.Budget = budget
			op, err := tc.build(env, func() executor.Operator { return source(mem, s, rows, 16, false) })
			if err != nil {
				t.Fatal(err)
			}
			if !runToPanic(t, op) {
				t.Fatal("the injected panic did not end the query")
			}
			budget.Close()
			if u := budget.Used(); u != 0 {
				t.Errorf("%d bytes still reserved from the query's budget after Close", u)
			}
			if n := mem.CurrentAlloc(); n != 0 {
				t.Errorf("%d bytes of Arrow buffers leaked by the panic", n)
			}
		})
	}
}

// TestRunPartsPanic: a panic in one of runParts' worker goroutines (the
// parallel hash join build) is the call's XX000 error, not a crash.
func TestRunPartsPanic(t *testing.T) {
	err := runParts(context.Background(), 4, 64, func(p int) {
		if p == 5 {
			panic("injected build bug")
		}
	})
	wantCode(t, err, sqltypes.CodeInternal)
}
