package parquet

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/sqltypes"
)

// Partitions prunes row groups with req.Filters against their min/max and
// null-count statistics and returns one partition per surviving row group,
// except that consecutive surviving row groups of one file merge until a
// partition holds at least minPartitionRows rows (a small remainder joins
// the file's previous partition). With a limit and no filters, only the
// leading row groups that hold limit rows are kept.
//
// Pruning is conservative: a row group is dropped only if no row in it can
// satisfy every filter. Partitions does no I/O; errors are XX000 for a
// column index out of range and 57014 when ctx has ended.
func (t *Table) Partitions(ctx context.Context, req connectors.ScanRequest) ([]connectors.Partition, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	p, err := t.plan(req)
	if err != nil {
		return nil, err
	}
	out := make([]connectors.Partition, len(p.parts))
	for i, part := range p.parts {
		out[i] = part
	}
	return out, nil
}

// scanPlan is the outcome of pruning and grouping for one request.
type scanPlan struct {
	parts   []*partition
	kept    int // row groups read
	pruned  int // row groups skipped by statistics (or empty)
	limited int // row groups skipped because the limit was reached
	files   int // files with a row group to read
}

func (t *Table) plan(req connectors.ScanRequest) (scanPlan, error) {
	var p scanPlan
	schema, err := projectSchema(t.schema, req.Columns)
	if err != nil {
		return p, err
	}
	if schema, err = t.dictSchema(schema, req); err != nil {
		return p, err
	}
	cols := append([]int(nil), req.Columns...)
	trim := req.Limit >= 0 && len(req.Filters) == 0
	var rows int64
	for _, fi := range t.files {
		var fileParts []*partition
		var cur *partition
		for g := range fi.groups {
			rg := &fi.groups[g]
			switch {
			case trim && rows >= req.Limit:
				p.limited++
				continue
			case rg.rows == 0 || !t.mayMatch(rg, req.Filters):
				p.pruned++
				continue
			}
			p.kept++
			rows += rg.rows
			if cur == nil {
				cur = &partition{t: t, file: fi, columns: cols, schema: schema, limit: req.Limit}
			}
			cur.groups = append(cur.groups, g)
			cur.rows += rg.rows
			if cur.rows >= t.minPartitionRows {
				fileParts = append(fileParts, cur)
				cur = nil
			}
		}
		if cur != nil {
			if n := len(fileParts); n > 0 {
				last := fileParts[n-1]
				last.groups = append(last.groups, cur.groups...)
				last.rows += cur.rows
			} else {
				fileParts = append(fileParts, cur)
			}
		}
		if len(fileParts) > 0 {
			p.files++
		}
		p.parts = append(p.parts, fileParts...)
	}
	return p, nil
}

// mayMatch reports whether some row of rg can pass every filter.
func (t *Table) mayMatch(rg *rowGroup, filters []connectors.Filter) bool {
	lookup := func(name string) (connectors.ColumnRange, bool) {
		i, ok := t.byName[name]
		if !ok || i < 0 || !t.cols[i].flat || !t.cols[i].typeOK {
			return connectors.ColumnRange{}, false
		}
		return rg.ranges[i], true
	}
	for _, f := range filters {
		if !connectors.MayMatch(f, lookup) {
			return false
		}
	}
	return true
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

// partition reads some row groups of one file. It is immutable; Open may
// be called any number of times, concurrently.
type partition struct {
	t       *Table
	file    *fileInfo
	groups  []int // row group indexes, ascending
	rows    int64
	columns []int         // requested top-level fields, in output order
	schema  *arrow.Schema // output schema
	limit   int64
}

// Open opens the partition's file and returns a reader of its row groups,
// projected to the requested columns in request order, in batches of up
// to the connector's batch size allocated from mem. The file stays open
// until the stream ends or the reader is released. Errors: HV00R if the
// file is gone, HV000 if it cannot be read or no longer matches its
// footer, 57014 when ctx ends (also between batches).
func (p *partition) Open(ctx context.Context, mem memory.Allocator) (array.RecordReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, sqltypes.AsError(err)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	// The file columns first, in request order; partition keys are added
	// by hiveSource.
	var fileCols []int
	var fields []arrow.Field
	for i, c := range p.columns {
		if c < p.t.nFile {
			fileCols = append(fileCols, c)
			fields = append(fields, p.schema.Field(i))
		}
	}
	fileSchema := p.schema
	if len(fileCols) < len(p.columns) {
		fileSchema = arrow.NewSchema(fields, nil)
	}
	var src connectors.BatchSource
	if len(fileCols) == 0 {
		src = &countSource{schema: fileSchema, left: p.rows, batch: p.t.batchSize}
	} else {
		var err error
		if src, err = openFileSource(ctx, p, fileCols, fileSchema, mem); err != nil {
			return nil, err
		}
		src = connectors.CheckTagged(fileSchema, src, mem)
	}
	if len(fileCols) < len(p.columns) {
		src = &hiveSource{inner: src, p: p, schema: p.schema, mem: mem}
	}
	return connectors.NewSourceReader(ctx, p.schema, src, p.limit), nil
}

// countSource serves scans that need no column (count(*)): batches with
// no columns and the partition's row count.
type countSource struct {
	schema *arrow.Schema
	left   int64
	batch  int64
}

func (s *countSource) NextBatch() (arrow.RecordBatch, error) {
	n := min(s.left, s.batch)
	s.left -= n
	if n <= 0 {
		return nil, nil
	}
	return array.NewRecordBatch(s.schema, nil, n), nil
}

func (s *countSource) Close() {}

// SourceBytes implements connectors.ByteCounter: row counts come from the
// footer, read when the table was opened.
func (s *countSource) SourceBytes() (int64, bool) { return 0, true }
