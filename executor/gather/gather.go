// Package gather owns taking rows of Arrow arrays by index (arr[idx[k]]
// for every k, idx[k] < 0 giving NULL) with typed loops: fixed-width
// values of any width (16-byte intervals and decimals included, which
// arrow compute's take lacks), booleans, strings, lists, structs and
// dictionaries, recursing into nested values. Operators and expression
// kernels both gather through it.
package gather

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor/arrbuf"
	"github.com/meshql/meshql/sqltypes"
)

// Array gathers arr[idx[k]] for every k into a new array allocated
// from mem; idx[k] < 0 yields NULL. Indices must be in range (they come
// from the executor, never from user input). Fixed-width, boolean,
// binary/string and list arrays use typed loops; other types fall back to
// arrow compute's take.
func Array(mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	dt := arr.DataType()
	n := len(idx)
	switch dt.ID() {
	case arrow.NULL:
		return array.NewNull(n), nil
	case arrow.BOOL:
		return takeBool(mem, arr, idx), nil
	case arrow.STRING, arrow.BINARY:
		return takeBinary[int32](mem, arr, idx)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return takeBinary[int64](mem, arr, idx)
	case arrow.LIST:
		return takeList[int32](mem, arr, idx)
	case arrow.LARGE_LIST:
		return takeList[int64](mem, arr, idx)
	case arrow.DICTIONARY:
		if d, ok := arr.(*array.Dictionary); ok {
			return takeDictionary(mem, d, idx)
		}
		return takeFallback(mem, arr, idx)
	case arrow.STRUCT:
		return takeStruct(mem, arr.(*array.Struct), idx)
	case arrow.EXTENSION, arrow.MAP, arrow.FIXED_SIZE_LIST,
		arrow.SPARSE_UNION, arrow.DENSE_UNION, arrow.RUN_END_ENCODED, arrow.STRING_VIEW, arrow.BINARY_VIEW,
		arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW:
		return takeFallback(mem, arr, idx)
	}
	fw, ok := dt.(arrow.FixedWidthDataType)
	if !ok || fw.BitWidth()%8 != 0 {
		return takeFallback(mem, arr, idx)
	}
	w := fw.BitWidth() / 8
	vals := arrbuf.NewBuffer(mem, n*w)
	switch w {
	case 1:
		takeFixed(arrbuf.Values[uint8](arr), arrbuf.SliceOf[uint8](vals.Bytes()), idx)
	case 2:
		takeFixed(arrbuf.Values[uint16](arr), arrbuf.SliceOf[uint16](vals.Bytes()), idx)
	case 4:
		takeFixed(arrbuf.Values[uint32](arr), arrbuf.SliceOf[uint32](vals.Bytes()), idx)
	case 8:
		takeFixed(arrbuf.Values[uint64](arr), arrbuf.SliceOf[uint64](vals.Bytes()), idx)
	case 16:
		takeFixed(arrbuf.Values[[2]uint64](arr), arrbuf.SliceOf[[2]uint64](vals.Bytes()), idx)
	default:
		d := arr.Data()
		src := d.Buffers()[1].Bytes()[d.Offset()*w:]
		dst := vals.Bytes()
		for k, i := range idx {
			if i >= 0 {
				copy(dst[k*w:(k+1)*w], src[int(i)*w:int(i+1)*w])
			} else {
				clear(dst[k*w : (k+1)*w])
			}
		}
	}
	valid, nulls := takeValidity(mem, arr, idx)
	return arrbuf.MakeArray(dt, n, []*memory.Buffer{valid, vals}, nil, nulls), nil
}

// fixedSliceOf reinterprets a byte buffer as []T.
func takeFixed[T any](src, dst []T, idx []int32) {
	dst = dst[:len(idx)]
	var z T
	for k, i := range idx {
		if i >= 0 {
			dst[k] = src[i]
		} else {
			dst[k] = z
		}
	}
}

// takeValidity builds the output validity bitmap of a take.
func takeValidity(mem memory.Allocator, arr arrow.Array, idx []int32) (*memory.Buffer, int) {
	v := arrbuf.ValidityOf(arr)
	if v.Bits == nil {
		neg := false
		for _, i := range idx {
			if i < 0 {
				neg = true
				break
			}
		}
		if !neg {
			return nil, 0
		}
	}
	buf := arrbuf.NewBuffer(mem, int(bitutil.BytesForBits(int64(len(idx)))))
	out := buf.Bytes()
	clear(out)
	nulls := 0
	for k, i := range idx {
		if i >= 0 && (v.Bits == nil || bitutil.BitIsSet(v.Bits, v.Off+int(i))) {
			out[k>>3] |= 1 << (k & 7)
		} else {
			nulls++
		}
	}
	if nulls == 0 {
		buf.Release()
		return nil, 0
	}
	return buf, nulls
}

