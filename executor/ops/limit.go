package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// limitOp skips offset rows and emits at most limit rows.
type limitOp struct {
	child         executor.Operator
	offset, limit int64
	skip, left    int64
	done          bool
	closed        bool
}

// NewLimit returns an operator that skips offset rows of child and emits
// the next limit rows (limit -1 = no limit). It stops pulling from child
// as soon as the limit is reached, and slices batches at the edges
// (zero-copy). A negative offset fails at Open with 2201X, a limit below -1
// with 2201W, as in PostgreSQL.
func NewLimit(child executor.Operator, offset, limit int64) executor.Operator {
	return &limitOp{child: child, offset: offset, limit: limit}
}

func (o *limitOp) Schema() *arrow.Schema { return o.child.Schema() }

func (o *limitOp) Open(ctx context.Context) error {
	if o.offset < 0 {
		return sqltypes.New("2201X", "OFFSET must not be negative")
	}
	if o.limit < -1 {
		return sqltypes.New("2201W", "LIMIT must not be negative")
	}
	o.skip, o.left, o.done = o.offset, o.limit, o.limit == 0
	if o.done {
		return nil
	}
	return o.child.Open(ctx)
}

func (o *limitOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if o.done || o.closed {
			return nil, io.EOF
		}
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		b, err := o.child.Next(ctx)
		if err != nil {
			return nil, err
		}
		n := b.NumRows()
		lo := min(o.skip, n)
		o.skip -= lo
		hi := n
		if o.left >= 0 && hi-lo > o.left {
			hi = lo + o.left
		}
		if o.left >= 0 {
			o.left -= hi - lo
			o.done = o.left == 0
		}
		if hi <= lo {
			b.Release()
			continue
		}
		if lo == 0 && hi == n {
			return b, nil
		}
		s := b.NewSlice(lo, hi)
		b.Release()
		return s, nil
	}
}

func (o *limitOp) Close() error {
	o.closed = true
	return o.child.Close()
}
