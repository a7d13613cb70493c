package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// anyArrayExpr is lhs op ANY(arr) / lhs op ALL(arr) over an array value.
// Eval flattens the batch's arrays into one element array, repeats lhs
// once per element (a take), runs the ordinary comparison kernel over the
// pair and folds the per-element results back per row with SQL's
// three-valued logic.
type anyArrayExpr struct {
	op   string // the operator's name, for String
	l    Expr
	arr  Expr
	all  bool
	cmp  Expr // op over batch columns #0 (lhs) and #1 (element)
	elem sqltypes.Type
}

// AnyArray returns lhs op ANY(arr), or lhs op ALL(arr) when all is set.
// op is a comparison; arr is an array (of any dimensions) whose element
// type matches lhs (the planner casts; an unknown lhs is converted to the
// element type).
//
// ANY is TRUE if some comparison is TRUE, else NULL if some is NULL, else
// FALSE; ALL is FALSE if some comparison is FALSE, else NULL if some is
// NULL, else TRUE. An empty array gives FALSE (ANY) or TRUE (ALL) even for
// a NULL lhs; a NULL array gives NULL.
func AnyArray(op BinaryOp, lhs, arr Expr, all bool) (Expr, error) {
	at := arr.Type()
	if at.Kind != sqltypes.List || at.Elem == nil {
		name := "ANY"
		if all {
			name = "ALL"
		}
		return nil, sqltypes.New(sqltypes.CodeWrongObjectType, "op %s/%s (array) requires array on right side", op, name)
	}
	if !op.IsComparison() {
		return nil, operatorError(op.String(), lhs.Type(), at.Leaf())
	}
	if lhs.Type().Kind == sqltypes.Unknown {
		lhs = coerceTo(lhs, at.Leaf())
	}
	cmp, err := Binary(op, Column(0, lhs.Type(), "lhs"), Column(1, at.Leaf(), "elem"))
	if err != nil {
		return nil, err
	}
	if cmp.Type().Kind != sqltypes.Bool {
		return nil, operatorError(cmpOpName(op), lhs.Type(), at.Leaf())
	}
	return &anyArrayExpr{op: op.String(), l: lhs, arr: arr, all: all, cmp: cmp, elem: at.Leaf()}, nil
}

// AnyLike returns lhs [NOT] [I]LIKE ANY(arr), or ALL when all is set:
// AnyArray's folding over LIKE instead of a comparison, each element a
// pattern (not compiled ahead, as it varies per row). arr is a text array
// of any dimensions.
func AnyLike(lhs, arr Expr, negated, caseInsensitive, all bool) (Expr, error) {
	at := arr.Type()
	if at.Kind != sqltypes.List || at.Elem == nil {
		return nil, sqltypes.New(sqltypes.CodeWrongObjectType, "op ANY/ALL (array) requires array on right side")
	}
	if lhs.Type().Kind == sqltypes.Unknown {
		lhs = coerceTo(lhs, sqltypes.TypeText)
	}
	cmp, err := Like(Column(0, lhs.Type(), "lhs"), Column(1, at.Leaf(), "elem"), negated, caseInsensitive)
	if err != nil {
		return nil, err
	}
	op := map[[2]bool]string{{false, false}: "~~", {true, false}: "!~~", {false, true}: "~~*", {true, true}: "!~~*"}[[2]bool{negated, caseInsensitive}]
	return &anyArrayExpr{op: op, l: lhs, arr: arr, all: all, cmp: cmp, elem: at.Leaf()}, nil
}

// AnyOperator returns lhs name ANY(arr), or ALL when all is set, for any
// boolean operator: cmp is the operator over batch columns #0 (lhs) and
// #1 (an element of arr), as the planner bound it.
func AnyOperator(name string, cmp, lhs, arr Expr, all bool) (Expr, error) {
	at := arr.Type()
	if at.Kind != sqltypes.List || at.Elem == nil || cmp.Type().Kind != sqltypes.Bool {
		return nil, internalErr("ANY/ALL over %s: %s is not a boolean operator over an array", name, cmp)
	}
	return &anyArrayExpr{op: name, l: lhs, arr: arr, all: all, cmp: cmp, elem: at.Leaf()}, nil
}

