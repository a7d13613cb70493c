package bind

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// A function's builder may decide its result type by the value of a
// constant argument (round(x, 2) has scale 2), and it is built twice: when
// the binder types the call (funcType) and when planning, after folding
// constants, lowers it. Both must see the same argument, so the binder
// evaluates what planning folds: casts of literals are folded into
// literals as they are bound (2::int2 is the smallint 2), and a call's
// other constant arguments (1 + 1) are shown to its builder as their
// value. Only what PostgreSQL folds the same way whatever the session is
// evaluated here (numbers, booleans, text; no float output, which
// depends on extra_float_digits, and no date or time, which depend on
// TimeZone and DateStyle): a prepared statement is bound once for every
// execution.

// constValue evaluates e if it is a tree of constants, casts, arithmetic
// and negation over those types. ok is false otherwise, and when the
// evaluation fails: the error is planning's to raise or to leave for run
// time.
func constValue(e logical.Expr) (sqltypes.Datum, bool) {
	x, ok := constExpr(e)
	if !ok {
		return nil, false
	}
	env := &executor.Env{Mem: memory.DefaultAllocator}
	row := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	defer row.Release()
	arr, err := x.Eval(context.Background(), env, row)
	if err != nil {
		return nil, false
	}
	defer arr.Release()
	return expr.DatumAt(arr, e.Type(), 0), true
}

// constExpr builds e as the executor will, if constValue may evaluate it.
func constExpr(e logical.Expr) (expr.Expr, bool) {
	if !sessionFree(e.Type()) {
		return nil, false
	}
	if c, ok := e.(*logical.Const); ok {
		return expr.Literal(c.T, c.V), true
	}
	ch := e.Children()
	args := make([]expr.Expr, len(ch))
	for i, c := range ch {
		a, ok := constExpr(c)
		if !ok {
			return nil, false
		}
		args[i] = a
	}
	var out expr.Expr
	var err error
	switch x := e.(type) {
	case *logical.Cast:
		if from := x.E.Type().Kind; (from == sqltypes.Float4 || from == sqltypes.Float8) && !x.T.IsNumeric() {
			return nil, false // float output follows extra_float_digits
		}
		out, err = expr.Cast(args[0], x.T)
	case *logical.Binary:
		if x.Op > expr.OpMod { // + - * / %
			return nil, false
		}
		out, err = expr.Binary(x.Op, args[0], args[1])
	case *logical.Unary:
		if x.Op != logical.OpNegate {
			return nil, false
		}
		out, err = expr.Negate(args[0])
	default:
		return nil, false
	}
	// A type the executor builds differently from the binder's is left
	// to planning, which lowers it with the binder's.
	if err != nil || !out.Type().Equal(e.Type()) {
		return nil, false
	}
	return out, true
}

// sessionFree reports whether values of t are read and written the same
// way in every session: numbers, booleans and text (a per-value numeric
// scale is a value's own, kept by planning as an expression).
func sessionFree(t sqltypes.Type) bool {
	switch t.Kind {
	case sqltypes.Bool, sqltypes.Int2, sqltypes.Int4, sqltypes.Int8, sqltypes.Float4, sqltypes.Float8,
		sqltypes.Text, sqltypes.Varchar, sqltypes.Bpchar, sqltypes.Name:
		return true
	case sqltypes.Numeric:
		return !t.HasVarScale()
	}
	return false
}
