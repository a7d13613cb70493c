package membudget

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// BatchBytes is the memory a batch's rows occupy: the sum of ArrayBytes
// over its columns.
func BatchBytes(b arrow.RecordBatch) int64 {
	var n int64
	for _, c := range b.Columns() {
		n += ArrayBytes(c)
	}
	return n
}

// ArrayBytes is the memory an array's rows occupy. For slices it counts
// only the sliced rows, not the whole shared buffers: operators retain
// slices of one big batch (an aggregate's output, say), and counting the
// buffer once per slice would overstate their memory many times.
func ArrayBytes(a arrow.Array) int64 { return dataBytes(a.Data()) }

func dataBytes(d arrow.ArrayData) int64 {
	n, off := int64(d.Len()), d.Offset()
	bufs := d.Buffers()
	var s int64
	if len(bufs) > 0 && bufs[0] != nil {
		s += (n + 7) / 8
	}
	switch dt := d.DataType().(type) {
	case *arrow.DictionaryType:
		s += n * int64(dt.IndexType.(arrow.FixedWidthDataType).BitWidth()) / 8
		if dict := d.Dictionary(); dict != nil {
			s += dataBytes(dict)
		}
		return s
	case *arrow.BooleanType:
		return s + (n+7)/8
	case *arrow.StringType, *arrow.BinaryType:
		if len(bufs) < 3 || bufs[1] == nil {
			return s
		}
		o := arrow.Int32Traits.CastFromBytes(bufs[1].Bytes())
		if off+int(n) < len(o) {
			s += int64(o[off+int(n)] - o[off])
		}
		return s + 4*(n+1)
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		if len(bufs) < 3 || bufs[1] == nil {
			return s
		}
		o := arrow.Int64Traits.CastFromBytes(bufs[1].Bytes())
		if off+int(n) < len(o) {
			s += o[off+int(n)] - o[off]
		}
		return s + 8*(n+1)
	case arrow.FixedWidthDataType:
		return s + n*int64(dt.BitWidth())/8
	}
	// Nested and other layouts: every buffer and child, whole.
	for _, b := range bufs[min(1, len(bufs)):] {
		if b != nil {
			s += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		if c != nil {
			s += dataBytes(c)
		}
	}
	return s
}
