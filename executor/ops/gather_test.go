package ops

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// failingOp fails with 22012 (or panics) after `after` batches.
type failingOp struct {
	executor.Operator
	after int
	panic bool
	n     int
}

func (f *failingOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if f.n >= f.after {
		if f.panic {
			panic("boom")
		}
		return nil, sqltypes.New(sqltypes.CodeDivisionByZero, "division by zero")
	}
	f.n++
	return f.Operator.Next(ctx)
}

// endlessOp produces copies of one batch forever (until ctx ends).
type endlessOp struct {
	b      arrow.RecordBatch
	closed bool
}

func (e *endlessOp) Schema() *arrow.Schema          { return e.b.Schema() }
func (e *endlessOp) Open(ctx context.Context) error { return nil }
func (e *endlessOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if e.closed {
		return nil, io.EOF
	}
	e.b.Retain()
	return e.b, nil
}
func (e *endlessOp) Close() error {
	if !e.closed {
		e.closed = true
		e.b.Release()
	}
	return nil
}

func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines leaked: %d > %d\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestGather(t *testing.T) {
	before := runtime.NumGoroutine()
	mem := checked(t)
	env := testEnv(mem, 2)
	s := schemaOf(i64)
	var inputs []executor.Operator
	var want [][]any
	for p := range 4 {
		var vals []any
		for i := range 10 {
			vals = append(vals, p*100+i)
		}
		rows := intRows(vals...)
		want = append(want, rows...)
		inputs = append(inputs, source(mem, s, rows, 3, p%2 == 0))
	}
	sameRows(t, mustDrain(t, NewGather(env, inputs)), want)
	waitGoroutines(t, before)
}

func TestGatherErrors(t *testing.T) {
	s := schemaOf(i64)
	cases := []struct {
		name  string
		panic bool
		code  string
	}{{"error", false, sqltypes.CodeDivisionByZero}, {"panic", true, sqltypes.CodeInternal}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			mem := checked(t)
			env := testEnv(mem, 2)
			b := mkBatch(mem, s, intRows(1, 2))
			inputs := []executor.Operator{
				&endlessOp{b: b},
				&failingOp{Operator: source(mem, s, intRows(1, 2, 3), 1, false), after: 2, panic: tc.panic},
			}
			_, err := drain(t, NewGather(env, inputs))
			wantCode(t, err, tc.code)
			waitGoroutines(t, before)
		})
	}
}

func TestGatherCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	mem := checked(t)
	env := testEnv(mem, 2)
	s := schemaOf(i64)
	var inputs []executor.Operator
	for range 3 {
		b := mkBatch(mem, s, intRows(1, 2))
		inputs = append(inputs, &endlessOp{b: b})
	}
	g := NewGather(env, inputs)
	ctx, cancel := context.WithCancel(context.Background())
	if err := g.Open(ctx); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := g.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b.Release()
	}
	cancel()
	if _, err := g.Next(ctx); sqltypes.Code(err) != sqltypes.CodeQueryCanceled {
		t.Errorf("after cancel: %v", err)
	}
	g.Close()
	g.Close()
	waitGoroutines(t, before)

	// Close mid-stream without cancel, and Close before Open.
	var more []executor.Operator
	for range 2 {
		more = append(more, &endlessOp{b: mkBatch(mem, s, intRows(1))})
	}
	g = NewGather(env, more)
	g.Open(context.Background())
	b, _ := g.Next(context.Background())
	b.Release()
	g.Close()
	unopened := NewGather(env, []executor.Operator{source(mem, s, intRows(1), 1, false), source(mem, s, intRows(2), 1, false)})
	unopened.Close()
	waitGoroutines(t, before)
}
