package parquet

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/connectors/objstore"
)

// fileSource streams one partition's row groups from an open file, one
// batch at a time, never across a row group. Flat columns are decoded by
// flatColumn; the others by pqarrow's column readers, asked for the same
// number of rows so that the columns of a batch line up.
type fileSource struct {
	path    string
	f       objstore.Reader
	rdr     *file.Reader
	groups  []int // row groups left to read
	left    int64 // rows left in the current row group
	batch   int64
	cols    []columnReader
	schema  *arrow.Schema
	mapping []int // output column i is cols[mapping[i]]
	mem     memory.Allocator
	remote  bool  // bytes fetched are the store's count
	read    int64 // local files: bytes read
}

// columnReader reads one requested field of a partition.
type columnReader interface {
	// startGroup is called before the first row of row group g.
	startGroup(g int) error
	// read returns the next n rows, all from the current row group.
	read(n int) (arrow.Array, error)
	release()
}

// pqarrowColumn reads a field through pqarrow: nested fields, the types
// flatKindOf leaves alone, and dictionaries with a chunk pages.go cannot
// decode. It follows the row groups itself.
type pqarrowColumn struct {
	cr  *pqarrow.ColumnReader
	mem memory.Allocator
}

func (c *pqarrowColumn) startGroup(int) error { return nil }

func (c *pqarrowColumn) read(n int) (arrow.Array, error) {
	ch, err := c.cr.NextBatch(int64(n))
	if err != nil {
		return nil, err
	}
	defer ch.Release()
	var a arrow.Array
	if chunks := ch.Chunks(); len(chunks) == 1 {
		a = chunks[0]
		a.Retain()
	} else if a, err = array.Concatenate(chunks, c.mem); err != nil {
		return nil, err
	}
	if a.Len() != n {
		a.Release()
		return nil, errShortChunk
	}
	return a, nil
}

func (c *pqarrowColumn) release() { c.cr.Release() }

// SourceBytes implements connectors.ByteCounter: the bytes fetched from
// an object store, or read from a local file, for this partition (the
// footer was read when the table was opened).
func (s *fileSource) SourceBytes() (int64, bool) {
	if s.remote && s.f != nil {
		return s.f.Fetched(), true
	}
	return s.read, true
}

// countingFile counts the bytes read from a local file.
type countingFile struct {
	objstore.Reader
	n *int64
}

func (c *countingFile) ReadAt(p []byte, off int64) (int, error) {
	k, err := c.Reader.ReadAt(p, off)
	*c.n += int64(k)
	return k, err
}

func (c *countingFile) Read(p []byte) (int, error) {
	k, err := c.Reader.Read(p)
	*c.n += int64(k)
	return k, err
}

