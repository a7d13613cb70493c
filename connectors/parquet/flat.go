package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// Flat columns: a top-level primitive column is decoded from its pages
// (pages.go, for the common encodings of numbers, decimals and strings)
// or with arrow-go's typed column chunk readers straight into Arrow
// buffers of the batch's exact size, instead of through pqarrow's record
// readers and array builders, which grow their buffers value by value
// (string data above all) and widen decimals through a generic path. A
// batch never crosses a row group, so each buffer is allocated once, at
// its final size (string data: see byteSink). The output is the same
// array pqarrow builds (flat_test.go compares them); columns of any other
// shape or type are left to pqarrow.

// flatKind says how a flat column's physical values become Arrow values.
type flatKind uint8

const (
	flatInt32    flatKind = iota + 1 // INT32 as a 4-byte Arrow type, bit for bit
	flatInt64                        // INT64 as an 8-byte Arrow type, bit for bit
	flatFloat32                      // FLOAT
	flatFloat64                      // DOUBLE
	flatBool                         // BOOLEAN
	flatBytes                        // BYTE_ARRAY as utf8 or binary
	flatFixed                        // FIXED_LEN_BYTE_ARRAY as fixed_size_binary
	flatDec32                        // INT32 decimal widened to decimal128
	flatDec64                        // INT64 decimal widened to decimal128
	flatDecFixed                     // big-endian FIXED_LEN_BYTE_ARRAY decimal to decimal128
	flatDict                         // dictionary-encoded BYTE_ARRAY as dictionary<int32, utf8> (pages.go)
)

// flatKindOf returns how to read leaf column descr as Arrow type t, or 0
// when pqarrow must read it: nested or repeated columns, dictionaries
// other than dictionary<int32, utf8> of a string column, INT96, narrow
// integers, date64, large strings, decimal256, extension types,
// byte-array decimals. The accepted pairs are those pqarrow copies bit
// for bit (or widens, for decimals), so both readers agree.
func flatKindOf(descr *schema.Column, t arrow.DataType) flatKind {
	if descr == nil || descr.MaxRepetitionLevel() != 0 || descr.MaxDefinitionLevel() > 1 {
		return 0
	}
	if dt, ok := t.(*arrow.DictionaryType); ok {
		if descr.PhysicalType() == pq.Types.ByteArray && dt.IndexType.ID() == arrow.INT32 && dt.ValueType.ID() == arrow.STRING {
			return flatDict
		}
		return 0
	}
	dec, isDec := t.(*arrow.Decimal128Type)
	switch descr.PhysicalType() {
	case pq.Types.Boolean:
		if t.ID() == arrow.BOOL {
			return flatBool
		}
	case pq.Types.Int32:
		switch t.ID() {
		case arrow.INT32, arrow.UINT32, arrow.DATE32, arrow.TIME32:
			return flatInt32
		}
		if isDec && decimalScale(descr) == dec.Scale {
			return flatDec32
		}
	case pq.Types.Int64:
		switch t.ID() {
		case arrow.INT64, arrow.UINT64, arrow.TIME64:
			return flatInt64
		case arrow.TIMESTAMP:
			if t.(*arrow.TimestampType).Unit != arrow.Second {
				return flatInt64
			}
		}
		if isDec && decimalScale(descr) == dec.Scale {
			return flatDec64
		}
	case pq.Types.Float:
		if t.ID() == arrow.FLOAT32 {
			return flatFloat32
		}
	case pq.Types.Double:
		if t.ID() == arrow.FLOAT64 {
			return flatFloat64
		}
	case pq.Types.ByteArray:
		if t.ID() == arrow.STRING || t.ID() == arrow.BINARY {
			return flatBytes
		}
	case pq.Types.FixedLenByteArray:
		w := descr.TypeLength()
		if fs, ok := t.(*arrow.FixedSizeBinaryType); ok && t.ID() == arrow.FIXED_SIZE_BINARY && fs.ByteWidth == w && w > 0 {
			return flatFixed
		}
		if isDec && w > 0 && w <= 16 && decimalScale(descr) == dec.Scale {
			return flatDecFixed
		}
	}
	return 0
}

