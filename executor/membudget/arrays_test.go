package membudget

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestArrayBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{1, 2, 3, 4}, nil)
	ints := ib.NewArray()
	ib.Release()
	defer ints.Release()
	// 4 values and the builder's validity bitmap (1 byte)
	if got := ArrayBytes(ints); got != 32+1 {
		t.Errorf("int64 x4: %d bytes, want 33", got)
	}
	sl := array.NewSlice(ints, 1, 3)
	defer sl.Release()
	if got := ArrayBytes(sl); got != 16+1 {
		t.Errorf("slice of 2 int64: %d bytes, want 17 (not the whole buffer)", got)
	}

	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"ab", "cdef", "g"}, []bool{true, true, false})
	strs := sb.NewArray()
	sb.Release()
	defer strs.Release()
	// validity 1 byte, offsets 4*(3+1), values 7 (the builder keeps the
	// NULL's "g")
	if got := ArrayBytes(strs); got != 1+16+7 {
		t.Errorf("strings: %d bytes, want 24", got)
	}
	ss := array.NewSlice(strs, 1, 2)
	defer ss.Release()
	if got := ArrayBytes(ss); got != 1+8+4 {
		t.Errorf("sliced strings: %d bytes, want 13", got)
	}

	// Nested and dictionary types count their children; no panics on
	// types without a dictionary.
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	lb.Append(true)
	lb.ValueBuilder().(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	list := lb.NewArray()
	lb.Release()
	defer list.Release()
	if got := ArrayBytes(list); got < 16 {
		t.Errorf("list: %d bytes, want at least its 16 value bytes", got)
	}
	db := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String})
	db.(*array.BinaryDictionaryBuilder).AppendString("xyz")
	db.(*array.BinaryDictionaryBuilder).AppendString("xyz")
	dict := db.NewArray()
	db.Release()
	defer dict.Release()
	if got := ArrayBytes(dict); got < 8+3 {
		t.Errorf("dictionary: %d bytes, want at least indices and values", got)
	}
	nulls := array.NewNull(5)
	defer nulls.Release()
	ArrayBytes(nulls)
}
