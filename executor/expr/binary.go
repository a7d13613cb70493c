package expr

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// Binary returns l op r. The planner normally converts operands to one
// type family first; Binary additionally widens integers to a common
// width, integers to numeric or float8 and numeric to float8 as
// PostgreSQL's implicit casts would, adopts the other side's type for an
// Unknown (NULL) operand, promotes date < timestamp < timestamptz for
// comparisons and subtraction, and accepts the temporal operators in
// either order (int + date, interval + timestamp, float8 * interval).
// A combination without a kernel is 42883 "operator does not exist".
func Binary(op BinaryOp, l, r Expr) (Expr, error) {
	if int(op) >= len(opNames) {
		return nil, internalErr("binary operator %d", op)
	}
	l, r, err := coerceOperands(op, l, r)
	if err != nil {
		return nil, err
	}
	if op.IsComparison() || op == OpAdd || op == OpSub {
		l, r = alignLiteralScale(l, r)
	}
	if op.IsComparison() || op == OpIsDistinctFrom || op == OpIsNotDistinctFrom {
		// bpchar compares without its trailing blanks (bpcharcmp): as text.
		if l, err = stripBpchar(l); err != nil {
			return nil, err
		}
		if r, err = stripBpchar(r); err != nil {
			return nil, err
		}
	}
	lt, rt := l.Type(), r.Type()
	if lt.VarScale || rt.VarScale {
		if op.IsComparison() && lt.Kind == sqltypes.Numeric && rt.Kind == sqltypes.Numeric {
			return &varCmpExpr{op: op, l: l, r: r}, nil
		}
		// Any other operator reads the values at the nominal scale.
		if lt.VarScale {
			l = varToStatic(l, lt.Static())
		}
		if rt.VarScale {
			r = varToStatic(r, rt.Static())
		}
		return Binary(op, l, r)
	}
	switch {
	case op == OpAnd || op == OpOr:
		if lt.Kind != sqltypes.Bool || rt.Kind != sqltypes.Bool {
			return nil, operatorError(op.String(), lt, rt)
		}
		return &logicExpr{op: op, l: l, r: r}, nil
	case lt.Kind == sqltypes.JSONB && rt.Kind == sqltypes.JSONB && op.IsComparison():
		return &jsonbCmpExpr{op: op, l: l, r: r}, nil
	case (lt.Kind == sqltypes.JSONB || rt.Kind == sqltypes.JSONB) && op.IsComparison():
		return nil, operatorError(cmpOpName(op), lt, rt)
	case op == OpIsDistinctFrom || op == OpIsNotDistinctFrom || op.IsComparison():
		if !sameFamily(lt, rt) || !comparableType(lt) {
			return nil, operatorError(cmpOpName(op), lt, rt)
		}
		if op.IsComparison() {
			return &cmpExpr{op: op, l: l, r: r}, nil
		}
		return &distinctExpr{not: op == OpIsNotDistinctFrom, l: l, r: r}, nil
	case op == OpConcat:
		return newConcat(l, r)
	}
	if k, t, ok := arithKernel(op, lt, rt); ok {
		return &arithExpr{op: op, l: l, r: r, t: t, k: k}, nil
	}
	if l2, r2, ok := canonicalTemporal(op, l, r); ok {
		if k, t, ok := temporalArith(op, l2.Type(), r2.Type()); ok {
			return &arithExpr{op: op, l: l2, r: r2, t: t, k: k, swapped: l2 != l}, nil
		}
	}
	return nil, operatorError(op.String(), lt, rt)
}

func cmpOpName(op BinaryOp) string {
	if op == OpIsDistinctFrom || op == OpIsNotDistinctFrom {
		return "="
	}
	return op.String()
}

