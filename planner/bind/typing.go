package bind

import (
	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// The executor's kernel constructors are the single source of truth for
// which operators, casts and functions exist and what they return; the
// binder asks them with placeholder column inputs instead of keeping a
// second copy of PostgreSQL's operator tables.

func placeholders(ts ...sqltypes.Type) []expr.Expr {
	out := make([]expr.Expr, len(ts))
	for i, t := range ts {
		out[i] = expr.Column(i, t, "")
	}
	return out
}

func binaryType(op expr.BinaryOp, l, r sqltypes.Type) (sqltypes.Type, error) {
	in := placeholders(l, r)
	e, err := expr.Binary(op, in[0], in[1])
	if err != nil {
		return sqltypes.Type{}, err
	}
	return e.Type(), nil
}

func castType(from, to sqltypes.Type) (sqltypes.Type, error) {
	e, err := expr.Cast(expr.Column(0, from, ""), to)
	if err != nil {
		return sqltypes.Type{}, err
	}
	return e.Type(), nil
}

// funcType asks the function library for a call's result type. Constant
// arguments are passed as literals, because some results depend on them
// (round(x, 2) has scale 2).
func funcType(name string, args []logical.Expr) (sqltypes.Type, error) {
	probe := make([]expr.Expr, len(args))
	for i, a := range args {
		probe[i] = probeArg(i, a)
	}
	e, err := expr.Call(name, probe)
	if err != nil {
		return sqltypes.Type{}, err
	}
	return e.Type(), nil
}

// probeArg is argument i as funcType shows it to the function's
// builder: a constant, or a constant expression planning folds the same
// way in every session (1 + 1, constfold.go), as its literal, because some
// results depend on it (round's places decide its type); anything else as
// a column of its type.
func probeArg(i int, a logical.Expr) expr.Expr {
	if c, ok := a.(*logical.Const); ok {
		return expr.Literal(c.T, c.V)
	}
	if v, ok := constValue(a); ok {
		return expr.Literal(a.Type(), v)
	}
	return expr.Column(i, a.Type(), "")
}

func negateType(t sqltypes.Type) (sqltypes.Type, error) {
	e, err := expr.Negate(expr.Column(0, t, ""))
	if err != nil {
		return sqltypes.Type{}, err
	}
	return e.Type(), nil
}
