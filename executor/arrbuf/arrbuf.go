// Package arrbuf owns typed access to the buffers of Arrow arrays: the
// validity bitmap, fixed-width values as Go slices, the offsets and bytes
// of binary and list arrays, boolean value bits, and building an array
// from buffers. The operators (executor/ops) and the gathering of rows
// (executor/gather) read and build arrays through it.
package arrbuf

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Validity reads the validity bitmap of an array; Bits == nil means every
// value is valid.
type Validity struct {
	Bits []byte
	Off  int
}

// ValidityOf returns arr's validity.
func ValidityOf(arr arrow.Array) Validity {
	if arr.NullN() == 0 {
		return Validity{}
	}
	d := arr.Data()
	if b := d.Buffers()[0]; b != nil {
		return Validity{Bits: b.Bytes(), Off: d.Offset()}
	}
	return Validity{}
}

// OK reports whether value i is not NULL.
func (v Validity) OK(i int) bool {
	return v.Bits == nil || bitutil.BitIsSet(v.Bits, v.Off+i)
}

// SizeOf is the size in bytes of a T.
func SizeOf[T any]() uintptr {
	var z T
	return unsafe.Sizeof(z)
}

// SliceOf reinterprets b as []T (len(b)/sizeof(T) elements).
func SliceOf[T any](b []byte) []T {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(SizeOf[T]()))
}

// Values reinterprets the values buffer of a fixed-width array as []T,
// honouring the array's offset. T must have the array's value width.
func Values[T any](arr arrow.Array) []T {
	d := arr.Data()
	if d.Len() == 0 || len(d.Buffers()) < 2 || d.Buffers()[1] == nil {
		return nil
	}
	all := SliceOf[T](d.Buffers()[1].Bytes())
	return all[d.Offset() : d.Offset()+d.Len()]
}

// Offsets returns the len+1 offsets of a binary/string/list array.
func Offsets[O int32 | int64](arr arrow.Array) []O {
	d := arr.Data()
	if d.Buffers()[1] == nil || d.Buffers()[1].Len() == 0 {
		return make([]O, d.Len()+1)
	}
	all := SliceOf[O](d.Buffers()[1].Bytes())
	return all[d.Offset() : d.Offset()+d.Len()+1]
}

// Data returns the value bytes buffer of a binary/string array.
func Data(arr arrow.Array) []byte {
	d := arr.Data()
	if len(d.Buffers()) < 3 || d.Buffers()[2] == nil {
		return nil
	}
	return d.Buffers()[2].Bytes()
}

// BoolBits returns the value bitmap of a boolean array and its bit
// offset; nil when the array has no values buffer.
func BoolBits(arr arrow.Array) ([]byte, int) {
	d := arr.Data()
	if len(d.Buffers()) < 2 || d.Buffers()[1] == nil {
		return nil, 0
	}
	return d.Buffers()[1].Bytes(), d.Offset()
}

// NewBuffer allocates a buffer of n bytes from mem.
func NewBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	return b
}

// MakeArray builds an array from buffers it takes ownership of.
func MakeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, children []arrow.ArrayData, nulls int) arrow.Array {
	d := array.NewData(dt, n, bufs, children, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	a := array.MakeFromData(d)
	d.Release()
	return a
}
