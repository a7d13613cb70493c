package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshql/meshql/sqltypes"
)

// BatchSource produces the batches of one partition scan for NewSourceReader.
type BatchSource interface {
	// NextBatch returns the next batch, which the caller owns and releases,
	// or (nil, io.EOF) at the end. Errors should carry a SQLSTATE.
	NextBatch() (arrow.RecordBatch, error)
	// Close frees what the source holds (files, retained batches). It is
	// called exactly once, at the end of the stream, on error, or when the
	// reader is released early.
	Close()
}

// ByteCounter is optionally implemented by a BatchSource, and by the
// readers Partition.Open returns, to say how many bytes the source
// delivered so far: bytes received over the wire for remote databases,
// bytes read from files or objects for file sources. known is false when
// the source does not count (EXPLAIN ANALYZE then counts the Arrow
// buffers it received). Called from the goroutine that reads.
type ByteCounter interface {
	SourceBytes() (n int64, known bool)
}

// NewSourceReader adapts a BatchSource to array.RecordReader, adding what
// every connector's reader needs:
//
//   - ctx is checked before each batch; once it is done, Next returns false
//     and Err reports 57014 (query_canceled). The reader keeps ctx because
//     the RecordReader interface has no context parameter: it is the
//     context of the Partition.Open call that created the reader.
//   - limit >= 0 stops the stream after that many rows (the last batch is
//     sliced); limit < 0 means none.
//   - empty batches are skipped; a panic inside the source becomes an XX000
//     error instead of crashing the process.
//   - the source is closed as soon as the stream ends, and at the latest
//     when the last reference to the reader is released.
//
// Batches have the given schema. Like every array.RecordReader, the batch
// returned by RecordBatch is valid until the next call to Next or Release;
// retain it to keep it longer. The reader is not safe for concurrent use.
func NewSourceReader(ctx context.Context, schema *arrow.Schema, src BatchSource, limit int64) array.RecordReader {
	r := &sourceReader{ctx: ctx, schema: schema, src: src, remaining: limit}
	r.refs.Add(1)
	return r
}

type sourceReader struct {
	refs      atomic.Int64
	ctx       context.Context
	schema    *arrow.Schema
	src       BatchSource // nil once closed
	remaining int64       // rows still allowed; < 0 = no limit
	cur       arrow.RecordBatch
	err       error
	bytes     int64 // the closed source's count
	counted   bool  // the source is a ByteCounter
}

// SourceBytes implements ByteCounter with the source's count.
func (r *sourceReader) SourceBytes() (int64, bool) {
	if bc, ok := r.src.(ByteCounter); ok {
		return bc.SourceBytes()
	}
	return r.bytes, r.counted
}

func (r *sourceReader) Retain() { r.refs.Add(1) }

func (r *sourceReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.close()
}

func (r *sourceReader) close() {
	if r.src != nil {
		src := r.src
		r.src = nil
		if bc, ok := src.(ByteCounter); ok {
			r.bytes, r.counted = bc.SourceBytes()
		}
		src.Close()
	}
}

func (r *sourceReader) Schema() *arrow.Schema { return r.schema }

func (r *sourceReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (r *sourceReader) Record() arrow.RecordBatch { return r.cur }

func (r *sourceReader) Err() error { return r.err }

func (r *sourceReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for r.src != nil {
		if err := r.ctx.Err(); err != nil {
			r.err = sqltypes.AsError(err)
			r.close()
			return false
		}
		if r.remaining == 0 {
			r.close()
			return false
		}
		b, err := r.pull()
		if err != nil {
			if b != nil {
				b.Release()
			}
			if !errors.Is(err, io.EOF) {
				r.err = err
			}
			r.close()
			return false
		}
		n := b.NumRows()
		if n == 0 {
			b.Release()
			continue
		}
		if r.remaining > 0 && n > r.remaining {
			s := b.NewSlice(0, r.remaining)
			b.Release()
			b, n = s, r.remaining
		}
		if r.remaining > 0 {
			r.remaining -= n
		}
		r.cur = b
		return true
	}
	return false
}

func (r *sourceReader) pull() (b arrow.RecordBatch, err error) {
	defer func() {
		if p := recover(); p != nil {
			if b != nil {
				b.Release()
			}
			b = nil
			err = sqltypes.AsError(fmt.Errorf("panic while scanning: %v", p))
		}
	}()
	b, err = r.src.NextBatch()
	if err == nil && b == nil {
		err = io.EOF
	}
	return b, err
}
