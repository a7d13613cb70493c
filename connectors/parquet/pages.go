package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
)

// Paged columns: for the common encodings, flatColumn decodes the
// decompressed pages of a chunk itself instead of through arrow-go's
// column chunk readers, which decode definition levels into one int16
// per row (even in a chunk without NULLs), copy values into a scratch
// slice (a []byte header per string, from the dictionary or the page)
// and leave the spreading and the widening of decimals to a second pass.
// Here definition levels become the validity bitmap directly (a run of
// ones costs nothing; bit-packed levels are already a bitmap), PLAIN
// values are copied from the page to their row once, dictionary indices
// are unpacked in bulk and looked up in a dictionary kept in the
// output's layout (decimals widened once per chunk, strings as one
// offsets and data pair). A string column the executor asks for as
// Arrow dictionaries (flatDict) gets its indices unpacked straight into
// the batch's indices and the chunk's dictionary as one shared array,
// instead of pqarrow's read-dictionary mode, which rebuilds a hash table
// of the dictionary for every batch. Chunks with other encodings
// (DELTA_*, BYTE_STREAM_SPLIT, BIT_PACKED levels) or encryption, and the
// other flat kinds (booleans, fixed_size_binary), are read by the column
// chunk readers as before; a flatDict column by pqarrow.

// pagedKind reports whether flatColumn decodes the pages of kind k itself.
func pagedKind(k flatKind) bool {
	switch k {
	case flatInt32, flatInt64, flatFloat32, flatFloat64, flatDec32, flatDec64, flatDecFixed, flatBytes, flatDict:
		return true
	}
	return false
}

// allPaged reports whether flatColumn decodes the pages of every chunk
// of leaf in groups itself, as it must for a column read as Arrow
// dictionaries (flatDict): that has no fallback.
func allPaged(md *metadata.FileMetaData, leaf int, groups []int) bool {
	for _, g := range groups {
		cc, err := md.RowGroup(g).ColumnChunk(leaf)
		if err != nil || !pagedChunk(cc) {
			return false
		}
	}
	return true
}

// pagedChunk reports whether the chunk's pages use only encodings
// flatColumn decodes itself (RLE being its definition levels).
func pagedChunk(cc *metadata.ColumnChunkMetaData) bool {
	if cc.CryptoMetadata() != nil {
		return false
	}
	for _, e := range cc.Encodings() {
		switch e {
		case pq.Encodings.Plain, pq.Encodings.PlainDict, pq.Encodings.RLEDict, pq.Encodings.RLE:
		default:
			return false
		}
	}
	return true
}

// pageState is where a paged column stands in its chunk.
type pageState struct {
	rows  int    // rows of the current data page not yet read
	defs  hybrid // its definition levels (nullable columns)
	plain []byte // its PLAIN values not yet read
	dict  bool   // its values are dictionary indices, in idx
	idx   hybrid

	// The chunk's dictionary in the output's layout, by element width
	// (4, 8 or 16 bytes), or for strings as offsets into dictData.
	hasDict  bool
	dict32   []uint32
	dict64   []uint64
	dict128  []decimal128.Num
	dictOffs []int32
	dictData []byte
	// The dictionary of a flatDict column, shared by its batches, and
	// unless empty the index in it of each value of the page.
	dictArr arrow.Array
	remap   []uint32
	// Strings of a dictionary whose values are all short, padded to
	// 32 bytes: copied with four 8-byte stores instead of a memmove.
	short    []shortValue
	shortMax int // their longest

	idxs []uint32 // scratch for the indices of a batch

	// The validity bitmap of the batch being read, allocated at its
	// first NULL.
	valid *memory.Buffer
	vbits []byte
}

// startChunk forgets the previous chunk's page and dictionary.
func (s *pageState) startChunk() {
	s.rows, s.plain, s.dict, s.hasDict = 0, nil, false, false
	if s.dictArr != nil {
		s.dictArr.Release()
		s.dictArr = nil
	}
}

