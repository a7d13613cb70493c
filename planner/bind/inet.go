package bind

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/meshql/meshql/executor/expr"
	"github.com/meshql/meshql/planner/logical"
	"github.com/meshql/meshql/sqltypes"
)

// isNetworkOperator reports whether name is an operator PostgreSQL
// defines on inet: << <<= >> >>= && & | infix and ~ prefix (& | ~ on
// macaddr too) (+ and -
// are resolved in bindOperator). Some of them are integer, array or
// jsonb operators too; bindNetworkOperator decides by the operand types.
func isNetworkOperator(name string, infix bool) bool {
	switch name {
	case "<<", "<<=", ">>", ">>=", "&&", "&", "|":
		return infix
	case "~":
		return !infix
	}
	return false
}

func isInetType(t sqltypes.Type) bool { return t.Kind == sqltypes.Inet || t.Kind == sqltypes.Cidr }

// isAddressType is isInetType or macaddr: the types of the network
// operators.
func isAddressType(t sqltypes.Type) bool { return isInetType(t) || t.Kind == sqltypes.Macaddr }

// bindNetworkOperator binds a network operator over inet or cidr
// operands to its function (network_sub, inetand, …), an untyped literal
// on the other side read as inet, as PostgreSQL resolves it. Operands of
// other types go to the range, integer and array operators of that name.
func (b *binder) bindNetworkOperator(a *pg_query.A_Expr, name string, sc *scope, agg *aggState) (logical.Expr, error) {
	loc := int(a.Location)
	var l logical.Expr
	var err error
	if a.Lexpr != nil {
		if l, err = b.bindExpr(a.Lexpr, sc, agg); err != nil {
			return nil, err
		}
	}
	r, err := b.bindExpr(a.Rexpr, sc, agg)
	if err != nil {
		return nil, err
	}
	if l == nil {
		if isAddressType(r.Type()) {
			return b.inetCall(expr.InetOperatorFunc(name, sqltypes.TypeUnknown, r.Type()), loc, r)
		}
		return b.bitwiseOperator(name, nil, r, loc)
	}
	return b.networkOperator(name, l, r, loc)
}

// networkOperator is bindNetworkOperator's infix form over bound operands.
func (b *binder) networkOperator(name string, l, r logical.Expr, loc int) (logical.Expr, error) {
	lt, rt := l.Type(), r.Type()
	if isAddressType(lt) || isAddressType(rt) {
		// An untyped literal is read as the other side's type (inet for
		// a cidr: the operators take inet).
		other := sqltypes.TypeInet
		if lt.Kind == sqltypes.Macaddr || rt.Kind == sqltypes.Macaddr {
			other = sqltypes.TypeMacaddr
		}
		return b.addressOperator(name, other, l, r, loc)
	}
	if (name == "<<=" || name == ">>=") && lt.Kind == sqltypes.Unknown && rt.Kind == sqltypes.Unknown {
		// Only inet has <<= and >>=: two untyped literals are addresses.
		var err error
		if l, err = b.coerce(l, sqltypes.TypeInet); err != nil {
			return nil, errAt(sqltypes.AsError(err), loc)
		}
		return b.addressOperator(name, sqltypes.TypeInet, l, r, loc)
	}
	if e, ok, err := b.bindRangeOperator(0, name, l, r, loc); ok { // << >> && of ranges
		return e, err
	}
	if isBitwiseOperator(name, true) {
		return b.bitwiseOperator(name, l, r, loc)
	}
	if name == "&&" {
		if lt.Kind == sqltypes.Unknown && rt.Kind == sqltypes.Unknown {
			return nil, errAt(sqltypes.New(sqltypes.CodeAmbiguousFunction, "operator is not unique: unknown %s unknown", name).
				WithHint("Could not choose a best candidate operator. You might need to add explicit type casts."), loc)
		}
		if e, ok, err := b.bindArrayOperator(name, l, r, loc); ok {
			return e, err
		}
	}
	return nil, opError(name, lt, rt, loc)
}

// inetArith binds + and - with an inet or cidr operand: inet + bigint,
// bigint + inet, inet - bigint and inet - inet. An untyped literal is
// read as bigint after + and as inet after -, as PostgreSQL resolves
// them. ok is false when neither operand is an address.
func (b *binder) inetArith(op expr.BinaryOp, opText string, l, r logical.Expr, loc int) (logical.Expr, bool, error) {
	lt, rt := l.Type(), r.Type()
	if !isInetType(lt) && !isInetType(rt) || op != expr.OpAdd && op != expr.OpSub {
		return nil, false, nil
	}
	other := sqltypes.TypeInt8
	if op == expr.OpSub {
		other = sqltypes.TypeInet
	}
	e, err := b.addressOperator(opText, other, l, r, loc)
	return e, true, err
}

// addressOperator binds operator name over l and r, an untyped literal
// on either side read as other, to its function (expr.InetOperatorFunc);
// 42883 when there is none for the operands' types.
func (b *binder) addressOperator(name string, other sqltypes.Type, l, r logical.Expr, loc int) (logical.Expr, error) {
	lt, rt := l.Type(), r.Type()
	var err error
	if lt.Kind == sqltypes.Unknown {
		l, err = b.coerce(l, other)
	} else if rt.Kind == sqltypes.Unknown {
		r, err = b.coerce(r, other)
	}
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	fn := expr.InetOperatorFunc(name, l.Type(), r.Type())
	if fn == "" {
		return nil, opError(name, lt, rt, loc)
	}
	return b.inetCall(fn, loc, l, r)
}

func (b *binder) inetCall(fn string, loc int, args ...logical.Expr) (logical.Expr, error) {
	t, err := funcType(fn, args)
	if err != nil {
		return nil, errAt(sqltypes.AsError(err), loc)
	}
	return &logical.Func{Name: fn, Args: args, T: t}, nil
}

// bindInetFunction binds host, masklen, set_masklen, … (expr.InetFunc):
// an untyped literal is read as inet where an address is expected and
// as an integer where a mask length or an addend is, as PostgreSQL
// resolves them (host('10.1.2.3/8') is host(inet)).
func (b *binder) bindInetFunction(name string, fc *pg_query.FuncCall, sc *scope, agg *aggState) (logical.Expr, error) {
	args, err := b.bindExprs(fc.Args, sc, agg)
	if err != nil {
		return nil, err
	}
	for i, a := range args {
		if a.Type().Kind != sqltypes.Unknown {
			continue
		}
		t := sqltypes.TypeInet
		if expr.MacaddrFunc(name) {
			t = sqltypes.TypeMacaddr
		}
		switch {
		case name == "set_masklen" && i == 1:
			t = sqltypes.TypeInt4
		case (name == "inetpl" || name == "inetmi_int8") && i == 1, name == "int8pl_inet" && i == 0:
			t = sqltypes.TypeInt8
		}
		if args[i], err = b.coerce(a, t); err != nil {
			return nil, errAt(sqltypes.AsError(err), location(fc.Args[i]))
		}
	}
	return b.inetCall(name, int(fc.Location), args...)
}
