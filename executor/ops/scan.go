package ops

import (
	"context"
	"errors"
	"io"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/sqltypes"
)

// scanOp reads connector partitions one after another.
type scanOp struct {
	env    *executor.Env
	schema *arrow.Schema
	parts  []connectors.Partition
	next   int
	rdr    array.RecordReader
	closed bool
	st     *SourceStats           // nil: not counted (EXPLAIN ANALYZE)
	bc     connectors.ByteCounter // rdr, when it counts its bytes
	counts *executor.SourceCounts // nil: not counted (metrics)
	nested []int                  // columns of multidimensional arrays; nil: not looked up yet
}

// SourceStats are what the source of a scan delivered, for EXPLAIN
// ANALYZE: rows before any filter meshql applies, and bytes (as the
// source counts them, see connectors.ByteCounter, else the size of the
// Arrow buffers received). Updated atomically: parallel streams share one.
type SourceStats struct {
	Rows, Bytes int64
}

// Snapshot returns the counters.
func (s *SourceStats) Snapshot() (rows, bytes int64) {
	return atomic.LoadInt64(&s.Rows), atomic.LoadInt64(&s.Bytes)
}

// NewSourceScan is NewScan that also counts what the source delivers: in
// st for EXPLAIN ANALYZE, and the rows and Arrow bytes of every batch in
// counts for the metrics (either may be nil).
func NewSourceScan(env *executor.Env, schema *arrow.Schema, parts []connectors.Partition, st *SourceStats, counts *executor.SourceCounts) executor.Operator {
	return &scanOp{env: env, schema: schema, parts: parts, st: st, counts: counts}
}

// release releases the current reader, counting its bytes.
func (o *scanOp) release() {
	if o.bc != nil {
		n, _ := o.bc.SourceBytes()
		atomic.AddInt64(&o.st.Bytes, n)
		o.bc = nil
	}
	o.rdr.Release()
	o.rdr = nil
}

// NewScan returns an operator that opens parts in order and emits their
// batches (retained from the reader), re-labelled with schema when the
// source's field names differ and converted where the source's Arrow
// types are not the ones meshql computes with. A batch whose column types
// differ from schema otherwise fails with HV000; source errors that are not already SQL errors
// are wrapped as HV000. Each reader is released as soon as it is drained.
func NewScan(env *executor.Env, schema *arrow.Schema, parts []connectors.Partition) executor.Operator {
	return &scanOp{env: env, schema: schema, parts: parts}
}

func (o *scanOp) Schema() *arrow.Schema { return o.schema }

func (o *scanOp) Open(ctx context.Context) error { return ctxErr(ctx) }

func (o *scanOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		if o.closed {
			return nil, io.EOF
		}
		if o.rdr == nil {
			if o.next >= len(o.parts) {
				return nil, io.EOF
			}
			p := o.parts[o.next]
			o.next++
			rdr, err := p.Open(ctx, o.env.Mem)
			if err != nil {
				return nil, sourceErr(err, "cannot open partition")
			}
			o.rdr = rdr
			if bc, ok := rdr.(connectors.ByteCounter); ok && o.st != nil {
				if _, known := bc.SourceBytes(); known {
					o.bc = bc
				}
			}
		}
		if !o.rdr.Next() {
			err := o.rdr.Err()
			o.release()
			if err != nil {
				return nil, sourceErr(err, "cannot read partition")
			}
			continue
		}
		b := o.rdr.RecordBatch()
		if b.NumRows() == 0 {
			continue
		}
		if o.st != nil {
			atomic.AddInt64(&o.st.Rows, b.NumRows())
			if o.bc == nil {
				atomic.AddInt64(&o.st.Bytes, membudget.BatchBytes(b))
			}
		}
		if o.counts != nil {
			o.counts.Rows.Add(b.NumRows())
			o.counts.Bytes.Add(membudget.BatchBytes(b))
		}
		if err := o.checkArrays(b); err != nil {
			return nil, err
		}
		if b.Schema().Equal(o.schema) {
			b.Retain()
			return b, nil
		}
		return o.conform(ctx, b)
	}
}

// conform re-labels b with the scan's schema, converting the columns a
// source delivers in another Arrow type than meshql computes with
// (connectors.CanonicalType): nanosecond timestamps, unsigned integers….
func (o *scanOp) conform(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	got := b.Schema()
	if got.NumFields() != o.schema.NumFields() {
		return nil, sqltypes.Wrap(checkSchema(o.schema, got), sqltypes.CodeFDWError, "source returned a batch that does not match the table's schema")
	}
	cols := make([]arrow.Array, len(b.Columns()))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range b.Columns() {
		want := o.schema.Field(i).Type
		switch {
		case arrow.TypeEqual(want, c.DataType()):
			c.Retain()
			cols[i] = c
		case arrow.TypeEqual(want, connectors.CanonicalType(c.DataType())):
			conv, err := connectors.ToCanonical(ctx, o.env.Mem, c)
			if err != nil {
				return nil, err
			}
			cols[i] = conv
		default:
			return nil, sqltypes.Wrap(checkSchema(o.schema, got), sqltypes.CodeFDWError, "source returned a batch that does not match the table's schema")
		}
	}
	return array.NewRecordBatch(o.schema, cols, b.NumRows()), nil
}

// checkArrays refuses a batch whose list-of-lists column holds a value
// that is no multidimensional array (ragged, or with a NULL or empty
// sub-array): meshql's kernels, like PostgreSQL's, read an array's
// dimensions off its first sub-array at each level. HV000, like other
// source data meshql cannot read.
func (o *scanOp) checkArrays(b arrow.RecordBatch) error {
	if o.nested == nil {
		o.nested = []int{}
		for i, f := range o.schema.Fields() {
			if t, err := sqltypes.FromArrow(f.Type); err == nil && t.Ndims() > 1 {
				o.nested = append(o.nested, i)
			}
		}
	}
	for _, i := range o.nested {
		if i >= int(b.NumCols()) {
			continue // conform reports the mismatch
		}
		t, err := sqltypes.FromArrow(b.Column(i).DataType())
		if err != nil {
			continue
		}
		levels, ok := sqltypes.ArrayLevels(b.Column(i), t.Ndims())
		if !ok || t.Ndims() < 2 {
			continue
		}
		if row := sqltypes.RaggedArrayRow(levels); row >= 0 {
			return sqltypes.New(sqltypes.CodeFDWError, "column %s holds a list of lists that is no array (row %d of a batch): sub-arrays must all have the same, non-zero size", o.schema.Field(i).Name, row).
				WithHint("PostgreSQL arrays, and so meshql's, are rectangular.")
		}
	}
	return nil
}

func (o *scanOp) Close() error {
	o.closed = true
	if o.rdr != nil {
		o.release()
	}
	return nil
}

// sourceErr keeps SQL errors and context errors, and wraps anything else
// as HV000.
func sourceErr(err error, msg string) error {
	var se *sqltypes.Error
	if errors.As(err, &se) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return sqltypes.AsError(err)
	}
	return sqltypes.Wrap(err, sqltypes.CodeFDWError, "%s: %v", msg, err)
}
