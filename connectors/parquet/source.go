package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// fileSource streams one partition's row groups from an open file.
type fileSource struct {
	path    string
	f       *os.File
	rr      pqarrow.RecordReader
	schema  *arrow.Schema
	mapping []int // output column i is column mapping[i] of rr's batches
}

// openFileSource opens the file with the footer read by OpenTable (no
// second footer read) and sets up pqarrow column readers for the leaves
// of the requested fields, restricted to the partition's row groups.
func openFileSource(ctx context.Context, p *partition, mem memory.Allocator) (src *fileSource, err error) {
	path := p.file.path
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	s := &fileSource{path: path, f: f, schema: p.schema}
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(path, fmt.Errorf("%v", r))
		}
		if err != nil {
			s.Close()
			src = nil
		}
	}()
	rdr, err := file.NewParquetReader(f, file.WithMetadata(p.file.meta), file.WithReadProps(pq.NewReaderProperties(mem)))
	if err != nil {
		return nil, corrupt(path, err)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: p.t.batchSize, Parallel: false}, mem)
	if err != nil {
		return nil, corrupt(path, err)
	}
	// Read each requested field once, in first-request order; pqarrow
	// orders its output fields by the first leaf of each field it is given.
	var uniq, leaves []int
	pos := make(map[int]int, len(p.columns))
	for _, c := range p.columns {
		if _, ok := pos[c]; !ok {
			pos[c] = len(uniq)
			uniq = append(uniq, c)
			leaves = append(leaves, p.file.leaves[c]...)
		}
	}
	s.rr, err = fr.GetRecordReader(ctx, leaves, p.groups)
	if err != nil {
		return nil, corrupt(path, err)
	}
	got := s.rr.Schema()
	if got.NumFields() != len(uniq) {
		return nil, corrupt(path, fmt.Errorf("reader returned %d columns, want %d", got.NumFields(), len(uniq)))
	}
	for i, c := range uniq {
		want := p.t.schema.Field(c)
		if g := got.Field(i); g.Name != want.Name || !arrow.TypeEqual(g.Type, want.Type) {
			return nil, corrupt(path, fmt.Errorf("column %q reads as %s, want %s; the file changed since it was opened", want.Name, g.Type, want.Type))
		}
	}
	s.mapping = make([]int, len(p.columns))
	for i, c := range p.columns {
		s.mapping[i] = pos[c]
	}
	return s, nil
}

// NextBatch returns the next projected batch; a decoding failure (or a
// panic inside the Parquet reader) is an HV000 error.
func (s *fileSource) NextBatch() (b arrow.RecordBatch, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, corrupt(s.path, fmt.Errorf("%v", r))
		}
	}()
	if !s.rr.Next() {
		if err := s.rr.Err(); err != nil && !errors.Is(err, io.EOF) {
			return nil, corrupt(s.path, err)
		}
		return nil, io.EOF
	}
	in := s.rr.RecordBatch()
	cols := make([]arrow.Array, len(s.mapping))
	for i, j := range s.mapping {
		cols[i] = in.Column(j)
	}
	return array.NewRecordBatch(s.schema, cols, in.NumRows()), nil
}

// Close releases the column readers and closes the file.
func (s *fileSource) Close() {
	if s.rr != nil {
		s.rr.Release()
		s.rr = nil
	}
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}
