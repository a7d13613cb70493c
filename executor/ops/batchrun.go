package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/membudget"
)

// runMaxBytes bounds the bytes a batchRun holds before it passes them on:
// gathering pays off for batches of few rows, and what it holds is in
// flight, like the one batch any operator is building.
const runMaxBytes = 4 << 20

// batchRun gathers consecutive small batches into one of up to target
// rows. A stored result (a shared WITH query) is read by every consumer
// batch by batch, and every operator above pays a fixed cost per batch:
// a WITH query of one row read twice by the next, level after level,
// made 2^n one-row batches at level n, each passing through the
// operators of every level above.
type batchRun struct {
	mem    memory.Allocator
	schema *arrow.Schema
	target int64
	pieces []arrow.RecordBatch
	rows   int64
	bytes  int64
}

func newBatchRun(mem memory.Allocator, schema *arrow.Schema, target int) *batchRun {
	return &batchRun{mem: mem, schema: schema, target: int64(target)}
}

// add takes b and passes on to keep, in input order, each batch that is
// ready: b itself if it is large, or the gathered run when b would
// overflow it. keep takes the batch it is given, also on error.
func (r *batchRun) add(b arrow.RecordBatch, keep func(arrow.RecordBatch) error) error {
	n, size := b.NumRows(), membudget.BatchBytes(b)
	if n == 0 {
		b.Release()
		return nil
	}
	if r.rows+n > r.target || r.bytes+size > runMaxBytes {
		if err := r.flush(keep); err != nil {
			b.Release()
			return err
		}
	}
	if n*2 > r.target || size*2 > runMaxBytes {
		return keep(b)
	}
	r.pieces = append(r.pieces, b)
	r.rows += n
	r.bytes += size
	return nil
}

// flush passes the gathered batches on to keep as one.
func (r *batchRun) flush(keep func(arrow.RecordBatch) error) error {
	pieces := r.pieces
	r.pieces, r.rows, r.bytes = nil, 0, 0
	switch len(pieces) {
	case 0:
		return nil
	case 1:
		return keep(pieces[0])
	}
	b, err := concatBatches(r.mem, r.schema, pieces)
	if err != nil {
		// A type Concatenate does not know: the pieces go on as they
		// came, slower but right.
		for i, p := range pieces {
			if err := keep(p); err != nil {
				releaseBatches(pieces[i+1:])
				return err
			}
		}
		return nil
	}
	releaseBatches(pieces)
	return keep(b)
}

// release drops what the run holds (on error).
func (r *batchRun) release() {
	releaseBatches(r.pieces)
	r.pieces, r.rows, r.bytes = nil, 0, 0
}

// concatBatches returns the rows of bs (which it does not take) as one
// batch of schema s.
func concatBatches(mem memory.Allocator, s *arrow.Schema, bs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, s.NumFields())
	parts := make([]arrow.Array, len(bs))
	var n int64
	for _, b := range bs {
		n += b.NumRows()
	}
	for c := range cols {
		for i, b := range bs {
			parts[i] = b.Column(c)
		}
		a, err := array.Concatenate(parts, mem)
		if err != nil {
			releaseArrays(cols[:c])
			return nil, err
		}
		cols[c] = a
	}
	return newBatch(s, cols, int(n)), nil
}
