package ops

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// listBatches is one operator over rows (group, int4[]): nil is a NULL
// array, a nil element a NULL element.
func listBatches(mem memory.Allocator, s *arrow.Schema, rows []struct {
	g int64
	a []*int32
}) executor.Operator {
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	lb := b.Field(1).(*array.ListBuilder)
	vb := lb.ValueBuilder().(*array.Int32Builder)
	for _, r := range rows {
		b.Field(0).(*array.Int64Builder).Append(r.g)
		if r.a == nil {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		for _, e := range r.a {
			if e == nil {
				vb.AppendNull()
			} else {
				vb.Append(*e)
			}
		}
	}
	rec := b.NewRecordBatch()
	op := NewBatches(s, []arrow.RecordBatch{rec})
	rec.Release()
	return op
}

// TestMinMaxArrays: min and max of int4[] per group, over two inputs
// whose partial results are merged, ordered as PostgreSQL's array_cmp
// (element by element, NULL elements after values, a prefix first; NULL
// arrays ignored).
func TestMinMaxArrays(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 1024)
	it := func(vs ...any) []*int32 {
		out := []*int32{}
		for _, v := range vs {
			if v == nil {
				out = append(out, nil)
				continue
			}
			x := int32(v.(int))
			out = append(out, &x)
		}
		return out
	}
	s := arrow.NewSchema([]arrow.Field{{Name: "g", Type: arrow.PrimitiveTypes.Int64}, {Name: "a", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true}}, nil)
	type row = struct {
		g int64
		a []*int32
	}
	in1 := listBatches(mem, s, []row{{1, it(1, 2)}, {1, it(1, 2, 0)}, {2, nil}, {3, it(5)}})
	in2 := listBatches(mem, s, []row{{1, it(1, nil)}, {1, it(0, 9)}, {2, nil}, {3, it()}, {3, it(5, nil)}})
	at := sqltypes.ListOf(sqltypes.TypeInt4)
	aggs := []Aggregate{{Func: "min", Args: []expr.Expr{col(1, at)}, Type: at}, {Func: "max", Args: []expr.Expr{col(1, at)}, Type: at}}
	op, err := NewHashAggregate(env, []executor.Operator{in1, in2}, []expr.Expr{col(0, sqltypes.TypeInt8)}, aggs)
	if err != nil {
		in1.Close()
		in2.Close()
		t.Fatal(err)
	}
	i32 := func(vs ...any) []any {
		out := []any{}
		for _, v := range vs {
			if v == nil {
				out = append(out, nil)
			} else {
				out = append(out, int32(v.(int)))
			}
		}
		return out
	}
	sameRows(t, mustDrain(t, op), [][]any{
		{int64(1), i32(0, 9), i32(1, nil)},
		{int64(2), nil, nil},
		{int64(3), i32(), i32(5, nil)},
	})
}
