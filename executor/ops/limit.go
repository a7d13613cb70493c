package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// limitOp skips offset rows and emits at most limit rows.
type limitOp struct {
	child         executor.Operator
	bounds        executor.Operator // nil: offset and limit are given
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

// NewComputedLimit is NewLimit with bounds read, when it opens, from the
// one row of bounds: an int8 count (NULL = no limit) and an int8 offset
// (NULL = none), as `LIMIT (SELECT …)` computes them. bounds runs to its
// end before child opens; more than one row fails with 21000.
func NewComputedLimit(child, bounds executor.Operator) executor.Operator {
	return &limitOp{child: child, bounds: bounds}
}

// CheckLimitBound checks a LIMIT (or, with offset, OFFSET) value: NULL or
// a non-negative bigint; 2201W (2201X) otherwise, as in PostgreSQL.
func CheckLimitBound(v sqltypes.Datum, offset bool) *sqltypes.Error {
	n, ok := v.(int64)
	if !ok || n >= 0 {
		return nil
	}
	if offset {
		return sqltypes.New("2201X", "OFFSET must not be negative")
	}
	return sqltypes.New("2201W", "LIMIT must not be negative")
}

func (o *limitOp) Schema() *arrow.Schema { return o.child.Schema() }

func (o *limitOp) Open(ctx context.Context) error {
	if o.bounds != nil {
		if err := o.readBounds(ctx); err != nil {
			return err
		}
	}
	if err := CheckLimitBound(o.offset, true); err != nil {
		return err
	}
	if o.limit < -1 {
		return CheckLimitBound(o.limit, false)
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

// readBounds runs the bounds operator and takes its one row.
func (o *limitOp) readBounds(ctx context.Context) error {
	if err := o.bounds.Open(ctx); err != nil {
		return err
	}
	o.limit, o.offset = -1, 0
	rows := int64(0)
	for {
		b, err := o.bounds.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if rows+b.NumRows() > 1 {
			b.Release()
			return sqltypes.New(sqltypes.CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
		}
		if b.NumRows() == 1 {
			if c := b.Column(0).(*array.Int64); c.IsValid(0) {
				o.limit = c.Value(0)
				if err := CheckLimitBound(o.limit, false); err != nil {
					b.Release()
					return err
				}
			}
			if c := b.Column(1).(*array.Int64); c.IsValid(0) {
				o.offset = c.Value(0)
			}
		}
		rows += b.NumRows()
		b.Release()
	}
	return o.bounds.Close()
}

func (o *limitOp) Close() error {
	o.closed = true
	err := o.child.Close()
	if o.bounds != nil {
		if berr := o.bounds.Close(); err == nil {
			err = berr
		}
	}
	return err
}