// errEncoding reports a page whose encoding the chunk's metadata did not
// list.
func errEncoding(what string, e pq.Encoding) error {
	return fmt.Errorf("unexpected %s encoding %s in a column chunk not listing it", what, e)
}

// nextPage moves to the next data page of the chunk, loading the
// dictionary page on the way.
func (c *flatColumn) nextPage() error {
	s := &c.ps
	for {
		if !c.pr.Next() {
			if err := c.pr.Err(); err != nil {
				return err
			}
			return errShortChunk
		}
		var data []byte
		var rows int
		var enc pq.Encoding
		switch p := c.pr.Page().(type) {
		case *file.DictionaryPage:
			if err := c.loadDict(p); err != nil {
				return err
			}
			continue
		case *file.DataPageV1:
			data, rows, enc = p.Data(), int(p.NumValues()), pq.Encoding(p.Encoding())
			if c.nullable {
				if e := p.DefinitionLevelEncoding(); e != pq.Encodings.RLE {
					return errEncoding("definition level", e)
				}
				if len(data) < 4 {
					return errRuns
				}
				n := binary.LittleEndian.Uint32(data)
				if uint64(n) > uint64(len(data)-4) {
					return errRuns
				}
				s.defs.reset(data[4:4+n], 1)
				data = data[4+n:]
			}
		case *file.DataPageV2:
			data, rows, enc = p.Data(), int(p.NumValues()), pq.Encoding(p.Encoding())
			rl, dl := int(p.RepetitionLevelByteLen()), int(p.DefinitionLevelByteLen())
			if rl != 0 || dl < 0 || dl > len(data) || (dl > 0 && !c.nullable) {
				return errLevels
			}
			if c.nullable {
				s.defs.reset(data[:dl], 1)
			}
			data = data[dl:]
		default:
			continue
		}
		if dp := c.pr.Page().(file.DataPage); len(dp.Data()) != int(dp.UncompressedSize()) {
			// A streamed page (ReaderProperties.PageStreamingEnabled)
			// holds only its levels.
			return errors.New("data page not held whole in memory")
		}
		if rows < 0 {
			return errShortChunk
		}
		switch enc {
		case pq.Encodings.Plain:
			s.dict, s.plain = false, data
		case pq.Encodings.RLEDict, pq.Encodings.PlainDict:
			if !s.hasDict {
				return errors.New("dictionary-encoded page without a dictionary")
			}
			s.dict = true
			if len(data) == 0 {
				s.idx.reset(nil, 0) // no values (all NULL), or an error when one is read
			} else if data[0] > 32 {
				return errRuns
			} else {
				s.idx.reset(data[1:], uint(data[0]))
			}
		default:
			return errEncoding("data page", enc)
		}
		s.rows = rows
		if rows > 0 {
			return nil
		}
	}
}

