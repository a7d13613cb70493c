package ops

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/connectors"
	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

func intRows(vals ...any) [][]any {
	out := make([][]any, len(vals))
	for i, v := range vals {
		if v != nil {
			v = int64(v.(int))
		}
		out[i] = []any{v}
	}
	return out
}

func TestBatches(t *testing.T) {
	mem := checked(t)
	s := schemaOf(i64)
	op := source(mem, s, intRows(1, 2, nil, 4), 3, true)
	sameOrdered(t, fmtRows(mustDrain(t, op)), fmtRows(intRows(1, 2, nil, 4)))
	// Close before Open releases the retained batches.
	NewBatches(s, nil).Close()
	op2 := source(mem, s, intRows(1), 1, false)
	if err := op2.Close(); err != nil {
		t.Fatal(err)
	}
}

// fakePart is a partition over fixed batches, or one that fails.
type fakePart struct {
	s   *arrow.Schema
	bs  []arrow.RecordBatch
	err error
}

func (p fakePart) Open(ctx context.Context, mem memory.Allocator) (array.RecordReader, error) {
	if p.err != nil {
		return nil, p.err
	}
	return array.NewRecordReader(p.s, p.bs)
}

func TestScan(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 4)
	src := arrow.NewSchema([]arrow.Field{{Name: "x", Type: i64, Nullable: true}}, nil)
	want := schemaOf(i64)
	b1 := mkBatches(mem, src, intRows(1, 2, 3), 2, false)
	b2 := mkBatches(mem, src, intRows(4, nil), 5, true)
	defer releaseBatches(b1)
	defer releaseBatches(b2)
	parts := []connectors.Partition{fakePart{s: src, bs: b1}, fakePart{s: src}, fakePart{s: src, bs: b2}}
	op := NewScan(env, want, parts)
	got := mustDrain(t, op)
	sameOrdered(t, fmtRows(got), fmtRows(intRows(1, 2, 3, 4, nil)))

	t.Run("open error", func(t *testing.T) {
		op := NewScan(env, want, []connectors.Partition{fakePart{err: errors.New("boom")}})
		_, err := drain(t, op)
		wantCode(t, err, sqltypes.CodeFDWError)
	})
	t.Run("type mismatch", func(t *testing.T) {
		op := NewScan(env, schemaOf(str), []connectors.Partition{fakePart{s: src, bs: b1}})
		_, err := drain(t, op)
		wantCode(t, err, sqltypes.CodeFDWError)
	})
	t.Run("canceled", func(t *testing.T) {
		op := NewScan(env, want, parts)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := op.Next(ctx)
		op.Close()
		wantCode(t, err, sqltypes.CodeQueryCanceled)
	})
}

func TestFilter(t *testing.T) {
	rows := intRows(1, 5, nil, 7, 2, 9, nil, 3)
	cases := []struct {
		name string
		pred expr.Expr
		want [][]any
	}{
		{"gt", cmpExpr{0, expr.OpGt, 2}, intRows(5, 7, 9, 3)},
		{"none", cmpExpr{0, expr.OpGt, 100}, nil},
		{"all non-null", cmpExpr{0, expr.OpGe, 0}, intRows(1, 5, 7, 2, 9, 3)},
	}
	for _, tc := range cases {
		for _, sliced := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				mem := checked(t)
				env := testEnv(mem, 3)
				op, err := NewFilter(env, source(mem, schemaOf(i64), rows, 3, sliced), tc.pred)
				if err != nil {
					t.Fatal(err)
				}
				sameOrdered(t, fmtRows(mustDrain(t, op)), fmtRows(tc.want))
			})
		}
	}
	t.Run("passthrough", func(t *testing.T) {
		mem := checked(t)
		env := testEnv(mem, 3)
		in := mkBatch(mem, schemaOf(i64), intRows(1, 2, 3))
		defer in.Release()
		op, _ := NewFilter(env, NewBatches(in.Schema(), []arrow.RecordBatch{in}), cmpExpr{0, expr.OpGt, 0})
		defer op.Close()
		op.Open(context.Background())
		out, err := op.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if out.Column(0) != in.Column(0) {
			t.Error("all-pass batch was copied")
		}
		out.Release()
	})
	t.Run("non-boolean", func(t *testing.T) {
		_, err := NewFilter(testEnv(memory.DefaultAllocator, 3), nil, col(0, tI8))
		wantCode(t, err, sqltypes.CodeDatatypeMismatch)
	})
}

