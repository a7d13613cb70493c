package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
)

// batchesOp emits a fixed list of batches.
type batchesOp struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
	pos     int
	closed  bool
}

// NewBatches returns an operator that emits batches in order (VALUES and
// tests). It retains every batch until Close, so Close must be called even
// if the operator is never opened. Each Open rewinds to the first batch.
// Next fails with XX000 if a batch's column count or types disagree with
// schema; zero-row batches are skipped.
func NewBatches(schema *arrow.Schema, batches []arrow.RecordBatch) executor.Operator {
	bs := make([]arrow.RecordBatch, 0, len(batches))
	for _, b := range batches {
		b.Retain()
		bs = append(bs, b)
	}
	return &batchesOp{schema: schema, batches: bs}
}

func (o *batchesOp) Schema() *arrow.Schema { return o.schema }

func (o *batchesOp) Open(ctx context.Context) error {
	o.pos = 0
	return nil
}

func (o *batchesOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		if o.closed || o.pos >= len(o.batches) {
			return nil, io.EOF
		}
		b := o.batches[o.pos]
		o.pos++
		if err := checkSchema(o.schema, b.Schema()); err != nil {
			return nil, err
		}
		if b.NumRows() == 0 {
			continue
		}
		b.Retain()
		return b, nil
	}
}

func (o *batchesOp) Close() error {
	if !o.closed {
		o.closed = true
		releaseBatches(o.batches)
		o.batches = nil
	}
	return nil
}

// checkSchema reports whether got has want's column count and types.
func checkSchema(want, got *arrow.Schema) error {
	if want.NumFields() != got.NumFields() {
		return errInternal("batch has %d columns, schema %d", got.NumFields(), want.NumFields())
	}
	for i := range want.NumFields() {
		if !arrow.TypeEqual(want.Field(i).Type, got.Field(i).Type) {
			return errInternal("batch column %d is %s, schema says %s", i, got.Field(i).Type, want.Field(i).Type)
		}
	}
	return nil
}