func takeBool(mem memory.Allocator, arr arrow.Array, idx []int32) arrow.Array {
	n := len(idx)
	src, off := arrbuf.BoolBits(arr)
	vals := arrbuf.NewBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	dst := vals.Bytes()
	clear(dst)
	for k, i := range idx {
		if i >= 0 && src != nil && bitutil.BitIsSet(src, off+int(i)) {
			bitutil.SetBit(dst, k)
		}
	}
	valid, nulls := takeValidity(mem, arr, idx)
	return arrbuf.MakeArray(arr.DataType(), n, []*memory.Buffer{valid, vals}, nil, nulls)
}

func takeBinary[O int32 | int64](mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	n := len(idx)
	offs := arrbuf.Offsets[O](arr)
	data := arrbuf.Data(arr)
	var total int64
	for _, i := range idx {
		if i >= 0 {
			total += int64(offs[i+1] - offs[i])
		}
	}
	var z O
	if _, small := any(z).(int32); small && total > math.MaxInt32 {
		return nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "string column of a batch exceeds 2 GB")
	}
	ob := arrbuf.NewBuffer(mem, (n+1)*int(arrbuf.SizeOf[O]()))
	vb := arrbuf.NewBuffer(mem, int(total))
	oo := arrbuf.SliceOf[O](ob.Bytes())[: n+1 : n+1]
	dst := vb.Bytes()
	var pos O
	oo[0] = 0
	for k, i := range idx {
		if i >= 0 {
			s, e := offs[i], offs[i+1]
			copy(dst[pos:], data[s:e])
			pos += e - s
		}
		oo[k+1] = pos
	}
	valid, nulls := takeValidity(mem, arr, idx)
	return arrbuf.MakeArray(arr.DataType(), n, []*memory.Buffer{valid, ob, vb}, nil, nulls), nil
}

func takeList[O int32 | int64](mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	n := len(idx)
	offs := arrbuf.Offsets[O](arr)
	var total int64
	for _, i := range idx {
		if i >= 0 {
			total += int64(offs[i+1] - offs[i])
		}
	}
	if total > math.MaxInt32 {
		return nil, sqltypes.New(sqltypes.CodeProgramLimitExceeded, "array column of a batch has too many elements")
	}
	child := make([]int32, 0, total)
	ob := arrbuf.NewBuffer(mem, (n+1)*int(arrbuf.SizeOf[O]()))
	oo := arrbuf.SliceOf[O](ob.Bytes())[: n+1 : n+1]
	oo[0] = 0
	for k, i := range idx {
		if i >= 0 {
			for j := offs[i]; j < offs[i+1]; j++ {
				child = append(child, int32(j))
			}
		}
		oo[k+1] = O(len(child))
	}
	values := arr.(array.ListLike).ListValues()
	taken, err := Array(mem, values, child)
	if err != nil {
		ob.Release()
		return nil, err
	}
	defer taken.Release()
	valid, nulls := takeValidity(mem, arr, idx)
	return arrbuf.MakeArray(arr.DataType(), n, []*memory.Buffer{valid, ob}, []arrow.ArrayData{taken.Data()}, nulls), nil
}

// takeFallback uses arrow compute's take, with NULL indices for idx < 0.
func takeFallback(mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.Reserve(len(idx))
	for _, i := range idx {
		if i < 0 {
			ib.AppendNull()
		} else {
			ib.UnsafeAppend(i)
		}
	}
	ia := ib.NewArray()
	defer ia.Release()
	out, err := compute.TakeArray(compute.WithAllocator(context.Background(), mem), arr, ia)
	if err != nil {
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "cannot gather values of type %s: %v", arr.DataType(), err)
	}
	return out, nil
}

// takeDictionary gathers rows of a dictionary array by gathering its
// codes: the dictionary itself is shared, not copied, so a filter over a
// dictionary-encoded scan keeps the strings encoded.
func takeDictionary(mem memory.Allocator, arr *array.Dictionary, idx []int32) (arrow.Array, error) {
	codes, err := Array(mem, arr.Indices(), idx)
	if err != nil {
		return nil, err
	}
	defer codes.Release()
	return array.NewDictionaryArray(arr.DataType(), codes, arr.Dictionary()), nil
}

// takeStruct gathers every field by idx under the struct's own validity.
func takeStruct(mem memory.Allocator, arr *array.Struct, idx []int32) (arrow.Array, error) {
	children := make([]arrow.ArrayData, arr.NumField())
	for f := range children {
		c, err := Array(mem, arr.Field(f), idx)
		if err != nil {
			for _, d := range children[:f] {
				d.Release()
			}
			return nil, err
		}
		children[f] = c.Data()
		children[f].Retain()
		c.Release()
	}
	valid, nulls := takeValidity(mem, arr, idx)
	out := arrbuf.MakeArray(arr.DataType(), len(idx), []*memory.Buffer{valid}, children, nulls)
	for _, d := range children {
		d.Release()
	}
	return out, nil
}

// Columns gathers the rows idx of every column (all or none: on an error
// those already gathered are released).
func Columns(mem memory.Allocator, cols []arrow.Array, idx []int32) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(cols))
	for c, a := range cols {
		t, err := Array(mem, a, idx)
		if err != nil {
			for _, o := range out[:c] {
				o.Release()
			}
			return nil, err
		}
		out[c] = t
	}
	return out, nil
}
