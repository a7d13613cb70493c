package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/sqltypes"
)

// ---- test-only expressions ----

// colExpr references input column idx.
type colExpr struct {
	idx int
	typ sqltypes.Type
}

func col(idx int, typ sqltypes.Type) expr.Expr { return colExpr{idx, typ} }

func (c colExpr) Type() sqltypes.Type { return c.typ }
func (c colExpr) String() string      { return fmt.Sprintf("$%d", c.idx) }
func (c colExpr) Eval(_ context.Context, _ *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	a := b.Column(c.idx)
	a.Retain()
	return a, nil
}

// cmpExpr compares int64 column idx with a constant (NULL in, NULL out).
type cmpExpr struct {
	idx int
	op  expr.BinaryOp
	k   int64
}

func (c cmpExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (c cmpExpr) String() string      { return fmt.Sprintf("$%d %s %d", c.idx, c.op, c.k) }
func (c cmpExpr) Eval(_ context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	in := b.Column(c.idx).(*array.Int64)
	bld := array.NewBooleanBuilder(env.Mem)
	defer bld.Release()
	for i := 0; i < in.Len(); i++ {
		if in.IsNull(i) {
			bld.AppendNull()
			continue
		}
		bld.Append(cmpOp(c.op, in.Value(i), c.k))
	}
	return bld.NewArray(), nil
}

func cmpOp(op expr.BinaryOp, a, b int64) bool {
	switch op {
	case expr.OpEq:
		return a == b
	case expr.OpNe:
		return a != b
	case expr.OpLt:
		return a < b
	case expr.OpLe:
		return a <= b
	case expr.OpGt:
		return a > b
	}
	return a >= b
}

// colCmpExpr compares two int64 columns (NULL if either is NULL).
type colCmpExpr struct {
	l, r int
	op   expr.BinaryOp
}

func (c colCmpExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (c colCmpExpr) String() string      { return fmt.Sprintf("$%d %s $%d", c.l, c.op, c.r) }
func (c colCmpExpr) Eval(_ context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	l, r := b.Column(c.l).(*array.Int64), b.Column(c.r).(*array.Int64)
	bld := array.NewBooleanBuilder(env.Mem)
	defer bld.Release()
	for i := 0; i < l.Len(); i++ {
		if l.IsNull(i) || r.IsNull(i) {
			bld.AppendNull()
			continue
		}
		bld.Append(cmpOp(c.op, l.Value(i), r.Value(i)))
	}
	return bld.NewArray(), nil
}

// funcExpr computes anything from a batch.
type funcExpr struct {
	typ sqltypes.Type
	fn  func(env *executor.Env, b arrow.RecordBatch) (arrow.Array, error)
}

func (f funcExpr) Type() sqltypes.Type { return f.typ }
func (f funcExpr) String() string      { return "f(...)" }
func (f funcExpr) Eval(_ context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	return f.fn(env, b)
}

// ---- batches from Go values ----

func schemaOf(types ...arrow.DataType) *arrow.Schema {
	fs := make([]arrow.Field, len(types))
	for i, t := range types {
		fs[i] = arrow.Field{Name: fmt.Sprintf("c%d", i), Type: t, Nullable: true}
	}
	return arrow.NewSchema(fs, nil)
}

func appendValue(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.Int64Builder:
		bb.Append(v.(int64))
	case *array.Int32Builder:
		bb.Append(v.(int32))
	case *array.Int16Builder:
		bb.Append(v.(int16))
	case *array.Float64Builder:
		bb.Append(v.(float64))
	case *array.Float32Builder:
		bb.Append(v.(float32))
	case *array.StringBuilder:
		bb.Append(v.(string))
	case *array.BinaryBuilder:
		bb.Append([]byte(v.(string)))
	case *array.BooleanBuilder:
		bb.Append(v.(bool))
	case *array.Decimal128Builder:
		bb.Append(v.(decimal128.Num))
	case *array.Date32Builder:
		bb.Append(v.(arrow.Date32))
	case *array.MonthDayNanoIntervalBuilder:
		bb.Append(v.(arrow.MonthDayNanoInterval))
	case *array.ListBuilder:
		bb.Append(true)
		for _, e := range v.([]any) {
			appendValue(bb.ValueBuilder(), e)
		}
	case *array.NullBuilder:
		bb.AppendNull()
	default:
		panic(fmt.Sprintf("appendValue: %T", b))
	}
}

// mkBatch builds one batch of rows.
func mkBatch(mem memory.Allocator, s *arrow.Schema, rows [][]any) arrow.RecordBatch {
	rb := array.NewRecordBuilder(mem, s)
	defer rb.Release()
	for _, r := range rows {
		for c, v := range r {
			appendValue(rb.Field(c), v)
		}
	}
	return rb.NewRecordBatch()
}

// mkBatches splits rows into batches of at most size rows; when sliced is
// set, each batch is a slice of a larger batch (non-zero array offsets).
func mkBatches(mem memory.Allocator, s *arrow.Schema, rows [][]any, size int, sliced bool) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for i := 0; i < len(rows); i += size {
		chunk := rows[i:min(i+size, len(rows))]
		if !sliced {
			out = append(out, mkBatch(mem, s, chunk))
			continue
		}
		pad := make([]any, s.NumFields())
		padded := append(append([][]any{pad}, chunk...), pad)
		big := mkBatch(mem, s, padded)
		out = append(out, big.NewSlice(1, int64(1+len(chunk))))
		big.Release()
	}
	return out
}