// loadDict decodes the chunk's dictionary page into the output's layout.
func (c *flatColumn) loadDict(p *file.DictionaryPage) error {
	s := &c.ps
	if e := pq.Encoding(p.Encoding()); e != pq.Encodings.Plain && e != pq.Encodings.PlainDict {
		return errEncoding("dictionary page", e)
	}
	data, n := p.Data(), int(p.NumValues())
	if n < 0 {
		return errShortChunk
	}
	// A byte-array value takes at least its 4-byte length: n is bounded
	// before anything is allocated for it.
	width := c.physWidth()
	if width == 0 {
		width = 4
	}
	if n > len(data)/width {
		return errors.New("dictionary page shorter than its values")
	}
	switch c.kind {
	case flatInt32, flatFloat32:
		s.dict32 = grow(s.dict32, n)
		for i := range s.dict32 {
			s.dict32[i] = binary.LittleEndian.Uint32(data[4*i:])
		}
	case flatInt64, flatFloat64:
		s.dict64 = grow(s.dict64, n)
		for i := range s.dict64 {
			s.dict64[i] = binary.LittleEndian.Uint64(data[8*i:])
		}
	case flatDec32:
		s.dict128 = grow(s.dict128, n)
		widen32(s.dict128, data)
	case flatDec64:
		s.dict128 = grow(s.dict128, n)
		widen64(s.dict128, data)
	case flatDecFixed:
		s.dict128 = grow(s.dict128, n)
		widenBigEndian(s.dict128, data, c.width)
	case flatBytes, flatDict:
		s.dictOffs = grow(s.dictOffs, n+1)
		s.dictData = s.dictData[:0]
		s.dictOffs[0] = 0
		for i := range n {
			if len(data) < 4 {
				return errors.New("dictionary page shorter than its values")
			}
			l := binary.LittleEndian.Uint32(data)
			if uint64(l) > uint64(len(data)-4) || len(s.dictData)+int(l) > math.MaxInt32 {
				return errors.New("dictionary page shorter than its values")
			}
			s.dictData = append(s.dictData, data[4:4+l]...)
			s.dictOffs[i+1] = int32(len(s.dictData))
			data = data[4+l:]
		}
		if c.kind == flatDict {
			c.dictArray()
		} else {
			s.short, s.shortMax = shortValues(s.short, s.dictOffs, s.dictData)
		}
	default:
		return fmt.Errorf("no paged reading of column kind %d", c.kind)
	}
	s.hasDict = true
	return nil
}

// dictArray makes the chunk's dictionary, decoded into dictOffs and
// dictData, the Arrow array its batches share. A value the page repeats
// is kept once (GROUP BY groups rows by their index), the indices of its
// copies mapped to the first by remap.
func (c *flatColumn) dictArray() {
	s := &c.ps
	if s.dictArr != nil {
		s.dictArr.Release()
	}
	s.remap = s.remap[:0]
	seen := make(map[string]uint32, len(s.dictOffs)-1)
	offs := newBuffer(c.f.fill, 4*len(s.dictOffs))
	defer offs.Release()
	o := arrow.GetData[int32](offs.Bytes())
	data := newBuffer(c.f.mem, len(s.dictData)) // strings: see readBytes
	defer data.Release()
	b := data.Bytes()[:0]
	n := 0
	o[0] = 0
	for i := range len(s.dictOffs) - 1 {
		v := s.dictData[s.dictOffs[i]:s.dictOffs[i+1]]
		if j, dup := seen[string(v)]; dup {
			if len(s.remap) == 0 {
				for k := range i {
					s.remap = append(s.remap, uint32(k))
				}
			}
			s.remap = append(s.remap, j)
			continue
		}
		seen[string(v)] = uint32(n)
		if len(s.remap) > 0 {
			s.remap = append(s.remap, uint32(n))
		}
		b = append(b, v...)
		n++
		o[n] = int32(len(b))
	}
	d := array.NewData(c.typ.(*arrow.DictionaryType).ValueType, n, []*memory.Buffer{nil, offs, data}, nil, 0, 0)
	defer d.Release()
	s.dictArr = array.MakeFromData(d)
}

// storeShort stores the first words words of v in d.
func storeShort(d []byte, v *shortValue, words int) {
	d = d[:32:32]
	switch words {
	case 4:
		binary.LittleEndian.PutUint64(d[24:], v.w[3])
		fallthrough
	case 3:
		binary.LittleEndian.PutUint64(d[16:], v.w[2])
		fallthrough
	case 2:
		binary.LittleEndian.PutUint64(d[8:], v.w[1])
		fallthrough
	default:
		binary.LittleEndian.PutUint64(d, v.w[0])
	}
}

// shortValue is a string of at most 32 bytes, zero-padded to 32.
type shortValue struct {
	w [4]uint64
	n int
}

