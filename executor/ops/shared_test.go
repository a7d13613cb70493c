package ops

import (
	"context"
	"fmt"
	"io"
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

// TestSharedGathersSmallBatches: one-row input batches are kept, in memory
// or in the spill file, as batches of the batch size, in input order, so
// that every reader and the operators above it handle a few batches.
func TestSharedGathersSmallBatches(t *testing.T) {
	for _, spill := range []bool{false, true} {
		t.Run(fmt.Sprintf("spill=%v", spill), func(t *testing.T) {
			mem := checked(t)
			env := testEnv(mem, 8)
			if spill {
				env = spillEnv(t, mem, 8, 64)
			}
			var rows [][]any
			for i := range 20 {
				rows = append(rows, []any{int64(i)})
			}
			rows[9] = []any{nil}
			s := NewShared(env, source(mem, schemaOf(i64), rows, 1, true))
			for _, r := range []executor.Operator{s.Reader(), s.Reader()} {
				sizes, got := batchSizes(t, r)
				if fmt.Sprint(sizes) != "[8 8 4]" {
					t.Errorf("batches of %v rows, want [8 8 4]", sizes)
				}
				sameRows(t, got, rows)
			}
			if spill && env.Budget.Spilled() == 0 {
				t.Error("the rows did not spill")
			}
		})
	}
}

// TestSharedReleasesWhenLastReaderEnds: the kept rows are released as soon
// as every reader has read them to the end, before the readers are closed
// (with the rest of the query), so a chain of WITH queries does not hold
// every level until the query ends.
func TestSharedReleasesWhenLastReaderEnds(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 4)
	s := NewShared(env, source(mem, schemaOf(i64), intRows(1, 2, 3, 4, 5, 6), 2, false))
	r1, r2 := s.Reader(), s.Reader()
	ctx := context.Background()
	for _, r := range []executor.Operator{r1, r2} {
		if err := r.Open(ctx); err != nil {
			t.Fatal(err)
		}
	}
	readAll := func(r executor.Operator) {
		for {
			b, err := r.Next(ctx)
			if err != nil {
				return
			}
			b.Release()
		}
	}
	readAll(r1)
	if s.Reservation().Size() == 0 || mem.CurrentAlloc() == 0 {
		t.Fatal("rows released while a reader has not read them")
	}
	readAll(r2)
	if s.Reservation().Size() != 0 || mem.CurrentAlloc() != 0 {
		t.Errorf("after both readers ended: %d bytes reserved, %d allocated", s.Reservation().Size(), mem.CurrentAlloc())
	}
	r1.Close()
	r2.Close()
}

// batchSizes drains op, returning the rows of each batch and all rows.
func batchSizes(t *testing.T, op executor.Operator) ([]int64, [][]any) {
	t.Helper()
	ctx := context.Background()
	defer op.Close()
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	var rows [][]any
	for {
		b, err := op.Next(ctx)
		if err == io.EOF {
			return sizes, rows
		}
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, b.NumRows())
		rows = append(rows, rowsOf(b)...)
		b.Release()
	}
}
