package postgres

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// partition is one remote query. It is immutable; Open may be called any
// number of times, concurrently.
type partition struct {
	t      *Table
	q      query
	schema *arrow.Schema
	cols   []column // what each result column is and how it decodes
}

// SQL returns the partition's remote statement (for tests and logs).
func (p *partition) SQL() string { return p.q.sql }

// Open runs the remote query on a pooled connection, asking for binary
// results, and returns a reader that decodes them into batches allocated
// from mem. The connection returns to the pool when the stream ends or the
// reader is released; releasing it early cancels the remote query. When
// ctx ends, pgx sends a cancel request and the reader reports 57014.
func (p *partition) Open(ctx context.Context, mem memory.Allocator) (array.RecordReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	qctx, cancel := context.WithCancel(ctx)
	args := append([]any{pgx.QueryResultFormats{pgx.BinaryFormatCode}}, p.q.args...)
	rows, done, err := p.t.pool.query(qctx, p.q.sql, args...)
	if err != nil {
		cancel()
		return nil, p.t.mapErr(ctx, err)
	}
	fds := rows.FieldDescriptions()
	if len(fds) != len(p.cols) {
		rows.Close()
		done()
		cancel()
		if err := rows.Err(); err != nil {
			return nil, p.t.mapErr(ctx, err)
		}
		return nil, sqltypes.New(sqltypes.CodeFDWError, "postgres source %s: the remote query returned %d columns instead of %d; its schema changed", p.t.set.host, len(fds), len(p.cols))
	}
	cols := make([]*column, len(p.cols))
	for i := range p.cols {
		cols[i] = &p.cols[i]
		if fds[i].DataTypeOID != cols[i].oid {
			rows.Close()
			done()
			cancel()
			return nil, sqltypes.New(sqltypes.CodeFDWError, "postgres source %s: column %s changed type (OID %d, was %d)", p.t.set.host, cols[i].name, fds[i].DataTypeOID, cols[i].oid).
				WithHint("The source no longer matches the product's contract.")
		}
	}
	src := &rowSource{ctx: ctx, t: p.t, rows: rows, done: done, cancel: cancel, cols: cols, schema: p.schema, batch: p.t.set.batchSize, m: pgtype.NewMap()}
	if len(cols) > 0 {
		src.b = array.NewRecordBuilder(mem, p.schema)
	}
	return connectors.NewSourceReader(ctx, p.schema, src, -1), nil
}

// rowSource decodes pgx rows into batches.
type rowSource struct {
	ctx    context.Context
	t      *Table
	rows   pgx.Rows
	done   func() // returns the connection to the pool
	cancel context.CancelFunc
	cols   []*column
	schema *arrow.Schema
	b      *array.RecordBuilder // nil when no column is read
	m      *pgtype.Map
	batch  int
	ended  bool
	bytes  int64 // DataRow payload bytes received
}

// SourceBytes implements connectors.ByteCounter: the bytes of the rows
// received, as the protocol's DataRow messages carry them.
func (s *rowSource) SourceBytes() (int64, bool) { return s.bytes, true }

func (s *rowSource) NextBatch() (arrow.RecordBatch, error) {
	if s.ended {
		return nil, nil
	}
	n := 0
	for n < s.batch && s.rows.Next() {
		raw := s.rows.RawValues()
		if len(raw) != len(s.cols) {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "postgres source %s: row with %d values instead of %d", s.t.set.host, len(raw), len(s.cols))
		}
		s.bytes += 2 // the column count
		for i, c := range s.cols {
			s.bytes += 4 + int64(len(raw[i])) // length word and value
			if err := c.appendValue(s.b.Field(i), raw[i], s.m); err != nil {
				return nil, err
			}
		}
		n++
	}
	if n < s.batch {
		s.ended = true
		if err := s.rows.Err(); err != nil {
			return nil, s.t.mapErr(s.ctx, err)
		}
	}
	if s.b == nil {
		if n == 0 {
			return nil, nil
		}
		return array.NewRecordBatch(s.schema, nil, int64(n)), nil
	}
	if n == 0 {
		return nil, nil
	}
	return s.b.NewRecordBatch(), nil
}

// Close cancels the remote query if it is still running, then returns the
// connection to the pool.
func (s *rowSource) Close() {
	if !s.ended {
		s.cancel()
	}
	s.rows.Close()
	s.done()
	s.cancel()
	if s.b != nil {
		s.b.Release()
	}
}
