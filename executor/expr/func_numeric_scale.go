package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// scale, min_scale and trim_scale read a numeric's display scale, which
// PostgreSQL keeps per value: with a variable-scale argument (the planner
// gives them one wherever scales differ, bind's scaleFunc) each row
// answers from its own; a static numeric's values all have its scale.
// NaN and ±Infinity have no scale (scale and min_scale are NULL) and
// trim to themselves.

// ScaleFunc reports whether name is scale, min_scale or trim_scale.
func ScaleFunc(name string) bool {
	return name == "scale" || name == "min_scale" || name == "trim_scale"
}

func buildScaleFunc(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 1, 1); err != nil {
		return nil, err
	}
	x, ok := asNumeric(args[0])
	if args[0].Type().IsString() {
		// An untyped literal or parameter (bound as text): its value as
		// numeric input reads it, with the scale it is written with.
		c, err := Cast(args[0], sqltypes.VarNumericType(0))
		x, ok = c, err == nil
	}
	if !ok {
		return nil, functionError(name, args)
	}
	xt := x.Type()
	if name == "trim_scale" {
		if xt.VarScale {
			return &varMapExpr{name: name, x: x, t: xt, row: trimScaleRow}, nil
		}
		// A static numeric trimmed is the same value: only a reader that
		// prints it sees the difference, and bind makes the argument
		// variable-scale for those.
		return &callExpr{name: name, args: []Expr{x}, t: xt, k: func(_ *executor.Env, in []arrow.Array, _ int) (arrow.Array, error) {
			in[0].Retain()
			return in[0], nil
		}}, nil
	}
	minScale := name == "min_scale"
	return &callExpr{name: name, args: []Expr{x}, t: sqltypes.TypeInt4, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		at := numAt(in[0], xt)
		return mapRows(env.Mem, arrow.PrimitiveTypes.Int32, n, in, func(i int) (int32, bool, error) {
			m, s := at(i)
			if isSpecial(m) {
				return 0, true, nil
			}
			if minScale {
				_, s = trimScale(m, s)
			}
			return s, false, nil
		})
	}}, nil
}

// trimScale drops the trailing fractional zeros of m × 10^-s.
func trimScale(m decimal128.Num, s int32) (decimal128.Num, int32) {
	neg, a := split(m)
	for s > 0 {
		q, r := a.divmod64(10)
		if r != 0 {
			break
		}
		a, s = q, s-1
	}
	return join(neg, a), s
}

func trimScaleRow(m decimal128.Num, s int32) (decimal128.Num, int32, error) {
	if isSpecial(m) {
		return m, 0, nil
	}
	m, s = trimScale(m, s)
	return m, s, nil
}

// varMapExpr computes a variable-scale numeric from one numeric (static
// or variable-scale) row by row: row maps each value and its scale to
// the result's.
type varMapExpr struct {
	name string
	x    Expr
	t    sqltypes.Type
	row  func(m decimal128.Num, s int32) (decimal128.Num, int32, error)
}

func (e *varMapExpr) Type() sqltypes.Type { return e.t }
func (e *varMapExpr) children() []Expr    { return []Expr{e.x} }
func (e *varMapExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.x = ch[0]
	return &c
}
func (e *varMapExpr) String() string { return fmt.Sprintf("%s(%s)", e.name, e.x) }

func (e *varMapExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	in, err := e.x.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	defer in.Release()
	at := numAt(in, e.x.Type())
	return buildVarNumeric(env.Mem, e.t, in.Len(), andValidity(env.Mem, in.Len(), in), func(i int) (decimal128.Num, int32, error) {
		return e.row(at(i))
	})
}
