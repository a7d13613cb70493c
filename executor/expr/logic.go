package expr

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// logicExpr is AND / OR with SQL's three-valued logic: FALSE AND NULL is
// FALSE, TRUE OR NULL is TRUE, otherwise NULL propagates. The right side
// is evaluated on the whole batch; if that raises an error, it is
// re-evaluated on only the rows the left side did not decide, so
// "x <> 0 AND 1/x > 1" does not fail on rows where x = 0 (PostgreSQL does
// not promise an order, but users rely on this one).
type logicExpr struct {
	op   BinaryOp
	l, r Expr
}

func (e *logicExpr) Type() sqltypes.Type { return sqltypes.TypeBool }
func (e *logicExpr) children() []Expr    { return []Expr{e.l, e.r} }
func (e *logicExpr) withChildren(ch []Expr) Expr {
	return &logicExpr{op: e.op, l: ch[0], r: ch[1]}
}
func (e *logicExpr) String() string { return fmt.Sprintf("(%s %s %s)", e.l, e.op, e.r) }

// boolBits returns a boolean array's values and validity as bitmaps at
// offset 0 (validity all ones when there are no nulls).
func boolBits(mem memory.Allocator, a arrow.Array) (vals, valid *memory.Buffer) {
	n := a.Len()
	if a.DataType().ID() == arrow.NULL {
		vals, _ = allocBitmap(mem, n)
		valid, _ = allocBitmap(mem, n)
		return vals, valid
	}
	return copyBitmap(mem, a.Data().Buffers()[1].Bytes(), a.Data().Offset(), n), validBytes(mem, a)
}

func (e *logicExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := int(b.NumRows())
	la, err := e.l.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	av, am := boolBits(env.Mem, la)
	la.Release()
	defer av.Release()
	defer am.Release()
	and := e.op == OpAnd
	// undecided rows: not (valid and the deciding value)
	und, ub := allocBitmap(env.Mem, n)
	defer und.Release()
	cnt := 0
	for i := range ub {
		if and {
			ub[i] = ^(am.Bytes()[i] &^ av.Bytes()[i])
		} else {
			ub[i] = ^(am.Bytes()[i] & av.Bytes()[i])
		}
	}
	cnt = countBits(ub, n)
	var ra arrow.Array
	if cnt == 0 {
		ra = nullArray(env.Mem, sqltypes.TypeBool, n)
	} else if ra, err = e.r.Eval(ctx, env, b); err != nil {
		var se *sqltypes.Error
		if cnt == n || !errors.As(err, &se) || se.Code == sqltypes.CodeQueryCanceled {
			return nil, err
		}
		if ra, err = evalOnRows(ctx, env, b, e.r, ub, cnt); err != nil {
			return nil, err
		}
	}
	bv, bm := boolBits(env.Mem, ra)
	ra.Release()
	defer bv.Release()
	defer bm.Release()
	vals, vb := allocBitmap(env.Mem, n)
	valid, mb := allocBitmap(env.Mem, n)
	x, xm, y, ym := av.Bytes(), am.Bytes(), bv.Bytes(), bm.Bytes()
	for i := range vb {
		if and {
			f := xm[i]&^x[i] | ym[i]&^y[i]
			mb[i] = f | xm[i]&ym[i]
			vb[i] = xm[i] & x[i] & ym[i] & y[i]
		} else {
			t := xm[i]&x[i] | ym[i]&y[i]
			mb[i] = t | xm[i]&ym[i]
			vb[i] = t
		}
	}
	return boolArray(n, vals, valid), nil
}

// countBits counts the set bits among the first n of bm (offset 0).
func countBits(bm []byte, n int) int {
	c := 0
	for i := 0; i < n; i++ {
		c += int(bm[i>>3] >> (i & 7) & 1)
	}
	return c
}

// unaryExpr is a one-argument operator with a kernel on the evaluated input.
type unaryExpr struct {
	name string // for String: "NOT", "-", "IS NULL", …
	post bool   // name follows the operand
	in   Expr
	t    sqltypes.Type
	k    func(env *executor.Env, a arrow.Array) (arrow.Array, error)
}

func (e *unaryExpr) Type() sqltypes.Type { return e.t }
func (e *unaryExpr) children() []Expr    { return []Expr{e.in} }
func (e *unaryExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.in = ch[0]
	return &c
}