// sameFamily reports whether a comparison kernel accepts lt and rt.
func sameFamily(lt, rt sqltypes.Type) bool {
	if lt.IsString() && rt.IsString() || lt.Kind == rt.Kind && lt.Kind != sqltypes.List {
		return true
	}
	if lt.Kind == sqltypes.List && rt.Kind == sqltypes.List {
		return sameFamily(lt.Leaf(), rt.Leaf()) // of any dimensions, compared as compareDatums does
	}
	return lt.IsString() && rt.Kind == sqltypes.JSON || rt.IsString() && lt.Kind == sqltypes.JSON
}

func tempRank(k sqltypes.Kind) int {
	switch k {
	case sqltypes.Date:
		return 1
	case sqltypes.Timestamp:
		return 2
	case sqltypes.TimestampTZ:
		return 3
	}
	return 0
}

// numericTarget is the type an integer is widened to for numeric math.
func intAsNumeric(k sqltypes.Kind) sqltypes.Type {
	switch k {
	case sqltypes.Int2:
		return sqltypes.NumericType(5, 0)
	case sqltypes.Int4:
		return sqltypes.NumericType(10, 0)
	}
	return sqltypes.NumericType(19, 0)
}

// coerceOperands applies the implicit casts Binary documents.
func coerceOperands(op BinaryOp, l, r Expr) (Expr, Expr, error) {
	lt, rt := l.Type(), r.Type()
	to := func(e Expr, t sqltypes.Type) (Expr, error) { return Cast(e, t) }
	var err error
	switch {
	case lt.Kind == sqltypes.Unknown && rt.Kind == sqltypes.Unknown:
		t := sqltypes.TypeText
		if op == OpAnd || op == OpOr {
			t = sqltypes.TypeBool
		}
		if l, err = to(l, t); err == nil {
			r, err = to(r, t)
		}
		return l, r, err
	case lt.Kind == sqltypes.Unknown:
		t, err := unknownTarget(op, rt)
		if err != nil {
			return nil, nil, err
		}
		l, err = to(l, t)
		return l, r, err
	case rt.Kind == sqltypes.Unknown:
		t, err := unknownTarget(op, lt)
		if err != nil {
			return nil, nil, err
		}
		r, err = to(r, t)
		return l, r, err
	}
	// Temporal operators keep their own operand types.
	switch {
	// date ± integer takes int4: smallint widens to it, bigint does not
	// narrow (42883, as PostgreSQL has no date + bigint).
	case lt.Kind == sqltypes.Date && rt.Kind == sqltypes.Int2 && (op == OpAdd || op == OpSub):
		r, err = to(r, sqltypes.TypeInt4)
		return l, r, err
	case rt.Kind == sqltypes.Date && lt.Kind == sqltypes.Int2 && op == OpAdd:
		l, err = to(l, sqltypes.TypeInt4)
		return l, r, err
	case lt.Kind == sqltypes.Interval && rt.IsNumeric() && rt.Kind != sqltypes.Float8 && (op == OpMul || op == OpDiv):
		r, err = to(r, sqltypes.TypeFloat8)
		return l, r, err
	case rt.Kind == sqltypes.Interval && lt.IsNumeric() && lt.Kind != sqltypes.Float8 && op == OpMul:
		l, err = to(l, sqltypes.TypeFloat8)
		return l, r, err
	case tempRank(lt.Kind) > 0 && rt.Kind == sqltypes.Interval || lt.Kind == sqltypes.Interval && tempRank(rt.Kind) > 0:
		// date ± interval is computed on timestamp
		if lt.Kind == sqltypes.Date {
			l, err = to(l, sqltypes.TypeTimestamp)
		}
		if rt.Kind == sqltypes.Date {
			r, err = to(r, sqltypes.TypeTimestamp)
		}
		return l, r, err
	case lt.Kind == sqltypes.Date && rt.Kind == sqltypes.Time && op == OpSub:
		// date - time is date - interval (time converts to interval
		// implicitly): the timestamp that much before midnight.
		l, err = to(l, sqltypes.TypeTimestamp)
		return l, r, err
	}
	if a, b := tempRank(lt.Kind), tempRank(rt.Kind); a > 0 && b > 0 && a != b {
		if a < b {
			l, err = to(l, rt)
		} else {
			r, err = to(r, lt)
		}
		return l, r, err
	}
	a, b := lt.Kind.NumericRank(), rt.Kind.NumericRank()
	if a == 0 || b == 0 || lt.Kind == rt.Kind {
		return l, r, nil
	}
	target := func(k sqltypes.Kind, other sqltypes.Kind) sqltypes.Type {
		switch {
		case k == sqltypes.Float8 || other == sqltypes.Float8 || k == sqltypes.Float4 || other == sqltypes.Float4:
			return sqltypes.TypeFloat8
		case k == sqltypes.Numeric || other == sqltypes.Numeric:
			return sqltypes.Type{}
		}
		return sqltypes.Type{Kind: max(k, other)}
	}
	t := target(lt.Kind, rt.Kind)
	if t.Kind == sqltypes.Unknown { // numeric with an integer
		if lt.IsInteger() {
			l, err = to(l, intAsNumeric(lt.Kind))
		} else {
			r, err = to(r, intAsNumeric(rt.Kind))
		}
		return l, r, err
	}
	if !lt.Equal(t) {
		if l, err = to(l, t); err != nil {
			return l, r, err
		}
	}
	if !rt.Equal(t) {
		r, err = to(r, t)
	}
	return l, r, err
}