// openFileSource opens the file with the footer read by OpenTable (no
// second footer read) and sets up a reader for each requested file
// column (cols, giving schema), restricted to the partition's row groups.
// From a remote store, the column chunks those readers need are fetched
// first, in parallel.
func openFileSource(ctx context.Context, p *partition, cols []int, schema *arrow.Schema, mem memory.Allocator) (src *fileSource, err error) {
	path := p.file.path
	f, err := p.t.store.Open(ctx, p.file.obj)
	if err != nil {
		return nil, err
	}
	s := &fileSource{path: path, f: f, schema: schema, remote: p.t.store.Remote(), mem: mem, batch: p.t.batchSize,
		groups: append([]int(nil), p.groups...)}
	if !s.remote {
		s.f = &countingFile{Reader: f, n: &s.read}
	}
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(path, fmt.Errorf("%v", r))
		}
		if err != nil {
			s.Close()
			src = nil
		}
	}()
	props := pq.NewReaderProperties(mem)
	// Pages are read from the file into the page reader's own buffer
	// (from mem, so recycled), instead of each column chunk first into a
	// fresh buffer of its size and then copied.
	props.BufferedStreamEnabled = true
	s.rdr, err = file.NewParquetReader(s.f, file.WithMetadata(p.file.meta), file.WithReadProps(props))
	if err != nil {
		return nil, corrupt(path, err)
	}
	// Read each requested field once, in first-request order.
	uniq, pos := uniqueColumns(cols)
	wantType := make(map[int]arrow.DataType, len(uniq))
	for i, c := range cols {
		wantType[c] = schema.Field(i).Type
	}
	if s.remote {
		var leaves []int
		for _, c := range uniq {
			leaves = append(leaves, p.file.leaves[c]...)
		}
		if err := s.f.Prefetch(ctx, chunkRanges(p.file, leaves, p.groups)); err != nil {
			return nil, err
		}
	}
	var fr *pqarrow.FileReader // only for the fields flatColumn does not read
	cf := newChunkFile(s.rdr, s.f, p.file.obj.Size, props, mem)
	if fill, ok := fillAllocator(mem); ok {
		// The flat columns' page readers get their page buffers from
		// fill: each page is read or decompressed over the whole of
		// its buffer before it is decoded.
		pageProps := pq.NewReaderProperties(fill)
		pageProps.BufferedStreamEnabled = true
		if cf.pages, err = file.NewParquetReader(s.f, file.WithMetadata(p.file.meta), file.WithReadProps(pageProps)); err != nil {
			return nil, corrupt(path, err)
		}
		cf.props, cf.fill = pageProps, fill
	}
	s.cols = make([]columnReader, len(uniq))
	for i, c := range uniq {
		if leaf := p.file.flatLeaf[c]; leaf >= 0 {
			descr := p.file.meta.Schema.Column(leaf)
			if k := flatKindOf(descr, wantType[c]); k != 0 && (k != flatDict || allPaged(p.file.meta, leaf, p.groups)) {
				s.cols[i] = newFlatColumn(cf, leaf, descr, k, wantType[c])
				continue
			}
		}
		if fr == nil {
			if fr, err = pqarrowReader(s.rdr, p, cols, schema, mem); err != nil {
				return nil, corrupt(path, err)
			}
		}
		rs, sch, err := fr.GetFieldReaders(ctx, p.file.leaves[c], p.groups)
		if err != nil {
			return nil, corrupt(path, err)
		}
		if len(rs) != 1 {
			for _, r := range rs {
				r.Release()
			}
			return nil, corrupt(path, fmt.Errorf("%d readers for one column", len(rs)))
		}
		s.cols[i] = &pqarrowColumn{cr: rs[0], mem: mem}
		want := p.t.schema.Field(c)
		if g := sch.Field(0); g.Name != want.Name || !arrow.TypeEqual(g.Type, wantType[c]) {
			return nil, corrupt(path, fmt.Errorf("column %q reads as %s, want %s; the file changed since it was opened", want.Name, g.Type, wantType[c]))
		}
	}
	s.mapping = make([]int, len(cols))
	for i, c := range cols {
		s.mapping[i] = pos[c]
	}
	return s, nil
}

// pqarrowReader returns a pqarrow reader of rdr that reads the columns
// cols marks as dictionaries (in schema) in pqarrow's read-dictionary mode.
func pqarrowReader(rdr *file.Reader, p *partition, cols []int, schema *arrow.Schema, mem memory.Allocator) (*pqarrow.FileReader, error) {
	props := pqarrow.ArrowReadProperties{BatchSize: p.t.batchSize, Parallel: false}
	for i, c := range cols {
		if _, ok := schema.Field(i).Type.(*arrow.DictionaryType); ok {
			props.SetReadDict(p.file.flatLeaf[c], true)
		}
	}
	return pqarrow.NewFileReader(rdr, props, mem)
}