// shortValues returns the dictionary values offs and data as shortValues
// (reusing buf) and the longest one's length, or nil if one is longer
// than 32 bytes.
func shortValues(buf []shortValue, offs []int32, data []byte) ([]shortValue, int) {
	buf = buf[:0]
	longest := 0
	for i := range len(offs) - 1 {
		v := data[offs[i]:offs[i+1]]
		if len(v) > 32 {
			return nil, 0
		}
		longest = max(longest, len(v))
		var b [32]byte
		copy(b[:], v)
		sv := shortValue{n: len(v)}
		for k := range sv.w {
			sv.w[k] = binary.LittleEndian.Uint64(b[8*k:])
		}
		buf = append(buf, sv)
	}
	return buf, longest
}

// load32 loads the first 32 bytes of b, which has them.
func load32(b []byte) [4]uint64 {
	b = b[:32:32]
	return [4]uint64{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]),
		binary.LittleEndian.Uint64(b[16:]), binary.LittleEndian.Uint64(b[24:])}
}

// physWidth is the size of a PLAIN value of the column's physical type,
// 0 for byte arrays.
func (c *flatColumn) physWidth() int {
	switch c.kind {
	case flatInt32, flatFloat32, flatDec32:
		return 4
	case flatInt64, flatFloat64, flatDec64:
		return 8
	case flatDecFixed:
		return c.width
	}
	return 0
}

// widenBigEndian sign-extends the big-endian values of width bytes (1
// to 16) of src into dst.
func widenBigEndian(dst []decimal128.Num, src []byte, width int) {
	src = src[:width*len(dst)]
	for i := range dst {
		lo, hi := bigEndianDecimal(src[width*i : width*(i+1)])
		dst[i] = decimal128.New(int64(hi), lo)
	}
}

// widen32 sign-extends the little-endian INT32 values of src into dst.
func widen32(dst []decimal128.Num, src []byte) {
	src = src[:4*len(dst)]
	for i := range dst {
		v := int64(int32(binary.LittleEndian.Uint32(src[4*i:])))
		dst[i] = decimal128.New(v>>63, uint64(v))
	}
}

// widen64 sign-extends the little-endian INT64 values of src into dst.
func widen64(dst []decimal128.Num, src []byte) {
	src = src[:8*len(dst)]
	for i := range dst {
		v := int64(binary.LittleEndian.Uint64(src[8*i:]))
		dst[i] = decimal128.New(v>>63, uint64(v))
	}
}

// defLevels decodes the next k definition levels of the page into the
// batch's validity bitmap at row at, and returns how many are 1 (rows
// with a value). The bitmap is allocated, for n rows, at the first 0.
func (c *flatColumn) defLevels(k, at, n int, mem memory.Allocator) (int, error) {
	s := &c.ps
	h := &s.defs
	valid := 0
	for got := 0; got < k; {
		if h.left == 0 {
			if err := h.nextRun(); err != nil {
				return 0, err
			}
		}
		m := min(h.left, k-got)
		if h.rle {
			if h.val == 1 {
				valid += m
				if s.vbits != nil {
					bitutil.SetBitsTo(s.vbits, int64(at+got), int64(m), true)
				}
			} else {
				s.nullAt(at+got, n, mem) // the new bitmap's bits from at+got on are 0
			}
		} else {
			ones := bitutil.CountSetBits(h.run, h.pos, m)
			valid += ones
			if ones < m {
				s.nullAt(at+got, n, mem)
			}
			if s.vbits != nil {
				bitutil.CopyBitmap(h.run, h.pos, m, s.vbits, at+got)
			}
			h.pos += m
		}
		h.left -= m
		got += m
	}
	return valid, nil
}

// nullAt allocates the batch's validity bitmap, if it has none yet, with
// the rows before row at valid.
func (s *pageState) nullAt(at, n int, mem memory.Allocator) {
	if s.vbits != nil {
		return
	}
	s.valid = newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	s.vbits = s.valid.Bytes()
	clear(s.vbits)
	bitutil.SetBitsTo(s.vbits, 0, int64(at), true)
}

