package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// cmpExpr is = <> < <= > >=: NULL if either side is NULL. A non-NULL
// literal operand of an integer, date, timestamp or string type is
// compared as a scalar without materializing it.
type cmpExpr struct {
	op   BinaryOp
	l, r Expr
}

func (e *cmpExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *cmpExpr) children() []Expr    { return []Expr{e.l, e.r} }
func (e *cmpExpr) withChildren(ch []Expr) Expr {
	return &cmpExpr{op: e.op, l: ch[0], r: ch[1]}
}
func (e *cmpExpr) String() string { return fmt.Sprintf("(%s %s %s)", e.l, e.op, e.r) }

func (e *cmpExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := int(b.NumRows())
	for side, lit := range []Expr{e.r, e.l} {
		v, ok := IsLiteral(lit)
		if !ok {
			continue
		}
		if v == nil {
			return nullArray(env.Mem, sqltypes.TypeBool, n), nil
		}
		other := e.l
		if side == 1 {
			other = e.r
		}
		if !scalarCmpOK(v) || !sameScalarLayout(other.Type(), lit.Type()) {
			break
		}
		a, err := other.Eval(ctx, env, b)
		if err != nil {
			return nil, err
		}
		vals, _ := rawCompareScalar(env.Mem, e.op, a, v, side == 1)
		valid := andValidity(env.Mem, n, a)
		a.Release()
		return boolArray(n, vals, valid), nil
	}
	args, err := evalArgs(ctx, env, b, e.l, e.r)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	vals, err := rawCompare(env.Mem, e.op, e.l.Type(), e.r.Type(), args[0], args[1])
	if err != nil {
		return nil, err
	}
	return boolArray(n, vals, andValidity(env.Mem, n, args[0], args[1])), nil
}

// distinctExpr is IS [NOT] DISTINCT FROM: never NULL; two NULLs are not
// distinct, a NULL and a value are.
type distinctExpr struct {
	not  bool
	l, r Expr
}

func (e *distinctExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *distinctExpr) children() []Expr    { return []Expr{e.l, e.r} }
func (e *distinctExpr) withChildren(ch []Expr) Expr {
	return &distinctExpr{not: e.not, l: ch[0], r: ch[1]}
}

func (e *distinctExpr) String() string {
	op := OpIsDistinctFrom
	if e.not {
		op = OpIsNotDistinctFrom
	}
	return fmt.Sprintf("(%s %s %s)", e.l, op, e.r)
}

func (e *distinctExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalArgs(ctx, env, b, e.l, e.r)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	n := int(b.NumRows())
	eq, err := rawCompare(env.Mem, OpEq, e.l.Type(), e.r.Type(), args[0], args[1])
	if err != nil {
		return nil, err
	}
	eb := eq.Bytes()
	va, vb := validBytes(env.Mem, args[0]), validBytes(env.Mem, args[1])
	for i := range eb {
		x, y := va.Bytes()[i], vb.Bytes()[i]
		d := (x & y &^ eb[i]) | (x ^ y)
		if e.not {
			d = ^d
		}
		eb[i] = d
	}
	va.Release()
	vb.Release()
	return boolArray(n, eq, nil), nil
}

// validBytes returns a's validity as a bitmap at offset 0 (all ones when a
// has no nulls).
func validBytes(mem memory.Allocator, a arrow.Array) *memory.Buffer {
	n := a.Len()
	if a.NullN() == 0 {
		buf, bm := allocBitmap(mem, n)
		setBitsTrue(bm, n)
		return buf
	}
	if a.DataType().ID() == arrow.NULL {
		buf, _ := allocBitmap(mem, n)
		return buf
	}
	return copyBitmap(mem, a.NullBitmapBytes(), a.Data().Offset(), n)
}
