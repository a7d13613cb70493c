package ops

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
)

// OpStats are the counters EXPLAIN ANALYZE shows for one operator. The
// instrumented operator updates them atomically, so they may be read while
// the query runs (Gather children run in goroutines) through Snapshot.
type OpStats struct {
	Rows    int64         // rows returned by Next
	Batches int64         // batches returned by Next
	Elapsed time.Duration // wall time spent inside Open and Next, children included
	Opens   int64         // calls to Open (loops, for rescanned inner sides)
}

// Snapshot returns a consistent-enough copy of the counters.
func (s *OpStats) Snapshot() OpStats {
	return OpStats{
		Rows:    atomic.LoadInt64(&s.Rows),
		Batches: atomic.LoadInt64(&s.Batches),
		Elapsed: time.Duration(atomic.LoadInt64((*int64)(&s.Elapsed))),
		Opens:   atomic.LoadInt64(&s.Opens),
	}
}

type instrumented struct {
	op executor.Operator
	st *OpStats
}

// NewInstrumented wraps op so that its rows, batches and the time spent in
// Open and Next are added to st. Close is not timed.
func NewInstrumented(op executor.Operator, st *OpStats) executor.Operator {
	return &instrumented{op: op, st: st}
}

func (o *instrumented) Schema() *arrow.Schema { return o.op.Schema() }

func (o *instrumented) Open(ctx context.Context) error {
	start := time.Now()
	err := o.op.Open(ctx)
	atomic.AddInt64((*int64)(&o.st.Elapsed), int64(time.Since(start)))
	atomic.AddInt64(&o.st.Opens, 1)
	return err
}

func (o *instrumented) Next(ctx context.Context) (arrow.RecordBatch, error) {
	start := time.Now()
	b, err := o.op.Next(ctx)
	atomic.AddInt64((*int64)(&o.st.Elapsed), int64(time.Since(start)))
	if err == nil {
		atomic.AddInt64(&o.st.Rows, b.NumRows())
		atomic.AddInt64(&o.st.Batches, 1)
	}
	return b, err
}

func (o *instrumented) Close() error { return o.op.Close() }
