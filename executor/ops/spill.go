package ops

import (
	"bufio"
	"context"
	"hash/maphash"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/membudget"
)

// Spill files are Arrow IPC streams in the query's spill folder (see
// membudget.Budget.CreateSpillFile): one writer appends batches of one
// schema, and the finished file is read back batch by batch, as often as
// needed, then removed by its owner. Bytes written count as the
// operator's and the query's spilled bytes.

// spillWriter appends batches to a new spill file.
type spillWriter struct {
	res  *membudget.Reservation
	f    *os.File
	cw   countingWriter
	bw   *bufio.Writer
	w    *ipc.Writer
	rows int64
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newSpillWriter(mem memory.Allocator, res *membudget.Reservation, schema *arrow.Schema) (*spillWriter, error) {
	f, err := res.CreateSpillFile()
	if err != nil {
		return nil, err
	}
	sw := &spillWriter{res: res, f: f}
	sw.cw.w = f
	sw.bw = bufio.NewWriterSize(&sw.cw, 64<<10)
	sw.w = ipc.NewWriter(sw.bw, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	return sw, nil
}

// write appends b (the caller keeps its reference).
func (w *spillWriter) write(b arrow.RecordBatch) error {
	if b.NumRows() == 0 {
		return nil
	}
	if err := w.w.Write(b); err != nil {
		return membudget.SpillIOError(err)
	}
	w.rows += b.NumRows()
	return nil
}

// finish closes the stream and returns the file, ready to read.
func (w *spillWriter) finish() (*spillFile, error) {
	err := w.w.Close()
	if err == nil {
		err = w.bw.Flush()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.res.AddSpilled(w.cw.n)
	sf := &spillFile{path: w.f.Name(), schema: nil, rows: w.rows, bytes: w.cw.n}
	if err != nil {
		sf.remove()
		return nil, membudget.SpillIOError(err)
	}
	return sf, nil
}

// abort closes and removes the file (on error paths).
func (w *spillWriter) abort() {
	w.w.Close()
	w.f.Close()
	os.Remove(w.f.Name())
}

// spillFile is a finished spill file.
type spillFile struct {
	path   string
	schema *arrow.Schema
	rows   int64
	bytes  int64
}

func (f *spillFile) remove() {
	if f != nil {
		os.Remove(f.path)
	}
}

// spillSource reads a spill file back as an operator (the inputs of the
// partition-wise aggregate and join). It does not remove the file.
type spillSource struct {
	mem    memory.Allocator
	schema *arrow.Schema
	file   *spillFile
	f      *os.File
	r      *ipc.Reader
}

func newSpillSource(mem memory.Allocator, schema *arrow.Schema, file *spillFile) *spillSource {
	return &spillSource{mem: mem, schema: schema, file: file}
}

func (s *spillSource) Schema() *arrow.Schema { return s.schema }

func (s *spillSource) Open(ctx context.Context) error {
	s.Close()
	f, err := os.Open(s.file.path)
	if err != nil {
		return membudget.SpillIOError(err)
	}
	r, err := ipc.NewReader(bufio.NewReaderSize(f, 64<<10), ipc.WithAllocator(s.mem), ipc.WithSchema(s.schema))
	if err != nil {
		f.Close()
		return membudget.SpillIOError(err)
	}
	s.f, s.r = f, r
	return ctxErr(ctx)
}

func (s *spillSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if s.r == nil {
		return nil, io.EOF
	}
	if !s.r.Next() {
		if err := s.r.Err(); err != nil {
			return nil, membudget.SpillIOError(err)
		}
		return nil, io.EOF
	}
	b := s.r.RecordBatch()
	b.Retain()
	return b, nil
}

func (s *spillSource) Close() error {
	if s.r != nil {
		s.r.Release()
		s.r = nil
	}
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	return nil
}

// spillPartitions writes rows to nparts spill files by a hash of their
// keys (the partitions of a spilling aggregate or join). Bits above the
// ones earlier levels used pick the partition, so recursion splits a
// partition further.
type spillPartitions struct {
	mem    memory.Allocator
	res    *membudget.Reservation
	schema *arrow.Schema
	shift  uint
	w      []*spillWriter
	sel    [][]int32
	// pending are small per-partition slices not yet written: a batch
	// split 16 ways gives tiny pieces, and writing each as its own IPC
	// message would make every later reader process tiny batches.
	pending [][]arrow.RecordBatch
	prows   []int
}

// spillChunkRows is how many rows a partition collects before writing.
const spillChunkRows = 2048

// spillFanout is the number of partitions per level: enough to split a
// too-big input well below the budget in one or two levels, few enough
// that per-partition write buffers stay small.
const spillFanout = 16

// maxSpillLevel bounds recursive partitioning: past it, the rows of one
// partition share (nearly) one key and cannot be split by hashing.
const maxSpillLevel = 6

func newSpillPartitions(mem memory.Allocator, res *membudget.Reservation, schema *arrow.Schema, level int) *spillPartitions {
	return &spillPartitions{mem: mem, res: res, schema: schema, shift: uint(64 - 4*(level+1)),
		w: make([]*spillWriter, spillFanout), sel: make([][]int32, spillFanout),
		pending: make([][]arrow.RecordBatch, spillFanout), prows: make([]int, spillFanout)}
}

// add writes the rows rows of b (nil: all) to their partitions by the
// row hashes h (one per row of b).
func (p *spillPartitions) add(b arrow.RecordBatch, h []uint64, rows []int32) error {
	for i := range p.sel {
		p.sel[i] = p.sel[i][:0]
	}
	if rows == nil {
		for r, x := range h {
			k := (x >> p.shift) & (spillFanout - 1)
			p.sel[k] = append(p.sel[k], int32(r))
		}
	} else {
		for _, r := range rows {
			k := (h[r] >> p.shift) & (spillFanout - 1)
			p.sel[k] = append(p.sel[k], r)
		}
	}
	for k, sel := range p.sel {
		if len(sel) == 0 {
			continue
		}
		var part arrow.RecordBatch
		if len(sel) == int(b.NumRows()) {
			part = b
			part.Retain()
		} else {
			t, err := takeBatch(p.mem, p.schema, b.Columns(), sel)
			if err != nil {
				return err
			}
			part = t
		}
		p.pending[k] = append(p.pending[k], part)
		p.prows[k] += len(sel)
		if p.prows[k] >= spillChunkRows {
			if err := p.flush(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes partition k's pending rows as one batch.
func (p *spillPartitions) flush(k int) error {
	pend := p.pending[k]
	if len(pend) == 0 {
		return nil
	}
	p.pending[k], p.prows[k] = nil, 0
	defer releaseBatches(pend)
	if p.w[k] == nil {
		w, err := newSpillWriter(p.mem, p.res, p.schema)
		if err != nil {
			return err
		}
		p.w[k] = w
	}
	if len(pend) == 1 {
		return p.w[k].write(pend[0])
	}
	parts := make([][]arrow.Array, len(pend))
	n := 0
	for i, b := range pend {
		parts[i] = b.Columns()
		n += int(b.NumRows())
	}
	cols, err := concatParts(p.mem, parts, p.schema, nil, nil)
	if err != nil {
		return err
	}
	b := newBatch(p.schema, cols, n)
	defer b.Release()
	return p.w[k].write(b)
}

// finish closes every partition; absent partitions are nil.
func (p *spillPartitions) finish() ([]*spillFile, error) {
	out := make([]*spillFile, len(p.w))
	var first error
	for k := range p.pending {
		if err := p.flush(k); err != nil && first == nil {
			first = err
		}
	}
	for k, w := range p.w {
		if w == nil {
			continue
		}
		p.w[k] = nil
		if first != nil {
			w.abort()
			continue
		}
		f, err := w.finish()
		if err != nil {
			first = err
			continue
		}
		f.schema = p.schema
		out[k] = f
	}
	if first != nil {
		removeSpills(out)
		return nil, first
	}
	return out, nil
}

// abort removes every partition written so far.
func (p *spillPartitions) abort() {
	for k, pend := range p.pending {
		releaseBatches(pend)
		p.pending[k], p.prows[k] = nil, 0
	}
	for k, w := range p.w {
		if w != nil {
			w.abort()
			p.w[k] = nil
		}
	}
}

func removeSpills(fs []*spillFile) {
	for _, f := range fs {
		f.remove()
	}
}

// rowHasher hashes the key columns of rows (the same hash for equal
// keys, NULL included) to pick spill partitions.
type rowHasher struct {
	cols []keyColumn
	h    []uint64
}

func newRowHasher(types []arrow.DataType, seed maphash.Seed) (*rowHasher, error) {
	rh := &rowHasher{}
	for _, dt := range types {
		c, err := newKeyColumn(dt, seed)
		if err != nil {
			return nil, err
		}
		rh.cols = append(rh.cols, c)
	}
	return rh, nil
}

// hash returns the row hashes of keys (n rows), valid until the next call.
func (rh *rowHasher) hash(keys []arrow.Array, n int) []uint64 {
	rh.h = growTo(rh.h[:0], n)[:n]
	clear(rh.h)
	for c, col := range rh.cols {
		col.hash(keys[c], rh.h, c == 0)
	}
	for i, x := range rh.h {
		rh.h[i] = fmix64(x) // the hash tables use the low bits; partitions use high ones, mixed
	}
	return rh.h
}
