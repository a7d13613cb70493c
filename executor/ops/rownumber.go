package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor"
)

// rowNumberOp computes row_number() OVER () as the rows pass: with no
// partition and no order a row's number is its place in the input, so
// nothing is held. Decorrelation numbers the outer rows of a subquery this
// way (logical.Window.RowKey), over inputs of any size; the general
// window operator would materialize them all first.
type rowNumberOp struct {
	env    *executor.Env
	child  executor.Operator
	schema *arrow.Schema
	calls  int   // how many row_number() columns to append
	done   int64 // rows numbered so far
	closed bool
}

// streamsRowNumbers reports whether spec is only row_number() calls
// over no partition and no order.
func streamsRowNumbers(spec WindowSpec) bool {
	if len(spec.PartitionBy) > 0 || len(spec.OrderBy) > 0 || len(spec.Funcs) == 0 {
		return false
	}
	for _, f := range spec.Funcs {
		if f.Func != "row_number" {
			return false
		}
	}
	return true
}

func (o *rowNumberOp) Schema() *arrow.Schema { return o.schema }

func (o *rowNumberOp) Open(ctx context.Context) error { return o.child.Open(ctx) }

func (o *rowNumberOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if o.closed {
		return nil, io.EOF
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	b, err := o.child.Next(ctx)
	for err == nil && b.NumRows() == 0 {
		b.Release()
		b, err = o.child.Next(ctx)
	}
	if err != nil {
		return nil, err
	}
	defer b.Release()
	n := int(b.NumRows())
	nb := array.NewInt64Builder(o.env.Mem)
	defer nb.Release()
	nb.Reserve(n)
	for i := range n {
		nb.UnsafeAppend(o.done + int64(i) + 1)
	}
	o.done += int64(n)
	numbers := nb.NewArray()
	defer numbers.Release()
	cols := append([]arrow.Array(nil), b.Columns()...)
	for range o.calls {
		cols = append(cols, numbers)
	}
	return array.NewRecordBatch(o.schema, cols, int64(n)), nil
}

func (o *rowNumberOp) Close() error {
	o.closed = true
	return o.child.Close()
}