func (e *anyArrayExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *anyArrayExpr) children() []Expr    { return []Expr{e.l, e.arr} }
func (e *anyArrayExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.l, c.arr = ch[0], ch[1]
	return &c
}

func (e *anyArrayExpr) String() string {
	q := "ANY"
	if e.all {
		q = "ALL"
	}
	return fmt.Sprintf("(%s %s %s(%s))", e.l, e.op, q, e.arr)
}

func (e *anyArrayExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	args, err := evalArgs(ctx, env, b, e.l, e.arr)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	n := int(b.NumRows())
	if args[1].NullN() == n {
		return nullArray(env.Mem, sqltypes.TypeBool, n), nil
	}
	// A multidimensional array compares its elements in row-major order.
	lst, err := flatArray(env.Mem, args[1], e.arr.Type())
	if err != nil {
		return nil, err
	}
	defer lst.Release()
	if n == 0 {
		return nullArray(env.Mem, sqltypes.TypeBool, 0), nil
	}
	offs := listOffsets(lst)
	first, last := int(offs[0]), int(offs[n])
	// Row index of every element, for repeating lhs.
	idxBuf, idx := allocFixed[int32](env.Mem, last-first)
	for i := 0; i < n; i++ {
		if lst.IsNull(i) {
			continue
		}
		for j := offs[i]; j < offs[i+1]; j++ {
			idx[int(j)-first] = int32(i)
		}
	}
	idxArr := finish(arrow.PrimitiveTypes.Int32, last-first, nil, idxBuf)
	defer idxArr.Release()
	res, err := e.compareFlat(ctx, env, args[0], lst, idxArr, first, last)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	return e.fold(env.Mem, n, lst, res.(*array.Boolean), first), nil
}

// compareFlat compares every element with its row's lhs.
func (e *anyArrayExpr) compareFlat(ctx context.Context, env *executor.Env, lhs arrow.Array, lst *array.List, idx arrow.Array, first, last int) (arrow.Array, error) {
	vals := array.NewSlice(lst.ListValues(), int64(first), int64(last))
	defer vals.Release()
	rep, err := takeArray(compute.WithAllocator(ctx, env.Mem), lhs, idx)
	if err != nil {
		return nil, internalErr("ANY/ALL take: %v", err)
	}
	defer rep.Release()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "lhs", Type: rep.DataType(), Nullable: true},
		{Name: "elem", Type: vals.DataType(), Nullable: true},
	}, nil)
	fb := array.NewRecordBatch(schema, []arrow.Array{rep, vals}, int64(last-first))
	defer fb.Release()
	return e.cmp.Eval(ctx, env, fb)
}

// fold reduces per-element results to one three-valued answer per row.
func (e *anyArrayExpr) fold(mem memory.Allocator, n int, lst *array.List, res *array.Boolean, first int) arrow.Array {
	offs := listOffsets(lst)
	valsB, vals := allocBitmap(mem, n)
	validB, valid := allocBitmap(mem, n)
	for i := 0; i < n; i++ {
		if lst.IsNull(i) {
			continue
		}
		sawNull, decided := false, false
		for j := int(offs[i]) - first; j < int(offs[i+1])-first; j++ {
			if res.IsNull(j) {
				sawNull = true
				continue
			}
			if res.Value(j) != e.all { // ANY saw TRUE, ALL saw FALSE
				decided = true
				break
			}
		}
		switch {
		case decided:
			setBit(valid, i)
			if !e.all {
				setBit(vals, i)
			}
		case sawNull:
		default:
			setBit(valid, i)
			if e.all {
				setBit(vals, i)
			}
		}
	}
	return boolArray(n, valsB, validB)
}

// listOffsets returns the n+1 offsets of a (possibly sliced) list array.
func listOffsets(l *array.List) []int32 {
	off, n := l.Data().Offset(), l.Len()
	all := l.Offsets()
	if len(all) < off+n+1 {
		return make([]int32, n+1)
	}
	return all[off : off+n+1]
}
