package memtable

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// Table is an in-memory table over a fixed list of record batches. It is
// immutable after New and safe for concurrent use; Release must not be
// called while a Partitions or Partition.Open call is in flight (readers
// already open keep their own references and stay valid).
type Table struct {
	schema   *arrow.Schema
	batches  []arrow.RecordBatch
	stats    connectors.Stats
	err      error // set by New when a batch does not match the schema
	released atomic.Bool
}

var _ connectors.Table = (*Table)(nil)

// New returns a table with the given schema over batches, which it
// retains; the caller keeps its own references and releases them as usual.
// Every batch must have schema's field types, in order (field names and
// metadata may differ); otherwise the table is still built, but
// Partitions returns an XX000 error, since a mismatch is a bug in the
// caller. Empty batches are dropped.
func New(schema *arrow.Schema, batches ...arrow.RecordBatch) *Table {
	t := &Table{schema: schema, stats: connectors.Stats{Columns: map[string]connectors.ColumnStats{}}}
	nulls := make([]int64, schema.NumFields())
	for i, b := range batches {
		if !sameTypes(schema, b.Schema()) {
			if t.err == nil {
				t.err = sqltypes.New(sqltypes.CodeInternal, "memory table batch %d has schema %s, want %s", i, b.Schema(), schema)
			}
			continue
		}
		if b.NumRows() == 0 {
			continue
		}
		b.Retain()
		t.batches = append(t.batches, b)
		t.stats.RowCount += b.NumRows()
		for c := range nulls {
			nulls[c] += int64(b.Column(c).NullN())
		}
	}
	for c, f := range schema.Fields() {
		t.stats.Columns[f.Name] = connectors.ColumnStats{NullCount: nulls[c], Distinct: -1}
	}
	return t
}

func sameTypes(want, got *arrow.Schema) bool {
	if want.NumFields() != got.NumFields() {
		return false
	}
	for i := range want.NumFields() {
		if !arrow.TypeEqual(want.Field(i).Type, got.Field(i).Type) {
			return false
		}
	}
	return true
}

// Release drops the table's references to its batches. It is idempotent.
func (t *Table) Release() {
	if t.released.Swap(true) {
		return
	}
	for _, b := range t.batches {
		b.Release()
	}
	t.batches = nil
}

// Schema returns the schema given to New.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Stats reports the exact row count and per-column null counts; min, max
// and distinct counts are unknown.
func (t *Table) Stats() connectors.Stats { return t.stats }

// SupportsFilters answers Unsupported for every filter.
func (t *Table) SupportsFilters(fs []connectors.Filter) []connectors.PushSupport {
	return make([]connectors.PushSupport, len(fs))
}

// Partitions returns one partition per batch. With a limit and no
// filters, it returns only the leading batches that hold limit rows.
// An out-of-range column index is a planner bug (XX000).
func (t *Table) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	if t.err != nil {
		return nil, t.err
	}
	if t.released.Load() {
		return nil, sqltypes.New(sqltypes.CodeInternal, "memory table used after Release")
	}
	out, err := projectSchema(t.schema, req.Columns)
	if err != nil {
		return nil, err
	}
	cols := append([]int(nil), req.Columns...)
	var parts []connectors.Partition
	var rows int64
	for _, b := range t.batches {
		if req.Limit >= 0 && len(req.Filters) == 0 && rows >= req.Limit {
			break
		}
		parts = append(parts, &partition{batch: b, schema: out, cols: cols, limit: req.Limit})
		rows += b.NumRows()
	}
	return parts, nil
}

func projectSchema(s *arrow.Schema, cols []int) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		if c < 0 || c >= s.NumFields() {
			return nil, sqltypes.New(sqltypes.CodeInternal, "scan column index %d out of range (table has %d columns)", c, s.NumFields())
		}
		fields[i] = s.Field(c)
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// partition scans one batch of a Table.
type partition struct {
	batch  arrow.RecordBatch
	schema *arrow.Schema
	cols   []int
	limit  int64
}

// Open returns a reader over the partition's batch, projected. Batches
// share the table's buffers, so mem is not used. The reader holds its own
// reference to the batch until it is released.
func (p *partition) Open(ctx context.Context, _ memory.Allocator) (array.RecordReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	p.batch.Retain()
	src := &batchSource{batch: p.batch, schema: p.schema, cols: p.cols}
	return connectors.NewSourceReader(ctx, p.schema, src, p.limit), nil
}

// batchSource yields one projected batch.
type batchSource struct {
	batch  arrow.RecordBatch // nil once consumed and released
	schema *arrow.Schema
	cols   []int
	done   bool
}

func (s *batchSource) NextBatch() (arrow.RecordBatch, error) {
	if s.done {
		return nil, io.EOF
	}
	s.done = true
	arrs := make([]arrow.Array, len(s.cols))
	for i, c := range s.cols {
		arrs[i] = s.batch.Column(c)
	}
	return array.NewRecordBatch(s.schema, arrs, s.batch.NumRows()), nil
}

func (s *batchSource) Close() {
	if s.batch != nil {
		s.batch.Release()
		s.batch = nil
	}
}