// unknownTarget is the type an untyped operand (NULL or a string
// literal) takes next to a typed one, following PostgreSQL's operator
// resolution: timestamp + unknown is an interval, date - unknown a date,
// interval * unknown a float8, and date + unknown is ambiguous (42725).
func unknownTarget(op BinaryOp, other sqltypes.Type) (sqltypes.Type, error) {
	switch {
	case op == OpAnd || op == OpOr:
		return sqltypes.TypeBool, nil
	case other.Kind == sqltypes.Date && op == OpAdd:
		return sqltypes.Type{}, sqltypes.New(sqltypes.CodeAmbiguousFunction, "operator is not unique: %s %s unknown", other, op).
			WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.")
	case (other.Kind == sqltypes.Timestamp || other.Kind == sqltypes.TimestampTZ || other.Kind == sqltypes.Time) && op == OpAdd:
		return sqltypes.TypeInterval, nil
	case other.Kind == sqltypes.Interval && (op == OpMul || op == OpDiv):
		return sqltypes.TypeFloat8, nil
	case other.Kind == sqltypes.Bpchar:
		// bpchar's operators take bpchar without a length: 'abcd' next to
		// a character(2) is not truncated.
		return sqltypes.Type{Kind: sqltypes.Bpchar}, nil
	}
	return other, nil
}

// canonicalTemporal swaps commutative temporal operands so the temporal
// value is on the left.
func canonicalTemporal(op BinaryOp, l, r Expr) (Expr, Expr, bool) {
	lk, rk := l.Type().Kind, r.Type().Kind
	switch {
	case op == OpAdd && lk == sqltypes.Int4 && rk == sqltypes.Date,
		op == OpAdd && lk == sqltypes.Time && rk == sqltypes.Date,
		op == OpAdd && lk == sqltypes.Interval && rk == sqltypes.Time,
		op == OpAdd && (lk == sqltypes.Interval || lk == sqltypes.Time) && (rk == sqltypes.Timestamp || rk == sqltypes.TimestampTZ),
		op == OpMul && lk == sqltypes.Float8 && rk == sqltypes.Interval:
		return r, l, true
	}
	return l, r, true
}