func TestProject(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 2)
	s := schemaOf(i64, str)
	rows := [][]any{{int64(1), "a"}, {nil, "b"}, {int64(3), nil}}
	op, err := NewProject(env, source(mem, s, rows, 2, true), []expr.Expr{col(1, tTxt), cmpExpr{0, expr.OpGt, 1}}, []string{"s", "gt"})
	if err != nil {
		t.Fatal(err)
	}
	if op.Schema().Field(0).Name != "s" || !op.Schema().Field(1).Nullable {
		t.Errorf("schema %v", op.Schema())
	}
	want := [][]any{{"a", false}, {"b", nil}, {nil, true}}
	sameOrdered(t, fmtRows(mustDrain(t, op)), fmtRows(want))
	if _, err := NewProject(env, op, []expr.Expr{col(0, tI8)}, nil); err == nil {
		t.Error("want error for missing names")
	}
	bad, _ := NewProject(env, source(mem, s, rows, 2, false), []expr.Expr{col(0, tTxt)}, []string{"x"})
	_, err = drain(t, bad)
	wantCode(t, err, sqltypes.CodeInternal)
}

// countingOp counts Next calls of its child.
type countingOp struct {
	executor.Operator
	nexts int
}

func (c *countingOp) Next(ctx context.Context) (arrow.RecordBatch, error) {
	c.nexts++
	return c.Operator.Next(ctx)
}

