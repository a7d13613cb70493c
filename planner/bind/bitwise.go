package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// isBitwiseOperator reports whether name is an integer bitwise operator
// (& | # << >> infix, ~ prefix).
func isBitwiseOperator(name string, infix bool) bool {
	switch name {
	case "&", "|", "#", "<<", ">>":
		return infix
	case "~":
		return !infix
	}
	return false
}

// bindBitwise binds an integer bitwise operator to the PostgreSQL function
// implementing it for the operands' type (int4and, int8shl, …), resolving
// the operand types as PostgreSQL's operator lookup does: & | # take the
// wider integer type of the two sides, the shifts keep the left side's
// type and take an int2 or int4 count, and an untyped literal takes the
// other side's type (int4 for a shifted literal). Other types are 42883;
// two untyped literals (or ~ of one) are 42725, as several operators fit.
func (b *binder) bindBitwise(a *pg_query.A_Expr, name string, sc *scope, agg *aggState) (logical.Expr, error) {
	var l logical.Expr
	if a.Lexpr != nil {
		var err error
		if l, err = b.bindExpr(a.Lexpr, sc, agg); err != nil {
			return nil, err
		}
	}
	r, err := b.bindExpr(a.Rexpr, sc, agg)
	if err != nil {
		return nil, err
	}
	return b.bitwiseOperator(name, l, r, int(a.Location))
}

// bitwiseOperator is bindBitwise over bound operands (l nil for ~).
func (b *binder) bitwiseOperator(name string, l, r logical.Expr, loc int) (logical.Expr, error) {
	unknown := func(e logical.Expr) bool { return e.Type().Kind == sqltypes.Unknown }
	if l == nil {
		if unknown(r) {
			return nil, errAt(sqltypes.New(sqltypes.CodeAmbiguousFunction, "operator is not unique: %s unknown", name).
				WithHint("Could not choose a best candidate operator. You might need to add explicit type casts."), loc)
		}
		fn, ok := expr.BitwiseFunction(name, r.Type().Kind)
		if !ok {
			return nil, errAt(sqltypes.New(sqltypes.CodeUndefinedFunction, "operator does not exist: %s %s", name, r.Type()).
				WithHint("No operator matches the given name and argument type. You might need to add an explicit type cast."), loc)
		}
		return b.bitwiseCall(fn, loc, r)
	}
	if unknown(l) && unknown(r) {
		return nil, errAt(sqltypes.New(sqltypes.CodeAmbiguousFunction, "operator is not unique: unknown %s unknown", name).
			WithHint("Could not choose a best candidate operator. You might need to add explicit type casts."), loc)
	}
	lt, rt := l.Type(), r.Type()
	shift := name == "<<" || name == ">>"
	switch {
	case shift && lt.Kind == sqltypes.Unknown:
		lt = sqltypes.TypeInt4
	case lt.Kind == sqltypes.Unknown:
		lt = rt
	}
	switch {
	case shift && rt.Kind == sqltypes.Unknown:
		rt = sqltypes.TypeInt4
	case rt.Kind == sqltypes.Unknown:
		rt = lt
	}
	t := lt
	if !shift && lt.IsInteger() && rt.IsInteger() && intWidth(rt.Kind) > intWidth(lt.Kind) {
		t = rt
	}
	fn, ok := expr.BitwiseFunction(name, t.Kind)
	okRight := rt.IsInteger() && (!shift || rt.Kind != sqltypes.Int8)
	if !ok || !lt.IsInteger() || !okRight {
		return nil, opError(name, l.Type(), r.Type(), loc)
	}
	// Untyped literals are read as their type here, so that bad input
	// is 22P02 rather than a missing function.
	var err error
	if l, err = b.coerce(l, lt); err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	if r, err = b.coerce(r, rt); err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return b.bitwiseCall(fn, loc, l, r)
}

func (b *binder) bitwiseCall(fn string, loc int, args ...logical.Expr) (logical.Expr, error) {
	rt, err := funcType(fn, args)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: fn, Args: args, T: rt}, nil
}

func intWidth(k sqltypes.Kind) int {
	switch k {
	case sqltypes.Int2:
		return 2
	case sqltypes.Int4:
		return 4
	}
	return 8
}