// arithKernel returns the kernel of + - * / % for numeric operands of one
// kind (numeric scales may differ).
func arithKernel(op BinaryOp, lt, rt sqltypes.Type) (kernel, sqltypes.Type, bool) {
	if lt.Kind != rt.Kind || op > OpMod {
		return nil, sqltypes.Type{}, false
	}
	dt := lt.Arrow()
	switch lt.Kind {
	case sqltypes.Int2:
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return arithInts[int16](mem, dt, op, errSmallintRange, a, b)
		}, lt, true
	case sqltypes.Int4:
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return arithInts[int32](mem, dt, op, errIntegerRange, a, b)
		}, lt, true
	case sqltypes.Int8:
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return arithInts[int64](mem, dt, op, errBigintRange, a, b)
		}, lt, true
	case sqltypes.Float4, sqltypes.Float8:
		if op == OpMod {
			return nil, sqltypes.Type{}, false
		}
		if lt.Kind == sqltypes.Float4 {
			return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
				return arithFloats[float32](mem, dt, op, a, b)
			}, lt, true
		}
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return arithFloats[float64](mem, dt, op, a, b)
		}, lt, true
	case sqltypes.Numeric:
		so := numericResultScale(op, lt, rt)
		t := sqltypes.NumericType(0, so)
		odt := t.Arrow()
		return func(mem memory.Allocator, _ *time.Location, a, b arrow.Array) (arrow.Array, error) {
			return arithDecimals(mem, odt, op, lt.Scale, rt.Scale, so, a, b)
		}, t, true
	}
	return nil, sqltypes.Type{}, false
}

// arithExpr is an arithmetic or temporal operator.
type arithExpr struct {
	op      BinaryOp
	l, r    Expr
	t       sqltypes.Type
	k       kernel
	swapped bool // operands were reordered; String shows the original order
}

func (e *arithExpr) Type() sqltypes.Type { return e.t }
func (e *arithExpr) children() []Expr    { return []Expr{e.l, e.r} }
func (e *arithExpr) withChildren(ch []Expr) Expr {
	c := *e
	c.l, c.r = ch[0], ch[1]
	return &c
}

func (e *arithExpr) String() string {
	if e.swapped {
		return fmt.Sprintf("(%s %s %s)", e.r, e.op, e.l)
	}
	return fmt.Sprintf("(%s %s %s)", e.l, e.op, e.r)
}

func (e *arithExpr) Eval(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (arrow.Array, error) {
	if out, ok, err := e.evalDecimalScalar(ctx, env, b); ok {
		return out, err
	}
	args, err := evalArgs(ctx, env, b, e.l, e.r)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	return e.k(env.Mem, env.Location, args[0], args[1])
}

// evalArgs evaluates es on b, releasing what it produced if one fails.
func evalArgs(ctx context.Context, env *executor.Env, b arrow.RecordBatch, es ...Expr) ([]arrow.Array, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]arrow.Array, len(es))
	for i, e := range es {
		a, err := e.Eval(ctx, env, b)
		if err != nil {
			releaseAll(out)
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// evalDecimalScalar evaluates numeric + - * with a non-NULL literal
// operand without materializing the literal; ok is false for any other
// expression.
func (e *arithExpr) evalDecimalScalar(ctx context.Context, env *executor.Env, b arrow.RecordBatch) (out arrow.Array, ok bool, err error) {
	lt, rt := e.l.Type(), e.r.Type()
	if e.t.Kind != sqltypes.Numeric || lt.Kind != sqltypes.Numeric || rt.Kind != sqltypes.Numeric || (e.op != OpAdd && e.op != OpSub && e.op != OpMul) {
		return nil, false, nil
	}
	other, sLeft := e.l, false
	v, isLit := IsLiteral(e.r)
	if !isLit {
		other, sLeft = e.r, true
		v, isLit = IsLiteral(e.l)
	}
	d, isDec := v.(decimal128.Num)
	if !isLit || !isDec {
		return nil, false, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, true, err
	}
	a, err := other.Eval(ctx, env, b)
	if err != nil {
		return nil, true, err
	}
	defer a.Release()
	out, err = arithDecimalScalar(env.Mem, e.t.Arrow(), e.op, lt.Scale, rt.Scale, e.t.Scale, a, d, sLeft)
	return out, true, err
}
