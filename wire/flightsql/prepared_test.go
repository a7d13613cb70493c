package flightsql

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// TestBoundValuesOwned: the values DoPut binds are the binding's own.
// Overwriting the received batch's buffers (as a reused or reallocated
// buffer would) changes no bound value, text ones and the text elements
// of arrays included.
func TestBoundValuesOwned(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	v := &service{mem: mem}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "a", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "n", Type: arrow.ListOf(arrow.ListOf(arrow.BinaryTypes.String)), Nullable: true},
	}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.StringBuilder).Append("gamma")
	lb := bld.Field(1).(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"alpha", "beta"}, nil)
	nb := bld.Field(2).(*array.ListBuilder)
	nb.Append(true)
	inner := nb.ValueBuilder().(*array.ListBuilder)
	inner.Append(true)
	inner.ValueBuilder().(*array.StringBuilder).AppendValues([]string{"delta", "epsilon"}, nil)
	b := bld.NewRecordBatch()
	defer b.Release()

	text := sqltypes.TypeText
	row, err := v.readRow(context.Background(), b, []sqltypes.Type{text, sqltypes.ArrayOf(text, 1), sqltypes.ArrayOf(text, 2)})
	if err != nil {
		t.Fatal(err)
	}
	want := []sqltypes.Datum{"gamma", []any{"alpha", "beta"}, []any{[]any{"delta", "epsilon"}}}
	if !reflect.DeepEqual(row.sent, want) {
		t.Fatalf("bound %#v, want %#v", row.sent, want)
	}
	scribble := func(s *array.String) {
		bs := s.ValueBytes()
		for i := range bs {
			bs[i] = 'x'
		}
	}
	scribble(b.Column(0).(*array.String))
	scribble(b.Column(1).(*array.List).ListValues().(*array.String))
	scribble(b.Column(2).(*array.List).ListValues().(*array.List).ListValues().(*array.String))
	if !reflect.DeepEqual(row.sent, want) {
		t.Errorf("after the batch's buffers changed: bound %#v, want %#v", row.sent, want)
	}
}

// poisoning is an allocator that overwrites the memory it frees, so that
// a value still viewing freed memory shows it.
type poisoning struct{ memory.Allocator }

func (p poisoning) Free(b []byte) {
	for i := range b {
		b[i] = 'x'
	}
	p.Allocator.Free(b)
}

// TestBoundCastOwned: a bound value cast to its parameter's type where a
// cast needs the session (a timestamptz read as text, in its TimeZone)
// is the binding's own, not a view of the cast's freed result.
func TestBoundCastOwned(t *testing.T) {
	mem := memory.NewCheckedAllocator(poisoning{memory.NewGoAllocator()})
	defer mem.AssertSize(t, 0)
	v := &service{mem: mem}
	schema := arrow.NewSchema([]arrow.Field{{Name: "t", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true}}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	bld.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(0))
	b := bld.NewRecordBatch()
	defer b.Release()
	row, err := v.readRow(context.Background(), b, []sqltypes.Type{sqltypes.TypeText})
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.castRow(context.Background(), executor.Env{Location: time.UTC, Workers: 1}, row)
	if err != nil {
		t.Fatal(err)
	}
	if want := "1970-01-01 00:00:00+00"; len(got) != 1 || got[0] != want {
		t.Errorf("cast %#v, want %q", got, want)
	}
}