func (e *unaryExpr) String() string {
	if e.post {
		return fmt.Sprintf("(%s %s)", e.in, e.name)
	}
	return fmt.Sprintf("(%s %s)", e.name, e.in)
}

func (e *unaryExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, err := e.in.Eval(ctx, env, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return e.k(env, a)
}

// Not returns NOT e (NULL stays NULL). e must be boolean (or NULL).
func Not(e Expr) Expr {
	if e.Type().Kind == sqltypes.Unknown {
		e = &castExpr{in: e, t: sqltypes.TypeBool, k: castNullKernel(sqltypes.TypeBool)}
	}
	return &unaryExpr{name: "NOT", in: e, t: sqltypes.TypeBool, k: func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
		vals, valid := boolBits(env.Mem, a)
		vb := vals.Bytes()
		for i := range vb {
			vb[i] = ^vb[i]
		}
		if a.NullN() == 0 {
			valid.Release()
			valid = nil
		}
		return boolArray(a.Len(), vals, valid), nil
	}}
}

// IsNull returns e IS NULL (negated: IS NOT NULL); never NULL.
func IsNull(e Expr, negated bool) Expr {
	name := "IS NULL"
	if negated {
		name = "IS NOT NULL"
	}
	return &unaryExpr{name: name, post: true, in: e, t: sqltypes.TypeBool, k: func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
		valid := validBytes(env.Mem, a)
		if !negated {
			vb := valid.Bytes()
			for i := range vb {
				vb[i] = ^vb[i]
			}
		}
		return boolArray(a.Len(), valid, nil), nil
	}}
}

// IsBool returns e IS [NOT] TRUE / FALSE (want is TRUE or FALSE); never NULL.
func IsBool(e Expr, want bool, negated bool) Expr {
	name := "IS "
	if negated {
		name += "NOT "
	}
	if want {
		name += "TRUE"
	} else {
		name += "FALSE"
	}
	if e.Type().Kind == sqltypes.Unknown {
		e = &castExpr{in: e, t: sqltypes.TypeBool, k: castNullKernel(sqltypes.TypeBool)}
	}
	return &unaryExpr{name: name, post: true, in: e, t: sqltypes.TypeBool, k: func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
		vals, valid := boolBits(env.Mem, a)
		defer valid.Release()
		vb, mb := vals.Bytes(), valid.Bytes()
		for i := range vb {
			v := vb[i]
			if !want {
				v = ^v
			}
			v &= mb[i]
			if negated {
				v = ^v
			}
			vb[i] = v
		}
		return boolArray(a.Len(), vals, nil), nil
	}}
}

// Negate returns -e for integers (22003 on the minimum value), floats,
// numeric and interval; other types are 42883.
func Negate(e Expr) (Expr, error) {
	t := e.Type()
	if t.Kind == sqltypes.Unknown {
		return nil, sqltypes.New(sqltypes.CodeAmbiguousFunction, "operator is not unique: - unknown").WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
	}
	dt := t.Arrow()
	var k func(env *executor.Env, a arrow.Array) (arrow.Array, error)
	switch t.Kind {
	case sqltypes.Int2:
		k = func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
			return negateInts[int16](env.Mem, dt, errSmallintRange, a)
		}
	case sqltypes.Int4:
		k = func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
			return negateInts[int32](env.Mem, dt, errIntegerRange, a)
		}
	case sqltypes.Int8:
		k = func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
			return negateInts[int64](env.Mem, dt, errBigintRange, a)
		}
	case sqltypes.Float4:
		k = func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
			return negateFloats[float32](env.Mem, dt, a), nil
		}
	case sqltypes.Float8:
		k = func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
			return negateFloats[float64](env.Mem, dt, a), nil
		}
	case sqltypes.Numeric:
		k = func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
			return negateDecimals(env.Mem, dt, a), nil
		}
	case sqltypes.Interval:
		k = func(env *executor.Env, a arrow.Array) (arrow.Array, error) {
			return mapUnary(env.Mem, dt, a, negateInterval)
		}
	default:
		return nil, unaryOperatorError("-", t)
	}
	return &unaryExpr{name: "-", in: e, t: t, k: k}, nil
}