// indices decodes the dictionary indices of the next m values.
func (s *pageState) indices(m int) ([]uint32, error) {
	s.idxs = grow(s.idxs, m)
	if err := s.idx.decode(s.idxs); err != nil {
		return nil, err
	}
	return s.idxs, nil
}

// errIndex reports a dictionary index past the dictionary's end.
var errIndex = errors.New("dictionary index out of range")

func gather[T any](dst, dict []T, idx []uint32) error {
	for i, x := range idx {
		if int(x) >= len(dict) {
			return errIndex
		}
		dst[i] = dict[x]
	}
	return nil
}

// spreadBits moves the m values packed at the front of out to the rows
// whose bit, from row at on, is set in bits, zeroing the others.
func spreadBits[T any](out []T, m int, bits []byte, at int) {
	var zero T
	j := m - 1
	for i := len(out) - 1; i > j; i-- {
		if bitutil.BitIsSet(bits, at+i) {
			out[i] = out[j]
			j--
		} else {
			out[i] = zero
		}
	}
}

// readPaged reads n rows of a fixed-width or byte-array column from its
// pages.
func (c *flatColumn) readPaged(n int, mem memory.Allocator) (arrow.Array, error) {
	s := &c.ps
	s.valid, s.vbits = nil, nil
	defer func() {
		if s.valid != nil {
			s.valid.Release()
			s.valid, s.vbits = nil, nil
		}
	}()
	switch c.kind {
	case flatBytes:
		return c.readPagedBytes(n, mem)
	case flatDict:
		return c.readPagedDict(n, mem)
	}
	var width int
	switch c.kind {
	case flatInt32, flatFloat32:
		width = 4
	case flatInt64, flatFloat64:
		width = 8
	default:
		width = 16
	}
	vals := newBuffer(mem, width*n)
	defer vals.Release()
	out := vals.Bytes()
	valid, err := c.segments(n, mem, func(at, k, m int) error {
		return c.fixedValues(out[at*width:(at+k)*width], width, m, at)
	})
	if err != nil {
		return nil, err
	}
	return makeArray(c.typ, n, n-valid, s.valid, vals), nil
}

// segments reads n rows page by page: for each run of k rows inside one
// page, starting at row at, it decodes their definition levels into the
// validity bitmap and calls values with the number m of those rows that
// hold a value. It returns the number of rows with a value.
func (c *flatColumn) segments(n int, mem memory.Allocator, values func(at, k, m int) error) (int, error) {
	s := &c.ps
	valid := 0
	for at := 0; at < n; {
		if s.rows == 0 {
			if err := c.nextPage(); err != nil {
				return 0, err
			}
		}
		k := min(n-at, s.rows)
		m := k
		if c.nullable {
			var err error
			if m, err = c.defLevels(k, at, n, mem); err != nil {
				return 0, err
			}
		}
		if err := values(at, k, m); err != nil {
			return 0, err
		}
		s.rows -= k
		at += k
		valid += m
	}
	return valid, nil
}

// fixedValues decodes the next m values of the page into the rows of
// out (elements of width bytes) whose validity bit, from row at on, is
// set.
func (c *flatColumn) fixedValues(out []byte, width, m, at int) error {
	s := &c.ps
	if s.dict {
		idx, err := s.indices(m)
		if err != nil {
			return err
		}
		switch width {
		case 4:
			err = gather(arrow.GetData[uint32](out), s.dict32, idx)
		case 8:
			err = gather(arrow.GetData[uint64](out), s.dict64, idx)
		default:
			err = gather(arrow.GetData[decimal128.Num](out), s.dict128, idx)
		}
		if err != nil {
			return err
		}
	} else {
		pw := c.physWidth()
		if m > len(s.plain)/pw {
			return errors.New("data page shorter than its values")
		}
		switch c.kind {
		case flatDec32:
			widen32(arrow.GetData[decimal128.Num](out)[:m], s.plain)
		case flatDec64:
			widen64(arrow.GetData[decimal128.Num](out)[:m], s.plain)
		case flatDecFixed:
			widenBigEndian(arrow.GetData[decimal128.Num](out)[:m], s.plain, pw)
		default:
			copy(out, s.plain[:m*pw])
		}
		s.plain = s.plain[m*pw:]
	}
	if m < len(out)/width {
		switch width {
		case 4:
			spreadBits(arrow.GetData[uint32](out), m, s.vbits, at)
		case 8:
			spreadBits(arrow.GetData[uint64](out), m, s.vbits, at)
		default:
			spreadBits(arrow.GetData[decimal128.Num](out), m, s.vbits, at)
		}
	}
	return nil
}

