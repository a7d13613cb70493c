package ops

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Normalized sort keys: every row's sort key is encoded into bytes whose
// bytewise order (bytes.Compare) is the sort order, so rows from different
// batches compare without per-type dispatch (TopN keeps them in a heap).
//
// Per key column: one flag byte (0 NULL-first, 1 value, 2 NULL-last; not
// inverted by DESC), then for non-NULL values an order-preserving,
// prefix-free encoding that DESC inverts bitwise: integers big-endian with
// the sign bit flipped, floats IEEE bits transformed (NaN greatest, -0 = 0),
// decimals and intervals as 128-bit integers, strings with 0x00 escaped as
// 0x00 0x01 and terminated by 0x00 0x00, arrays as their elements' keys
// (listkeys.go) terminated by 0x00, variable-scale numerics as varnumkeys.go
// says, also terminated by 0x00.

// keyEncoder appends the encoded key of every row of arr to per-row
// cursors into one buffer.
type keyEncoder struct {
	arr   arrow.Array
	v     validity
	desc  bool
	nf    byte          // flag of a NULL
	lists *listEncoding // of a list array: its values' encodings
}

func newKeyEncoder(arr arrow.Array, k SortKey) (*keyEncoder, error) {
	if !keyTypeOK(arr.DataType()) {
		return nil, errKeyType("ordering", arr.DataType())
	}
	e := &keyEncoder{arr: arr, v: validityOf(arr), desc: k.Desc, nf: 2}
	if k.NullsFirst {
		e.nf = 0
	}
	if arr.DataType().ID() == arrow.NULL {
		e.v = validity{Bits: make([]byte, (arr.Len()+7)/8)} // all NULL
	}
	if encodedKey(arr.DataType()) {
		lists, err := keyEncoding(arr)
		if err != nil {
			return nil, err
		}
		e.lists = &lists
	}
	return e, nil
}

// addSizes adds the encoded size of every row to sizes.
func (e *keyEncoder) addSizes(sizes []int) {
	w := e.width()
	if w >= 0 {
		for i := range sizes {
			if e.v.OK(i) {
				sizes[i] += 1 + w
			} else {
				sizes[i]++
			}
		}
		return
	}
	if e.lists != nil {
		for i := range sizes {
			sizes[i]++
			if e.v.OK(i) {
				sizes[i] += len(e.lists.row(i)) + 1 // + the closing 0
			}
		}
		return
	}
	bv := binaryAccessor(e.arr)
	for i := range sizes {
		sizes[i]++
		if e.v.OK(i) {
			b := bv(i)
			sizes[i] += len(b) + 2
			for _, c := range b {
				if c == 0 {
					sizes[i]++
				}
			}
		}
	}
}

// width is the encoded value width of fixed-width types, or -1.
func (e *keyEncoder) width() int {
	switch e.arr.DataType().ID() {
	case arrow.NULL:
		return 0
	case arrow.BOOL:
		return 1
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.LIST, arrow.LARGE_LIST, arrow.STRUCT:
		return -1
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return 16
	}
	return e.arr.DataType().(arrow.FixedWidthDataType).BitWidth() / 8
}

// encode writes row i's key at buf[pos[i]:] and advances pos[i].
func (e *keyEncoder) encode(buf []byte, pos []int) {
	put := e.putter()
	for i := range pos {
		p := pos[i]
		if !e.v.OK(i) {
			buf[p] = e.nf
			pos[i] = p + 1
			continue
		}
		buf[p] = 1
		n := put(i, buf[p+1:])
		if e.desc {
			invert(buf[p+1 : p+1+n])
		}
		pos[i] = p + 1 + n
	}
}