// decimalScale returns the scale of a decimal column, or -1.
func decimalScale(descr *schema.Column) int32 {
	if d, ok := descr.LogicalType().(schema.DecimalLogicalType); ok {
		return d.Scale()
	}
	return -1
}

// flatColumn reads one flat column of a partition, row group by row group.
type flatColumn struct {
	leaf     int
	kind     flatKind
	typ      arrow.DataType
	descr    *schema.Column
	nullable bool // definition level 1 means a value, 0 a NULL
	width    int  // FIXED_LEN_BYTE_ARRAY length
	f        *chunkFile
	pr       file.PageReader
	ccr      file.ColumnChunkReader

	// Scratch space reused by every batch: definition levels and values
	// that are not decoded in place.
	defs  []int16
	bools []bool
	bas   []pq.ByteArray
	flba  []pq.FixedLenByteArray

	bytesPerRow float64 // string data per row so far, to size the next batch's buffer

	paged bool      // the current chunk's pages are decoded here (pages.go)
	ps    pageState // and where that decoding stands
}

// chunkFile is what the flat columns of one open file share.
type chunkFile struct {
	rdr   *file.Reader
	pages *file.Reader // whose page readers allocate from fill (rdr without one)
	src   io.ReaderAt
	size  int64                // the file's size, which no column chunk may exceed
	props *pq.ReaderProperties // pages'
	mem   memory.Allocator     // for the column chunk readers
	fill  memory.Allocator     // for buffers of plain values written in full before they are read (mem without one)
	// reuse: page readers may be Reset onto the next row group's chunk
	// (not for old parquet-mr files, whose chunk sizes need the padding
	// GetColumnPageReader adds; encrypted chunks are checked one by one).
	reuse bool
}

func newChunkFile(rdr *file.Reader, src io.ReaderAt, size int64, props *pq.ReaderProperties, mem memory.Allocator) *chunkFile {
	md := rdr.MetaData()
	return &chunkFile{rdr: rdr, pages: rdr, src: src, size: size, props: props, mem: mem, fill: mem,
		reuse: !md.WriterVersion().LessThan(metadata.Parquet816FixedVersion)}
}

func newFlatColumn(f *chunkFile, leaf int, descr *schema.Column, kind flatKind, typ arrow.DataType) *flatColumn {
	return &flatColumn{f: f, leaf: leaf, kind: kind, typ: typ, descr: descr, nullable: descr.MaxDefinitionLevel() == 1, width: descr.TypeLength()}
}

// startGroup sets up the reader of the column's chunk in rg. The page
// reader of the previous chunk is reset onto the new one where it can
// be, so that its decompression buffers, which grow to the largest page,
// are allocated once per scan instead of once per chunk.
func (c *flatColumn) startGroup(g int) error {
	c.ccr, c.paged = nil, false
	rg := c.f.pages.RowGroup(g)
	cc, err := rg.MetaData().ColumnChunk(c.leaf)
	if err != nil {
		return err
	}
	if c.pr != nil && c.f.reuse && cc.CryptoMetadata() == nil {
		start, length := chunkSpan(cc)
		if start < 0 || length < 0 || start > c.f.size || length > c.f.size-start {
			return fmt.Errorf("column chunk at %d of %d bytes lies outside the file of %d bytes", start, length, c.f.size)
		}
		stream, err := c.f.props.GetStream(c.f.src, start, length)
		if err != nil {
			return err
		}
		c.pr.Reset(stream, cc.NumValues(), cc.Compression(), nil)
		if err := c.pr.Err(); err != nil {
			return err
		}
	} else {
		if c.pr != nil {
			c.pr.Close()
			c.pr = nil
		}
		if c.pr, err = rg.GetColumnPageReader(c.leaf); err != nil {
			return err
		}
	}
	c.ps.startChunk()
	if pagedKind(c.kind) && pagedChunk(cc) {
		c.paged = true
		return nil
	}
	if c.kind == flatDict {
		return errors.New("column chunk cannot be read as a dictionary") // openFileSource checked it could
	}
	c.ccr = file.NewColumnReader(c.descr, c.pr, c.f.mem, c.f.rdr.BufferPool())
	return nil
}

