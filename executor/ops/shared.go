package ops

import (
	"context"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/membudget"
)

// Shared computes one input once for several consumers: a WITH query
// referenced more than once is materialized, as PostgreSQL does, instead
// of being evaluated per reference (TPC-H Q15 aggregates lineitem once,
// not twice).
//
// Each consumer reads through its own Reader. The first Reader to be
// opened runs the input to the end and keeps its batches, reserved from
// the query's budget; over budget, it writes them and the rest of the
// input to a spill file instead, which each Reader reads back on its own.
// Readers opened meanwhile wait for it, under their own ctx. The batches
// (or the file) are released when every Reader has read them to the end
// or been closed. Readers may run on different goroutines.
type Shared struct {
	in   executor.Operator
	mem  memory.Allocator
	res  *membudget.Reservation
	rows int // the rows of a batch kept: small input batches are gathered

	mu      sync.Mutex    // guards the fields below
	started bool          // a Reader is running the input
	done    chan struct{} // closed when the input has run
	err     error
	batches []arrow.RecordBatch
	file    *spillFile // the rows, when they did not fit in the budget
	readers int        // Readers created and not yet finished
}

// NewShared returns a Shared over in, which it owns (closes).
func NewShared(env *executor.Env, in executor.Operator) *Shared {
	return &Shared{in: in, mem: env.Mem, rows: env.Rows(), res: env.Reserve("CTE").Spills(), done: make(chan struct{})}
}

// Reservation reports the memory the kept batches hold.
func (s *Shared) Reservation() *membudget.Reservation { return s.res }

// Reader returns a new consumer of the shared rows. Every Reader must be
// closed, opened or not; it reads the rows once (an Open after its end
// finds no rows).
func (s *Shared) Reader() executor.Operator {
	s.mu.Lock()
	s.readers++
	s.mu.Unlock()
	return &sharedReader{s: s}
}

// fill runs the input once, in the first caller; the others wait for
// it, giving up when their own ctx ends.
func (s *Shared) fill(ctx context.Context) error {
	s.mu.Lock()
	first := !s.started
	s.started = true
	s.mu.Unlock()
	if first {
		batches, file, err := s.drain(ctx)
		s.mu.Lock()
		s.err, s.batches, s.file = err, batches, file
		close(s.done)
		if s.readers == 0 {
			s.releaseLocked()
		}
		s.mu.Unlock()
		return err
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		return ctxErr(ctx)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Shared) drain(ctx context.Context) ([]arrow.RecordBatch, *spillFile, error) {
	var out []arrow.RecordBatch
	var w *spillWriter
	run := newBatchRun(s.mem, s.in.Schema(), s.rows)
	fail := func(err error) ([]arrow.RecordBatch, *spillFile, error) {
		run.release()
		releaseBatches(out)
		if w != nil {
			w.abort()
		}
		s.res.Free()
		s.in.Close()
		return nil, nil, err
	}
	// keep stores b in memory while the budget allows, then switches to a
	// spill file for what is held and the rest.
	keep := func(b arrow.RecordBatch) error {
		defer b.Release()
		if w == nil && !s.res.TryGrow(membudget.BatchBytes(b)) {
			if s.res.Budget() == nil {
				return s.res.Exceeded(membudget.BatchBytes(b))
			}
			var err error
			if w, err = newSpillWriter(s.mem, s.res, s.in.Schema()); err != nil {
				return err
			}
			for _, held := range out {
				if err == nil {
					err = w.write(held)
				}
			}
			releaseBatches(out)
			out = nil
			s.res.Free()
			if err != nil {
				return err
			}
		}
		if w != nil {
			return w.write(b)
		}
		b.Retain()
		out = append(out, b)
		return nil
	}
	if err := s.in.Open(ctx); err != nil {
		return fail(err)
	}
	for {
		b, err := safeNext(ctx, s.in)
		if err == io.EOF {
			break
		}
		if err == nil {
			err = run.add(b, keep)
		}
		if err != nil {
			return fail(err)
		}
	}
	if err := run.flush(keep); err != nil {
		return fail(err)
	}
	if err := s.in.Close(); err != nil {
		return fail(err)
	}
	if w == nil {
		return out, nil, nil
	}
	f, err := w.finish()
	w = nil
	if err != nil {
		return fail(err)
	}
	return nil, f, nil
}

func (s *Shared) releaseLocked() {
	for _, b := range s.batches {
		b.Release()
	}
	s.batches = nil
	s.file.remove()
	s.file = nil
	s.res.Free()
}

// Schema is the input's schema.
func (s *Shared) Schema() *arrow.Schema { return s.in.Schema() }

type sharedReader struct {
	s        *Shared
	src      *spillSource // reads s.file, if the rows spilled
	pos      int
	opened   bool
	finished bool // read to the end, or closed
}

func (r *sharedReader) Schema() *arrow.Schema { return r.s.Schema() }

func (r *sharedReader) Open(ctx context.Context) error {
	if r.finished {
		return nil
	}
	if err := r.s.fill(ctx); err != nil {
		return err
	}
	r.opened = true
	if f := r.s.spilled(); f != nil {
		r.src = newSpillSource(r.s.mem, r.s.Schema(), f)
		return r.src.Open(ctx)
	}
	return nil
}

// spilled returns the spill file of the rows, or nil if they are in memory.
func (s *Shared) spilled() *spillFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.file
}

func (r *sharedReader) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !r.opened || r.finished {
		return nil, io.EOF
	}
	if r.src != nil {
		b, err := r.src.Next(ctx)
		if err == io.EOF {
			r.finish()
		}
		return b, err
	}
	r.s.mu.Lock()
	if r.pos >= len(r.s.batches) {
		r.s.mu.Unlock()
		r.finish()
		return nil, io.EOF
	}
	b := r.s.batches[r.pos]
	r.pos++
	b.Retain()
	r.s.mu.Unlock()
	return b, nil
}

func (r *sharedReader) Close() error {
	r.finish()
	return nil
}

// finish ends r's reading, at its end or at Close: when the last Reader
// finishes, the rows are released at once, not when the whole query is
// closed, so a chain of WITH queries holds at most the levels being
// read and written.
func (r *sharedReader) finish() {
	if r.finished {
		return
	}
	r.finished = true
	if r.src != nil {
		r.src.Close()
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readers--
	if s.readers > 0 {
		return
	}
	select {
	case <-s.done:
		s.releaseLocked()
	default:
		if !s.started {
			// No Reader ran the input; Close is safe on an unopened
			// operator and releases what it holds.
			s.in.Close()
		}
	}
}