// source returns a NewBatches operator over rows split into batches.
func source(mem memory.Allocator, s *arrow.Schema, rows [][]any, size int, sliced bool) executor.Operator {
	bs := mkBatches(mem, s, rows, size, sliced)
	op := NewBatches(s, bs)
	releaseBatches(bs)
	return op
}

// ---- results as Go values ----

func value(a arrow.Array, i int) any {
	if a.DataType().ID() == arrow.NULL || a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Int32:
		return x.Value(i)
	case *array.Int16:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.Float32:
		return x.Value(i)
	case *array.String:
		return x.Value(i)
	case *array.Binary:
		return string(x.Value(i))
	case *array.Boolean:
		return x.Value(i)
	case *array.Decimal128:
		return x.Value(i).ToString(x.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Struct:
		if _, ok := sqltypes.VarNumericNominal(x.DataType()); ok {
			n, s := expr.VarNumericAt(x, i)
			return sqltypes.FormatDecimal(n, s)
		}
	case *array.Date32:
		return x.Value(i)
	case *array.MonthDayNanoInterval:
		return x.Value(i)
	case *array.List:
		s, e := x.ValueOffsets(i)
		out := []any{}
		for j := s; j < e; j++ {
			out = append(out, value(x.ListValues(), int(j)))
		}
		return out
	}
	panic(fmt.Sprintf("value: %T", a))
}

func rowsOf(b arrow.RecordBatch) [][]any {
	out := make([][]any, b.NumRows())
	for i := range out {
		r := make([]any, b.NumCols())
		for c := range r {
			r[c] = value(b.Column(c), i)
		}
		out[i] = r
	}
	return out
}

func testEnv(mem memory.Allocator, batch int) *executor.Env {
	return &executor.Env{Mem: mem, Workers: 4, BatchSize: batch}
}

// drain opens op, reads all its batches and closes it.
func drain(t testing.TB, op executor.Operator) ([][]any, error) {
	t.Helper()
	ctx := context.Background()
	defer func() {
		if err := op.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	var rows [][]any
	for {
		b, err := op.Next(ctx)
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		if b.NumRows() == 0 {
			t.Errorf("operator %T emitted an empty batch", op)
		}
		if !b.Schema().Equal(op.Schema()) && !typesEqual(b.Schema(), op.Schema()) {
			t.Errorf("batch schema %v differs from operator schema %v", b.Schema(), op.Schema())
		}
		rows = append(rows, rowsOf(b)...)
		b.Release()
	}
}

func typesEqual(a, b *arrow.Schema) bool { return checkSchema(a, b) == nil }

func mustDrain(t testing.TB, op executor.Operator) [][]any {
	t.Helper()
	rows, err := drain(t, op)
	if err != nil {
		t.Fatalf("drain: %v", err)
	}
	return rows
}

func fmtRow(r []any) string {
	parts := make([]string, len(r))
	for i, v := range r {
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) {
				parts[i] = "NaN"
				continue
			}
		}
		parts[i] = fmt.Sprintf("%#v", v)
	}
	return strings.Join(parts, "|")
}

func fmtRows(rows [][]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmtRow(r)
	}
	return out
}

// sameRows compares row multisets (order-insensitive).
func sameRows(t testing.TB, got, want [][]any) {
	t.Helper()
	g, w := fmtRows(got), fmtRows(want)
	sort.Strings(g)
	sort.Strings(w)
	sameOrdered(t, g, w)
}

func sameOrdered(t testing.TB, g, w []string) {
	t.Helper()
	if len(g) != len(w) {
		t.Fatalf("got %d rows, want %d\ngot:  %v\nwant: %v", len(g), len(w), head(g), head(w))
	}
	for i := range g {
		if g[i] != w[i] {
			t.Fatalf("row %d: got %s, want %s\ngot:  %v\nwant: %v", i, g[i], w[i], head(g), head(w))
		}
	}
}

func head(s []string) []string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

func checked(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	var se *sqltypes.Error
	if !errors.As(err, &se) {
		t.Fatalf("want *sqltypes.Error %s, got %T %v", code, err, err)
	}
	if se.Code != code {
		t.Fatalf("want SQLSTATE %s, got %s (%v)", code, se.Code, err)
	}
}

var (
	i64  = arrow.PrimitiveTypes.Int64
	i32  = arrow.PrimitiveTypes.Int32
	f64  = arrow.PrimitiveTypes.Float64
	str  = arrow.BinaryTypes.String
	boo  = arrow.FixedWidthTypes.Boolean
	tI8  = sqltypes.TypeInt8
	tI4  = sqltypes.TypeInt4
	tF8  = sqltypes.TypeFloat8
	tTxt = sqltypes.TypeText
	tB   = sqltypes.TypeBool
)

var arrowListI64 = arrow.ListOf(arrow.PrimitiveTypes.Int64)