// chunkSpan returns where a column chunk's pages start (its dictionary
// page, if any) and their stored size.
func chunkSpan(cc *metadata.ColumnChunkMetaData) (start, length int64) {
	start = cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
		start = cc.DictionaryPageOffset()
	}
	return start, cc.TotalCompressedSize()
}

func (c *flatColumn) release() {
	c.ps.startChunk()
	c.ccr = nil
	if c.pr != nil {
		c.pr.Close()
		c.pr = nil
	}
}

// errShortChunk reports a column chunk that holds fewer values than its
// row group has rows.
var errShortChunk = errors.New("column chunk ends before its row group")

// levels returns the definition-level scratch for n rows, or nil for a
// required column.
func (c *flatColumn) levels(n int) []int16 {
	if !c.nullable {
		return nil
	}
	if cap(c.defs) < n {
		c.defs = make([]int16, n)
	}
	return c.defs[:n]
}

// read decodes the next n rows of the current row group, into buffers
// from fill (every byte of them is written), except for bytes Go code may
// take as strings.
func (c *flatColumn) read(n int) (arrow.Array, error) {
	mem := c.f.fill
	if c.paged {
		return c.readPaged(n, mem)
	}
	if c.ccr == nil {
		return nil, errShortChunk
	}
	switch c.kind {
	case flatInt32:
		return readFixed[int32](c, c.ccr.(*file.Int32ColumnChunkReader), n, mem)
	case flatInt64:
		return readFixed[int64](c, c.ccr.(*file.Int64ColumnChunkReader), n, mem)
	case flatFloat32:
		return readFixed[float32](c, c.ccr.(*file.Float32ColumnChunkReader), n, mem)
	case flatFloat64:
		return readFixed[float64](c, c.ccr.(*file.Float64ColumnChunkReader), n, mem)
	case flatDec32:
		return readWiden[int32](c, c.ccr.(*file.Int32ColumnChunkReader), n, mem)
	case flatDec64:
		return readWiden[int64](c, c.ccr.(*file.Int64ColumnChunkReader), n, mem)
	case flatBool:
		return c.readBool(n, mem)
	case flatBytes:
		return c.readBytes(n, mem)
	case flatFixed, flatDecFixed:
		return c.readFixedLen(n, mem)
	}
	return nil, fmt.Errorf("unknown flat column kind %d", c.kind)
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// batchReader is the ReadBatch method of arrow-go's typed column chunk
// readers: it reads n rows across pages, the values of the non-null ones
// packed at the front of values.
type batchReader[T any] interface {
	ReadBatch(n int64, values []T, defLvls, repLvls []int16) (int64, int, error)
}

// readBatch reads the next n rows into vals (the values of the non-null
// rows packed at the front) and returns their definition levels (nil for
// a required column), the number of values and the validity bitmap (nil
// without NULLs) with its NULL count.
func readBatch[T any](c *flatColumn, r batchReader[T], vals []T, n int, mem memory.Allocator) (defs []int16, read int, validity *memory.Buffer, nulls int, err error) {
	defs = c.levels(n)
	total, read, err := r.ReadBatch(int64(n), vals, defs, nil)
	if err != nil {
		return nil, 0, nil, 0, err
	}
	if int(total) != n {
		return nil, 0, nil, 0, errShortChunk
	}
	validity, nulls, err = validityOf(defs, read, mem)
	return defs, read, validity, nulls, err
}

// readFixed decodes n rows of a fixed-width column into the values
// buffer itself, then moves each value to its row.
func readFixed[T int32 | int64 | float32 | float64](c *flatColumn, r batchReader[T], n int, mem memory.Allocator) (arrow.Array, error) {
	vals := newBuffer(mem, n*int(arrow.GetDataType[T]().(arrow.FixedWidthDataType).BitWidth()/8))
	defer vals.Release()
	out := arrow.GetData[T](vals.Bytes())
	defs, read, validity, nulls, err := readBatch(c, r, out, n, mem)
	if err != nil {
		return nil, err
	}
	if validity != nil {
		defer validity.Release()
		spread(out, read, defs)
	}
	return makeArray(c.typ, n, nulls, validity, vals), nil
}

// readWiden decodes n rows of an INT32 or INT64 decimal into the front
// of their decimal128 buffer and sign-extends them in place, back to
// front (low word first, as Arrow lays out decimal128 on little-endian
// machines): value j moves to row i >= j, whose 16 bytes lie at or past
// value j's own, so no value is overwritten before it is read.
func readWiden[T int32 | int64](c *flatColumn, r batchReader[T], n int, mem memory.Allocator) (arrow.Array, error) {
	vals := newBuffer(mem, 16*n)
	defer vals.Release()
	in := arrow.GetData[T](vals.Bytes())[:n]
	defs, read, validity, nulls, err := readBatch(c, r, in, n, mem)
	if err != nil {
		return nil, err
	}
	if validity != nil {
		defer validity.Release()
	}
	out := arrow.GetData[uint64](vals.Bytes())[:2*n]
	if validity == nil {
		for i := n - 1; i >= 0; i-- {
			v := int64(in[i])
			out[2*i], out[2*i+1] = uint64(v), uint64(v>>63)
		}
	} else {
		j := read - 1
		for i := n - 1; i >= 0; i-- {
			if defs[i] == 1 {
				v := int64(in[j])
				j--
				out[2*i], out[2*i+1] = uint64(v), uint64(v>>63)
			} else {
				out[2*i], out[2*i+1] = 0, 0
			}
		}
	}
	return makeArray(c.typ, n, nulls, validity, vals), nil
}

func (c *flatColumn) readBool(n int, mem memory.Allocator) (arrow.Array, error) {
	c.bools = grow(c.bools, n)
	defs, read, validity, nulls, err := readBatch(c, c.ccr.(*file.BooleanColumnChunkReader), c.bools, n, mem)
	if err != nil {
		return nil, err
	}
	if validity != nil {
		defer validity.Release()
		spread(c.bools, read, defs)
	}
	vals := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	defer vals.Release()
	bits := vals.Bytes()
	clear(bits)
	for i, b := range c.bools {
		if b {
			bitutil.SetBit(bits, i)
		}
	}
	return makeArray(c.typ, n, nulls, validity, vals), nil
}

// readBytes reads n rows of a BYTE_ARRAY column page by page (the values
// point into the page, or into the dictionary, until the next page is
// read), copying the bytes once, into a data buffer sized from the bytes
// per row of the batches before (grown if a batch needs more, and copied
// to its exact size if it ends up much too large).
func (c *flatColumn) readBytes(n int, mem memory.Allocator) (arrow.Array, error) {
	r := c.ccr.(*file.ByteArrayColumnChunkReader)
	c.bas = grow(c.bas, n)
	defs := c.levels(n)
	offBuf := newBuffer(mem, 4*(n+1))
	defer offBuf.Release()
	offs := arrow.GetData[int32](offBuf.Bytes())[:n+1]
	// The bytes themselves come from the zeroing allocator: Go code may
	// keep strings of them past the batch (see membudget.Recycler).
	out := newByteSink(c.f.mem, c.estimateBytes(n))
	defer out.release()
	offs[0] = 0
	for got := 0; got < n; {
		var d []int16
		if defs != nil {
			d = defs[got:]
		}
		total, read, err := r.ReadBatchInPage(int64(n-got), c.bas[:n-got], d, nil)
		if err != nil {
			return nil, err
		}
		if total <= 0 || int(total) > n-got || read > int(total) {
			return nil, errShortChunk
		}
		vals := c.bas[:read]
		if d == nil {
			for j, v := range vals {
				if len(v) > len(out.data)-out.pos {
					if err := out.grow(len(v)); err != nil {
						return nil, err
					}
				}
				out.pos += copy(out.data[out.pos:], v)
				offs[got+j+1] = int32(out.pos)
			}
		} else {
			j := 0
			for i, lvl := range d[:total] {
				if lvl == 1 {
					if j == read {
						return nil, errLevels
					}
					v := vals[j]
					if len(v) > len(out.data)-out.pos {
						if err := out.grow(len(v)); err != nil {
							return nil, err
						}
					}
					out.pos += copy(out.data[out.pos:], v)
					j++
				}
				offs[got+i+1] = int32(out.pos)
			}
			if j != read {
				return nil, errLevels
			}
		}
		got += int(total)
	}
	c.bytesPerRow = float64(out.pos) / float64(n)
	dataBuf := out.finish(c.f.mem)
	defer dataBuf.Release()
	validity, nulls, err := validityOf(defs, n-countNulls(defs), mem)
	if err != nil {
		return nil, err
	}
	if validity != nil {
		defer validity.Release()
	}
	d := array.NewData(c.typ, n, []*memory.Buffer{validity, offBuf, dataBuf}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

// byteSink is the data buffer of a string batch being decoded: data is
// the buffer's whole capacity, pos the bytes written.
type byteSink struct {
	buf  *memory.Buffer
	data []byte
	pos  int
}

func newByteSink(mem memory.Allocator, capacity int) *byteSink {
	s := &byteSink{buf: memory.NewResizableBuffer(mem)}
	s.buf.Reserve(capacity)
	s.data = s.buf.Buf()[:s.buf.Cap()]
	return s
}

// grow makes room for n more bytes.
func (s *byteSink) grow(n int) error {
	need := s.pos + n
	if need > math.MaxInt32 {
		return errors.New("string data of one batch exceeds 2 GiB")
	}
	s.buf.ResizeNoShrink(s.pos)
	s.buf.Reserve(max(2*len(s.data), need))
	s.data = s.buf.Buf()[:s.buf.Cap()]
	return nil
}

// finish hands over the buffer holding the bytes written, copied to one
// of the exact size if the estimate was far too large.
func (s *byteSink) finish(mem memory.Allocator) *memory.Buffer {
	b := s.buf
	s.buf = nil
	if b.Cap() > s.pos+s.pos/4+4096 {
		exact := newBuffer(mem, s.pos)
		copy(exact.Bytes(), s.data[:s.pos])
		b.Release()
		return exact
	}
	b.ResizeNoShrink(s.pos)
	return b
}

func (s *byteSink) release() {
	if s.buf != nil {
		s.buf.Release()
		s.buf = nil
	}
}

// readFixedLen reads n rows of a FIXED_LEN_BYTE_ARRAY column page by
// page, as fixed_size_binary or as big-endian decimals.
func (c *flatColumn) readFixedLen(n int, mem memory.Allocator) (arrow.Array, error) {
	r := c.ccr.(*file.FixedLenByteArrayColumnChunkReader)
	c.flba = grow(c.flba, n)
	defs := c.levels(n)
	size := c.width
	if c.kind == flatDecFixed {
		size = 16
	}
	if c.kind == flatFixed {
		mem = c.f.mem // bytes, as for strings
	}
	vals := newBuffer(mem, size*n)
	defer vals.Release()
	out := vals.Bytes()
	clear(out) // NULL rows stay zero
	put := func(i int, v []byte) error {
		if len(v) != c.width {
			return fmt.Errorf("fixed-length value of %d bytes, want %d", len(v), c.width)
		}
		if c.kind == flatFixed {
			copy(out[i*size:], v)
			return nil
		}
		lo, hi := bigEndianDecimal(v)
		binary.LittleEndian.PutUint64(out[16*i:], lo)
		binary.LittleEndian.PutUint64(out[16*i+8:], hi)
		return nil
	}
	for got := 0; got < n; {
		var d []int16
		if defs != nil {
			d = defs[got:]
		}
		total, read, err := r.ReadBatchInPage(int64(n-got), c.flba[:n-got], d, nil)
		if err != nil {
			return nil, err
		}
		if total <= 0 || int(total) > n-got || read > int(total) {
			return nil, errShortChunk
		}
		if d == nil {
			for j, v := range c.flba[:read] {
				if err := put(got+j, v); err != nil {
					return nil, err
				}
			}
		} else {
			j := 0
			for i, lvl := range d[:total] {
				if lvl != 1 {
					continue
				}
				if j == read {
					return nil, errLevels
				}
				if err := put(got+i, c.flba[j]); err != nil {
					return nil, err
				}
				j++
			}
			if j != read {
				return nil, errLevels
			}
		}
		got += int(total)
	}
	validity, nulls, err := validityOf(defs, n-countNulls(defs), mem)
	if err != nil {
		return nil, err
	}
	if validity != nil {
		defer validity.Release()
	}
	return makeArray(c.typ, n, nulls, validity, vals), nil
}

// bigEndianDecimal sign-extends a big-endian two's-complement integer of
// 1 to 16 bytes to 128 bits.
func bigEndianDecimal(b []byte) (lo, hi uint64) {
	var buf [16]byte
	if len(b) > 0 && b[0]&0x80 != 0 {
		for i := range 16 - len(b) {
			buf[i] = 0xff
		}
	}
	copy(buf[16-len(b):], b)
	return binary.BigEndian.Uint64(buf[8:]), binary.BigEndian.Uint64(buf[:8])
}

// errLevels reports definition levels that disagree with the number of
// values decoded.
var errLevels = errors.New("definition levels do not match the values")

func countNulls(defs []int16) int {
	k := 0
	for _, d := range defs {
		if d != 1 {
			k++
		}
	}
	return k
}

// validityOf returns the validity bitmap of the rows whose definition
// levels are defs (nil when every row holds a value) and the NULL count,
// checking that read values were decoded for them.
func validityOf(defs []int16, read int, mem memory.Allocator) (*memory.Buffer, int, error) {
	if defs == nil {
		return nil, 0, nil
	}
	n := len(defs)
	if read == n {
		return nil, 0, nil // a value in every row: definition levels are all 1
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	bits := buf.Bytes()
	clear(bits)
	valid := 0
	for i, d := range defs {
		if d == 1 {
			bitutil.SetBit(bits, i)
			valid++
		}
	}
	if valid != read {
		buf.Release()
		return nil, 0, errLevels
	}
	return buf, n - valid, nil
}

// spread moves the read values packed at the front of out to the rows
// whose definition level is 1, zeroing the others. Back to front, so no
// value is overwritten before it moves; it stops once the rows left are
// all values, already in place.
func spread[T any](out []T, read int, defs []int16) {
	var zero T
	j := read - 1
	for i := len(defs) - 1; i > j; i-- {
		if defs[i] == 1 {
			out[i] = out[j]
			j--
		} else {
			out[i] = zero
		}
	}
}

// newBuffer allocates a buffer of exactly n bytes from mem; from a fill
// allocator its contents are undefined.
func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	return b
}

func makeArray(t arrow.DataType, n, nulls int, validity, vals *memory.Buffer) arrow.Array {
	d := array.NewData(t, n, []*memory.Buffer{validity, vals}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// uninitAllocator is an allocator that can also hand out memory without
// clearing it, as the engine's per-query membudget.Recycler does (which
// recycles only such memory): for pages, numbers, offsets and bitmaps,
// never for bytes that Go code could keep as strings.
type uninitAllocator interface {
	AllocateUninit(n int) []byte
}

// fillAlloc is mem allocating without clearing, for buffers that are
// written in full before anything reads them.
type fillAlloc struct {
	memory.Allocator
	u uninitAllocator
}

func (a fillAlloc) Allocate(n int) []byte { return a.u.AllocateUninit(n) }

// fillAllocator returns mem allocating without clearing, if it can.
func fillAllocator(mem memory.Allocator) (memory.Allocator, bool) {
	if u, ok := mem.(uninitAllocator); ok {
		return fillAlloc{Allocator: mem, u: u}, true
	}
	return mem, false
}