func TestLimit(t *testing.T) {
	all := intRows(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	cases := []struct {
		offset, limit int64
		want          [][]any
		maxNexts      int
	}{
		{0, -1, all, 5},
		{0, 0, nil, 0},
		{0, 3, all[:3], 1},
		{2, 3, all[2:5], 2},
		{3, 3, all[3:6], 2},
		{9, 5, all[9:], 5},
		{12, 5, nil, 5},
		{4, -1, all[4:], 5},
	}
	for _, tc := range cases {
		mem := checked(t)
		c := &countingOp{Operator: source(mem, schemaOf(i64), all, 3, true)}
		got := mustDrain(t, NewLimit(c, tc.offset, tc.limit))
		sameOrdered(t, fmtRows(got), fmtRows(tc.want))
		if c.nexts > tc.maxNexts {
			t.Errorf("offset %d limit %d: %d child Next calls, want <= %d", tc.offset, tc.limit, c.nexts, tc.maxNexts)
		}
	}
	mem := checked(t)
	_, err := drain(t, NewLimit(source(mem, schemaOf(i64), all, 3, false), -1, 1))
	wantCode(t, err, "2201X")
}

// TestComputedLimit reads the bounds from a one-row operator when it opens:
// NULL count is no limit, NULL offset none; negative bounds and more than
// one row fail as in PostgreSQL.
func TestComputedLimit(t *testing.T) {
	all := intRows(1, 2, 3, 4, 5, 6, 7)
	cases := []struct {
		bounds [][]any
		want   [][]any
		code   string
	}{
		{bounds: [][]any{{int64(2), int64(3)}}, want: intRows(4, 5)},
		{bounds: [][]any{{nil, int64(5)}}, want: intRows(6, 7)},
		{bounds: [][]any{{int64(1), nil}}, want: intRows(1)},
		{bounds: [][]any{{int64(0), nil}}, want: nil},
		{bounds: [][]any{{int64(-1), int64(0)}}, code: "2201W"},
		{bounds: [][]any{{int64(1), int64(-1)}}, code: "2201X"},
		{bounds: [][]any{{int64(1), int64(0)}, {int64(2), int64(0)}}, code: "21000"},
	}
	for _, tc := range cases {
		mem := checked(t)
		bounds := source(mem, schemaOf(i64, i64), tc.bounds, 1, false)
		got, err := drain(t, NewComputedLimit(source(mem, schemaOf(i64), all, 3, true), bounds))
		if tc.code != "" {
			wantCode(t, err, tc.code)
			continue
		}
		if err != nil {
			t.Fatalf("bounds %v: %v", tc.bounds, err)
		}
		sameOrdered(t, fmtRows(got), fmtRows(tc.want))
	}
}

func TestInstrumented(t *testing.T) {
	mem := checked(t)
	var st OpStats
	op := NewInstrumented(source(mem, schemaOf(i64), intRows(1, 2, 3, 4, 5), 2, false), &st)
	mustDrain(t, op)
	s := st.Snapshot()
	if s.Rows != 5 || s.Batches != 3 || s.Opens != 1 || s.Elapsed <= 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestTakeTypes(t *testing.T) {
	mem := checked(t)
	dec := &arrow.Decimal128Type{Precision: 10, Scale: 2}
	lst := arrow.ListOf(i64)
	s := schemaOf(i64, str, boo, dec, lst, arrow.BinaryTypes.Binary, arrow.FixedWidthTypes.MonthDayNanoInterval, arrow.Null, i32)
	rows := [][]any{
		{int64(1), "a", true, decimal128.FromI64(101), []any{int64(1), nil}, "x", arrow.MonthDayNanoInterval{Months: 1}, nil, int32(1)},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil},
		{int64(3), "ccc", false, decimal128.FromI64(-5), []any{}, "", arrow.MonthDayNanoInterval{Days: 2}, nil, int32(3)},
		{int64(4), "dd", true, decimal128.FromI64(7), []any{int64(4)}, "yy", arrow.MonthDayNanoInterval{Nanoseconds: 5}, nil, int32(4)},
	}
	for _, sliced := range []bool{false, true} {
		bs := mkBatches(mem, s, rows, 4, sliced)
		idx := []int32{3, -1, 0, 2, 1, 3}
		out, err := takeBatch(mem, s, bs[0].Columns(), idx)
		if err != nil {
			t.Fatal(err)
		}
		in := rowsOf(bs[0])
		var want [][]any
		for _, i := range idx {
			if i < 0 {
				want = append(want, make([]any, s.NumFields()))
			} else {
				want = append(want, in[i])
			}
		}
		sameOrdered(t, fmtRows(rowsOf(out)), fmtRows(want))
		out.Release()
		releaseBatches(bs)
	}
}

func TestNextAfterClose(t *testing.T) {
	mem := checked(t)
	op := source(mem, schemaOf(i64), intRows(1), 1, false)
	op.Open(context.Background())
	op.Close()
	op.Close()
	if _, err := op.Next(context.Background()); err != io.EOF {
		t.Errorf("got %v", err)
	}
}

// TestScanRaggedArrays: a source's list of lists is a multidimensional
// array only when rectangular; a ragged value, or a NULL or empty
// sub-array, fails the scan (HV000) instead of reaching kernels and
// clients that read dimensions off the first sub-array.
func TestScanRaggedArrays(t *testing.T) {
	mem := checked(t)
	env := testEnv(mem, 4)
	dt := arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32))
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: dt, Nullable: true}}, nil)
	build := func(rows ...[][]int32) arrow.RecordBatch {
		b := array.NewListBuilder(mem, dt.Elem())
		defer b.Release()
		sub := b.ValueBuilder().(*array.ListBuilder)
		vals := sub.ValueBuilder().(*array.Int32Builder)
		for _, r := range rows {
			if r == nil {
				b.AppendNull()
				continue
			}
			b.Append(true)
			for _, s := range r {
				if s == nil {
					sub.AppendNull()
					continue
				}
				sub.Append(true)
				vals.AppendValues(s, nil)
			}
		}
		arr := b.NewArray()
		defer arr.Release()
		return array.NewRecordBatch(schema, []arrow.Array{arr}, int64(arr.Len()))
	}
	good := build([][]int32{{1, 2}, {3, 4}}, nil, [][]int32{}, [][]int32{{5, 6, 7}})
	defer good.Release()
	got := mustDrain(t, NewScan(env, schema, []connectors.Partition{fakePart{s: schema, bs: []arrow.RecordBatch{good}}}))
	if len(got) != 4 {
		t.Fatalf("rectangular arrays: %d rows", len(got))
	}
	for name, rows := range map[string][][][]int32{
		"ragged":          {{{1, 2}}, {{1, 2}, {3}}},
		"null sub-array":  {{{1}, nil}},
		"empty sub-array": {{{}, {}}},
	} {
		b := build(rows...)
		_, err := drain(t, NewScan(env, schema, []connectors.Partition{fakePart{s: schema, bs: []arrow.RecordBatch{b}}}))
		b.Release()
		if sqltypes.Code(err) != sqltypes.CodeFDWError {
			t.Errorf("%s: got %v, want HV000", name, err)
		}
	}
}
