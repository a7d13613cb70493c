package ops

import (
	"context"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
)

// gatherMsg is one batch or one error from a Gather worker.
type gatherMsg struct {
	b   arrow.RecordBatch
	err error
}

// gatherOp runs its inputs concurrently and interleaves their batches.
type gatherOp struct {
	env    *executor.Env
	inputs []executor.Operator
	ch     chan gatherMsg
	cancel context.CancelFunc
	wg     sync.WaitGroup
	err    error
	opened bool
	closed bool
}

// NewGather returns an operator that runs every input in its own goroutine
// (Open, Next and Close all happen inside that goroutine) and emits their
// batches as they arrive, in no particular order, through a channel of
// bounded capacity. The first error (a panic in a worker becomes XX000)
// cancels the other workers and is returned by Next. Close cancels the
// workers, releases batches in flight and waits until every worker has
// exited. All inputs must have the same schema; with one input, NewGather
// returns it unchanged.
func NewGather(env *executor.Env, inputs []executor.Operator) executor.Operator {
	if len(inputs) == 1 {
		return inputs[0]
	}
	return &gatherOp{env: env, inputs: inputs}
}

func (o *gatherOp) Schema() *arrow.Schema {
	if len(o.inputs) == 0 {
		return arrow.NewSchema(nil, nil)
	}
	return o.inputs[0].Schema()
}

func (o *gatherOp) Open(ctx context.Context) error {
	if o.opened || o.closed {
		return errInternal("gather opened twice")
	}
	if err := ctxErr(ctx); err != nil {
		return err
	}
	for _, in := range o.inputs {
		if err := checkSchema(o.Schema(), in.Schema()); err != nil {
			return err
		}
	}
	o.opened = true
	wctx, cancel := context.WithCancel(ctx)
	o.cancel = cancel
	o.ch = make(chan gatherMsg, max(2, len(o.inputs)))
	o.wg.Add(len(o.inputs))
	for _, in := range o.inputs {
		go o.run(wctx, in)
	}
	go func() {
		o.wg.Wait()
		close(o.ch)
	}()
	return nil
}

// run drives one input to its end, sending batches until ctx ends.
func (o *gatherOp) run(ctx context.Context, in executor.Operator) {
	defer o.wg.Done()
	err := drive(ctx, in, func(b arrow.RecordBatch) bool {
		select {
		case o.ch <- gatherMsg{b: b}:
			return true
		case <-ctx.Done():
			b.Release()
			return false
		}
	})
	if err != nil && ctx.Err() == nil {
		select {
		case o.ch <- gatherMsg{err: err}:
		case <-ctx.Done():
		}
	}
}

// drive opens in, passes every batch to emit until emit returns false or
// the input ends, and closes in. Panics become XX000 errors.
func drive(ctx context.Context, in executor.Operator, emit func(arrow.RecordBatch) bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
		if cerr := safeClose(in); err == nil {
			err = cerr
		}
	}()
	if err := in.Open(ctx); err != nil {
		return err
	}
	for {
		b, err := in.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		if !emit(b) {
			return nil
		}
	}
}

// safeClose closes op, turning a panic into an error.
func safeClose(op executor.Operator) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return op.Close()
}

func (o *gatherOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.err != nil {
		return nil, o.err
	}
	if !o.opened || o.closed {
		return nil, io.EOF
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	select {
	case m, ok := <-o.ch:
		if !ok {
			return nil, io.EOF
		}
		if m.err != nil {
			o.err = m.err
			o.cancel()
			return nil, m.err
		}
		return m.b, nil
	case <-ctx.Done():
		return nil, ctxErr(ctx)
	}
}

func (o *gatherOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	if !o.opened {
		var first error
		for _, in := range o.inputs {
			if err := in.Close(); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	o.cancel()
	for m := range o.ch {
		if m.b != nil {
			m.b.Release()
		}
	}
	return nil
}
