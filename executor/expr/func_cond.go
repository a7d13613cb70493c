package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// coalesceExpr returns its first non-NULL argument. Like PostgreSQL it
// evaluates an argument only for the rows still NULL (see evalSelective).
type coalesceExpr struct {
	args []Expr
	t    sqltypes.Type
}

func buildCoalesce(name string, args []Expr) (Expr, error) {
	if len(args) == 0 {
		return nil, functionError(name, args)
	}
	t, ok := commonArgType(args)
	if !ok {
		return nil, coalesceTypeError(name, args)
	}
	cargs, err := coerceArgs(name, args, t)
	if err != nil {
		return nil, err
	}
	return &coalesceExpr{args: cargs, t: t}, nil
}

func coalesceTypeError(name string, args []Expr) error {
	t := args[0].Type()
	for _, a := range args[1:] {
		if !a.Type().Equal(t) && a.Type().Kind != sqltypes.Unknown {
			return sqltypes.New(sqltypes.CodeDatatypeMismatch, "%s types %s and %s cannot be matched", upperName(name), t, a.Type())
		}
	}
	return functionError(name, args)
}

func upperName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func (e *coalesceExpr) Type() sqltypes.Type { return e.t }
func (e *coalesceExpr) children() []Expr    { return e.args }
func (e *coalesceExpr) withChildren(ch []Expr) Expr {
	return &coalesceExpr{args: ch, t: e.t}
}
func (e *coalesceExpr) String() string { return callString("coalesce", e.args) }

func (e *coalesceExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var br branches
	br.init(env.Mem, int(b.NumRows()))
	defer br.release()
	for _, a := range e.args {
		if br.left == 0 {
			break
		}
		r, err := br.eval(ctx, env, b, a, br.rem, br.left)
		if err != nil {
			return nil, err
		}
		br.takeValid(r)
	}
	return br.merge(e.t), nil
}

// buildNullif: NULLIF(a, b) is NULL where a = b, else a.
func buildNullif(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	t, ok := commonArgType(args)
	if !ok {
		return nil, functionError(name, args)
	}
	cargs, err := coerceArgs(name, args, t)
	if err != nil || !comparableType(t) {
		return nil, functionError(name, args)
	}
	return &callExpr{name: name, args: cargs, t: t, k: func(env *executor.Env, a []arrow.Array, n int) (arrow.Array, error) {
		eq, err := compareValues(env, OpEq, t, a[0], a[1])
		if err != nil {
			return nil, err
		}
		defer eq.Release()
		va, vb := validBytes(env.Mem, a[0]), validBytes(env.Mem, a[1])
		defer vb.Release()
		x, y, q := va.Bytes(), vb.Bytes(), eq.Bytes()
		for i := range x {
			x[i] &^= y[i] & q[i]
		}
		out := withValidity(env.Mem, a[0], x)
		va.Release()
		return out, nil
	}}, nil
}

// compareValues is x op y for NULLIF, GREATEST and LEAST: bpchar values
// compare without their trailing blanks.
func compareValues(env *executor.Env, op BinaryOp, t sqltypes.Type, x, y arrow.Array) (*memory.Buffer, error) {
	if t.Kind != sqltypes.Bpchar {
		return rawCompare(env.Mem, op, t, t, x, y)
	}
	sx, err := stripKernel(env.Mem, castCtxOf(env), x)
	if err != nil {
		return nil, err
	}
	defer sx.Release()
	sy, err := stripKernel(env.Mem, castCtxOf(env), y)
	if err != nil {
		return nil, err
	}
	defer sy.Release()
	return rawCompare(env.Mem, op, sqltypes.TypeText, sqltypes.TypeText, sx, sy)
}

// withValidity returns a with its validity replaced by valid (offset 0),
// sharing the value buffers.
func withValidity(mem memory.Allocator, a arrow.Array, valid []byte) arrow.Array {
	d := a.Data()
	off, n := d.Offset(), d.Len()
	nb, bm := allocBitmap(mem, off+n)
	bitutil.CopyBitmap(valid, 0, n, bm, off)
	bufs := append([]*memory.Buffer{nb}, d.Buffers()[1:]...)
	nd := array.NewData(d.DataType(), n, bufs, d.Children(), array.UnknownNullCount, off)
	nb.Release()
	defer nd.Release()
	return array.MakeFromData(nd)
}

// buildGreatest: GREATEST / LEAST ignore NULLs; NULL only if all are.
func buildGreatest(name string, args []Expr) (Expr, error) {
	if len(args) == 0 {
		return nil, functionError(name, args)
	}
	t, ok := commonArgType(args)
	if !ok {
		return nil, coalesceTypeError(name, args)
	}
	cargs, err := coerceArgs(name, args, t)
	if err != nil || !comparableType(t) {
		return nil, functionError(name, args)
	}
	op := OpGt
	if name == "least" {
		op = OpLt
	}
	return &callExpr{name: name, args: cargs, t: t, k: func(env *executor.Env, a []arrow.Array, n int) (arrow.Array, error) {
		acc := a[0]
		acc.Retain()
		src := make([]int32, n)
		for _, x := range a[1:] {
			better, err := compareValues(env, op, t, x, acc)
			if err != nil {
				acc.Release()
				return nil, err
			}
			bb := better.Bytes()
			xm, xo := bitmapOf(x)
			am, ao := bitmapOf(acc)
			for i := 0; i < n; i++ {
				src[i] = 0
				xv := validAt(xm, xo, i) && x.DataType().ID() != arrow.NULL
				if xv && (!validAt(am, ao, i) || acc.DataType().ID() == arrow.NULL || bitutil.BitIsSet(bb, i)) {
					src[i] = 1
				}
			}
			better.Release()
			next := mergeRows(env.Mem, t, n, []arrow.Array{acc, x}, src)
			acc.Release()
			acc = next
		}
		return acc, nil
	}}, nil
}
