package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/executor/expr"
)

// Arguments that share arithmetic (TPC-H Q1's
// l_extendedprice * (1 - l_discount), summed alone and times
// (1 + l_tax)) compute it once per batch: expr.ShareSubexpressions.

// shareArguments rewrites the arguments of o.aggs to read the arithmetic
// they have in common from columns appended to each batch (o.shared).
func (o *hashAggOp) shareArguments() {
	var all []expr.Expr
	for _, a := range o.aggs {
		all = append(all, a.Args...)
	}
	shared, out := expr.ShareSubexpressions(all, o.inputs[0].Schema().NumFields())
	if len(shared) == 0 {
		return
	}
	o.shared = shared
	for i := range o.aggs {
		n := len(o.aggs[i].Args)
		o.aggs[i].Args, out = out[:n:n], out[n:]
	}
}

// withShared returns b with the columns of o.shared appended.
func (o *hashAggOp) withShared(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := b.NumRows()
	fields := b.Schema().Fields()
	cols := make([]arrow.Array, 0, len(fields)+len(o.shared))
	for _, c := range b.Columns() {
		c.Retain()
		cols = append(cols, c)
	}
	for _, e := range o.shared {
		cur := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n)
		a, err := evalOne(ctx, o.env, e, cur)
		cur.Release()
		if err != nil {
			releaseArrays(cols)
			return nil, err
		}
		cols = append(cols, a)
		fields = append(fields, arrow.Field{Name: e.String(), Type: a.DataType(), Nullable: true})
	}
	return newBatch(arrow.NewSchema(fields, nil), cols, int(n)), nil
}
