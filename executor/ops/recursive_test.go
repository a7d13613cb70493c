package ops

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// mapInt64 applies f to int64 column 0.
func mapInt64(f func(int64) int64) funcExpr {
	return funcExpr{typ: sqltypes.TypeInt8, fn: func(env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
		in := b.Column(0).(*array.Int64)
		bld := array.NewInt64Builder(env.Mem)
		defer bld.Release()
		for i := 0; i < in.Len(); i++ {
			bld.Append(f(in.Value(i)))
		}
		return bld.NewArray(), nil
	}}
}

// recursive builds a recursive union of anchor rows whose term is
// SELECT f(n) FROM work WHERE n < limit (no filter when limit is 0).
func recursive(t *testing.T, env *executor.Env, anchor [][]any, f func(int64) int64, limit int64, distinct bool) executor.Operator {
	t.Helper()
	s := schemaOf(arrow.PrimitiveTypes.Int64)
	work := NewWorkTable(s)
	build := func() (executor.Operator, error) {
		in := work.Reader()
		if limit > 0 {
			var err error
			if in, err = NewFilter(env, in, cmpExpr{0, expr.OpLt, limit}); err != nil {
				return nil, err
			}
		}
		return NewProject(env, in, []expr.Expr{mapInt64(f)}, []string{"n"})
	}
	first, err := build()
	if err != nil {
		t.Fatal(err)
	}
	op, err := NewRecursiveUnion(env, source(env.Mem, s, anchor, 2, false), first, build, work, distinct, nil)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestRecursiveUnionAll(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(mem, 3)
	// WITH RECURSIVE r(n) AS (VALUES (1), (1) UNION ALL SELECT n + 1 FROM r WHERE n < 4)
	op := recursive(t, env, [][]any{{int64(1)}, {int64(1)}}, func(n int64) int64 { return n + 1 }, 4, false)
	sameRows(t, mustDrain(t, op), [][]any{{int64(1)}, {int64(1)}, {int64(2)}, {int64(2)}, {int64(3)}, {int64(3)}, {int64(4)}, {int64(4)}})
}

func TestRecursiveUnionDistinctEndsCycles(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(mem, 2)
	// Duplicates in the anchor and within a round go, and the cycle
	// 1 → 2 → … → 0 → 1 ends once every residue has been produced.
	anchor := [][]any{{int64(1)}, {int64(1)}, {int64(3)}, {int64(8)}}
	op := recursive(t, env, anchor, func(n int64) int64 { return (n + 1) % 5 }, 0, true)
	got := mustDrain(t, op)
	sameRows(t, got, [][]any{{int64(1)}, {int64(3)}, {int64(8)}, {int64(2)}, {int64(4)}, {int64(0)}})
}

func TestRecursiveUnionEmptyAnchor(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	op := recursive(t, testEnv(mem, 2), nil, func(n int64) int64 { return n }, 0, false)
	if rows := mustDrain(t, op); len(rows) != 0 {
		t.Fatalf("got %v, want no rows", rows)
	}
}

// An endless recursion (UNION ALL of the same rows over and over) runs
// until its context ends, and releases everything it kept.
func TestRecursiveUnionCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(mem, 2)
	op := recursive(t, env, [][]any{{int64(1)}, {int64(2)}, {int64(3)}}, func(n int64) int64 { return n }, 0, false)
	defer op.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 10000; i++ {
		if i == 100 {
			cancel()
		}
		var b arrow.RecordBatch
		if b, err = op.Next(ctx); err != nil {
			break
		}
		b.Release()
	}
	if err == nil || err == io.EOF || !errors.Is(err, context.Canceled) && sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
		t.Fatalf("endless recursion ended with %v, want cancellation", err)
	}
}