// NextBatch returns the next projected batch; a decoding failure (or a
// panic inside the Parquet reader) is an HV000 error.
func (s *fileSource) NextBatch() (b arrow.RecordBatch, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, corrupt(s.path, fmt.Errorf("%v", r))
		}
	}()
	for s.left == 0 {
		if len(s.groups) == 0 {
			return nil, io.EOF
		}
		g := s.groups[0]
		s.groups = s.groups[1:]
		if s.left = s.rdr.RowGroup(g).NumRows(); s.left < 0 {
			return nil, corrupt(s.path, fmt.Errorf("row group of %d rows", s.left))
		}
		for _, c := range s.cols {
			if err := c.startGroup(g); err != nil {
				return nil, corrupt(s.path, err)
			}
		}
	}
	n := int(min(s.batch, s.left))
	arrs := make([]arrow.Array, len(s.cols))
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, c := range s.cols {
		a, err := c.read(n)
		if err != nil {
			return nil, corrupt(s.path, err)
		}
		arrs[i] = a
	}
	s.left -= int64(n)
	cols := make([]arrow.Array, len(s.mapping))
	for i, j := range s.mapping {
		cols[i] = arrs[j]
	}
	return array.NewRecordBatch(s.schema, cols, int64(n)), nil
}

// Close releases the column readers and closes the file.
func (s *fileSource) Close() {
	for _, c := range s.cols {
		if c != nil {
			c.release()
		}
	}
	s.cols = nil
	if s.f != nil {
		if s.remote {
			s.read = s.f.Fetched()
		}
		s.f.Close()
		s.f = nil
	}
}

// chunkRanges returns the byte ranges of the given leaf columns in the given
// row groups, as the Parquet reader will request them (dictionary page
// first when there is one).
func chunkRanges(fi *fileInfo, leaves, groups []int) []objstore.Range {
	var out []objstore.Range
	for _, g := range groups {
		rg := fi.meta.RowGroup(g)
		for _, l := range leaves {
			cc, err := rg.ColumnChunk(l)
			if err != nil {
				continue // the reader reports it
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
				start = cc.DictionaryPageOffset()
			}
			out = append(out, objstore.Range{Off: start, Len: cc.TotalCompressedSize()})
		}
	}
	return out
}

// hiveSource adds the partition-key columns of a file to the batches of
// its file columns (or to bare row counts when no file column is read).
type hiveSource struct {
	inner  connectors.BatchSource
	p      *partition
	schema *arrow.Schema
	mem    memory.Allocator
}

func (s *hiveSource) NextBatch() (arrow.RecordBatch, error) {
	in, err := s.inner.NextBatch()
	if in == nil || err != nil {
		return nil, err
	}
	defer in.Release()
	t, n := s.p.t, in.NumRows()
	cols := make([]arrow.Array, len(s.p.columns))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	j := 0
	for i, c := range s.p.columns {
		if c < t.nFile {
			cols[i] = in.Column(j)
			cols[i].Retain()
			j++
			continue
		}
		a, err := constArray(s.schema.Field(i).Type, s.p.file.hive[c-t.nFile], n, s.mem)
		if err != nil {
			return nil, corrupt(s.p.file.path, err)
		}
		cols[i] = a
	}
	return array.NewRecordBatch(s.schema, cols, n), nil
}

func (s *hiveSource) Close() { s.inner.Close() }

// SourceBytes forwards the file source's count.
func (s *hiveSource) SourceBytes() (int64, bool) {
	if bc, ok := s.inner.(connectors.ByteCounter); ok {
		return bc.SourceBytes()
	}
	return 0, false
}

// uniqueColumns returns cols without repeats, in first-request order, and
// each column's position in that list.
func uniqueColumns(cols []int) (uniq []int, pos map[int]int) {
	pos = make(map[int]int, len(cols))
	for _, c := range cols {
		if _, ok := pos[c]; !ok {
			pos[c] = len(uniq)
			uniq = append(uniq, c)
		}
	}
	return uniq, pos
}

// leaves returns the Parquet leaf columns the partition reads.
func (p *partition) leaves() []int {
	var out []int
	for _, c := range p.columns {
		if c < p.t.nFile {
			out = append(out, c)
		}
	}
	uniq, _ := uniqueColumns(out)
	out = out[:0]
	for _, c := range uniq {
		out = append(out, p.file.leaves[c]...)
	}
	return out
}
