package ops

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// openCounter counts how often its input is opened.
type openCounter struct {
	executor.Operator
	opens int
}

func (o *openCounter) Open(ctx context.Context) error {
	o.opens++
	return o.Operator.Open(ctx)
}

func TestSharedReadersSeeAllRowsInputRunsOnce(t *testing.T) {
	for _, readers := range []int{1, 2, 3} {
		mem := checked(t)
		env := testEnv(mem, 2)
		rows := intRows(1, 2, nil, 4, 5)
		in := &openCounter{Operator: source(mem, schemaOf(i64), rows, 2, true)}
		s := NewShared(env, in)
		rs := make([]executor.Operator, readers)
		for i := range rs {
			rs[i] = s.Reader()
		}
		// Readers on different goroutines, as the two sides of a join run.
		got := drainEach(t, rs)
		for i := range got {
			sameRows(t, got[i], rows)
		}
		if in.opens != 1 {
			t.Errorf("%d readers: input opened %d times, want once", readers, in.opens)
		}
		if s.Reservation().Size() != 0 {
			t.Errorf("reservation %d after every reader closed", s.Reservation().Size())
		}
	}
}

// TestSharedInputError: an input that fails, in memory or after its rows
// began to spill (a 1-byte budget spills the first batch), fails every
// reader and leaves no file behind (spillEnv checks).
func TestSharedInputError(t *testing.T) {
	for _, spill := range []bool{false, true} {
		t.Run(fmt.Sprintf("spill=%v", spill), func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 2)
			if spill {
				env = spillEnv(t, mem, 2, 1)
			}
			bad := &failingOp{Operator: source(mem, schemaOf(i64), intRows(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 2, false), after: 4}
			s := NewShared(env, bad)
			r1, r2 := s.Reader(), s.Reader()
			_, err := drain(t, r1)
			wantCode(t, err, sqltypes.CodeDivisionByZero)
			_, err = drain(t, r2)
			wantCode(t, err, sqltypes.CodeDivisionByZero)
		})
	}
}

func TestSharedUnopenedReadersReleaseInput(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 2)
	s := NewShared(env, source(mem, schemaOf(i64), intRows(1, 2, 3), 1, false))
	r1, r2 := s.Reader(), s.Reader()
	r1.Close()
	r2.Close()
	r2.Close() // idempotent
}

// TestSharedSpillsOverBudget: rows that do not fit in the budget go to a
// spill file that each reader reads back on its own, concurrently; the
// file is removed when the last reader closes (spillEnv checks).
func TestSharedSpillsOverBudget(t *testing.T) {
	mem := checked(t)
	env := spillEnv(t, mem, 2, 64)
	var rows [][]any
	for i := range 50 {
		rows = append(rows, []any{int64(i)})
	}
	rows[7] = []any{nil}
	s := NewShared(env, source(mem, schemaOf(i64), rows, 4, true))
	got := drainEach(t, []executor.Operator{s.Reader(), s.Reader(), s.Reader()})
	for i := range got {
		sameRows(t, got[i], rows)
	}
	if env.Budget.Spilled() == 0 {
		t.Error("the rows did not spill")
	}
	if env.Budget.Used() != 0 {
		t.Errorf("%d bytes still reserved after Close", env.Budget.Used())
	}
}

func TestSharedWaitingReaderCancelled(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 2)
	s := NewShared(env, source(mem, schemaOf(i64), intRows(1), 1, false))
	r1, r2 := s.Reader(), s.Reader()
	// r1 has started the input and not finished: r2 waits, and gives up
	// when its context ends.
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wantCode(t, r2.Open(ctx), sqltypes.CodeQueryCanceled)
	r2.Close()
	s.mu.Lock()
	s.started = false
	s.mu.Unlock()
	if rows := mustDrain(t, r1); len(rows) != 1 {
		t.Fatalf("rows %v", rows)
	}
}

// drainEach drains every operator on a goroutine of its own, at once.
func drainEach(t *testing.T, ops []executor.Operator) [][][]any {
	got := make([][][]any, len(ops))
	var wg sync.WaitGroup
	for i, op := range ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = mustDrain(t, op)
		}()
	}
	wg.Wait()
	return got
}
