package expr

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/sqltypes"
)

// Low-level plumbing shared by the kernels: typed views of Arrow buffers,
// output buffers taken from the query allocator, and validity bitmaps.
// Every output bitmap starts at bit offset 0; inputs may be sliced.

// fixedT lists the Go types of fixed-width Arrow values the kernels use.
type fixedT interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint32 | ~uint64 | ~float32 | ~float64 |
		decimal128.Num | arrow.MonthDayNanoInterval | [16]byte
}

// values returns the value buffer of a fixed-width array as []T, adjusted
// for the array's offset. It returns nil for an empty array.
func values[T fixedT](a arrow.Array) []T {
	d := a.Data()
	bufs := d.Buffers()
	if len(bufs) < 2 || bufs[1] == nil || d.Len() == 0 {
		return nil
	}
	b := bufs[1].Bytes()
	var z T
	all := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(z)))
	return all[d.Offset() : d.Offset()+d.Len()]
}

// allocFixed allocates an uninitialized buffer for n values of T.
func allocFixed[T fixedT](mem memory.Allocator, n int) (*memory.Buffer, []T) {
	var z T
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(z)))
	if n == 0 {
		return buf, nil
	}
	return buf, unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(buf.Bytes()))), n)
}

// allocBitmap allocates a zeroed bitmap for n bits.
func allocBitmap(mem memory.Allocator, n int) (*memory.Buffer, []byte) {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	b := buf.Bytes()
	clear(b)
	return buf, b
}

// bitmapOf returns a's validity bitmap and bit offset, or nil if a has no
// nulls (so callers can take the no-null fast path).
func bitmapOf(a arrow.Array) ([]byte, int) {
	if a.NullN() == 0 {
		return nil, 0
	}
	return a.NullBitmapBytes(), a.Data().Offset()
}

// validAt reports whether bit i of a validity bitmap (nil = all valid) is set.
func validAt(bm []byte, off, i int) bool {
	return bm == nil || bitutil.BitIsSet(bm, off+i)
}

// andValidity returns the AND of the arrays' validity as a new bitmap at
// offset 0, or nil when every input is free of nulls.
func andValidity(mem memory.Allocator, n int, arrs ...arrow.Array) *memory.Buffer {
	var out *memory.Buffer
	var ob []byte
	for _, a := range arrs {
		if a.NullN() == 0 {
			continue
		}
		if a.DataType().ID() == arrow.NULL {
			if out == nil {
				out, ob = allocBitmap(mem, n)
			}
			clear(ob)
			continue
		}
		bm, off := a.NullBitmapBytes(), a.Data().Offset()
		if out == nil {
			out, ob = allocBitmap(mem, n)
			bitutil.CopyBitmap(bm, off, n, ob, 0)
			continue
		}
		bitutil.BitmapAnd(ob, bm, 0, int64(off), ob, 0, int64(n))
	}
	return out
}

// copyBitmap copies a bitmap slice into a new buffer at offset 0.
func copyBitmap(mem memory.Allocator, bm []byte, off, n int) *memory.Buffer {
	out, ob := allocBitmap(mem, n)
	bitutil.CopyBitmap(bm, off, n, ob, 0)
	return out
}

// finish wraps buffers into an array of type dt, taking over the caller's
// references to bufs (nil entries allowed). bufs[0] is the validity bitmap.
func finish(dt arrow.DataType, n int, bufs ...*memory.Buffer) arrow.Array {
	nulls := 0
	if bufs[0] != nil {
		nulls = array.UnknownNullCount
	}
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	return arr
}

// releaseAll releases every non-nil array.
func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

// strView reads a String or Binary array without copying.
type strView struct {
	offs []int32
	data []byte
}

func viewOf(a arrow.Array) strView {
	d := a.Data()
	bufs := d.Buffers()
	if d.Len() == 0 || len(bufs) < 3 || bufs[1] == nil {
		return strView{offs: make([]int32, d.Len()+1)}
	}
	offs := arrow.GetData[int32](bufs[1].Bytes())[d.Offset() : d.Offset()+d.Len()+1]
	var data []byte
	if bufs[2] != nil {
		data = bufs[2].Bytes()
	}
	return strView{offs: offs, data: data}
}

// bytes returns value i; the slice aliases the array's buffer.
func (v strView) bytes(i int) []byte { return v.data[v.offs[i]:v.offs[i+1]:v.offs[i+1]] }

// str returns value i as a string that aliases the array's buffer; it
// must not outlive the array.
func (v strView) str(i int) string {
	b := v.data[v.offs[i]:v.offs[i+1]]
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// strOut builds a String/Binary array in allocator memory, one value per
// row in order.
// maxStrBatch is the most string data one batch's column can hold: Arrow
// string arrays have int32 offsets.
const maxStrBatch = 1<<31 - 1

func errStrBatch(n int) error {
	return sqltypes.New(sqltypes.CodeProgramLimitExceeded, "string result of %d bytes exceeds the 2 GB batch limit", n)
}

type strOut struct {
	mem   memory.Allocator
	offsB *memory.Buffer
	offs  []int32
	dataB *memory.Buffer
	data  []byte // dataB's full capacity
	n     int    // bytes used
	row   int
	valid *memory.Buffer
	vb    []byte
}

func newStrOut(mem memory.Allocator, rows, est int) *strOut {
	s := &strOut{mem: mem}
	s.offsB, s.offs = allocFixed[int32](mem, rows+1)
	s.offs[0] = 0
	s.dataB = memory.NewResizableBuffer(mem)
	s.dataB.Reserve(max(est, 64))
	s.data = s.dataB.Buf()
	return s
}

func (s *strOut) grow(extra int) {
	if s.n+extra <= len(s.data) {
		return
	}
	s.dataB.ResizeNoShrink(s.n)
	s.dataB.Reserve(max(2*len(s.data), s.n+extra))
	s.data = s.dataB.Buf()
}

// add appends b as the next row's value.
func (s *strOut) add(b []byte) {
	s.grow(len(b))
	s.n += copy(s.data[s.n:], b)
	if s.vb != nil {
		bitutil.SetBit(s.vb, s.row)
	}
	s.row++
	s.offs[s.row] = int32(s.n)
}

// addNull appends a NULL row.
func (s *strOut) addNull() {
	if s.valid == nil {
		s.valid, s.vb = allocBitmap(s.mem, len(s.offs)-1)
		bitutil.SetBitsTo(s.vb, 0, int64(s.row), true)
	}
	s.row++
	s.offs[s.row] = int32(s.n)
}

// finish returns the array; rows not yet added are errors in the caller.
func (s *strOut) finish(dt arrow.DataType) (arrow.Array, error) {
	if s.n > maxStrBatch {
		s.release()
		return nil, errStrBatch(s.n)
	}
	s.dataB.ResizeNoShrink(s.n)
	return finish(dt, len(s.offs)-1, s.valid, s.offsB, s.dataB), nil
}

func (s *strOut) release() {
	for _, b := range []*memory.Buffer{s.offsB, s.dataB, s.valid} {
		if b != nil {
			b.Release()
		}
	}
}