// readPagedBytes reads n rows of a byte-array column from its pages,
// copying each value once, from the page or the dictionary to the data
// buffer (see readBytes for its size and allocator).
func (c *flatColumn) readPagedBytes(n int, mem memory.Allocator) (arrow.Array, error) {
	s := &c.ps
	offBuf := newBuffer(mem, 4*(n+1))
	defer offBuf.Release()
	offs := arrow.GetData[int32](offBuf.Bytes())[:n+1]
	out := newByteSink(c.f.mem, c.estimateBytes(n))
	defer out.release()
	offs[0] = 0
	valid, err := c.segments(n, mem, func(at, k, m int) error {
		if s.dict {
			return c.dictBytes(out, offs[at+1:at+k+1], m, at)
		}
		return c.plainBytes(out, offs[at+1:at+k+1], m, at)
	})
	if err != nil {
		return nil, err
	}
	c.bytesPerRow = float64(out.pos) / float64(n)
	dataBuf := out.finish(c.f.mem)
	defer dataBuf.Release()
	d := array.NewData(c.typ, n, []*memory.Buffer{s.valid, offBuf, dataBuf}, nil, n-valid, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

// estimateBytes is the string data expected for n rows: as many bytes
// per row as the batches before, and some.
func (c *flatColumn) estimateBytes(n int) int {
	if c.bytesPerRow > 0 {
		return int(c.bytesPerRow*1.1*float64(n)) + 256
	}
	return 32 * n
}

// plainBytes copies the next m PLAIN values of the page to the data
// buffer, writing the end offsets of len(ends) rows whose validity bits
// start at row at.
func (c *flatColumn) plainBytes(out *byteSink, ends []int32, m, at int) error {
	s := &c.ps
	p := s.plain
	dense := m == len(ends)
	for i := range ends {
		if dense || bitutil.BitIsSet(s.vbits, at+i) {
			if len(p) < 4 {
				return errors.New("data page shorter than its values")
			}
			l := binary.LittleEndian.Uint32(p)
			if uint64(l) > uint64(len(p)-4) {
				return errors.New("data page shorter than its values")
			}
			if l <= 32 && len(p) >= 36 && len(out.data)-out.pos >= 32 {
				// Short: copied as 32 bytes, the excess overwritten
				// by the next value.
				sv := shortValue{w: load32(p[4:])}
				storeShort(out.data[out.pos:], &sv, 4)
				out.pos += int(l)
				p = p[4+l:]
			} else {
				v := p[4 : 4+l]
				p = p[4+l:]
				if len(v) > len(out.data)-out.pos {
					if err := out.grow(len(v)); err != nil {
						return err
					}
				}
				out.pos += copy(out.data[out.pos:], v)
			}
		}
		ends[i] = int32(out.pos)
	}
	s.plain = p
	return nil
}

// dictBytes copies the dictionary values of the next m indices of the
// page to the data buffer, as plainBytes.
func (c *flatColumn) dictBytes(out *byteSink, ends []int32, m, at int) error {
	s := &c.ps
	idx, err := s.indices(m)
	if err != nil {
		return err
	}
	dense := m == len(ends)
	if s.short != nil {
		return c.dictShortBytes(out, ends, idx, dense, at)
	}
	offs, data := s.dictOffs, s.dictData
	j := 0
	for i := range ends {
		if dense || bitutil.BitIsSet(s.vbits, at+i) {
			x := idx[j]
			j++
			if int(x) >= len(offs)-1 {
				return errIndex
			}
			v := data[offs[x]:offs[x+1]]
			if len(v) > len(out.data)-out.pos {
				if err := out.grow(len(v)); err != nil {
					return err
				}
			}
			out.pos += copy(out.data[out.pos:], v)
		}
		ends[i] = int32(out.pos)
	}
	return nil
}

// dictShortBytes is dictBytes for a dictionary of short strings: the
// data buffer is made large enough for the values, and 32 bytes, once,
// and each value stored as the padded words the longest value needs, the
// padding overwritten by the next.
func (c *flatColumn) dictShortBytes(out *byteSink, ends []int32, idx []uint32, dense bool, at int) error {
	s := &c.ps
	short := s.short
	if need := s.shortMax*len(idx) + 32; len(out.data)-out.pos < need {
		// Maybe short of room: count the bytes exactly rather than grow
		// the buffer (a copy) for values at their longest.
		need = 32
		for _, x := range idx {
			if int(x) >= len(short) {
				return errIndex
			}
			need += short[x].n
		}
		if len(out.data)-out.pos < need {
			if err := out.grow(need); err != nil {
				return err
			}
		}
	}
	d, pos := out.data, out.pos
	words := (s.shortMax + 7) / 8 // eight-byte stores a value needs
	// Rows without NULLs get a loop of their own: it takes a third less
	// time than asking each row's validity (BenchmarkScanLineitemSF1).
	if dense {
		ends = ends[:len(idx)]
		for i, x := range idx {
			if int(x) >= len(short) {
				return errIndex
			}
			v := &short[x]
			storeShort(d[pos:pos+32:pos+32], v, words)
			pos += v.n
			ends[i] = int32(pos)
		}
	} else {
		j := 0
		for i := range ends {
			if bitutil.BitIsSet(s.vbits, at+i) {
				x := idx[j]
				j++
				if int(x) >= len(short) {
					return errIndex
				}
				v := &short[x]
				storeShort(d[pos:pos+32:pos+32], v, words)
				pos += v.n
			}
			ends[i] = int32(pos)
		}
	}
	out.pos = pos
	return nil
}

// readPagedDict reads n rows of a dictionary-encoded string column as an
// Arrow dictionary array: the indices unpacked straight into its indices
// buffer, the dictionary the chunk's.
func (c *flatColumn) readPagedDict(n int, mem memory.Allocator) (arrow.Array, error) {
	s := &c.ps
	idxBuf := newBuffer(mem, 4*n)
	defer idxBuf.Release()
	out := arrow.GetData[uint32](idxBuf.Bytes())[:n]
	valid, err := c.segments(n, mem, func(at, k, m int) error {
		if !s.dict {
			return errors.New("PLAIN page in a column chunk read as a dictionary")
		}
		seg := out[at : at+k]
		if err := s.idx.decode(seg[:m]); err != nil {
			return err
		}
		if len(s.remap) > 0 {
			for i, x := range seg[:m] {
				if int(x) >= len(s.remap) {
					return errIndex
				}
				seg[i] = s.remap[x]
			}
		} else {
			size := uint32(s.dictArr.Len())
			for _, x := range seg[:m] {
				if x >= size {
					return errIndex
				}
			}
		}
		if m < k {
			spreadBits(seg, m, s.vbits, at)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	indices := makeArray(arrow.PrimitiveTypes.Int32, n, n-valid, s.valid, idxBuf)
	defer indices.Release()
	return array.NewDictionaryArray(c.typ, indices, s.dictArr), nil
}
