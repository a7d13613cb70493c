package expr

import (
	"context"
	"fmt"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// VarArith is numeric + - * / % whose results keep the display scale
// PostgreSQL gives each value: the larger operand scale for + - and %,
// their sum for *, select_div_scale's for /. Operands are numerics of either
// kind or integers; nominal is the result's nominal scale (the static
// expression's). A product of more than 38 digits is rounded to 38, the
// only place meshql's numeric is narrower than PostgreSQL's.
func VarArith(op BinaryOp, l, r Expr, nominal int32) (Expr, error) {
	switch op {
	case OpAdd, OpSub, OpMul, OpDiv, OpMod:
	default:
		return nil, internalErr("variable-scale numeric operator %s", op)
	}
	asNum := func(e Expr) (Expr, error) {
		t := e.Type()
		switch {
		case t.Kind == sqltypes.Numeric:
			return e, nil
		case t.IsInteger():
			return Cast(e, intAsNumeric(t.Kind))
		case t.Kind == sqltypes.Unknown:
			return Cast(e, sqltypes.VarNumericType(0))
		}
		return nil, operatorError(op.String(), l.Type(), r.Type())
	}
	l, err := asNum(l)
	if err != nil {
		return nil, err
	}
	if r, err = asNum(r); err != nil {
		return nil, err
	}
	return &varArithExpr{op: op, l: l, r: r, t: sqltypes.VarNumericType(nominal)}, nil
}

// DivVarScale is VarArith's division at the static division's nominal
// scale, for two numerics (or integers) of one scale each.
func DivVarScale(l, r Expr) (Expr, error) {
	l, r, err := coerceOperands(OpDiv, l, r)
	if err != nil {
		return nil, err
	}
	lt, rt := l.Type(), r.Type()
	if lt.Kind != sqltypes.Numeric || rt.Kind != sqltypes.Numeric || lt.VarScale || rt.VarScale {
		return nil, operatorError(OpDiv.String(), lt, rt)
	}
	return VarArith(OpDiv, l, r, divScale(lt, rt))
}

type varArithExpr struct {
	op   BinaryOp
	l, r Expr
	t    sqltypes.Type
}

func (e *varArithExpr) Type() sqltypes.Type { return e.t }
func (e *varArithExpr) children() []Expr    { return []Expr{e.l, e.r} }
func (e *varArithExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.l, c.r = ch[0], ch[1]
	return &c
}
func (e *varArithExpr) String() string { return fmt.Sprintf("(%s %s %s)", e.l, e.op, e.r) }

// numAt returns a numeric array's row i with its scale (t: the array's
// SQL type).
func numAt(a arrow.Array, t sqltypes.Type) func(i int) (decimal128.Num, int32) {
	if t.VarScale {
		return func(i int) (decimal128.Num, int32) { return VarNumericAt(a, i) }
	}
	v, s := values[decimal128.Num](a), t.Scale
	return func(i int) (decimal128.Num, int32) { return v[i], s }
}

func (e *varArithExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	return evalVarRows(ctx, env, b, e.l, e.r, e.t, func(xm decimal128.Num, xs int32, ym decimal128.Num, ys int32) (decimal128.Num, int32, error) {
		return varArithRow(e.op, xm, xs, ym, ys)
	})
}

// evalVarRows evaluates l and r and computes each row's variable-scale
// result of type t from the two values and their scales by f (NULL if
// either is NULL).
func evalVarRows(ctx context.Context, env *executor.Env, b arrow.RecordBatch, l, r Expr, t sqltypes.Type,
	f func(xm decimal128.Num, xs int32, ym decimal128.Num, ys int32) (decimal128.Num, int32, error)) (arrow.Array, error) {
	args, err := evalArgs(ctx, env, b, l, r)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	x, y := numAt(args[0], l.Type()), numAt(args[1], r.Type())
	valid := andValidity(env.Mem, args[0].Len(), args[0], args[1])
	return buildVarNumeric(env.Mem, t, args[0].Len(), valid, func(i int) (decimal128.Num, int32, error) {
		xm, xs := x(i)
		ym, ys := y(i)
		return f(xm, xs, ym, ys)
	})
}

// buildVarNumeric builds a variable-scale numeric of n rows from each
// valid row's mantissa and scale (valid nil: every row; it passes to the
// result), failing with 22003 for a scale past int8's range.
func buildVarNumeric(mem memory.Allocator, t sqltypes.Type, n int, valid *memory.Buffer,
	row func(i int) (decimal128.Num, int32, error)) (arrow.Array, error) {
	var vb []byte
	if valid != nil {
		vb = valid.Bytes()
	}
	mbuf, mant := allocFixed[decimal128.Num](mem, n)
	sbuf, scales := allocFixed[int8](mem, n)
	for i := range mant {
		mant[i], scales[i] = decimal128.Num{}, 0
		if !validAt(vb, 0, i) {
			continue
		}
		m, s, err := row(i)
		if err == nil && s > 127 {
			err = errNumericRange()
		}
		if err != nil {
			mbuf.Release()
			sbuf.Release()
			if valid != nil {
				valid.Release()
			}
			return nil, err
		}
		mant[i], scales[i] = m, int8(s)
	}
	return newVarNumeric(t.Arrow(), n, valid, mbuf, sbuf), nil
}

// varArithRow computes x (scale xs) op y (scale ys) and its scale.
func varArithRow(op BinaryOp, x decimal128.Num, xs int32, y decimal128.Num, ys int32) (decimal128.Num, int32, error) {
	if isSpecial(x) || isSpecial(y) {
		r, finite, err := specialArith(op, x, y)
		if finite && op == OpMod {
			return r, xs, err // x % ±Infinity is x, a zero too (0.00)
		}
		return r, 0, err // specials and x / ±Infinity = 0 have display scale 0
	}
	switch op {
	case OpDiv:
		return DivNumeric(x, y, xs, ys)
	case OpMul:
		_, mx := split(x)
		_, my := split(y)
		if p, over := mx.mul(my); !over && p.cmp(maxDec) < 0 {
			return join(x.Sign()*y.Sign() < 0, p), xs + ys, nil
		}
		return fitBig(new(big.Int).Mul(x.BigInt(), y.BigInt()), xs+ys)
	}
	if op == OpMod {
		return pairRow(modPair, x, xs, y, ys)
	}
	s := max(xs, ys)
	a, ok1 := rescaleDec(x, xs, s)
	b, ok2 := rescaleDec(y, ys, s)
	if ok1 && ok2 {
		av, bv := int64(a.LowBits()), int64(b.LowBits())
		if a.HighBits() == av>>63 && b.HighBits() == bv>>63 && av < 1<<62 && av > -1<<62 && bv < 1<<62 && bv > -1<<62 {
			if op == OpSub {
				bv = -bv
			}
			return decimal128.FromI64(av + bv), s, nil
		}
	}
	xb := new(big.Int).Mul(x.BigInt(), bigPow10(s-xs))
	yb := new(big.Int).Mul(y.BigInt(), bigPow10(s-ys))
	if op == OpSub {
		return fitBig(xb.Sub(xb, yb), s)
	}
	return fitBig(xb.Add(xb, yb), s)
}

// fitBig returns v × 10^-s within 38 digits and a scale of at most 127:
// rounded half away from zero to fewer places if need be, 22003 if the
// integer part does not fit.
func fitBig(v *big.Int, s int32) (decimal128.Num, int32, error) {
	abs := new(big.Int).Abs(v)
	drop := int32(0)
	if d := int32(len(abs.Text(10))) - sqltypes.MaxNumericPrecision; d > 0 {
		drop = d
	}
	drop = max(drop, s-127)
	if drop > s {
		return decimal128.Num{}, 0, errNumericRange()
	}
	if drop > 0 {
		q, rem := new(big.Int).QuoRem(abs, bigPow10(drop), new(big.Int))
		if rem.Lsh(rem, 1).Cmp(bigPow10(drop)) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		abs, s = q, s-drop
	}
	m, ok := u128OfBig(abs)
	if !ok {
		if drop == 0 || s == 0 {
			return decimal128.Num{}, 0, errNumericRange()
		}
		return fitBig(new(big.Int).Mul(big.NewInt(int64(v.Sign())), abs), s) // rounding up added a digit
	}
	return join(v.Sign() < 0, m), s, nil
}

// varCmpExpr compares numerics of which at least one is variable-scale,
// by value (1.5 = 1.50).
type varCmpExpr struct {
	op   BinaryOp
	l, r Expr
}

func (e *varCmpExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *varCmpExpr) children() []Expr    { return []Expr{e.l, e.r} }
func (e *varCmpExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.l, c.r = ch[0], ch[1]
	return &c
}
func (e *varCmpExpr) String() string { return fmt.Sprintf("(%s %s %s)", e.l, e.op, e.r) }

func (e *varCmpExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalArgs(ctx, env, b, e.l, e.r)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	x, y := numAt(args[0], e.l.Type()), numAt(args[1], e.r.Type())
	out := array.NewBooleanBuilder(env.Mem)
	defer out.Release()
	n := args[0].Len()
	out.Reserve(n)
	for i := range n {
		if args[0].IsNull(i) || args[1].IsNull(i) {
			out.AppendNull()
			continue
		}
		xm, xs := x(i)
		ym, ys := y(i)
		c := cmpNumeric(xm, xs, ym, ys)
		var v bool
		switch e.op {
		case OpEq:
			v = c == 0
		case OpNe:
			v = c != 0
		case OpLt:
			v = c < 0
		case OpLe:
			v = c <= 0
		case OpGt:
			v = c > 0
		case OpGe:
			v = c >= 0
		}
		out.UnsafeAppend(v)
	}
	return out.NewArray(), nil
}

// cmpNumeric compares x × 10^-xs with y × 10^-ys.
func cmpNumeric(x decimal128.Num, xs int32, y decimal128.Num, ys int32) int {
	if isSpecial(x) || isSpecial(y) {
		return x.Cmp(y) // the sentinels order the same against any scale
	}
	s := max(xs, ys)
	a, ok1 := rescaleDec(x, xs, s)
	b, ok2 := rescaleDec(y, ys, s)
	if ok1 && ok2 {
		return a.Cmp(b)
	}
	xb := new(big.Int).Mul(x.BigInt(), bigPow10(s-xs))
	yb := new(big.Int).Mul(y.BigInt(), bigPow10(s-ys))
	return xb.Cmp(yb)
}

// AddNumeric is x (scale xs) + y (scale ys) at the larger scale, for
// aggregates over variable-scale numerics (22003 past 38 digits).
func AddNumeric(x decimal128.Num, xs int32, y decimal128.Num, ys int32) (decimal128.Num, int32, error) {
	return varArithRow(OpAdd, x, xs, y, ys)
}

// CmpNumeric compares x × 10^-xs with y × 10^-ys.
func CmpNumeric(x decimal128.Num, xs int32, y decimal128.Num, ys int32) int {
	return cmpNumeric(x, xs, y, ys)
}

// NewVarNumeric builds a variable-scale numeric array of type dt from
// mantissas and scales; valid (nil: all valid) marks the non-NULL rows.
func NewVarNumeric(mem memory.Allocator, dt arrow.DataType, mant []decimal128.Num, scales []int32, valid []bool) arrow.Array {
	n := len(mant)
	mbuf, m := allocFixed[decimal128.Num](mem, n)
	sbuf, s := allocFixed[int8](mem, n)
	var vbuf *memory.Buffer
	if valid != nil {
		vbuf = memory.NewResizableBuffer(mem)
		vbuf.Resize((n + 7) / 8)
		clear(vbuf.Bytes())
	}
	for i := range n {
		m[i], s[i] = mant[i], int8(scales[i])
		if valid != nil {
			if valid[i] {
				bitutil.SetBit(vbuf.Bytes(), i)
			} else {
				m[i], s[i] = decimal128.Num{}, 0
			}
		}
	}
	return newVarNumeric(dt, n, vbuf, mbuf, sbuf)
}