// putter returns a function that writes the ascending encoding of the
// non-NULL value i into dst and returns its length.
func (e *keyEncoder) putter() func(i int, dst []byte) int {
	a := e.arr
	switch a.DataType().ID() {
	case arrow.NULL:
		return func(int, []byte) int { return 0 }
	case arrow.BOOL:
		bits, off := boolBits(a)
		return func(i int, dst []byte) int { dst[0] = byte(bitVal(bits, off+i)); return 1 }
	case arrow.INT8:
		d := fixedVals[int8](a)
		return func(i int, dst []byte) int { dst[0] = byte(d[i]) ^ 0x80; return 1 }
	case arrow.INT16:
		d := fixedVals[int16](a)
		return func(i int, dst []byte) int { binary.BigEndian.PutUint16(dst, uint16(d[i])^0x8000); return 2 }
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		d := fixedVals[int32](a)
		return func(i int, dst []byte) int { binary.BigEndian.PutUint32(dst, uint32(d[i])^0x80000000); return 4 }
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME64, arrow.DURATION:
		d := fixedVals[int64](a)
		return func(i int, dst []byte) int { binary.BigEndian.PutUint64(dst, uint64(d[i])^(1<<63)); return 8 }
	case arrow.UINT8:
		d := fixedVals[uint8](a)
		return func(i int, dst []byte) int { dst[0] = d[i]; return 1 }
	case arrow.UINT16:
		d := fixedVals[uint16](a)
		return func(i int, dst []byte) int { binary.BigEndian.PutUint16(dst, d[i]); return 2 }
	case arrow.UINT32:
		d := fixedVals[uint32](a)
		return func(i int, dst []byte) int { binary.BigEndian.PutUint32(dst, d[i]); return 4 }
	case arrow.UINT64:
		d := fixedVals[uint64](a)
		return func(i int, dst []byte) int { binary.BigEndian.PutUint64(dst, d[i]); return 8 }
	case arrow.FLOAT32:
		d := fixedVals[float32](a)
		return func(i int, dst []byte) int {
			b := normFloat32(d[i])
			if b>>31 != 0 {
				b = ^b
			} else {
				b ^= 1 << 31
			}
			binary.BigEndian.PutUint32(dst, b)
			return 4
		}
	case arrow.FLOAT64:
		d := fixedVals[float64](a)
		return func(i int, dst []byte) int {
			b := normFloat64(d[i])
			if b>>63 != 0 {
				b = ^b
			} else {
				b ^= 1 << 63
			}
			binary.BigEndian.PutUint64(dst, b)
			return 8
		}
	case arrow.DECIMAL128:
		d := fixedVals[decimal128.Num](a)
		return func(i int, dst []byte) int { putInt128(dst, d[i]); return 16 }
	case arrow.INTERVAL_MONTH_DAY_NANO:
		d := fixedVals[arrow.MonthDayNanoInterval](a)
		return func(i int, dst []byte) int { putInt128(dst, intervalSpan(d[i])); return 16 }
	case arrow.FIXED_SIZE_BINARY:
		w := e.width()
		dd := a.Data()
		data := dd.Buffers()[1].Bytes()[dd.Offset()*w:]
		return func(i int, dst []byte) int { return copy(dst, data[i*w:(i+1)*w]) }
	case arrow.LIST, arrow.LARGE_LIST, arrow.STRUCT:
		// Element (and variable-scale numeric) encodings start with a flag byte >= 1, so the closing 0
		// keeps the encoding prefix-free.
		return func(i int, dst []byte) int {
			n := copy(dst, e.lists.row(i))
			dst[n] = 0
			return n + 1
		}
	}
	bv := binaryAccessor(a)
	return func(i int, dst []byte) int {
		n := 0
		for _, c := range bv(i) {
			dst[n] = c
			n++
			if c == 0 {
				dst[n] = 1
				n++
			}
		}
		dst[n], dst[n+1] = 0, 0
		return n + 2
	}
}

func invert(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

func putInt128(b []byte, n decimal128.Num) {
	binary.BigEndian.PutUint64(b, uint64(n.HighBits())^(1<<63))
	binary.BigEndian.PutUint64(b[8:], n.LowBits())
}

// binaryAccessor returns a function giving the bytes of row i of a (large)
// string/binary array.
func binaryAccessor(arr arrow.Array) func(i int) []byte {
	data := dataBytes(arr)
	switch arr.DataType().ID() {
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		o := offsetsOf[int64](arr)
		return func(i int) []byte { return data[o[i]:o[i+1]] }
	}
	o := offsetsOf[int32](arr)
	return func(i int) []byte { return data[o[i]:o[i+1]] }
}

// keyScratch holds reusable buffers of encodeRowKeys. buf may be reused
// only when no key from the previous call is still referenced.
type keyScratch struct {
	sizes, offs []int
	buf         []byte
}

// encodeRowKeys encodes the sort keys of n rows, each followed by the
// 8-byte big-endian sequence number seq+i (which makes keys unique and the
// order stable), or seq+rows[i] when the rows are a selection of a batch
// whose positions rows holds. It returns one arena and n+1 offsets into
// it, both backed by sc.
func encodeRowKeys(sc *keyScratch, keys []arrow.Array, specs []SortKey, n int, seq uint64, rows []int32) ([]byte, []int, error) {
	sizes := growTo(sc.sizes[:0], n)[:n]
	clear(sizes)
	encs := make([]*keyEncoder, len(keys))
	for c, k := range keys {
		e, err := newKeyEncoder(k, specs[c])
		if err != nil {
			return nil, nil, err
		}
		e.addSizes(sizes)
		encs[c] = e
	}
	offs := growTo(sc.offs[:0], n+1)[:n+1]
	offs[0] = 0
	for i, s := range sizes {
		offs[i+1] = offs[i] + s + 8
	}
	buf := growTo(sc.buf[:0], offs[n])[:offs[n]]
	pos := sizes // reuse as cursors
	copy(pos, offs[:n])
	for _, e := range encs {
		e.encode(buf, pos)
	}
	for i, p := range pos {
		r := uint64(i)
		if rows != nil {
			r = uint64(rows[i])
		}
		binary.BigEndian.PutUint64(buf[p:], seq+r)
	}
	sc.sizes, sc.offs, sc.buf = sizes, offs, buf
	return buf, offs, nil
}
