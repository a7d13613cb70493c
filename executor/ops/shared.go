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
// (or the file) are released when every Reader has been closed. Readers
// may run on different goroutines.
type Shared struct {
	in  executor.Operator
	mem memory.Allocator
	res *membudget.Reservation

	mu      sync.Mutex    // guards the fields below
	started bool          // a Reader is running the input
	done    chan struct{} // closed when the input has run
	err     error
	batches []arrow.RecordBatch
	file    *spillFile // the rows, when they did not fit in the budget
	readers int        // Readers created and not yet closed
}

// NewShared returns a Shared over in, which it owns (closes).
func NewShared(env *executor.Env, in executor.Operator) *Shared {
	return &Shared{in: in, mem: env.Mem, res: env.Reserve("CTE").Spills(), done: make(chan struct{})}
}

// Reservation reports the memory the kept batches hold.
func (s *Shared) Reservation() *membudget.Reservation { return s.res }

// Reader returns a new consumer of the shared rows. Every Reader must be
// closed, opened or not.
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
	fail := func(err error) ([]arrow.RecordBatch, *spillFile, error) {
		releaseBatches(out)
		if w != nil {
			w.abort()
		}
		s.res.Free()
		s.in.Close()
		return nil, nil, err
	}
	if err := s.in.Open(ctx); err != nil {
		return fail(err)
	}
	for {
		b, err := safeNext(ctx, s.in)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err)
		}
		if w == nil && !s.res.TryGrow(membudget.BatchBytes(b)) {
			if s.res.Budget() == nil {
				err := s.res.Exceeded(membudget.BatchBytes(b))
				b.Release()
				return fail(err)
			}
			if w, err = newSpillWriter(s.mem, s.res, s.in.Schema()); err != nil {
				b.Release()
				return fail(err)
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
				b.Release()
				return fail(err)
			}
		}
		if w != nil {
			err = w.write(b)
			b.Release()
			if err != nil {
				return fail(err)
			}
			continue
		}
		out = append(out, b)
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
	s      *Shared
	src    *spillSource // reads s.file, if the rows spilled
	pos    int
	opened bool
	closed bool
}

func (r *sharedReader) Schema() *arrow.Schema { return r.s.Schema() }

func (r *sharedReader) Open(ctx context.Context) error {
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
	if !r.opened || r.closed {
		return nil, io.EOF
	}
	if r.src != nil {
		return r.src.Next(ctx)
	}
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.pos >= len(r.s.batches) {
		return nil, io.EOF
	}
	b := r.s.batches[r.pos]
	r.pos++
	b.Retain()
	return b, nil
}

func (r *sharedReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.src != nil {
		r.src.Close()
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readers--
	if s.readers > 0 {
		return nil
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
	return nil
}
