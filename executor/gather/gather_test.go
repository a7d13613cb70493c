package gather

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestNestedIntervals: lists and structs of 16-byte intervals gather by
// index (negative: NULL), which arrow compute's take cannot do, and every
// buffer is given back.
func TestNestedIntervals(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	iv := arrow.FixedWidthTypes.MonthDayNanoInterval
	lb := array.NewListBuilder(mem, iv)
	defer lb.Release()
	vb := lb.ValueBuilder().(*array.MonthDayNanoIntervalBuilder)
	for i := range 3 {
		lb.Append(true)
		for j := 0; j <= i; j++ {
			vb.Append(arrow.MonthDayNanoInterval{Days: int32(10*i + j)})
		}
	}
	lb.AppendNull()
	list := lb.NewArray()
	defer list.Release()
	got, err := Array(mem, list, []int32{2, -1, 3, 0})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	if want := `[[{0 20 0} {0 21 0} {0 22 0}] (null) (null) [{0 0 0}]]`; got.String() != want {
		t.Errorf("list: %s, want %s", got, want)
	}

	sb := array.NewStructBuilder(mem, arrow.StructOf(arrow.Field{Name: "d", Type: iv, Nullable: true}, arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}))
	defer sb.Release()
	for i := range 3 {
		sb.Append(i != 1) // a NULL row appends NULL fields itself
		if i != 1 {
			sb.FieldBuilder(0).(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{Months: int32(i)})
			sb.FieldBuilder(1).(*array.Int64Builder).Append(int64(i))
		}
	}
	st := sb.NewArray()
	defer st.Release()
	gs, err := Array(mem, st, []int32{2, 1, -1, 0})
	if err != nil {
		t.Fatal(err)
	}
	defer gs.Release()
	if want := `{[{2 0 0} (null) (null) {0 0 0}] [2 (null) (null) 0]}`; gs.String() != want || gs.NullN() != 2 || gs.IsValid(1) || gs.IsValid(2) {
		t.Errorf("struct: %s (nulls %d), want %s with rows 1 and 2 NULL", gs, gs.NullN(), want)
	}
}
